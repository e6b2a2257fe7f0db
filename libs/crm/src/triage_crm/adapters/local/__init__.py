"""The local CRM: contacts, companies, deals and tickets in our PostgreSQL."""
