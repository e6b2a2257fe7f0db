"""How a handler tells the runtime what kind of failure it hit."""


class TransientError(Exception):
    """Worth retrying: a 429, a 5xx, a timeout, a lost connection."""


class Unavailable(TransientError):
    """A dependency every record needs is away (the database down or restarting, the CRM
    answering 5xx or 429, timing out, refusing connections): never retried inside the Kafka
    transaction, never dead-lettered. The runtime commits the records done before this one,
    opens the dependency's circuit and holds the rest back until a probe passes (ADR 0022).

    ``dependency`` names the circuit (and the ``triage_circuit_state`` label);
    ``retry_after_s`` is the dependency's own ``Retry-After``, when it gave one.
    """

    def __init__(self, message: str, *, dependency: str = "postgresql", retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.dependency = dependency
        self.retry_after_s = retry_after_s


class Throttled(Unavailable):
    """Our own request budget for the dependency is spent for ``retry_after_s``: a pause, not a
    failure. The runtime commits what the batch has done and waits outside the transaction;
    the circuit stays closed."""


class PermanentError(Exception):
    """Retrying cannot help (bad input, schema violation): straight to the DLQ."""


class CrmRejected(PermanentError):
    """The CRM refused this email's data (a validation 4xx): a person fixes it, nothing else is wrong.

    Unlike a plain ``PermanentError`` (a bad token, a missing scope or field: every email would
    fail) it does not dead-letter the record: crm-sink announces the action as ``failed`` with
    the CRM's message (the text of this exception) and audit opens a review item for it.
    """
