"""Consumer lag of the pipeline's consumer groups, in records and in seconds, for Prometheus.

Per group, topic and partition:
- records: the partition's end (the last stable offset, as a read_committed
  consumer sees it) minus the group's committed offset (the log start when the
  group has committed nothing yet);
- seconds: the age of the oldest record the group has not consumed, i.e. of
  the record at the committed offset, read once and remembered while the
  group stays there.

Transaction markers take offsets too, so the record count of a busy partition
is over by at most one per transaction in the window; a partition whose only
"unconsumed" offsets are markers (probed: nothing to read) counts as 0 and 0 s.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from confluent_kafka import (
    Consumer,
    ConsumerGroupTopicPartitions,
    IsolationLevel,
    KafkaError,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient, OffsetSpec
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from triage.platform.settings import KafkaSettings

log = logging.getLogger(__name__)

TIMEOUT_S = 10


@dataclass(frozen=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    committed: int  # -1: nothing committed yet
    end: int
    records: int
    seconds: float


@dataclass(frozen=True)
class _Position:
    group: str
    topic: str
    partition: int
    committed: int


class LagReader:
    """Reads every matching group's lag. No network I/O in ``__init__``."""

    def __init__(self, settings: KafkaSettings, group_prefix: str | None = None) -> None:
        self.settings = settings
        self.group_prefix = group_prefix if group_prefix is not None else f"{settings.triage_topic_prefix}triage-"
        self._admin: AdminClient | None = None
        self._consumer: Consumer | None = None
        self._timestamps: dict[tuple[str, int, int], int] = {}  # (topic, partition, offset) -> ms

    @property
    def admin(self) -> AdminClient:
        if self._admin is None:
            self._admin = AdminClient(self.settings.kafka_config())
        return self._admin

    @property
    def consumer(self) -> Consumer:
        """Reads the oldest unconsumed records; it never joins a group nor commits."""
        if self._consumer is None:
            self._consumer = Consumer({
                **self.settings.kafka_config(),
                "group.id": f"triage-lag-probe-{uuid.uuid4().hex[:8]}",
                "isolation.level": "read_committed",
                "enable.auto.commit": False,
                "enable.partition.eof": True,
                "fetch.max.bytes": 8 * 1024 * 1024,
            })
        return self._consumer

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None

    # -- reading --------------------------------------------------------------
    def groups(self) -> list[str]:
        listed = self.admin.list_consumer_groups(request_timeout=TIMEOUT_S).result()
        return sorted(g.group_id for g in listed.valid if g.group_id.startswith(self.group_prefix))

    def positions(self, group: str) -> list[_Position]:
        request = [ConsumerGroupTopicPartitions(group)]
        result = self.admin.list_consumer_group_offsets(request, request_timeout=TIMEOUT_S)[group].result()
        return [
            _Position(group, tp.topic, tp.partition, tp.offset if tp.offset >= 0 else -1)
            for tp in result.topic_partitions or []
        ]

    def offsets(self, partitions: Iterable[tuple[str, int]], spec: OffsetSpec) -> dict[tuple[str, int], int]:
        wanted = {TopicPartition(t, p): spec for t, p in set(partitions)}
        if not wanted:
            return {}
        futures = self.admin.list_offsets(
            wanted, isolation_level=IsolationLevel.READ_COMMITTED, request_timeout=TIMEOUT_S
        )
        return {(tp.topic, tp.partition): future.result().offset for tp, future in futures.items()}

    def read(self, now_ms: int | None = None) -> list[PartitionLag]:
        positions = [p for group in self.groups() for p in self.positions(group)]
        keys = [(p.topic, p.partition) for p in positions]
        ends = self.offsets(keys, OffsetSpec.latest())
        starts = self.offsets(keys, OffsetSpec.earliest())
        froms = {p: (p.committed if p.committed >= 0 else starts[(p.topic, p.partition)]) for p in positions}
        behind = {(p.topic, p.partition, froms[p]) for p in positions if ends[(p.topic, p.partition)] > froms[p]}
        oldest = self.oldest_timestamps(behind)
        now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
        return [self._lag(p, froms[p], ends[(p.topic, p.partition)], oldest, now_ms) for p in positions]

    @staticmethod
    def _lag(p: _Position, start: int, end: int, oldest: dict[tuple[str, int, int], int | None],
             now_ms: int) -> PartitionLag:
        timestamp = oldest.get((p.topic, p.partition, start))
        if end <= start or timestamp is None:  # caught up, or only transaction markers left
            return PartitionLag(p.group, p.topic, p.partition, p.committed, end, 0, 0.0)
        return PartitionLag(p.group, p.topic, p.partition, p.committed, end, end - start,
                            max(now_ms - timestamp, 0) / 1000)

    def oldest_timestamps(self, wanted: set[tuple[str, int, int]]) -> dict[tuple[str, int, int], int | None]:
        """Timestamp (ms) of the first readable record at or after each (topic, partition, offset)."""
        found: dict[tuple[str, int, int], int | None] = {
            key: self._timestamps[key] for key in wanted if key in self._timestamps
        }
        missing = {(t, p): o for t, p, o in wanted if (t, p, o) not in found}
        if missing:
            found.update(self._probe(missing))
            self._timestamps = {k: v for k, v in found.items() if v is not None}
        return found

    def _probe(self, starts: dict[tuple[str, int], int]) -> Iterator[tuple[tuple[str, int, int], int | None]]:
        consumer = self.consumer
        consumer.assign([TopicPartition(t, p, o) for (t, p), o in starts.items()])
        pending = dict(starts)
        deadline = time.monotonic() + TIMEOUT_S
        try:
            while pending and time.monotonic() < deadline:
                for message in consumer.consume(len(pending) * 10, 0.5):
                    key = (message.topic(), message.partition())
                    if key not in pending:
                        continue
                    error = message.error()
                    if error is not None and error.code() != KafkaError._PARTITION_EOF:
                        continue
                    stamp = None if error is not None else message.timestamp()[1]
                    yield (*key, pending.pop(key)), stamp
        finally:
            consumer.unassign()
        for (topic, partition), offset in pending.items():  # unreadable in time: unknown age
            yield (topic, partition, offset), None


class LagCollector(Collector):
    """Serves the last reading; a background thread refreshes it every ``interval_s``."""

    def __init__(self, reader: LagReader, interval_s: float = 15.0) -> None:
        self.reader = reader
        self.interval_s = interval_s
        self.lags: list[PartitionLag] = []
        self.last_success = 0.0
        self.failures = 0

    def refresh(self) -> None:
        try:
            self.lags = self.reader.read()
            self.last_success = time.time()
        except Exception:  # a broker hiccup must not end the exporter; the gauge below shows it
            self.failures += 1
            log.exception("reading consumer lag failed")

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.refresh()
            stop.wait(self.interval_s)

    def healthy(self) -> bool:
        return time.time() - self.last_success < max(3 * self.interval_s, 60)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        labels = ["group", "topic", "partition"]
        records = GaugeMetricFamily("kafka_consumergroup_lag", "Records the group has not consumed", labels=labels)
        seconds = GaugeMetricFamily(
            "kafka_consumergroup_lag_seconds", "Age of the oldest record the group has not consumed",
            labels=labels,
        )
        for lag in self.lags:
            values = [lag.group, lag.topic, str(lag.partition)]
            records.add_metric(values, lag.records)
            seconds.add_metric(values, lag.seconds)
        yield records
        yield seconds
        yield GaugeMetricFamily("triage_lag_exporter_last_success_timestamp_seconds",
                                "When consumer lag was last read", value=self.last_success)
        yield GaugeMetricFamily("triage_lag_exporter_failures", "Lag readings that failed since start",
                                value=self.failures)

