"""Applies the topic registry to a cluster: creates what is missing, idempotently."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from triage.platform.settings import Settings
from triage.platform.topics import REGISTRY

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppliedTopic:
    name: str
    partitions: int
    created: bool


def apply_topics(settings: Settings, partitions: int | None = None, timeout_s: float = 30) -> list[AppliedTopic]:
    """Create every registry topic that does not exist yet; existing topics are left as they are."""
    admin = AdminClient(settings.kafka_config())
    wanted = [
        NewTopic(
            settings.topic(spec.name),
            num_partitions=partitions or spec.partitions,
            replication_factor=-1,  # the broker's default.replication.factor
            config=dict(spec.configs),
        )
        for spec in REGISTRY
    ]
    futures = admin.create_topics(wanted, request_timeout=timeout_s, operation_timeout=timeout_s)
    applied = []
    for topic in wanted:
        try:
            futures[topic.topic].result(timeout_s)
            applied.append(AppliedTopic(topic.topic, topic.num_partitions, True))
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
            applied.append(AppliedTopic(topic.topic, topic.num_partitions, False))
    created = [t.name for t in applied if t.created]
    if created:
        log.info("created topics %s", created)
    return applied
