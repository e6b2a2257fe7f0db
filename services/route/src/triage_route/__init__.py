"""The route service."""
