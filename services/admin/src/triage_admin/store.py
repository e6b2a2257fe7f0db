"""The admin's reads and writes in the audit database (the process's psycopg pool).

Reads join the audit tables (``emails``, latest ``extractions``, ``routes``, ``crm_events``)
and the human loop of migration 0004 (``review_queue``, ``eval_labels``, ``admin_actions``);
the web UI's sessions live in ``admin_sessions`` (migration 0005), keyed by a hash of the
cookie's id, with an absolute expiry set at login.
Every write records its ``admin_actions`` row in the same transaction, so the trail of who
did what cannot miss a change that happened. FastAPI's worker threads call in at the same
time: each call borrows its own connection from the pool (triage.platform.db, ADR 0037).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from triage.domain.bands import ConfidenceBands
from triage.domain.models import (
    CrmAction,
    CrmEvent,
    ExtractedEmail,
    Extraction,
    RawEmail,
    RoutedEmail,
)
from triage.platform.crm_events_sql import UPSERT_CRM_EVENT, crm_event_row
from triage.platform.db import Connection, Database, JsonText, Record
from triage_admin.email_list import (
    DISTINCT_MAILBOXES,
    DISTINCT_QUEUES,
    EmailFilter,
    Page,
    page_query,
    paginate,
)

LATEST_EXTRACTION = """
LEFT JOIN LATERAL (SELECT intent, confidence, data, decided_by, model FROM extractions
                   WHERE email_id = e.email_id ORDER BY created_at DESC LIMIT 1) x ON true"""
EMAIL = f"""
SELECT e.email_id, e.thread_id, e.message_id, e.mailbox, e.source, e.received_at, e.from_email,
       e.subject, e.language, e.raw IS NOT NULL AS has_raw, x.intent, x.confidence, x.data,
       x.decided_by, x.model, r.queue, r.priority, r.sla_minutes, r.due_at, r.rule, r.reason,
       r.ignored, r.actions, q.band, q.status AS review_status, q.reason AS review_reason,
       q.resolved_by, l.labels, l.labelled_by, l.labelled_at, e.clean_parts, r.corrected_by,
       r.corrected_at, r.model_route,
       k.stop AS clock_stop, k.assignee AS clock_assignee, k.stopped_by AS clock_by, k.stopped_at AS clock_at
FROM emails e {LATEST_EXTRACTION}
LEFT JOIN routes r ON r.email_id = e.email_id
LEFT JOIN review_queue q ON q.email_id = e.email_id
LEFT JOIN eval_labels l ON l.email_id = e.email_id
LEFT JOIN desk_clock k ON k.email_id = e.email_id
WHERE e.email_id = $1"""
OPEN_REVIEWS = f"""
SELECT q.email_id, q.reason, q.band, q.queue, q.intent, q.confidence, q.created_at, e.subject,
       e.from_email, e.received_at, x.data
FROM review_queue q JOIN emails e ON e.email_id = q.email_id {LATEST_EXTRACTION}
WHERE q.status = 'open' ORDER BY q.created_at DESC LIMIT $1"""
#: what re-deciding a corrected email needs: its envelope, the model's extraction, the model's plan
CORRECTION_INPUT = """
SELECT e.email_id, e.thread_id, e.message_id, e.mailbox, e.received_at, e.from_email, e.subject,
       e.language, x.data, x.decided_by, x.model, x.model_version, r.actions, r.model_route,
       r.email_id IS NOT NULL AS routed
FROM emails e
LEFT JOIN LATERAL (SELECT data, decided_by, model, model_version FROM extractions
                   WHERE email_id = e.email_id ORDER BY created_at DESC LIMIT 1) x ON true
LEFT JOIN routes r ON r.email_id = e.email_id
WHERE e.email_id = $1"""
#: the corrected decision replaces the route; the model's own is kept once, the first time
CORRECT_ROUTE = """
UPDATE routes SET queue = $2, priority = $3, sla_minutes = $4, due_at = $5, rule = $6, reason = $7,
  ignored = $8, actions = $9::jsonb, corrected_by = $10, corrected_at = now(),
  model_route = COALESCE(model_route, jsonb_build_object(
    'queue', queue, 'priority', priority, 'sla_minutes', sla_minutes, 'due_at', due_at, 'rule', rule,
    'reason', reason, 'ignored', ignored, 'actions', actions))
WHERE email_id = $1"""
RAW = """SELECT email_id, thread_id, message_id, mailbox, source, gmail_id, received_at, size_bytes,
                truncated, raw FROM emails WHERE email_id = $1"""
RECORD = "INSERT INTO admin_actions (actor, action, email_id, detail) VALUES ($1, $2, $3, $4::jsonb)"
UPSERT_LABEL = """
INSERT INTO eval_labels (email_id, labels, labelled_by, source) VALUES ($1, $2::jsonb, $3, 'admin')
ON CONFLICT (email_id) DO UPDATE SET labels = EXCLUDED.labels, labelled_by = EXCLUDED.labelled_by,
                                     labelled_at = now(), source = EXCLUDED.source"""
#: a correction or a decision closes the item; a later approval still records itself
RESOLVE = """
UPDATE review_queue SET status = $2, resolved_at = now(), resolved_by = $3
WHERE email_id = $1 AND status = ANY($4::text[])"""
#: the email's actions already written (what a second Create in CRM answers without writing)
WRITTEN = """
SELECT email_id, thread_id, action, object_type, object_id, status, idempotency_key, backend, response_summary, at
FROM crm_events WHERE email_id = $1 AND status IN ('created', 'updated', 'unchanged')"""
#: a login: the expiry is the database's clock plus the lifetime, fixed here (absolute, not sliding)
CREATE_SESSION = """
INSERT INTO admin_sessions (id, actor, token_fingerprint, csrf, expires_at)
VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))"""
LIVE_SESSION = """
SELECT actor, token_fingerprint, csrf FROM admin_sessions WHERE id = $1 AND expires_at > now()"""


@dataclass(frozen=True)
class AdminSession:
    """A live UI session: who, the keyed fingerprint of the token they logged in with, its CSRF token."""

    actor: str
    token_fingerprint: str
    csrf: str


class RawPurged(Exception):
    """The email is known but its raw body was purged (``triage purge-raw``): it cannot be replayed."""


@dataclass(frozen=True)
class CorrectionInput:
    """An email as the model left it: its extracted record (None: not extracted yet), the plan
    the model's route made, whether it has a route, and its actions awaiting approval."""

    model: ExtractedEmail | None
    model_actions: list[CrmAction]
    routed: bool
    awaiting: list[dict[str, str]]


def fetch_page_rows(conn: Connection, text: str, params: list[Any]) -> list[Record]:
    """The list's query, planned for its values every time (``force_custom_plan``), in a
    transaction of its own (a savepoint inside the caller's): ``SET LOCAL`` ends with it.

    psycopg prepares a statement run often (five times, by default) and PostgreSQL may then
    switch it to a generic plan, which cannot know that ``ILIKE '%person77777@%'`` is rare and scans every
    email instead of using the trigram indexes (measured: 93 ms instead of 2 ms at 100,000
    emails, docs/benchmarks.md). Planning each page costs well under a millisecond.
    """
    with conn.transaction():
        conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        return conn.fetch(text, *params)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _model_email(row: Record) -> ExtractedEmail | None:
    if row["data"] is None:
        return None
    return ExtractedEmail(
        email_id=row["email_id"], thread_id=row["thread_id"], mailbox=row["mailbox"],
        received_at=row["received_at"], message_id=row["message_id"], from_email=row["from_email"],
        subject=row["subject"] or "", extraction=Extraction.model_validate(_json(row["data"])),
        model=row["model"], model_version=row["model_version"], decided_by=row["decided_by"],
        language=row["language"])


def _route_values(routed: RoutedEmail) -> tuple:
    actions = JsonText(json.dumps([a.model_dump() for a in routed.crm_actions]))
    return (routed.queue, routed.priority, routed.sla_minutes, routed.due_at, routed.rule, routed.reason,
            routed.ignored, actions)


class AdminStore:
    def __init__(self, database: Database) -> None:
        self.db = database

    def email(self, email_id: str) -> dict[str, Any] | None:
        row = self.db.run(lambda conn: conn.fetchrow(EMAIL, email_id))
        if row is None:
            return None
        found = dict(row)
        for name in ("data", "actions", "labels", "clean_parts", "model_route"):
            found[name] = _json(found[name])
        found["crm_events"] = [dict(r) for r in self.db.run(lambda conn: conn.fetch(
            "SELECT action, object_type, object_id, status, backend, response_summary, at "
            "FROM crm_events WHERE email_id = $1 ORDER BY at, action", email_id))]
        found["history"] = self.history(email_id)
        return found

    def history(self, email_id: str) -> list[dict[str, Any]]:
        rows = self.db.run(lambda conn: conn.fetch(
            "SELECT actor, action, detail, at FROM admin_actions WHERE email_id = $1 ORDER BY at DESC, id DESC",
            email_id))
        return [{**dict(r), "detail": _json(r["detail"])} for r in rows]

    def email_page(self, chosen: EmailFilter, bands: ConfidenceBands) -> Page:
        """One keyset page of the list (admin_list: checked filters, bound parameters)."""
        text, params = page_query(chosen, bands)

        rows = self.db.run(lambda conn: fetch_page_rows(conn, text, params))
        return paginate(chosen, [dict(r) for r in rows])

    def filter_options(self) -> dict[str, list[str]]:
        """The inboxes and queues the list's filter offers."""
        return {"mailboxes": [r[0] for r in self.db.run(lambda conn: conn.fetch(DISTINCT_MAILBOXES))],
                "queues": [r[0] for r in self.db.run(lambda conn: conn.fetch(DISTINCT_QUEUES))]}

    def written_events(self, email_id: str) -> list[CrmEvent]:
        """The email's crm_events already written (created, updated, unchanged), with their first times."""
        rows = self.db.run(lambda conn: conn.fetch(WRITTEN, email_id))
        return [CrmEvent.model_validate(dict(r)) for r in rows]

    def record_crm_events(self, events: list[CrmEvent]) -> None:
        """The outcomes this admin published, in crm_events at once (audit's upsert: idempotent)."""
        rows = [crm_event_row(e) for e in events]
        if rows:
            self.db.run(lambda conn: conn.executemany(UPSERT_CRM_EVENT, rows))

    def open_reviews(self, limit: int = 100) -> list[dict[str, Any]]:
        return [{**dict(r), "data": _json(r["data"]) or {}}
                for r in self.db.run(lambda conn: conn.fetch(OPEN_REVIEWS, limit))]

    def raw_email(self, email_id: str) -> RawEmail | None:
        """The stored raw record; None for an unknown email, RawPurged when its body is gone."""
        row = self.db.run(lambda conn: conn.fetchrow(RAW, email_id))
        if row is None:
            return None
        if row["raw"] is None:
            raise RawPurged(email_id)
        raw = bytes(row["raw"])
        return RawEmail(email_id=row["email_id"], thread_id=row["thread_id"], message_id=row["message_id"],
                        mailbox=row["mailbox"], source=row["source"] or "admin-replay", gmail_id=row["gmail_id"],
                        received_at=row["received_at"], size_bytes=row["size_bytes"] or len(raw),
                        truncated=row["truncated"], raw=raw)

    def exists(self, email_id: str) -> bool:
        return bool(self.db.run(lambda conn: conn.fetchval("SELECT 1 FROM emails WHERE email_id = $1", email_id)))

    def record(self, actor: str, action: str, email_id: str | None, detail: dict[str, Any]) -> None:
        self.db.run(lambda conn: conn.execute(RECORD, (actor, action, email_id, JsonText(json.dumps(detail)))))

    def correction_input(self, email_id: str) -> CorrectionInput | None:
        """What re-deciding the email needs; None for an unknown email."""
        row = self.db.run(lambda conn: conn.fetchrow(CORRECTION_INPUT, email_id))
        if row is None:
            return None
        model_route = _json(row["model_route"]) or {}
        actions = model_route.get("actions") if model_route else _json(row["actions"])
        awaiting = [dict(r) for r in self.db.run(lambda conn: conn.fetch(
            "SELECT idempotency_key, action, object_type FROM crm_events "
            "WHERE email_id = $1 AND status = 'awaiting_approval'", email_id))]
        return CorrectionInput(_model_email(row), [CrmAction.model_validate(a) for a in actions or []],
                               row["routed"], awaiting)

    def save_label(self, email_id: str, labels: dict[str, Any], actor: str,
                   routed: RoutedEmail | None = None) -> None:
        """eval_labels upserted, the route re-decided (``routed``: the corrected decision), the open
        review item marked corrected, the action recorded: one transaction."""
        detail = {"intent": labels["intent"], **({"queue": routed.queue, "rule": routed.rule} if routed else {})}

        with self.db.transaction() as conn:
            conn.execute(UPSERT_LABEL, (email_id, JsonText(json.dumps(labels)), actor))
            if routed is not None:
                conn.execute(CORRECT_ROUTE, (email_id, *_route_values(routed), actor))
            conn.execute(RESOLVE, (email_id, "corrected", actor, ["open"]))
            conn.execute(RECORD, (actor, "correct_label", email_id, JsonText(json.dumps(detail))))

    def resolve(self, email_id: str, status: str, actor: str, action: str, detail: dict[str, Any],
                require_item: bool = False) -> bool:
        """Approved (from open or corrected) or dismissed (from open), and the action recorded.

        Answers whether a review item changed. ``require_item``: without one, record nothing
        (a dismiss of nothing is no action); an approval records itself either way (the CRM
        write happened).
        """
        allowed = ["open", "corrected"] if status == "approved" else ["open"]

        with self.db.transaction() as conn:
            changed = conn.command(RESOLVE, email_id, status, actor, allowed) != "UPDATE 0"
            if changed or not require_item:
                conn.execute(RECORD, (actor, action, email_id, JsonText(json.dumps(detail))))
            return changed

    # ------------------------------------------------------------------ UI sessions

    def create_session(self, key: str, session: AdminSession, lifetime_s: int) -> None:
        """A new session under ``key`` (the hash of the cookie's id); expired rows go at the same time."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM admin_sessions WHERE expires_at <= now()")
            conn.execute(CREATE_SESSION, (key, session.actor, session.token_fingerprint, session.csrf,
                                          float(lifetime_s)))

    def session(self, key: str) -> AdminSession | None:
        """The session if it exists and has not expired (checked on every request)."""
        row = self.db.run(lambda conn: conn.fetchrow(LIVE_SESSION, key))
        return None if row is None else AdminSession(row["actor"], row["token_fingerprint"], row["csrf"])

    def end_session(self, key: str) -> None:
        self.db.run(lambda conn: conn.execute("DELETE FROM admin_sessions WHERE id = $1", (key,)))
