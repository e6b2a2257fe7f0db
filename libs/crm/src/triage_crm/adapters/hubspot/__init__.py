"""HubSpot (hubspot-api-client): contacts, companies, deals, tickets, notes, associations v4."""
