"""Salesforce (simple-salesforce): Account, Contact, Opportunity, Case, Task."""
