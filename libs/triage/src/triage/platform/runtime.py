"""The one consume-transform-produce loop every stage runs (confluent-kafka, transactional).

Per batch: consume (read_committed) -> hand each record to the stage's handler
-> produce its outputs, the dead letters and the consumed offsets in ONE Kafka
transaction -> commit. A crash anywhere before the commit aborts everything
the batch wrote, and the batch is consumed again: no record is lost or
duplicated between topics.

Per record: a ``TransientError`` is retried with exponential backoff and
jitter, or its own ``Retry-After`` (retrying.py; at most ``triage_max_attempts`` tries); a ``PermanentError``, any
other exception, an undecodable value or exhausted retries go to
``email.dlq`` with the original bytes and the reason, in the same transaction,
and the partition moves on.

Per failed batch (ADR 0014): what fails outside one record's ``handle`` — a sink's
``flush``, the broker refusing a record at commit — aborts the transaction. A
transient failure (``is_transient``: a ``TransientError``, a retriable Kafka
error) rewinds the batch to be consumed again. Anything else is a record the
sink cannot take: the batch is bisected, each half in its own transaction, until
the records that fail alone are known; each is dead-lettered with its error and
the others commit. A batch never aborts in a loop on one record.

Outages (ADR 0019): a broker restart or a database outage is waited out, never dead-lettered
and never a crash. A failed transaction is aborted with its in-flight records purged and their
delivery reports served; when the abort itself fails, or the producer hit a fatal error (fenced
after the coordinator timed the transaction out, INVALID_TXN_STATE), a fresh producer with the
same transactional.id takes over (``init_transactions`` aborts what the old one left open),
tried again until the broker answers. A consumer-group error (the member expired while the
broker was away) rewinds the batch; a fatal consumer error starts a fresh consumer, which
resumes from the committed offsets. Every Kafka call has a timeout.

Dependencies away (ADR 0022): ``Unavailable`` (the database or the CRM away: 5xx, 429, a timeout,
a refused connection) is never retried inside the transaction. The batch commits the records
done before it, the rest is rewound, and the dependency's circuit (circuit.py) opens: no record
is taken until its backoff has passed, then one record is the probe; a record handled closes
it. ``Throttled`` (our own request budget spent) holds off the same way without opening the
circuit. A batch also commits what it has done once it has run ``triage_batch_max_s``, well
inside the transaction timeout: no wait and no long batch runs inside an open transaction.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import overload

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from opentelemetry import trace
from pydantic import BaseModel
from tenacity import Retrying, retry_if_exception, retry_if_result, stop_after_attempt

from triage.domain.models import DeadLetter
from triage.platform import metrics, tracing
from triage.platform.bounded import CallWedged, call_within
from triage.platform.circuit import Breakers
from triage.platform.errors import PermanentError, Throttled, TransientError, Unavailable
from triage.platform.handler import Handler
from triage.platform.health import Liveness
from triage.platform.retrying import backoff
from triage.platform.serde import Serde, SerdeError
from triage.platform.settings import PARTITIONER, KafkaSettings, StageSettings
from triage.platform.settings.groups import RuntimeSettings
from triage.platform.topics import DLQ, largest_letter_bytes, max_message_bytes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    """One consumed record, its value already decoded into its model."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: BaseModel
    headers: dict[str, bytes]
    timestamp_ms: int


@dataclass(frozen=True)
class Outbound:
    """One record to produce; ``value=None`` is a tombstone (compacted topics).

    ``partition`` pins the record to a partition instead of hashing its key: a
    stage's state topic is co-partitioned with its input this way.
    """

    topic: str
    key: str | bytes
    value: BaseModel | None
    headers: dict[str, bytes] = field(default_factory=dict)
    partition: int | None = None


#: (physical topic, key, value, headers, partition or -1) ready for ``Producer.produce``.
Encoded = tuple[str, bytes, bytes | None, list[tuple[str, bytes]], int]


class DecodedOnRead(Sequence[Inbound]):
    """A batch's records for ``Handler.prepare``, decoded the first time the hook reads them: a
    handler that does not prepare costs no second decoding of its batch."""

    def __init__(self, decode: Callable[[], list[Inbound]]) -> None:
        self._decode = decode
        self._records: list[Inbound] | None = None

    @property
    def records(self) -> list[Inbound]:
        if self._records is None:
            self._records = self._decode()
        return self._records

    @overload
    def __getitem__(self, index: int) -> Inbound: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Inbound]: ...
    def __getitem__(self, index: int | slice) -> Inbound | Sequence[Inbound]:
        return self.records[index]

    def __len__(self) -> int:
        return len(self.records)


def annotate_span(inbound: Inbound, outputs: Sequence[Outbound]) -> None:
    """The record's span: the ids its value and outputs carry (tracing.py). Metrics are the handler's
    (``Handler.observe``)."""
    tracing.annotate(trace.get_current_span(), inbound.value)
    tracing.annotate_outputs([out.value for out in outputs])


class RecordTooLarge(PermanentError):
    """An output bigger than its topic accepts: its input is dead-lettered instead (ADR 0014)."""


def consumer_config(settings: KafkaSettings, group_id: str) -> dict[str, object]:
    fetch_max = max(64 * 1024 * 1024, largest_letter_bytes(settings.triage_ingest_max_bytes))
    return {
        **settings.kafka_config(),
        "group.id": group_id,
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 10_000,
        "heartbeat.interval.ms": 2_000,
        # Any record a topic accepts can be fetched (librdkafka wants receive >= fetch + 512).
        "fetch.max.bytes": fetch_max,
        "receive.message.max.bytes": fetch_max + 1024 * 1024,
    }


def producer_config(settings: KafkaSettings, transactional_id: str | None) -> dict[str, object]:
    config: dict[str, object] = {
        **settings.kafka_config(),
        "partitioner": PARTITIONER,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": settings.triage_producer_linger_ms,
        "compression.type": "lz4",
        # The largest record any topic accepts (the dead letter's); each topic's own limit is
        # checked before producing (RecordTooLarge).
        "message.max.bytes": largest_letter_bytes(settings.triage_ingest_max_bytes) + 64 * 1024,
    }
    if transactional_id:  # a stage's producer: its settings have the runtime's group
        assert isinstance(settings, RuntimeSettings), "a transactional producer is a stage's"
        config["transactional.id"] = transactional_id
        config["transaction.timeout.ms"] = settings.triage_transaction_timeout_ms
    return config


def header_dict(message: Message) -> dict[str, bytes]:
    return {name: value or b"" for name, value in (message.headers() or [])}


class StreamProcessor:
    """Runs one stage: ``inputs`` -> ``handler`` -> outputs, exactly once. No I/O in ``__init__``."""

    def __init__(
        self,
        *,
        settings: StageSettings,
        service: str,
        inputs: Sequence[str],
        handler: Handler,
        serde: Serde,
        group_id: str | None = None,
        liveness: Liveness | None = None,
        dead_letter_undecodable: bool = True,
    ) -> None:
        self.settings = settings
        self.service = service
        self.inputs = tuple(inputs)
        self.handler = handler
        self.serde = serde
        self.group_id = group_id or f"{settings.triage_topic_prefix}triage-{service}"
        self.liveness = liveness or Liveness()
        # An observer of topics another stage owns (audit) skips what it cannot decode:
        # the owning stage dead-letters it already, and one record must yield one letter.
        self.dead_letter_undecodable = dead_letter_undecodable
        self._physical = {settings.topic(name): name for name in self.inputs}
        self._cpu: dict[tuple[str, str], metrics.Counter] = {}
        self._retrying = Retrying(
            stop=stop_after_attempt(settings.triage_max_attempts),
            # jitter_s: tenacity's default, as before the shared helper; a Retry-After a
            # TransientError carries (retry_after_s) is honoured, at most triage_retry_max_s.
            wait=backoff(settings.triage_retry_initial_s, settings.triage_retry_max_s, jitter_s=1.0),
            # Unavailable is not retried here: its waits belong outside the transaction (ADR 0022).
            retry=retry_if_exception(lambda e: isinstance(e, TransientError) and not isinstance(e, Unavailable)),
            reraise=True,
        )
        self.breakers = Breakers(settings.triage_retry_initial_s, settings.triage_circuit_max_s)
        self._hold_off_until = 0.0  # monotonic: Throttled, our request budget spent
        self._held: dict[tuple[str, int], int] = {}  # where each partition resumes after a wait

    # -- the loop ---------------------------------------------------------------
    _stop: threading.Event | None = None
    _rewinds = 0

    def run(self, stop: threading.Event) -> None:
        self._stop = stop
        self._producer = self._transactional_producer()
        consumer = self._consumer()
        try:
            while not stop.is_set():
                try:
                    self._wait_for_dependencies(consumer)
                    messages = self._poll(consumer, 1 if self.breakers.probing() else self.settings.triage_batch_size)
                    self.liveness.beat()
                    metrics.LAST_POLL.labels(self.service).set_to_current_time()
                    batch = [m for m in messages if self._usable(m)]
                except ConsumerFailed as exc:
                    log.warning("%s: the consumer failed (%s): a fresh one resumes from the committed "
                                "offsets", self.service, exc)
                    self._held.clear()
                    _quietly(consumer.close)
                    consumer = self._consumer()
                    continue
                if batch:
                    self._process_batch(consumer, batch)
        finally:
            log.info("%s stopping", self.service)
            _quietly(consumer.close)
            _quietly(lambda: self._producer.flush(10))

    def _poll(self, consumer: Consumer, size: int) -> list[Message]:
        """Up to ``IDLE_POLL_S`` for a first record, then what else arrives within the batch linger,
        up to ``size``. ``consume(n, t)`` alone waits for n records or t: at a steady rate
        every hop would hold each record for the whole poll time."""
        messages = consumer.consume(1, IDLE_POLL_S)
        if messages and size > 1:
            messages.extend(consumer.consume(size - 1, self.settings.triage_batch_linger_ms / 1000))
        return messages

    def _spent(self, topic: str, phase: str, since: float) -> float:
        """Count this thread's CPU since ``since`` to ``phase`` (triage_stage_cpu_seconds_total); now."""
        now = time.thread_time()
        counter = self._cpu.get((topic, phase))
        if counter is None:
            counter = self._cpu[(topic, phase)] = metrics.STAGE_CPU.labels(self.service, topic, phase)
        counter.inc(now - since)
        return now

    def _consumer(self) -> Consumer:
        consumer = Consumer(consumer_config(self.settings, self.group_id))
        consumer.subscribe(list(self._physical), on_assign=self._on_assign, on_revoke=self._on_revoke,
                           on_lost=self._on_revoke)
        log.info("%s consuming %s as group %s", self.service, list(self._physical), self.group_id)
        return consumer

    def _transactional_producer(self) -> Producer:
        """A producer with transactions initialised, tried again until the broker answers.

        A stable transactional.id per instance lets a restarted instance (or a fresh producer
        after a fatal error) fence and abort its predecessor's open transaction at once, instead
        of read_committed consumers waiting for the transaction timeout."""
        transactional_id = f"{self.group_id}-{self.settings.triage_instance_id}"
        attempt = 0
        self._brokers_lost = False
        while True:
            producer = Producer({**producer_config(self.settings, transactional_id),
                                 "error_cb": self._on_producer_error})
            try:
                producer.init_transactions(INIT_TIMEOUT_S)
                return producer
            except KafkaException as exc:
                if self._stop is None or self._stop.is_set():
                    raise
                attempt += 1
                log.warning("%s: transactions not initialised (try %d), the broker may be away: %s",
                            self.service, attempt, exc)
                self.liveness.beat()
                self._stop.wait(self._backoff(attempt))

    _brokers_lost = False

    def _on_producer_error(self, error: KafkaError) -> None:
        """librdkafka's error callback (served by poll and flush): note a lost cluster.

        After every broker was away the producer may keep a dead group coordinator cached, and
        its next ``send_offsets_to_transaction`` then blocks past its timeout (librdkafka #5456,
        #5511; ADR 0023): the next transaction starts on a fresh producer instead."""
        if error.code() == KafkaError._ALL_BROKERS_DOWN:
            self._brokers_lost = True

    def _fresh_producer_after_an_outage(self) -> None:
        self._producer.poll(0)  # serves the error callbacks still queued
        if self._brokers_lost:
            log.warning("%s: every broker was away; the next transaction starts on a fresh producer",
                        self.service)
            old = self._producer
            _quietly(lambda: old.flush(0))
            self._producer = self._transactional_producer()
            metrics.PRODUCERS_REPLACED.labels(self.service, "brokers_lost").inc()

    def _usable(self, message: Message) -> bool:
        error = message.error()
        if error is None:
            return True
        if error.code() == KafkaError._PARTITION_EOF:
            return False
        if error.fatal():
            raise ConsumerFailed(str(error))
        log.warning("%s consumer error: %s", self.service, error)
        return False

    def _process_batch(self, consumer: Consumer, batch: list[Message]) -> None:
        """Commit the batch; on a failure that is not transient, bisect it (see the module doc)."""
        parts = deque([batch])
        while parts:
            part = parts.popleft()
            failure = self._commit_retrying(consumer, part)
            if failure is None:
                continue
            if isinstance(failure, Held):  # a prefix committed; the rest waits for its dependency
                self._hold(consumer, [*failure.rest, *(m for p in parts for m in p)], failure.cause)
                return
            if is_transient(failure):
                self._rewind(consumer, [m for p in (part, *parts) for m in p], failure)
                return
            if len(part) > 1:
                log.warning("%s isolating the failing record(s) of %d: %s", self.service, len(part),
                            type(failure).__name__)
                middle = len(part) // 2
                parts.extendleft((part[middle:], part[:middle]))
                continue
            failure = self._dead_letter_alone(consumer, part[0], failure)
            if failure is not None:
                self._rewind(consumer, [m for p in (part, *parts) for m in p], failure)
                return

    def _commit_retrying(self, consumer: Consumer, batch: list[Message]) -> Exception | None:
        return self._retry_transient(lambda: self._commit(consumer, batch))

    def _retry_transient(self, transaction: Callable[[], Exception | None]) -> Exception | None:
        """A transaction tried again after a transient failure, so that a passing hiccup (a
        coordinator moving) in the middle of a bisection does not rewind it."""
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.triage_max_attempts),
            wait=backoff(self.settings.triage_retry_initial_s, self.settings.triage_retry_max_s),
            # a dependency away is waited out by its circuit, not here
            retry=retry_if_result(lambda failure: failure is not None and is_transient(failure)
                                  and not isinstance(failure, Unavailable)),
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )
        return retrying(transaction)

    def _commit(self, consumer: Consumer, batch: list[Message]) -> Exception | None:
        """One transaction for ``batch``: None when it committed, ``Held`` when only a prefix did (a
        dependency away, or the batch's time spent), else the failure (aborted)."""
        self.liveness.holding()
        self._fresh_producer_after_an_outage()
        started = time.monotonic()
        done: list[Message] = []
        cause: Unavailable | None = None
        try:
            self._producer.begin_transaction()
            cpu = time.thread_time()
            self._prepare(batch)
            self._spent("", "prepare", cpu)
            for message in batch:
                if done and time.monotonic() - started >= self.settings.triage_batch_max_s:
                    break  # the batch's time is spent: commit what is done, the rest comes next
                try:
                    encoded = self._outputs_for(message)
                except Unavailable as exc:
                    cause = exc
                    break
                cpu = time.thread_time()
                for topic, key, value, headers, partition in encoded:
                    self._producer.produce(topic, value=value, key=key, headers=headers, partition=partition)
                    self._producer.poll(0)
                self._spent(self._physical[message.topic()], "produce", cpu)
                done.append(message)
                self.breakers.succeeded()
            if not done:  # the first record met the outage: nothing was produced, nothing to keep
                self._producer.abort_transaction(ABORT_TIMEOUT_S)
                metrics.TRANSACTIONS.labels(self.service, "empty").inc()
                self.handler.discard()
                return Held(batch, cause)
            cpu = time.thread_time()
            self._retrying(self.handler.flush)
            cpu = self._spent("", "flush", cpu)
            self._finish(consumer, done)
            self._spent("", "commit", cpu)
        except Exception as exc:
            self._abort(batch, exc)
            return exc
        self.handler.committed()
        return Held(batch[len(done):], cause) if len(done) < len(batch) else None

    def _finish(self, consumer: Consumer, batch: list[Message]) -> None:
        producer, offsets, group = self._producer, next_offsets(batch), consumer.consumer_group_metadata()
        # Bounded by us as well: librdkafka may ignore this timeout (bounded.py); before the
        # commit, so a wedged call leaves a transaction the next producer aborts, never commits.
        call_within(lambda: producer.send_offsets_to_transaction(offsets, group, OFFSETS_TIMEOUT_S),
                    OFFSETS_TIMEOUT_S + WEDGED_AFTER_S, "send_offsets_to_transaction")
        self._producer.commit_transaction(COMMIT_TIMEOUT_S)
        self._rewinds = 0
        metrics.TRANSACTIONS.labels(self.service, "committed").inc()
        metrics.BATCH_SIZE.labels(self.service).observe(len(batch))
        self.liveness.committed()

    def _dead_letter_alone(self, consumer: Consumer, message: Message,
                           failure: Exception) -> Exception | None:
        """The record fails even alone: its letter and its offset, without the handler. When the
        letter itself is refused, a letter without the original value (it stays on its topic)."""
        topic = self._physical[message.topic()]
        metrics.RECORDS_FAILED.labels(self.service, topic, "isolated").inc()
        if topic == DLQ:  # a letter the sink refuses stays where it is: a letter of it could loop
            log.error("%s skipped the dead letter %s[%d]@%d it cannot store: %s", self.service, topic,
                      message.partition(), message.offset(), type(failure).__name__)
            return self._retry_transient(lambda: self._letter(consumer, message, None))
        for keep_value in (True, False):
            letter = self.dead_letter(topic, message, failure, 1, keep_value=keep_value)
            refused = self._retry_transient(lambda out=letter: self._letter(consumer, message, out))
            if refused is None or is_transient(refused):
                return refused
        raise RuntimeError(f"{self.service}: cannot dead-letter {topic}[{message.partition()}]"
                           f"@{message.offset()}") from failure

    def _letter(self, consumer: Consumer, message: Message,
                letter: Outbound | None) -> Exception | None:
        """One transaction: ``letter`` (if any) and the offset past ``message``."""
        try:
            self._producer.begin_transaction()
            if letter is not None:
                out_topic, key, value, headers, partition = self._encode(letter)
                self._producer.produce(out_topic, value=value, key=key, headers=headers, partition=partition)
            self._finish(consumer, [message])
        except Exception as exc:
            self._abort([message], exc)
            return exc
        return None

    def _prepare(self, batch: list[Message]) -> None:
        self.handler.prepare(DecodedOnRead(lambda: self._decodable(batch)))

    def _decodable(self, batch: list[Message]) -> list[Inbound]:
        records = []
        for message in batch:
            try:
                records.append(self._inbound(self._physical[message.topic()], message))
            except SerdeError:
                continue  # its own turn dead-letters it
        return records

    def _by_topic(self, partitions: list[TopicPartition]) -> dict[str, list[int]]:
        grouped: dict[str, list[int]] = {}
        for tp in partitions:
            grouped.setdefault(self._physical[tp.topic], []).append(tp.partition)
        return grouped

    def _on_assign(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        log.info("%s assigned %s", self.service, self._by_topic(partitions))
        self.handler.assigned(self._by_topic(partitions))

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        log.info("%s revoked %s", self.service, self._by_topic(partitions))
        for tp in partitions:  # its next owner starts at the committed offset
            self._held.pop((tp.topic, tp.partition), None)
        self.liveness.released()
        self.handler.revoked(self._by_topic(partitions))

    def _abort(self, batch: list[Message], exc: Exception) -> None:
        """Abort the open transaction: nothing the batch wrote becomes visible.

        Never raises: when the abort fails too (the broker away, the producer fenced or in a
        fatal state) a fresh producer takes over, whose ``init_transactions`` aborts it."""
        log.warning("%s aborting a batch of %d: %s", self.service, len(batch), exc)
        metrics.TRANSACTIONS.labels(self.service, "aborted").inc()
        self.handler.discard()
        if isinstance(exc, CallWedged):
            # The producer is still inside the wedged call: touching it could block as well.
            # A fresh one with the same transactional.id fences it and aborts its transaction.
            metrics.KAFKA_CALLS_WEDGED.labels(self.service, exc.what).inc()
            log.error("%s: %s; a fresh producer takes over", self.service, exc)
            self._producer = self._transactional_producer()
            return
        fatal = kafka_error(exc) is not None and kafka_error(exc).fatal()
        if not fatal:
            try:
                # Records still queued are dropped (purge) and the delivery reports of those in
                # flight served (flush: abort_transaction waits for them and serves none itself).
                self._producer.purge(in_queue=True, in_flight=False, blocking=False)
                self._producer.flush(ABORT_FLUSH_S)
                self._producer.abort_transaction(ABORT_TIMEOUT_S)
            except KafkaException as abort_failure:
                log.warning("%s: the abort failed too (%s): a fresh producer takes over", self.service,
                            abort_failure)
                fatal = True
        if fatal or isinstance(exc, KafkaException):
            # After a produce or commit failure librdkafka bumps the epoch and may report stale
            # errors (_STATE, OUT_OF_ORDER_SEQUENCE_NUMBER) on the next transaction, blaming
            # records that did nothing: a fresh producer (same transactional.id) starts clean.
            old = self._producer
            _quietly(lambda: old.purge(in_queue=True, in_flight=True, blocking=False))
            _quietly(lambda: old.flush(0))
            self._producer = self._transactional_producer()

    def _rewind(self, consumer: Consumer, batch: list[Message], exc: Exception) -> None:
        """A transient failure: the same records are consumed again, after a pause."""
        if isinstance(exc, Unavailable):  # a dependency away (in flush, at commit): its circuit waits
            self._hold(consumer, batch, exc)
            return
        self._rewinds += 1
        pause = self._backoff(self._rewinds)
        log.warning("%s rewinding %d record(s) after a transient failure (%d in a row, next try in %.1f s): "
                    "%s", self.service, len(batch), self._rewinds, pause, type(exc).__name__)
        self.liveness.rewound()
        self._seek(consumer, batch)
        if self._stop is not None:
            self._stop.wait(pause)
        else:
            time.sleep(pause)

    def _seek(self, consumer: Consumer, batch: list[Message]) -> None:
        for partition in first_offsets(batch):
            try:
                consumer.seek(partition)
            except KafkaException as failure:  # revoked meanwhile: its next owner starts at the commit
                log.warning("%s: cannot rewind %s[%d]: %s", self.service, partition.topic, partition.partition,
                            failure)

    # -- dependencies away: circuits and hold-offs (ADR 0022) --------------------------
    def _hold(self, consumer: Consumer, rest: list[Message], cause: Unavailable | None) -> None:
        """``rest`` is consumed again; after ``cause`` (None: the batch's time was spent) not before
        its circuit's backoff (or the hold-off) has passed. The wait is ``_wait_for_dependencies``'."""
        self._seek(consumer, rest)
        for tp in first_offsets(rest):
            self._held[(tp.topic, tp.partition)] = tp.offset
        self.liveness.beat()  # waiting out a dependency: a restart would not help
        if isinstance(cause, Throttled):
            wait = cause.retry_after_s or self.settings.triage_retry_initial_s
            self._hold_off_until = max(self._hold_off_until, time.monotonic() + wait)
            log.info("%s holding off %.1f s, %d record(s) wait: %s", self.service, wait, len(rest), cause)
        elif cause is not None:
            wait = self.breakers.failed(cause.dependency, str(cause), cause.retry_after_s)
            circuit = self.breakers.circuits[cause.dependency]
            log.warning("%s: %s circuit open for %.1f s (%d failure(s) in a row), %d record(s) held back: %s",
                        self.service, cause.dependency, wait, circuit.failures, len(rest), cause)
        self._publish_circuits()

    def _wait_for_dependencies(self, consumer: Consumer) -> None:
        """The pause: no record is taken while a circuit is open or a hold-off runs.

        The assigned partitions are paused (``Consumer.pause``) and the consumer keeps polling,
        so the group membership stays (``max.poll.interval.ms``) and a rebalance is served; the
        wait is outside any transaction and beats the liveness (the stage is healthy, waiting).
        Afterwards the partitions resume where the held records start."""
        paused = False
        try:
            while self._stop is not None and not self._stop.is_set():
                self._publish_circuits()
                wait = max(self.breakers.wait_s(), self._hold_off_until - time.monotonic())
                if wait <= 0:
                    return
                self.liveness.beat()
                assignment = consumer.assignment()  # again each time: a rebalance may have added some
                if assignment:
                    consumer.pause(assignment)
                    paused = True
                stray = [m for m in consumer.consume(self.settings.triage_batch_size, min(wait, 1.0))
                         if self._usable(m)]
                metrics.LAST_POLL.labels(self.service).set_to_current_time()
                for tp in first_offsets(stray):  # fetched before its partition was paused: after the wait
                    self._held.setdefault((tp.topic, tp.partition), tp.offset)
        finally:
            if paused:
                self._resume(consumer)
            else:  # no wait (the batch's time was spent): the seek in _hold placed them already
                self._held.clear()

    def _resume(self, consumer: Consumer) -> None:
        try:
            assignment = consumer.assignment()
            if assignment:
                consumer.resume(assignment)
        except KafkaException as failure:  # a consumer failing meanwhile: a fresh one starts from the commit
            log.warning("%s: cannot resume the paused partitions: %s", self.service, failure)
            self._held.clear()
            return
        assigned = {(tp.topic, tp.partition) for tp in assignment}
        held = [TopicPartition(t, p, o) for (t, p), o in self._held.items() if (t, p) in assigned]
        self._held.clear()
        for partition in held:  # the fetch restarts at the first held record, whatever was prefetched
            try:
                consumer.seek(partition)
            except KafkaException as failure:
                log.warning("%s: cannot resume %s[%d] at %d: %s", self.service, partition.topic,
                            partition.partition, partition.offset, failure)

    def _publish_circuits(self) -> None:
        for dependency, circuit in self.breakers.circuits.items():
            metrics.CIRCUIT_STATE.labels(self.service, dependency).set(circuit.state.value)
        self.liveness.waiting(self.breakers.describe())

    def _backoff(self, attempt: int) -> float:
        """Exponential pause for the ``attempt``-th try in a row, at most ``triage_retry_max_s``."""
        return min(self.settings.triage_retry_max_s,
                   self.settings.triage_retry_initial_s * 2 ** max(attempt - 1, 0))

    # -- one record -------------------------------------------------------------
    def _outputs_for(self, message: Message) -> list[Encoded]:
        """The encoded records this message yields: its outputs, or one dead letter."""
        with tracing.consume_span(self.service, self._physical[message.topic()], message):
            return self._traced_outputs_for(message)

    def _traced_outputs_for(self, message: Message) -> list[Encoded]:
        topic = self._physical[message.topic()]
        started = time.perf_counter()
        attempts = 0

        def attempt() -> list[Encoded]:
            nonlocal attempts
            attempts += 1
            try:
                # Encoding happens here so an invalid output dead-letters its input.
                started = time.thread_time()
                inbound = self._inbound(topic, message)
                started = self._spent(topic, "decode", started)
                outputs = self.handler.handle(inbound)
                started = self._spent(topic, "handle", started)
                encoded = [self._encode(out) for out in outputs]
                annotate_span(inbound, outputs)
                self.handler.observe(inbound, outputs)
                self._spent(topic, "encode", started)
                return encoded
            except TransientError:
                metrics.RECORDS_FAILED.labels(self.service, topic, "transient").inc()
                raise

        try:
            outputs = self._retrying(attempt)
        except Unavailable:
            raise  # the database is away for every record: the batch waits for it (rewound)
        except Exception as exc:  # a poison record must never stop the partition
            if isinstance(exc, SerdeError) and not self.dead_letter_undecodable:
                metrics.RECORDS_FAILED.labels(self.service, topic, "skipped_undecodable").inc()
                log.warning("%s skipped undecodable %s[%d]@%d (its owner dead-letters it): %s",
                            self.service, topic, message.partition(), message.offset(), exc)
                return []
            kind = "permanent" if isinstance(exc, PermanentError | SerdeError) else "exhausted"
            metrics.RECORDS_FAILED.labels(self.service, topic, kind).inc()
            return [self._encode(self.dead_letter(topic, message, exc, attempts))]
        finally:
            metrics.PROCESSING_SECONDS.labels(self.service, topic).observe(time.perf_counter() - started)
        metrics.RECORDS_PROCESSED.labels(self.service, topic).inc()
        return outputs

    def _inbound(self, topic: str, message: Message) -> Inbound:
        value = self.serde.decode(topic, message.value())  # SerdeError -> DLQ, never retried
        return Inbound(
            topic=topic,
            partition=message.partition(),
            offset=message.offset(),
            key=message.key(),
            value=value,
            headers=header_dict(message),
            timestamp_ms=message.timestamp()[1],
        )

    def dead_letter(self, topic: str, message: Message, exc: BaseException, attempts: int,
                    keep_value: bool = True) -> Outbound:
        error_class = type(exc).__name__
        tracing.mark_failed(exc)
        metrics.DLQ_RECORDS.labels(self.service, error_class).inc()
        log.error(
            "%s dead-lettered %s[%d]@%d after %d attempt(s): %s",
            self.service, topic, message.partition(), message.offset(), attempts, error_class,
        )
        original_headers = header_dict(message)
        letter = DeadLetter(
            source_topic=topic,
            source_partition=message.partition(),
            source_offset=message.offset(),
            service=self.service,
            error_class=error_class,
            error_message=str(exc)[:4000],
            stack="".join(traceback.format_exception(exc))[-8000:],
            attempts=max(attempts, 1),
            failed_at=datetime.now(UTC),
            original_key=message.key(),
            original_value=message.value() if keep_value else None,
            original_headers=original_headers,
        )
        headers = {
            **{k: v for k, v in original_headers.items() if k == "traceparent"},
            "triage.source.topic": topic.encode(),
            "triage.source.partition": str(message.partition()).encode(),
            "triage.source.offset": str(message.offset()).encode(),
            "triage.service": self.service.encode(),
            "triage.error.class": error_class.encode(),
            "triage.error.message": str(exc)[:500].encode(),
            "triage.attempts": str(max(attempts, 1)).encode(),
            "triage.failed_at": letter.failed_at.isoformat().encode(),
        }
        # A replayed record (triage dlq replay) carries its replay count: the letter keeps it,
        # and parks itself once the count reaches the limit, so a replay never loops.
        replays = original_headers.get(REPLAYS_HEADER)
        if replays is not None:
            headers[REPLAYS_HEADER] = replays
            if replay_count(original_headers) >= self.settings.triage_dlq_max_replays:
                headers[PARKED_HEADER] = b"true"
        return Outbound(DLQ, message.key() or b"", letter, headers)

    def _encode(self, out: Outbound) -> Encoded:
        value = None if out.value is None else self.serde.encode(out.topic, out.value)
        key = out.key.encode() if isinstance(out.key, str) else out.key
        check_size(out.topic, len(value or b"") + len(key), self.settings.triage_ingest_max_bytes)
        partition = -1 if out.partition is None else out.partition  # -1: librdkafka's partitioner
        headers = tracing.carry(out.headers)  # this record's span becomes the next hop's parent
        return self.settings.topic(out.topic), key, value, list(headers.items()), partition


#: Room for a record's headers and its batch framing inside the topic's limit.
FRAMING_BYTES = 64 * 1024


def check_size(topic: str, size: int, ingest_max_bytes: int) -> None:
    """Refuse, before producing, a record its topic would refuse at commit (ADR 0014)."""
    limit = max_message_bytes(topic, ingest_max_bytes) - FRAMING_BYTES
    if size > limit:
        raise RecordTooLarge(f"a {topic} record of {size} bytes exceeds the topic's {limit}")


#: How long the loop waits for a first record before it beats and polls again (seconds).
IDLE_POLL_S = 0.5

#: Timeouts (seconds) of the transactional calls: each well inside the transaction timeout's
#: default 30 s, none waits for ever (ADR 0019).
INIT_TIMEOUT_S = 30
OFFSETS_TIMEOUT_S = 15
COMMIT_TIMEOUT_S = 60
ABORT_FLUSH_S = 5
ABORT_TIMEOUT_S = 30
#: How long past its own timeout a call may block before the client is given up (bounded.py).
WEDGED_AFTER_S = 5


class ConsumerFailed(Exception):
    """The consumer hit a fatal error: a fresh one takes over."""


class Held(Exception):
    """A batch stopped early: what it had done committed, ``rest`` waits (``cause``: the dependency
    away; None: the batch's time was spent)."""

    def __init__(self, rest: list[Message], cause: Unavailable | None) -> None:
        super().__init__(f"{len(rest)} record(s) held back: {cause or 'the batch time is spent'}")
        self.rest = rest
        self.cause = cause


def _quietly(call: Callable[[], object]) -> None:
    """A clean-up of a client being given up: its failure changes nothing."""
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the client is discarded either way
        log.debug("ignored while discarding a Kafka client: %s", exc)


def kafka_error(exc: BaseException) -> KafkaError | None:
    if isinstance(exc, KafkaException) and exc.args and isinstance(exc.args[0], KafkaError):
        return exc.args[0]
    return None


#: Kafka errors that say the cluster, not the batch, is the trouble: rewind and try again.
#: The group ones: the consumer's membership expired while the broker was away (it rejoins).
TRANSIENT_KAFKA_ERRORS = frozenset({
    KafkaError.UNKNOWN_MEMBER_ID, KafkaError.ILLEGAL_GENERATION, KafkaError.REBALANCE_IN_PROGRESS,
    KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_TXN_STATE,
    KafkaError.INVALID_PRODUCER_EPOCH,
    KafkaError._TIMED_OUT, KafkaError._MSG_TIMED_OUT, KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN,
    KafkaError.REQUEST_TIMED_OUT, KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_NOT_AVAILABLE,
    KafkaError.COORDINATOR_LOAD_IN_PROGRESS, KafkaError.NOT_ENOUGH_REPLICAS,
    KafkaError.NOT_ENOUGH_REPLICAS_AFTER_APPEND, KafkaError.NOT_LEADER_FOR_PARTITION,
    KafkaError.CONCURRENT_TRANSACTIONS,
})


def is_transient(exc: BaseException) -> bool:
    """Would the same batch, consumed again later, likely commit? (Else: isolate its records.)"""
    if isinstance(exc, TransientError):
        return True
    error = kafka_error(exc)
    if error is not None:
        # A fatal error is the producer's state, never a record's: a fresh producer, then again.
        return error.fatal() or error.retriable() or error.code() in TRANSIENT_KAFKA_ERRORS
    return False


def next_offsets(batch: Sequence[Message]) -> list[TopicPartition]:
    """The offsets to commit: one past the last record of each partition in the batch."""
    last: dict[tuple[str, int], int] = {}
    for message in batch:
        last[(message.topic(), message.partition())] = message.offset()
    return [TopicPartition(t, p, o + 1) for (t, p), o in last.items()]


def first_offsets(batch: Sequence[Message]) -> list[TopicPartition]:
    """Where to rewind after an abort: the first record of each partition in the batch."""
    first: dict[tuple[str, int], int] = {}
    for message in batch:
        first.setdefault((message.topic(), message.partition()), message.offset())
    return [TopicPartition(t, p, o) for (t, p), o in first.items()]


REPLAYS_HEADER = "triage.replays"
PARKED_HEADER = "triage.parked"


def replay_count(headers: dict[str, bytes]) -> int:
    """How many times a record was replayed from the DLQ (0: never, or an unreadable header)."""
    try:
        return max(int(headers.get(REPLAYS_HEADER, b"0").decode()), 0)
    except ValueError:
        return 0


#: Set by an operator's replay (``POST /admin/replay``) on the email.raw record: a fresh id per
#: replay. It follows the email to route, whose dedupe key includes it, so a replayed email is
#: routed once more (and a redelivery of the same replay is still deduped). ADR 0011.
REPLAY_HEADER = "triage.replay"


def trace_headers(record: Inbound) -> dict[str, bytes]:
    """The headers that follow an email from hop to hop: W3C trace context and the replay id."""
    return {k: v for k, v in record.headers.items() if k in ("traceparent", "tracestate", REPLAY_HEADER)}
