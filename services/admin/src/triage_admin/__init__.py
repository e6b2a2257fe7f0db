"""The admin service: the JSON API and the operator's web UI (ADR 0035)."""
