"""The UI's wording of audit rows: countdowns, bands, CRM status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from triage.domain.bands import ConfidenceBands
from triage.domain.intake import raw_email
from triage.platform.serde import Serde
from triage_admin.views import crm_status, decoded_letter, duration, email_row, sla

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_durations_keep_the_two_largest_units() -> None:
    assert [duration(s) for s in (9, 249, 7_500, 3 * 86_400 + 4 * 3_600 + 59)] == ["0m 09s", "4m 09s",
                                                                                 "2h 05m", "3d 4h"]


def test_the_sla_counts_down_then_shows_overdue() -> None:
    assert sla(NOW + timedelta(hours=2, minutes=5), NOW) == ("due in 2h 05m", "due")
    assert sla(NOW - timedelta(minutes=4, seconds=9), NOW) == ("overdue by 4m 09s", "overdue")
    assert sla(None, NOW) == ("no SLA", "none")


def test_the_most_telling_crm_status_comes_first() -> None:
    assert crm_status(["created", "awaiting_approval", "failed"]) == "failed, awaiting_approval, created"
    assert crm_status(None) == crm_status([]) == "—"


def test_the_band_is_the_review_items_or_else_the_confidences() -> None:
    bands = ConfidenceBands(0.85, 0.6)
    row = {"due_at": None, "confidence": 0.7, "band": None, "crm_statuses": None}
    assert email_row(row, NOW, bands)["band"] == "suggest"
    assert email_row({**row, "band": "review"}, NOW, bands)["band"] == "review"
    assert email_row({**row, "confidence": None}, NOW, bands)["band"] == "—"


# -- dead letters' bytes and states; the held-for-approval note (issue #15) ----------------------------
from triage.platform.dlq_states import LetterState  # noqa: E402
from triage_admin.views import band_note, bytes_view, header_text, hex_dump, letter_row  # noqa: E402


def test_printable_utf8_is_text_and_the_rest_is_a_hex_dump() -> None:
    assert bytes_view("Grüße <script>".encode()) == {"kind": "text", "size": 16, "text": "Grüße <script>",
                                                      "truncated": False}
    binary = bytes_view(b"\x00\x01avro\xff" * 1000, hex_cap=32)
    assert binary["kind"] == "binary" and binary["size"] == 7000 and binary["truncated"]
    assert binary["text"].splitlines()[0].startswith("00000000  00 01 61 76 72 6f ff 00")
    assert bytes_view(b"\x1b[31mred") ["kind"] == "binary", "terminal escapes are not shown as text"
    assert bytes_view(None)["kind"] == bytes_view(b"")["kind"] == "empty"


def test_text_is_capped_and_a_character_split_by_the_cap_is_dropped() -> None:
    view = bytes_view("ä".encode() * 10, text_cap=5)  # 20 bytes; the cap splits the third ä
    assert view == {"kind": "text", "size": 20, "text": "ää", "truncated": True}


def test_hex_dump_lines_show_offset_hex_and_ascii() -> None:
    assert hex_dump(b"AB\x00") == "00000000  41 42 00" + " " * 39 + "  AB."


def test_headers_are_text_or_named_binary() -> None:
    assert header_text(b"3") == "3"
    assert header_text(b"\xff\xfe") == "binary 2 bytes: ff fe"


class FakeLetter:
    def summary(self, _max: int) -> dict:
        return {"id": "0:7", "replays": 2, "parked": False}


def test_a_replayed_letter_counts_our_replay_and_offers_no_replay() -> None:
    assert letter_row(FakeLetter(), None, 3)["replayable"]
    done = letter_row(FakeLetter(), LetterState("replayed", 1, "alice", None, datetime(2026, 12, 7, 3, 0)), 3)
    assert done["replays"] == 3 and not done["replayable"] and not done["discardable"]
    assert done["state_text"] == "replayed by alice at 2026-12-07 03:00"
    gone = letter_row(FakeLetter(), LetterState("discarded", 0, "bob", "test data", datetime(2026, 12, 7)), 3)
    assert gone["state_text"].endswith(": test data") and not gone["replayable"]


def test_an_auto_write_email_held_for_approval_says_so() -> None:
    assert band_note({"crm_statuses": ["awaiting_approval"]}, "auto_write") == "held for approval"
    assert band_note({"review_reason": "awaiting_approval"}, "auto_write") == "held for approval"
    assert band_note({"crm_statuses": ["awaiting_approval"]}, "suggest") == ""
    assert band_note({"crm_statuses": ["created"]}, "auto_write") == ""


HOSTILE = b"Subject: <script>alert(1)</script>\r\nFrom: a@b.example\r\n\r\nHello <b>bold</b>\r\n"


def raw_letter_value() -> bytes:
    return Serde().encode("email.raw", raw_email(HOSTILE, source="file", received_at=NOW, max_bytes=1 << 20))


def test_a_letter_is_decoded_with_its_topics_schema_and_its_fields_shown_as_text() -> None:
    shown = decoded_letter("p1-email.raw", raw_letter_value(), "p1-")
    fields = {f["name"]: f for f in shown["fields"]}
    assert shown["topic"] == "email.raw" and shown["error"] == ""
    assert fields["raw"]["kind"] == "text" and fields["raw"]["text"] == HOSTILE.decode()
    assert fields["source"]["text"] == "file"
    assert fields["size_bytes"]["text"] == str(len(HOSTILE))


def test_a_poison_value_or_a_foreign_topic_says_why_it_is_not_decodable() -> None:
    poison = decoded_letter("email.raw", b"<b>not avro</b>")
    assert poison["fields"] is None and "not an Avro single-object encoded value" in poison["error"]
    assert decoded_letter("other.topic", raw_letter_value())["error"] == "other.topic is not a topic of this pipeline"
    assert decoded_letter("p1-email.raw", raw_letter_value(), "p2-")["fields"] is None, "another pipeline's prefix"
