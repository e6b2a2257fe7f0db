"""Pure decisions of the Gmail sync: what a push says, which messages are new, where the cursor goes.

No I/O here: the fetch worker feeds these functions the JSON the Gmail API and
Pub/Sub sent, and does what they return.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: How many published Gmail ids a cursor remembers to skip repeats (resyncs, replays).
RECENT_IDS_KEPT = 2000


class EnvelopeError(ValueError):
    """A push body that is not a Pub/Sub envelope carrying a Gmail notification."""


@dataclass(frozen=True)
class Push:
    mailbox: str
    history_id: int
    pubsub_message_id: str | None


@dataclass(frozen=True)
class MessageRef:
    id: str
    thread_id: str


#: history ids travel as Avro longs (gmail.notifications, gmail.cursors)
AVRO_LONG_MAX = 2**63 - 1


def parse_push(body: bytes) -> Push:
    """A Pub/Sub push envelope whose ``message.data`` is Gmail's ``{emailAddress, historyId}``."""
    try:
        envelope = json.loads(body)
        message = envelope["message"]
        data = json.loads(base64.b64decode(message["data"], validate=False))
        mailbox = str(data["emailAddress"]).strip().lower()
        history_id = int(data["historyId"])  # a JSON number or a decimal string: Gmail has sent both
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise EnvelopeError(f"not a Gmail push notification: {type(exc).__name__}: {exc}") from exc
    if "@" not in mailbox or len(mailbox) > 254 or not 0 < history_id <= AVRO_LONG_MAX:
        raise EnvelopeError("not a Gmail push notification: bad emailAddress or historyId")
    message_id = message.get("messageId") or message.get("message_id")
    if message_id is not None and not (isinstance(message_id, str) and len(message_id) <= 256):
        raise EnvelopeError("not a Gmail push notification: bad messageId")
    return Push(mailbox, history_id, message_id)


def is_inbound(labels: Sequence[str]) -> bool:
    """Drafts and mail the mailbox itself sent are not inbound (a note to self is: it has INBOX)."""
    if "DRAFT" in labels:
        return False
    return "SENT" not in labels or "INBOX" in labels


def added_messages(pages: Iterable[dict[str, Any]]) -> list[MessageRef]:
    """history.list pages -> the inbound messages added, each once, oldest first."""
    seen: dict[str, MessageRef] = {}
    for page in pages:
        for record in page.get("history", []):
            for added in record.get("messagesAdded", []):
                message = added.get("message", {})
                if "id" in message and is_inbound(message.get("labelIds", [])):
                    seen.setdefault(message["id"], MessageRef(message["id"], message.get("threadId", message["id"])))
    return list(seen.values())


def listed_messages(pages: Iterable[dict[str, Any]], limit: int) -> list[MessageRef]:
    """messages.list pages (newest first) -> at most ``limit`` refs, oldest first."""
    refs = [MessageRef(m["id"], m.get("threadId", m["id"])) for page in pages for m in page.get("messages", [])]
    return list(reversed(refs[:limit]))


def history_id_of(pages: Sequence[dict[str, Any]], floor: int) -> int:
    """The mailbox's current history id as the last page reported it, never below ``floor``."""
    reported = [int(p["historyId"]) for p in pages if p.get("historyId")]
    return max([floor, *reported])


def not_yet_ingested(refs: Iterable[MessageRef], recent: Iterable[str]) -> list[MessageRef]:
    known = set(recent)
    return [ref for ref in refs if ref.id not in known]


def remember(recent: Sequence[str], published: Sequence[str], keep: int = RECENT_IDS_KEPT) -> list[str]:
    """The newest ``keep`` ids, oldest first."""
    return [*recent, *published][-keep:]


def received_at(message: dict[str, Any], fallback: datetime) -> datetime:
    """Gmail's ``internalDate`` (epoch ms, a string) is when the message reached the mailbox."""
    try:
        return datetime.fromtimestamp(int(message["internalDate"]) / 1000, UTC)
    except (KeyError, ValueError, TypeError):
        return fallback
