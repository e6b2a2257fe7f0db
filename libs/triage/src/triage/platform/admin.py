"""Applies the topic registry to a cluster, idempotently: creates what is missing and sets the
registry's configs (retention, record size, compaction) on the topics that exist already."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewTopic,
)

from triage.platform.settings import KafkaSettings
from triage.platform.topics import REGISTRY, topic_configs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppliedTopic:
    name: str
    partitions: int
    created: bool


def apply_topics(settings: KafkaSettings, partitions: int | None = None, timeout_s: float = 30) -> list[AppliedTopic]:
    """Create every registry topic that does not exist yet and set the registry's configs on the
    others (their partition count is left alone: changing it would move keys)."""
    admin = AdminClient(settings.kafka_config())
    wanted = [
        NewTopic(
            settings.topic(spec.name),
            num_partitions=partitions or spec.partitions,
            replication_factor=-1,  # the broker's default.replication.factor
            config=topic_configs(spec, settings.triage_ingest_max_bytes),
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
    set_configs(admin, [t for t in wanted if t.topic not in created], timeout_s)
    return applied


def set_configs(admin: AdminClient, topics: list[NewTopic], timeout_s: float) -> None:
    """SET each config the registry names on existing topics; configs it does not name stay."""
    if not topics:
        return
    resources = [
        ConfigResource(ConfigResource.Type.TOPIC, topic.topic, incremental_configs=[
            ConfigEntry(name, value, incremental_operation=AlterConfigOpType.SET)
            for name, value in topic.config.items()
        ])
        for topic in topics
    ]
    for future in admin.incremental_alter_configs(resources, request_timeout=timeout_s).values():
        future.result(timeout_s)
