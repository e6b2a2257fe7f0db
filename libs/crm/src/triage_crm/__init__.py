"""The CRM writer both crm-sink and the admin install (ADR 0039): the one writer over a port
(writer.py, crm_port.py), its adapters (local, HubSpot, Salesforce), the ledger, the deal lock,
and the backend a process builds from its settings (backends.py)."""
