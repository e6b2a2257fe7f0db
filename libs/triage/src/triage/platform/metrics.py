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
LAST_POLL = Gauge("triage_last_poll_timestamp_seconds", "When the loop last polled Kafka", ["service"])
