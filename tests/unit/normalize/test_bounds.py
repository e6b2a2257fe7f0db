"""Work per email is bounded: huge mail, MIME bombs and hostile nesting finish fast, flagged."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

from triage.domain.models import CleanEmail
from triage.domain.normalize import extractor_input, find_forwarded, split_body
from triage.domain.normalize.limits import MAX_BOUNDARY_LINES, MAX_PARTS
from triage.domain.pipeline import normalize_message

HEAD = b"From: a@acme.com\r\nSubject: bounds\r\nMIME-Version: 1.0\r\n"


def timed(make: Callable[[], CleanEmail]) -> tuple[CleanEmail, float]:
    started = time.perf_counter()
    result = make()
    return result, time.perf_counter() - started


def test_a_25_mb_email_finishes_in_bounded_time_with_its_attachment_listed() -> None:
    data = base64.encodebytes(bytes(range(256)) * (25 * 1024 * 1024 * 3 // 4 // 256))
    raw = (
        HEAD + b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
        b"Content-Type: text/plain\r\n\r\nSee the attached dump.\r\n--XX\r\n"
        b"Content-Type: application/octet-stream; name=dump.bin\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + data + b"\r\n--XX--\r\n"
    )

    result, seconds = timed(lambda: normalize_message(raw))

    assert seconds < 5.0
    assert result.text == "See the attached dump."
    assert result.attachments[0].size_bytes == 25 * 1024 * 1024 * 3 // 4 // 256 * 256


def test_a_mime_bomb_with_thousands_of_parts_is_cut_and_flagged() -> None:
    parts = b"".join(
        b"--XX\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(50_000)
    )
    raw = HEAD + b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n" + parts + b"--XX--\r\n"

    result, seconds = timed(lambda: normalize_message(raw))

    assert seconds < 3.0
    assert result.truncated
    assert result.text.count("part") < min(MAX_PARTS, MAX_BOUNDARY_LINES)


def test_mime_nested_past_the_stack_keeps_its_headers_and_is_flagged() -> None:
    nesting = b"".join(
        b"Content-Type: multipart/mixed; boundary=B%d\r\n\r\n--B%d\r\n" % (i, i)
        for i in range(1_900)
    )
    raw = HEAD + nesting + b"Content-Type: text/plain\r\n\r\nx\r\n"

    result, seconds = timed(lambda: normalize_message(raw))

    assert seconds < 3.0
    assert (result.subject, result.truncated) == ("bounds", True)


def test_megabytes_of_html_and_header_text_finish_fast() -> None:
    html = b"<table>" + (b"<tr><td>cell</td><td>" + b"x " * 50 + b"</td></tr>") * 40_000
    raw = HEAD.replace(b"bounds", b"s" * 2_000_000) + b"Content-Type: text/html\r\n\r\n" + html

    result, seconds = timed(lambda: normalize_message(raw))

    assert seconds < 3.0
    assert result.truncated


def test_the_extractor_reads_the_subject_and_1500_characters_of_the_newest_text() -> None:
    body = b"A" * 5_000 + b"\r\n\r\nOn Mon, Bob <b@x.io> wrote:\r\n> " + b"old " * 1_000
    clean = normalize_message(HEAD + b"\r\n" + body)

    text = extractor_input(clean)

    assert text.startswith("Subject: bounds")
    assert text.count("A") == 1_500
    assert len(text) < 2_000


def test_pathological_lines_split_without_backtracking() -> None:
    lines = [
        "Sent from my " + "a" * 100_000 + "!",
        "From: " + "a" * 100_000 + "\nSent: today",
        "On " + "x " * 50_000 + "wrote:",
        "Best " + "& best" * 20_000,
    ]
    for line in lines:
        started = time.perf_counter()

        split_body(f"Hello\n{line}")
        find_forwarded(f"FYI\n{line}", "Fwd: x")

        assert time.perf_counter() - started < 0.5, line[:20]
