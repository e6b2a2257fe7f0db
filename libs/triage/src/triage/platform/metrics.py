"""Prometheus metrics every stage shares (per-stage counters and timings)."""

from prometheus_client import Counter, Gauge, Histogram

RECORDS_PROCESSED = Counter(
    "triage_records_processed_total", "Records consumed and handled", ["service", "topic"]
)
RECORDS_FAILED = Counter(
    "triage_records_failed_total", "Handler attempts that raised", ["service", "topic", "kind"]
)
DLQ_RECORDS = Counter(
    "triage_dlq_records_total", "Records written to the dead-letter topic", ["service", "error_class"]
)
PROCESSING_SECONDS = Histogram(
    "triage_processing_seconds", "Handler time per record", ["service", "topic"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TRANSACTIONS = Counter(
    "triage_transactions_total", "Kafka transactions by outcome", ["service", "outcome"]
)
BATCH_SIZE = Histogram(
    "triage_batch_records", "Records per transaction", ["service"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
CIRCUIT_STATE = Gauge(
    "triage_circuit_state", "A dependency's circuit (ADR 0022): 0 closed, 1 half-open (probing), 2 open (waiting)",
    ["service", "dependency"],
)
KAFKA_CALLS_WEDGED = Counter(
    "triage_kafka_calls_wedged_total",
    "Kafka client calls still blocked past their timeout: the client was replaced (bounded.py)",
    ["service", "call"],
)
PRODUCERS_REPLACED = Counter(
    "triage_producers_replaced_total",
    "Transactional producers started afresh before a transaction, by reason (runtime.py)",
    ["service", "reason"],
)
LAST_POLL = Gauge("triage_last_poll_timestamp_seconds", "When the loop last polled Kafka", ["service"])

# -- the seed design's pipeline metrics (counted by their stages' Handler.observe, ADR 0033) --
# emails_ingested_total{inbox} is the ingest door's (services/ingest/.../app.py).
EXTRACTION_CONFIDENCE = Histogram(
    "extraction_confidence", "Confidence of each extraction", ["intent"],
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0),
)
LLM_COST_USD = Counter("llm_cost_usd", "What the extractor's model calls cost, in US dollars", ["model"])
LLM_TOKENS = Counter("llm_tokens", "Tokens the extractor's model read and wrote", ["model", "direction"])
EMAILS_ROUTED = Counter(
    "emails_routed", "Emails routed, by receiving mailbox, queue and intent",
    ["mailbox", "queue", "intent", "priority"],
)
CRM_WRITE_LATENCY = Histogram(
    "crm_write_latency_seconds", "Time of one CRM write (search, create or update)", ["backend", "action"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CRM_WRITES = Counter(
    "crm_writes", "CRM writes by outcome (created/updated/unchanged/failed, or error: it raised)",
    ["backend", "action", "outcome"],
)
IDEMPOTENCY_CONFLICTS = Counter(
    "idempotency_conflicts",
    "CRM writes whose idempotency key was already recorded (a replay: the recorded result was returned)",
    ["backend"],
)
LEAD_TIME_SECONDS = Histogram(
    "email_lead_time_seconds", "From receipt (RawEmail.received_at) to its crm.events records", ["queue"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600),
)
SLA_BREACHES = Counter(
    "email_sla_breaches",
    "Emails that reached crm.events after their SLA due time (the pipeline used up the SLA)", ["queue"],
)


# -- mailbox labels carry no personal data ---------------------------------------------------
#: The inboxes a label may name (mailbox.json's ``inboxes`` and the Gmail mailboxes); any other
#: address — a private recipient in To:, a made-up X-Triage-Inbox — is "other", so neither an
#: address nor an unbounded number of series reaches /metrics.
_CONFIGURED_INBOXES: frozenset[str] = frozenset()
OTHER_INBOX = "other"


def configure_inboxes(inboxes: object) -> None:
    global _CONFIGURED_INBOXES
    _CONFIGURED_INBOXES = frozenset(str(inbox).strip().lower() for inbox in inboxes)  # type: ignore[attr-defined]


def inbox_label(address: str | None) -> str:
    address = (address or "").strip().lower()
    return address if address in _CONFIGURED_INBOXES else OTHER_INBOX


# -- where a stage's CPU goes (docs/benchmarks.md, "Where the time goes") ---------------------
#: CPU seconds of the loop's own thread (time.thread_time), by phase: decode, handle, encode
#: and produce per input topic (extract's handle on email.raw is normalisation, on email.clean
#: extraction); prepare, flush and commit per batch (topic ""). librdkafka's threads are not in
#: it: process_cpu_seconds_total is the whole process.
STAGE_CPU = Counter(
    "triage_stage_cpu_seconds_total", "CPU time of the stage loop's thread, by phase", ["service", "topic", "phase"]
)
#: The encode and decode phases split: model_dump, validate, avro_write; avro_read, model_validate.
SERDE_CPU = Counter("triage_serde_cpu_seconds_total", "CPU time of Avro encoding and decoding by step",
                    ["topic", "step"])
#: PostgreSQL: statements sent (each a round trip; executemany one per call) and Database.run calls.
DB_STATEMENTS = Counter("triage_db_statements_total", "SQL statements sent to PostgreSQL")
DB_RUNS = Counter("triage_db_runs_total", "Database.run calls (one transaction each, as the stages use it)")
DB_SECONDS = Counter("triage_db_seconds_total", "Time inside Database.run: wall clock and this thread's CPU",
                     ["clock"])
