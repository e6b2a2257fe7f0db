"""The pure core: plain functions over plain data, no I/O (a test keeps it so)."""
