"""Shared library of the email-triage pipeline.

``triage.domain`` is the pure core (models, normalisation, extraction, rules,
CRM planning): it performs no I/O and imports no Kafka, HTTP or database
module, so the CLI and the evaluation run it without any service.
``triage.platform`` is the thin shell every service shares: settings, the
Avro serde, the topic registry and the transactional Kafka runtime.
"""
