"""``make bench`` (second part): normalisation speed and accuracy on the third-party corpora,
ours against what a user would pick instead (mail-parser + email-reply-parser), in one run.

Prints one JSON object. Inputs: the reply bodies of github/email_reply_parser (split into
visible text) and the messages of CPython's test_email (parsed whole); each tool gets the
same bytes. Rates are inputs per second over BENCH_ROUNDS passes (default 20) after one
warm-up pass (which loads the language model once). Accuracy is the corpus test's: the
share of fixtures whose visible text matches after whitespace folding, and the share of
CPython's text/filename expectations that hold; exceptions are counted, not raised.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import mailparser
from email_reply_parser import EmailReplyParser

from tests.unit.normalize.corpora import MIME, REPLY, Fixture, fixtures, fold, require_corpora
from triage.domain.intake import raw_email
from triage.domain.models import RawEmail
from triage.domain.normalize import clean_email, decode_text, split_body

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)


class Ours:
    name = "triage.domain.normalize"

    @staticmethod
    def reply(raw: bytes) -> str:
        return split_body(decode_text(raw, "utf-8")).text

    @staticmethod
    def prepare(raw: bytes) -> RawEmail:
        # What the ingest door hands the normaliser: ids and envelope are not its work.
        return raw_email(raw, source="bench", received_at=RECEIVED, max_bytes=len(raw))

    @staticmethod
    def message(record: RawEmail) -> tuple[str, list[str | None]]:
        clean = clean_email(record)
        visible = " ".join(filter(None, (clean.text, clean.signature, clean.quoted)))
        return visible, [attachment.filename for attachment in clean.attachments]


class Theirs:
    name = "mail-parser + email-reply-parser"

    @staticmethod
    def reply(raw: bytes) -> str:
        return EmailReplyParser.parse_reply(raw.decode("utf-8", errors="replace"))

    @staticmethod
    def prepare(raw: bytes) -> bytes:
        return raw

    @staticmethod
    def message(raw: bytes) -> tuple[str, list[str | None]]:
        mail = mailparser.parse_from_bytes(raw)
        body = "\n".join(mail.text_plain) if mail.text_plain else mail.body
        names = [attachment.get("filename") for attachment in mail.attachments]
        return EmailReplyParser.parse_reply(body or ""), names


def rate(run: Callable[[Any], object], inputs: list[Any]) -> tuple[float, int]:
    """Inputs per second over ROUNDS passes, and how many inputs raised (first pass)."""
    errors = sum(not _succeeds(run, raw) for raw in inputs)  # also the warm-up pass
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for raw in inputs:
            _succeeds(run, raw)
    return len(inputs) * ROUNDS / (time.perf_counter() - started), errors


def _succeeds(run: Callable[[Any], object], raw: Any) -> bool:
    try:
        run(raw)
    except Exception:  # noqa: BLE001 - a tool that raises on an input scores a miss
        return False
    return True


def reply_accuracy(tool: type[Ours] | type[Theirs], expected: list[Fixture]) -> float:
    hits = [_safe_text(tool.reply, f.raw) == fold(f.expected["visible_text"]) for f in expected]
    return sum(hits) / len(hits)


def mime_accuracy(tool: type[Ours] | type[Theirs], messages: list[Fixture]) -> float:
    hits: list[bool] = []
    for fixture in messages:
        try:
            visible, names = tool.message(tool.prepare(fixture.raw))
        except Exception:  # noqa: BLE001 - every expectation of that message is missed
            visible, names = "", []
        texts = [c["value"] for c in fixture.checks("decoded_payload") if c["value"] is not None]
        texts += [c["value"] for c in fixture.checks("text_parts_payload_concat")]
        hits += [fold(text) in fold(visible) for text in texts]
        hits += [c["value"] in names for c in fixture.checks("filename")]
    return sum(hits) / len(hits)


def _safe_text(run: Callable[[bytes], str], raw: bytes) -> str:
    try:
        return fold(run(raw))
    except Exception:  # noqa: BLE001 - a miss, not a crash of the benchmark
        return "\x00error"


def bench_tool(tool: type[Ours] | type[Theirs]) -> dict[str, object]:
    replies = list(fixtures(REPLY))
    messages = [f for f in fixtures(MIME) if f.expected.get("role") != "expected_output"]
    reply_rate, reply_errors = rate(tool.reply, [f.raw for f in replies])
    mime_rate, mime_errors = rate(tool.message, [tool.prepare(f.raw) for f in messages])
    expected = [f for f in replies if f.expected["visible_text"] is not None]
    return {
        "tool": tool.name,
        "reply_bodies_per_s": round(reply_rate),
        "messages_per_s": round(mime_rate),
        "reply_visible_text_share": round(reply_accuracy(tool, expected), 3),
        "mime_expectations_share": round(mime_accuracy(tool, messages), 3),
        "inputs_that_raised": reply_errors + mime_errors,
    }


def main() -> None:
    require_corpora()
    logging.disable(logging.CRITICAL)  # mail-parser logs every defect it meets
    results = [bench_tool(Ours), bench_tool(Theirs)]
    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "rounds": ROUNDS,
                "reply_bodies": sum(1 for _ in fixtures(REPLY)),
                "messages": sum(
                    1 for f in fixtures(MIME) if f.expected.get("role") != "expected_output"
                ),
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
