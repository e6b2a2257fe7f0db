"""What an admin can do, whichever door they use (the JSON API or the web UI), and its trail.

Each write names its actor and leaves an ``admin_actions`` row: create in CRM (the existing
``approve`` path; the review item becomes ``approved``), replay an email from its raw record
(``email.raw`` with a fresh ``triage.replay`` id, so route routes it once more), correct its
labels (``eval_labels`` in gold format; the route and its CRM plan re-decided from the
correction by the route service's rules and bands, ADR 0025; the review item becomes
``corrected``), dismiss a
review item, replay a dead letter once (``triage.platform.dlq``: replay count raised, parked
letters refused; ``dlq_states``: replayed or discarded letters refused, the row the guard).
Errors are HTTPExceptions with the status the API documents; the UI shows
their message.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import KafkaException
from fastapi import HTTPException

from triage.domain.bands import ConfidenceBands
from triage.domain.correction import corrected_email, rekeyed
from triage.domain.decision import routed_email
from triage.domain.models import CrmEvent, Mailbox, RawEmail, RoutedEmail
from triage.domain.queues import NO_QUEUES, QueueTable
from triage.domain.rules import Rule
from triage.platform.dlq import Letter, Replayer, fetch_letter, parse_id, read_letters
from triage.platform.dlq_states import AlreadyDecided, LetterState, LetterStates
from triage.platform.errors import TransientError
from triage.platform.publisher import RawPublisher
from triage.platform.runtime import REPLAY_HEADER
from triage.platform.settings import AdminSettings
from triage.platform.topics import DLQ, RAW
from triage.platform.tracing import door_span
from triage_admin.crm import EventPublisher, Refused, RouteStore, approve
from triage_admin.desk_clock import DeskClock
from triage_admin.labels import LabelError, gold_labels
from triage_admin.store import AdminStore, CorrectionInput, RawPurged
from triage_crm.perform import CrmBackend

log = logging.getLogger(__name__)


class ReplayPublisher(RawPublisher):
    """``email.raw`` for the admin's replays: each call learns its own record's fate.

    One instance serves concurrent requests. RawPublisher's ``flush`` reports the delivery
    errors collected on the instance, so one request could raise another's failure and that
    one answer 202 for a record the broker refused; here each publish has its own callback.
    """

    def __init__(self, settings: AdminSettings) -> None:
        super().__init__(settings)
        _ = self.producer  # created now, once: the lazy property is not safe between threads

    def publish_acknowledged(self, email: RawEmail, headers: dict[str, bytes], timeout_s: float = 30) -> None:
        """Publish and wait for this record's acknowledgement; KafkaException if it is not acknowledged."""
        outcome: list[str | None] = []

        def delivered(error: object, _message: object) -> None:
            outcome.append(None if error is None else str(error))

        value = self.serde.encode(RAW, email)
        with door_span(email, headers) as traced:
            self.producer.produce(self.settings.topic(RAW), key=email.thread_id.encode(), value=value,
                                  headers=list(traced.items()), on_delivery=delivered)
        self.producer.flush(timeout_s)  # serves the pending callbacks, whichever request they belong to
        if not outcome:
            raise KafkaException(f"the replay was not acknowledged within {timeout_s:g} s")
        if outcome[0] is not None:
            raise KafkaException(outcome[0])


@dataclass(frozen=True)
class CrmOutcome:
    """What Create in CRM did: the events, and whether every action was written before the click."""

    events: list[CrmEvent]
    already_in_crm: bool = False


@dataclass(frozen=True)
class Routing:
    """What the route service decides with, loaded the same way: rules, mailbox, bands."""

    rules: tuple[Rule, ...]
    mailbox: Mailbox
    bands: ConfidenceBands
    queues: QueueTable = NO_QUEUES  # triage/config/queues.yaml: which queues' support mail plans a ticket


def replanned_events(routed: RoutedEmail, found: CorrectionInput, actor: str, backend: str) -> list[CrmEvent]:
    """crm.events of a re-decided email: actions awaiting approval that the corrected plan
    dropped are ``ignored``; the corrected plan's new actions await approval (an action it
    shares with the model's plan keeps its key and its outcome)."""
    now, keys = datetime.now(UTC), {a.idempotency_key for a in routed.crm_actions}
    known = {a.idempotency_key for a in found.model_actions} | {a["idempotency_key"] for a in found.awaiting}

    def event(action: str, object_type: str | None, key: str, status: str, summary: str) -> CrmEvent:
        return CrmEvent(email_id=routed.email_id, thread_id=routed.thread_id, action=action,
                        object_type=object_type, status=status, idempotency_key=key, backend=backend,
                        response_summary=summary, at=now)

    dropped = [event(a["action"], a["object_type"], a["idempotency_key"], "ignored",
                     f"superseded by {actor}'s correction") for a in found.awaiting if a["idempotency_key"] not in keys]
    planned = [event(a.action, a.object_type, a.idempotency_key, "awaiting_approval",
                     f"corrected by {actor}: Create in CRM writes it") for a in routed.crm_actions
               if a.idempotency_key not in known]
    return dropped + planned


@dataclass
class AdminDesk:
    routes: RouteStore
    crm: CrmBackend
    publisher: EventPublisher
    store: AdminStore | None = None  # None: the CRM approval alone (no trail, no UI)
    settings: AdminSettings | None = None  # Kafka for replays and the DLQ
    # Create in CRM and a correction's re-plan one at a time: the CRM adapter keeps per-call state,
    # and a re-plan never interleaves a write (the database needs no lock: a pool, ADR 0037)
    lock: threading.RLock = field(default_factory=threading.RLock)
    raw_publisher: ReplayPublisher | None = None  # None: created on the first replay
    routing: Routing | None = None  # None: a correction is stored as a label and re-decides nothing
    letter_states: LetterStates | None = None  # None: on the store's pool (its Database), on first use
    _publisher_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    clock: DeskClock | None = None  # the desk's SLA clock (desk_clock.py); None: no clock buttons

    def create_in_crm(self, email_id: str, actor: str) -> CrmOutcome:
        """Perform the planned writes; an email whose every action is written already answers
        "already in CRM" with the recorded outcomes (their first times kept) and writes nothing."""
        with self.lock:
            already = self._already_written(email_id)
            if already:
                self._needs_store().resolve(email_id, "approved", actor, "create_in_crm", {
                    "already_in_crm": True, "events": [f"{e.action}:{e.status}" for e in already]})
                log.info("create_in_crm %s by %s: already in CRM", email_id, actor)
                return CrmOutcome(already, already_in_crm=True)
            try:
                events = approve(email_id, self.routes, self.crm)
            except Refused as refused:  # announce what this click did do, and the refusal
                self._announce(refused.events)
                raise
            self._announce(events)
            if self.store is not None:
                self.store.resolve(email_id, "approved", actor, "create_in_crm",
                                   {"events": [f"{e.action}:{e.status}" for e in events]})
        log.info("create_in_crm %s by %s: %d action(s)", email_id, actor, len(events))
        return CrmOutcome(events)

    def _already_written(self, email_id: str) -> list[CrmEvent]:
        """Every planned action's recorded outcome when all of them are written, else []."""
        if self.store is None:
            return []
        planned = self.routes.planned(email_id)
        if planned is None or planned.ignored or not planned.actions:
            return []
        written = {e.idempotency_key: e for e in self.store.written_events(email_id)}
        if any(a.idempotency_key not in written for a in planned.actions):
            return []
        return [written[a.idempotency_key] for a in planned.actions]

    def _announce(self, events: list[CrmEvent]) -> None:
        """To crm.events, and to the audit row at once, so the page after the click shows them."""
        self.publisher.publish(events)
        if self.store is not None:
            self.store.record_crm_events(events)

    def replay_email(self, email_id: str, actor: str) -> str:
        """Re-publish the stored raw record to email.raw with a fresh replay id; returns the id."""
        store, settings = self._needs_store(), self._needs_kafka()
        try:
            raw = store.raw_email(email_id)
        except RawPurged as exc:
            raise HTTPException(410, f"email {email_id} cannot be replayed: its raw body was purged "
                                     f"(raw-body TTL, triage purge-raw)") from exc
        if raw is None:
            raise HTTPException(404, f"no email {email_id}")
        replay_id = f"admin-{uuid.uuid4().hex}"
        try:
            self._replay_publisher(settings).publish_acknowledged(raw, {REPLAY_HEADER: replay_id.encode()}, 30)
        except KafkaException as exc:
            raise HTTPException(503, f"Kafka did not acknowledge the replay: {exc}") from exc
        store.record(actor, "replay_email", email_id, {"replay_id": replay_id, "topic": "email.raw"})
        log.info("replay_email %s by %s as %s", email_id, actor, replay_id)
        return replay_id

    def correct_label(self, email_id: str, form: dict[str, str], actor: str) -> dict[str, Any]:
        """Store the labels and, for a routed email, re-decide its route and CRM plan from them.

        The superseded plan's actions still awaiting approval are announced ``ignored`` and the
        corrected plan's as ``awaiting_approval``: Create in CRM performs the corrected one."""
        store = self._needs_store()
        try:
            labels = gold_labels(email_id, form)
        except LabelError as exc:
            raise HTTPException(422, str(exc)) from exc
        found = store.correction_input(email_id)
        if found is None:
            raise HTTPException(404, f"no email {email_id}")
        routed = self._redecided(found, labels, actor)
        with self.lock:
            store.save_label(email_id, labels, actor, routed)
            if routed is not None:
                try:
                    self.publisher.publish(replanned_events(routed, found, actor, self.crm.backend))
                except TransientError as exc:  # saved and re-decided; saving again re-announces the plan
                    raise HTTPException(503, f"the correction of {email_id} is saved and re-decided, but "
                                             f"crm.events did not acknowledge its plan: save it again ({exc})") from exc
        log.info("correct_label %s by %s: intent %s, queue %s", email_id, actor, labels["intent"],
                 routed.queue if routed else "(not routed)")
        return labels

    def _redecided(self, found: CorrectionInput, labels: dict[str, Any], actor: str) -> RoutedEmail | None:
        """The corrected route (None: not routed yet, or no routing configured: the label alone)."""
        if self.routing is None or found.model is None or not found.routed:
            return None
        corrected = corrected_email(found.model, labels, actor)
        routed = routed_email(corrected, self.routing.mailbox, self.routing.rules, self.routing.bands,
                              self.routing.queues)
        return routed.model_copy(update={
            "reason": f"{routed.reason} (corrected by {actor})",
            "crm_actions": rekeyed(routed.crm_actions, found.model_actions)})

    def dismiss(self, email_id: str, actor: str) -> None:
        """Close an open review item; without one, 404 and nothing recorded."""
        if not self._needs_store().resolve(email_id, "dismissed", actor, "dismiss_review", {}, require_item=True):
            raise HTTPException(404, f"no open review item for email {email_id}")
        if self.clock is not None:  # a person decided: the SLA clock stops
            self.clock.stop(email_id, "dismissed", actor)

    def letters(self, limit: int = 200) -> list[tuple[Letter, LetterState | None]]:
        """The newest letters on email.dlq first, each with what people decided about it."""
        try:
            found = sorted(read_letters(self._needs_kafka(), timeout_s=20),
                           key=lambda x: x.letter.failed_at, reverse=True)[:limit]
        except (KafkaException, TimeoutError) as exc:
            raise HTTPException(503, f"could not read email.dlq: {exc}") from exc
        states = self._letter_states().of((x.partition, x.offset) for x in found)
        return [(x, states.get((x.partition, x.offset))) for x in found]

    def letter(self, letter_id: str) -> tuple[Letter, LetterState | None]:
        """One letter and its state; 422 for a malformed id, 404 for none, 503 when Kafka is away."""
        settings = self._needs_kafka()
        try:
            partition, offset = parse_id(letter_id)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        try:
            found = fetch_letter(settings, letter_id)
        except (KafkaException, TimeoutError) as exc:
            raise HTTPException(503, f"could not read email.dlq: {exc}") from exc
        if found is None:
            raise HTTPException(404, f"no letter {letter_id} on {settings.topic('email.dlq')}")
        return found, self._letter_states().one(partition, offset)

    def replay_letter(self, letter_id: str, actor: str) -> tuple[Letter, LetterState]:
        """Replay once: a letter already replayed or discarded is 409 and nothing is published (the
        database row is the guard, also between replicas and the CLI)."""
        letter, state = self.letter(letter_id)
        settings = self._needs_kafka()
        if state is not None:
            raise HTTPException(409, f"letter {letter_id} was {state.describe()}: not replayed again")
        if letter.parked(settings.triage_dlq_max_replays):
            raise HTTPException(409, f"letter {letter_id} is parked (replayed {letter.replays} times): "
                                     f"fix the cause, then `triage dlq replay --force {letter_id}`")

        def publish() -> None:
            replayer = Replayer(settings)
            replayer.replay(letter)
            if replayer.flush(30) or replayer.failed:
                raise HTTPException(503, f"Kafka did not acknowledge the replay of {letter_id}: "
                                         f"{replayer.failed[:1]}")
        try:
            done = self._letter_states().replay(letter.partition, letter.offset, actor, publish, {
                "source_topic": letter.letter.source_topic, "source_partition": letter.letter.source_partition,
                "replay": letter.replays + 1})
        except AlreadyDecided as exc:
            raise HTTPException(409, f"{exc}: not replayed again") from exc
        log.info("replay_letter %s by %s (replay %d)", letter_id, actor, letter.replays + 1)
        return letter, done

    def discard_letter(self, letter_id: str, actor: str, reason: str) -> LetterState:
        """Set a letter aside for good, with a reason; 409 when it was replayed or discarded already."""
        letter, state = self.letter(letter_id)
        if state is not None:
            raise HTTPException(409, f"letter {letter_id} was {state.describe()}")
        try:
            done = self._letter_states().discard(letter.partition, letter.offset, actor, reason)
        except ValueError as exc:
            raise HTTPException(422, f"reason: {exc}") from exc
        except AlreadyDecided as exc:
            raise HTTPException(409, str(exc)) from exc
        log.info("discard_letter %s by %s", letter_id, actor)
        return done

    def _letter_states(self) -> LetterStates:
        if self.letter_states is None:
            settings = self._needs_kafka()
            self.letter_states = LetterStates(self._needs_store().db, settings.topic(DLQ))
        return self.letter_states

    def _replay_publisher(self, settings: AdminSettings) -> ReplayPublisher:
        with self._publisher_lock:  # one producer, even when the first replays arrive together
            if self.raw_publisher is None:
                self.raw_publisher = ReplayPublisher(settings)
            return self.raw_publisher

    def _needs_store(self) -> AdminStore:
        if self.store is None:
            raise HTTPException(501, "this admin was started without its database store")
        return self.store

    def _needs_kafka(self) -> AdminSettings:
        if self.settings is None:
            raise HTTPException(501, "this admin was started without Kafka settings")
        return self.settings
