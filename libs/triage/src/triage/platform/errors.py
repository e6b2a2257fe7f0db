"""How a handler tells the runtime what kind of failure it hit."""


class TransientError(Exception):
    """Worth retrying: a 429, a 5xx, a timeout, a lost connection."""


class PermanentError(Exception):
    """Retrying cannot help (bad input, schema violation): straight to the DLQ."""
