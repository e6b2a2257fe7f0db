"""The email list's filters, search and keyset pages: query string -> checked values -> SQL. Pure.

Every filter is a whitelisted name whose value is checked (a known intent, band, review or
CRM state; a queue or inbox of plain characters; ISO dates) and bound as a parameter: no
text from the browser is ever part of the SQL. Pages are keyset pages over
``(received_at, email_id)`` (index ``emails_list_idx``, migration 0007): a page is "the
``size`` rows after (or before) this row", as fast on page 2,000 as on page 1; there is no
total count (counting 100,000 filtered rows on every page is what keysets avoid). ADR 0026.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from triage.domain.bands import ConfidenceBands
from triage_admin.labels import INTENTS

BANDS = ("auto_write", "suggest", "review")
REVIEW_STATES = ("open", "corrected", "approved", "dismissed", "none")
CRM_STATES = ("awaiting_approval", "failed", "created", "updated", "unchanged", "ignored", "none")
PAGE_SIZES = (25, 50, 100)
SORTS = ("newest", "oldest")
MAX_SEARCH = 200
_PLAIN = re.compile(r"[A-Za-z0-9@._+\-]{1,200}")  # an inbox address or a queue name


class FilterError(ValueError):
    """A filter value the list does not accept (422, the field named)."""


@dataclass(frozen=True)
class Cursor:
    """The row a page starts after (``forward``) or before."""

    received_at: datetime
    email_id: str
    forward: bool = True

    def encode(self) -> str:
        text = f"{self.received_at.isoformat()}|{self.email_id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, forward: bool) -> Cursor:
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            moment, _, email_id = text.partition("|")
            received_at = datetime.fromisoformat(moment)
        except ValueError as exc:
            raise FilterError("the page link is damaged: go back to the first page") from exc
        if not email_id or received_at.tzinfo is None:
            raise FilterError("the page link is damaged: go back to the first page")
        return cls(received_at, email_id, forward)


@dataclass(frozen=True)
class EmailFilter:
    """What the list shows: every field optional; empty means "any"."""

    mailbox: str = ""
    queue: str = ""
    intent: str = ""
    band: str = ""
    review: str = ""
    crm: str = ""
    received_from: date | None = None
    received_to: date | None = None  # inclusive: the whole day
    q: str = ""
    sort: str = "newest"
    size: int = 50
    cursor: Cursor | None = field(default=None, compare=False)

    def query(self, **changes: Any) -> str:
        """The query string of this filter (with changes), for links and forms; defaults left out."""
        chosen = replace(self, **changes)
        pairs = []
        for f in fields(chosen):
            value = getattr(chosen, f.name)
            if f.name == "cursor" or value in ("", None) or value == f.default:
                continue
            pairs.append((f.name, value.isoformat() if isinstance(value, date) else str(value)))
        return urlencode(pairs)

    @property
    def active(self) -> bool:
        return self != EmailFilter(sort=self.sort, size=self.size)


def _choice(params: dict[str, str], name: str, allowed: tuple[str, ...] | frozenset[str]) -> str:
    value = params.get(name, "").strip()
    if value and value not in allowed:
        raise FilterError(f"{name}: {value[:40]!r} is not one of {', '.join(sorted(allowed))}")
    return value


def _plain(params: dict[str, str], name: str) -> str:
    value = params.get(name, "").strip()
    if value and not _PLAIN.fullmatch(value):
        raise FilterError(f"{name}: letters, digits and @ . _ + - only")
    return value


def _day(params: dict[str, str], name: str) -> date | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise FilterError(f"{name}: {value[:40]!r} is not a date (YYYY-MM-DD)") from exc


def parse_filter(params: dict[str, str]) -> EmailFilter:
    """The list's query string, checked; FilterError names the first bad field."""
    size_text = params.get("size", "").strip() or "50"
    if size_text not in {str(s) for s in PAGE_SIZES}:
        raise FilterError(f"size: one of {', '.join(map(str, PAGE_SIZES))}")
    q = " ".join(params.get("q", "").split())
    if len(q) > MAX_SEARCH:
        raise FilterError(f"q: at most {MAX_SEARCH} characters")
    after, before = params.get("after", "").strip(), params.get("before", "").strip()
    cursor = Cursor.decode(after, True) if after else Cursor.decode(before, False) if before else None
    chosen = EmailFilter(
        mailbox=_plain(params, "mailbox"), queue=_plain(params, "queue"),
        intent=_choice(params, "intent", frozenset(INTENTS)), band=_choice(params, "band", BANDS),
        review=_choice(params, "review", REVIEW_STATES), crm=_choice(params, "crm", CRM_STATES),
        received_from=_day(params, "received_from"), received_to=_day(params, "received_to"), q=q,
        sort=_choice(params, "sort", SORTS) or "newest", size=int(size_text), cursor=cursor)
    if chosen.received_from and chosen.received_to and chosen.received_from > chosen.received_to:
        raise FilterError("received_to: before received_from")
    return chosen


# ---------------------------------------------------------------------------------------- SQL

LATEST_EXTRACTION = """
LEFT JOIN LATERAL (SELECT intent, confidence FROM extractions
                   WHERE email_id = e.email_id ORDER BY created_at DESC LIMIT 1) x ON true
LEFT JOIN eval_labels l ON l.email_id = e.email_id"""
SELECT = f"""
SELECT e.email_id, e.received_at, e.from_email, e.subject, e.mailbox, x.intent, x.confidence,
       r.queue, r.priority, r.sla_minutes, r.due_at, r.rule, r.reason, r.ignored,
       q.band, q.status AS review_status, q.reason AS review_reason,
       (SELECT array_agg(DISTINCT status ORDER BY status) FROM crm_events c
         WHERE c.email_id = e.email_id) AS crm_statuses,
       k.stop AS clock_stop, k.stopped_at AS clock_at,
       l.labels->>'intent' AS corrected_intent
FROM emails e {LATEST_EXTRACTION}
LEFT JOIN routes r ON r.email_id = e.email_id
LEFT JOIN review_queue q ON q.email_id = e.email_id
LEFT JOIN desk_clock k ON k.email_id = e.email_id"""
#: the band the list shows (views.band): the review item's, else the confidence's
BAND_SQL = """(CASE WHEN q.band IS NOT NULL THEN q.band WHEN x.confidence IS NULL THEN NULL
      WHEN x.confidence >= {auto} THEN 'auto_write' WHEN x.confidence >= {suggest} THEN 'suggest'
      ELSE 'review' END)"""


class _Params:
    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's own wildcards escaped (a search for ``100%`` means the characters)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def conditions(chosen: EmailFilter, bands: ConfidenceBands, bind: _Params) -> list[str]:
    found: list[str] = []
    if chosen.mailbox:
        found.append(f"e.mailbox = {bind(chosen.mailbox)}")
    if chosen.queue:
        found.append(f"r.queue = {bind(chosen.queue)}")
    if chosen.intent:
        # the person's intent where one corrected it (the list shows that one), else the model's
        found.append(f"COALESCE(l.labels->>'intent', x.intent) = {bind(chosen.intent)}")
    if chosen.band:
        band = BAND_SQL.format(auto=bind(bands.auto_write), suggest=bind(bands.suggest))
        found.append(f"{band} = {bind(chosen.band)}")
    if chosen.review == "none":
        found.append("q.email_id IS NULL")
    elif chosen.review:
        found.append(f"q.status = {bind(chosen.review)}")
    if chosen.crm == "none":
        found.append("NOT EXISTS (SELECT 1 FROM crm_events c WHERE c.email_id = e.email_id)")
    elif chosen.crm:
        found.append(f"EXISTS (SELECT 1 FROM crm_events c WHERE c.email_id = e.email_id AND c.status = {bind(chosen.crm)})")
    if chosen.received_from:
        found.append(f"e.received_at >= {bind(datetime.combine(chosen.received_from, time(), UTC))}")
    if chosen.received_to:
        found.append(f"e.received_at < {bind(datetime.combine(chosen.received_to + timedelta(days=1), time(), UTC))}")
    if chosen.q:
        pattern = bind(like_pattern(chosen.q))
        found.append(f"(e.subject ILIKE {pattern} OR e.from_email ILIKE {pattern})")
    return found


def page_query(chosen: EmailFilter, bands: ConfidenceBands) -> tuple[str, list[Any]]:
    """One page (``size`` + 1 rows, to know whether another follows) in the cursor's direction.

    A backward page is read in the opposite order and reversed by the caller (``reading_order``).
    """
    bind = _Params()
    where = conditions(chosen, bands, bind)
    newest_first = chosen.sort == "newest"
    cursor = chosen.cursor
    descending = newest_first if cursor is None or cursor.forward else not newest_first
    if cursor is not None:
        compare = "<" if descending else ">"
        where.append(f"(e.received_at, e.email_id) {compare} ({bind(cursor.received_at)}, {bind(cursor.email_id)})")
    order = "DESC" if descending else "ASC"
    text = SELECT + (("\nWHERE " + "\n  AND ".join(where)) if where else "")
    text += f"\nORDER BY e.received_at {order}, e.email_id {order}\nLIMIT {bind(chosen.size + 1)}"
    return text, bind.values


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    newer: Cursor | None  # the link to the page before this one (None: this is the first)
    older: Cursor | None  # the link to the page after it


def paginate(chosen: EmailFilter, fetched: list[dict[str, Any]]) -> Page:
    """Rows in reading order and the cursors of the neighbouring pages, from ``size`` + 1 rows."""
    more = len(fetched) > chosen.size
    rows = fetched[:chosen.size]
    cursor = chosen.cursor
    backward = cursor is not None and not cursor.forward
    if backward:
        rows.reverse()
    if not rows:
        return Page([], None, None)
    first, last = rows[0], rows[-1]
    has_before = more if backward else cursor is not None
    has_after = True if backward else more
    return Page(rows, Cursor(first["received_at"], first["email_id"], False) if has_before else None,
                Cursor(last["received_at"], last["email_id"], True) if has_after else None)


#: the inboxes and queues the filter offers: a loose index scan, a few index probes per value
#: instead of a DISTINCT over every row
DISTINCT_MAILBOXES = """
WITH RECURSIVE m AS (
  (SELECT mailbox FROM emails ORDER BY mailbox LIMIT 1)
  UNION ALL
  SELECT (SELECT mailbox FROM emails WHERE mailbox > m.mailbox ORDER BY mailbox LIMIT 1) FROM m
  WHERE m.mailbox IS NOT NULL)
SELECT mailbox FROM m WHERE mailbox IS NOT NULL LIMIT 500"""
DISTINCT_QUEUES = """
WITH RECURSIVE m AS (
  (SELECT queue FROM routes ORDER BY queue LIMIT 1)
  UNION ALL
  SELECT (SELECT queue FROM routes WHERE queue > m.queue ORDER BY queue LIMIT 1) FROM m
  WHERE m.queue IS NOT NULL)
SELECT queue FROM m WHERE queue IS NOT NULL LIMIT 500"""
