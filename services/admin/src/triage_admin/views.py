"""How the UI words the audit rows: SLA countdowns, bands, CRM status. Pure functions."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from triage.domain.bands import ConfidenceBands, confidence_band
from triage.platform.serde import Serde, SerdeError
from triage.platform.topics import REGISTRY


def duration(seconds: float) -> str:
    """``3d 4h``, ``2h 05m``, ``4m 09s``: the two largest units are enough to act on."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"


def sla(due_at: datetime | None, now: datetime, stopped_at: datetime | None = None,
        stop: str | None = None) -> tuple[str, str]:
    """(text, state) of the countdown to the SLA due time; state: none|due|overdue|stopped.

    ``stopped_at``/``stop``: a person assigned, dismissed or answered the email (desk_clock): the
    clock no longer runs, and says whether it stopped in time.
    """
    if due_at is None:
        return "no SLA", "none"
    if stopped_at is not None:
        late = stopped_at - due_at
        when = "in time" if late.total_seconds() <= 0 else f"{duration(late.total_seconds())} late"
        return f"stopped: {stop or 'handled'} ({when})", "stopped"
    left = (due_at - now).total_seconds()
    if left < 0:
        return f"overdue by {duration(left)}", "overdue"
    return f"due in {duration(left)}", "due"


def crm_status(statuses: list[str] | None) -> str:
    """One word per distinct crm.events status of the email, the most telling first."""
    if not statuses:
        return "—"
    order = ("failed", "awaiting_approval", "created", "updated", "unchanged", "ignored")
    return ", ".join(sorted(statuses, key=lambda s: order.index(s) if s in order else len(order)))


def band(row: dict[str, Any], bands: ConfidenceBands) -> str:
    """The review queue's band when the email has an item there, else the confidence's band."""
    if row.get("band"):
        return row["band"]
    if row.get("confidence") is None:
        return "—"
    return confidence_band(row["confidence"], bands)


def email_row(row: dict[str, Any], now: datetime, bands: ConfidenceBands) -> dict[str, Any]:
    text, state = sla(row.get("due_at"), now, row.get("clock_at"), row.get("clock_stop"))
    shown = band(row, bands)
    return {
        **row,
        "band": shown,
        "band_note": band_note(row, shown),
        "sla_text": text,
        "sla_state": state,
        "due_iso": row["due_at"].isoformat() if row.get("due_at") and state != "stopped" else "",
        "crm": crm_status(row.get("crm_statuses")),
        "confidence_text": "—" if row.get("confidence") is None else f"{row['confidence']:.2f}",
    }


def band_note(row: dict[str, Any], shown_band: str) -> str:
    """Why an auto_write email was not written: its writes wait for Create in CRM (MVP mode)."""
    held = row.get("review_reason") == "awaiting_approval" or "awaiting_approval" in (row.get("crm_statuses") or [])
    return "held for approval" if shown_band == "auto_write" and held else ""


# ------------------------------------------------------------------ dead letters

#: how much of a letter's original value the detail page shows
TEXT_CAP = 64 * 1024
HEX_CAP = 4 * 1024
_SAFE_CONTROLS = {"\t", "\n", "\r"}


def printable(text: str) -> bool:
    return all(ch.isprintable() or ch in _SAFE_CONTROLS for ch in text)


def bytes_view(data: bytes | None, text_cap: int = TEXT_CAP, hex_cap: int = HEX_CAP) -> dict[str, Any]:
    """Bytes as a page may show them: text when they are printable UTF-8 (capped), else a hex dump.

    The template escapes the text (autoescape); nothing here is ever marked safe. A cap that
    falls inside a multi-byte character ends the text before it.
    """
    size = len(data or b"")
    if not data:
        return {"kind": "empty", "size": 0, "text": "", "truncated": False}
    head = data[:text_cap]
    for cut in range(4):  # a UTF-8 character is at most 4 bytes: drop a split one at the cap
        try:
            text = head[:len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            if size <= text_cap:
                break  # the whole value does not decode: binary
            continue
        if printable(text):
            return {"kind": "text", "size": size, "text": text, "truncated": size > len(text.encode())}
        break
    return {"kind": "binary", "size": size, "text": hex_dump(data[:hex_cap]), "truncated": size > hex_cap}


def hex_dump(data: bytes) -> str:
    """16 bytes a line: offset, hex, and the printable ASCII (others as '.')."""
    lines = []
    for start in range(0, len(data), 16):
        chunk = data[start:start + 16]
        ascii_ = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{start:08x}  {chunk.hex(' '):<47}  {ascii_}")
    return "\n".join(lines)


def header_text(value: bytes | None) -> str:
    """A header's value as text when it is printable UTF-8, else ``binary N bytes: <hex>``."""
    view = bytes_view(value, text_cap=2000, hex_cap=32)
    if view["kind"] == "binary":
        return f"binary {view['size']} bytes: {(value or b'')[:32].hex(' ')}" + (" …" if view["truncated"] else "")
    return view["text"] + (" …" if view["truncated"] else "")


def letter_row(letter: Any, state: Any, max_replays: int) -> dict[str, Any]:
    """A letter as the DLQ pages show it: ``replays`` counts the original's replays including ours."""
    summary = letter.summary(max_replays)
    done = 0 if state is None else state.replays
    return {**summary, "replays": summary["replays"] + done, "state": None if state is None else state.state,
            "state_text": "" if state is None else state.describe(),
            "replayable": state is None and not summary["parked"], "discardable": state is None}


@functools.cache
def _serde() -> Serde:
    return Serde()  # every topic's schema and its history, read once per process


def decoded_letter(source_topic: str, value: bytes | None, topic_prefix: str = "") -> dict[str, Any]:
    """The letter's original value decoded with its topic's schema (any committed version), each
    field shown as ``bytes_view`` shows bytes: printable text as text, the rest as hex; or why not.

    A record that failed in a stage after it was decoded (a bug, a CRM refusal) is readable this
    way: an ``email.raw`` letter shows the message itself. A poison record is "not decodable".
    """
    logical = next((s.name for s in REGISTRY if topic_prefix + s.name == source_topic), None)
    if logical is None:
        return {"topic": source_topic, "fields": None, "error": f"{source_topic} is not a topic of this pipeline"}
    try:
        record = _serde().for_topic(logical).decode_record(value)
    except SerdeError as exc:
        return {"topic": logical, "fields": None, "error": str(exc)}
    return {"topic": logical, "fields": [{"name": name, **field_view(v)} for name, v in record.items()], "error": ""}


def field_view(value: Any) -> dict[str, Any]:
    if isinstance(value, bytes):
        return bytes_view(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str, indent=1)
    return bytes_view(text.encode())
