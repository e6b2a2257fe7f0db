"""The crm-sink service."""
