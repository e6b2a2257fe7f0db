"""The email page's parts and evidence segments (admin_evidence), pure."""

from __future__ import annotations

from triage_admin.evidence import Segment, email_parts, segments, spans

TEXT = "Jane Doe from Globex wants Revenue Radar next quarter."


def test_text_is_cut_at_every_span_boundary_and_each_piece_names_its_fields() -> None:
    assert segments(TEXT, [(0, 8, "person.name"), (14, 20, "company.name")]) == (
        Segment("Jane Doe", ("person.name",)), Segment(" from "), Segment("Globex", ("company.name",)),
        Segment(" wants Revenue Radar next quarter."))


def test_overlapping_spans_mark_their_overlap_with_both_fields() -> None:
    found = segments("acme.com", [(0, 8, "company.domain"), (0, 4, "company.name")])
    assert found == (Segment("acme", ("company.domain", "company.name")), Segment(".com", ("company.domain",)))
    assert "".join(s.text for s in found) == "acme.com", "nothing lost, nothing repeated"


def test_no_span_is_one_plain_segment_and_an_empty_text_none() -> None:
    assert segments(TEXT, []) == (Segment(TEXT),)
    assert segments("", []) == ()


def test_a_span_is_shown_only_where_it_indexes_the_stored_text() -> None:
    parts = {"text": TEXT, "forwarded": {"text": "Fwd: Initech"}}
    data = {"company": {"name": "Globex"}, "timeline": "quarter", "evidence": [
        {"field": "company.name", "source": "text", "start": 14, "end": 20, "text": "Globex"},
        {"field": "timeline", "source": "text", "start": 14, "end": 20, "text": "next quarter"},  # stale
        {"field": "company.name", "source": "forwarded.text", "start": 5, "end": 12, "text": "Initech"},
        {"field": "region", "source": "signature", "start": 0, "end": 2, "text": "US"}]}  # no signature stored
    found = spans(parts, data)
    assert [s.shown for s in found] == [True, False, True, False]
    assert found[0].value == "Globex" and found[1].value == "quarter"
    shown = email_parts(parts, found)
    assert [(p.source, p.marked) for p in shown] == [("text", 1), ("forwarded.text", 1)]
    assert shown[1].segments[1] == Segment("Initech", ("company.name",))


def test_the_quoted_history_signature_and_footer_are_folded_the_text_is_not() -> None:
    parts = {"subject": "Hi", "text": "body", "signature": "-- J", "quoted": "> old", "footer": "unsubscribe"}
    assert [(p.source, p.folded) for p in email_parts(parts, [])] == [
        ("subject", False), ("text", False), ("signature", True), ("quoted", True), ("footer", True)]
    assert email_parts(None, []) == [], "nothing stored: nothing shown"
