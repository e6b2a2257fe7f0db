"""The operator CLI."""
