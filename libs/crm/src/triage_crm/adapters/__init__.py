"""The CRM adapters: primitive reads and writes of one CRM each (the port: crm_port.py)."""
