"""A test session leaves the shared broker as it found it: its pipelines' topics and groups go."""

from __future__ import annotations

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from tests.support import pipeline as pipelines
from tests.support.pipeline import Pipeline, drop_session_topics


def test_a_sessions_prefixed_topics_and_groups_are_dropped_and_no_others(pipeline: Pipeline) -> None:
    admin = AdminClient({"bootstrap.servers": pipeline.stack.bootstrap_servers})
    consumer = Consumer({"bootstrap.servers": pipeline.stack.bootstrap_servers,
                         "group.id": f"{pipeline.prefix}triage-route", "enable.auto.commit": False})
    consumer.commit(offsets=[TopicPartition(pipeline.settings.topic("email.raw"), 0, 0)], asynchronous=False)
    consumer.close()  # a group with a committed offset, as a stage leaves behind
    def our_groups() -> list[str]:
        return [g.group_id for g in admin.list_consumer_groups(request_timeout=30).result().valid
                if g.group_id.startswith(pipeline.prefix)]

    assert our_groups() == [f"{pipeline.prefix}triage-route"]
    ours = {t for t in admin.list_topics(timeout=30).topics if t.startswith(pipeline.prefix)}
    assert len(ours) >= 8
    others_before = {t for t in admin.list_topics(timeout=30).topics if not t.startswith(pipeline.prefix)}

    saved = set(pipelines.PREPARED)
    pipelines.PREPARED.intersection_update({(pipeline.stack.bootstrap_servers, pipeline.prefix)})
    try:
        assert drop_session_topics(pipeline.stack.bootstrap_servers) == len(ours)
    finally:
        pipelines.PREPARED.update(saved)
    left = {t for t in admin.list_topics(timeout=30).topics if t.startswith(pipeline.prefix)}
    assert left == set()
    assert others_before <= set(admin.list_topics(timeout=30).topics), "another session's topic was dropped"
    assert our_groups() == []
