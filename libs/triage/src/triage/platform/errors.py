"""How a handler tells the runtime what kind of failure it hit."""


class TransientError(Exception):
    """Worth retrying: a 429, a 5xx, a timeout, a lost connection."""


class Unavailable(TransientError):
    """A dependency every record needs is away (the database down or restarting): the batch
    waits for it, rewound with backoff for as long as the outage lasts; never dead-lettered."""


class PermanentError(Exception):
    """Retrying cannot help (bad input, schema violation): straight to the DLQ."""


class CrmRejected(PermanentError):
    """The CRM refused this email's data (a validation 4xx): a person fixes it, nothing else is wrong.

    Unlike a plain ``PermanentError`` (a bad token, a missing scope or field: every email would
    fail) it does not dead-letter the record: crm-sink announces the action as ``failed`` with
    the CRM's message (the text of this exception) and audit opens a review item for it.
    """
