"""Arbitrary and mutated messages: normalisation never raises and stays fast per message."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.normalize.corpora import MIME, REPLY, fixtures, require_corpora
from triage.domain.normalize import html_to_text, split_body
from triage.domain.pipeline import normalize_message

# Per message, on a slow CI machine: a hang or a quadratic blow-up fails, jitter does not.
DEADLINE_MS = 2_000
FUZZ = settings(max_examples=120, deadline=DEADLINE_MS, derandomize=True)


@cache
def seeds() -> tuple[bytes, ...]:
    require_corpora()
    return tuple(f.raw for source in (MIME, REPLY) for f in fixtures(source))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A corpus message with bytes flipped, cut, repeated or spliced in."""
    data = bytearray(draw(st.sampled_from(seeds())))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        op = draw(st.sampled_from(["flip", "cut", "repeat", "splice", "boundary"]))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 300))] * draw(st.integers(2, 50))
        elif op == "splice":
            data[at:at] = draw(st.binary(max_size=200))
        else:
            data[at:at] = b"\n--" + draw(st.binary(max_size=20)) + b"\n"
    return bytes(data)


_HEADER_NAMES = st.sampled_from(
    ["From", "To", "Cc", "Subject", "Date", "Content-Type", "Content-Transfer-Encoding",
     "Content-Disposition", "Authentication-Results", "References", "Reply-To"]
)  # fmt: skip
_HEADER_VALUES = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        ["multipart/mixed; boundary=B", "multipart/alternative; boundary=B", "text/html",
         "message/rfc822", "base64", "quoted-printable", "=?utf-8?b?w6k=?= <a@b.c>",
         "=?x-bogus?q?=FF?=", "text/plain; charset=utf-7", "attachment; filename*=utf-8''%FF"]
    ),
)  # fmt: skip


@st.composite
def structured(draw: st.DrawFn) -> bytes:
    """Header lines and MIME framing from a grammar, with arbitrary values."""
    headers = draw(st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=8))
    lines = [f"{name}: {value}" for name, value in headers]
    body = draw(
        st.lists(st.one_of(st.text(max_size=80), st.just("--B"), st.just("--B--")), max_size=20)
    )
    text = "\r\n".join(lines) + "\r\n\r\n" + "\r\n".join(body)
    return text.encode("utf-8", "surrogatepass")


@FUZZ
@given(mutated())
def test_mutated_corpus_messages_normalise(raw: bytes) -> None:
    normalize_message(raw)


@FUZZ
@given(structured())
def test_grammar_built_messages_normalise(raw: bytes) -> None:
    normalize_message(raw)


@FUZZ
@given(st.binary(max_size=4_000))
def test_arbitrary_bytes_normalise(raw: bytes) -> None:
    normalize_message(raw)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abdiqvlpr-!&;#x\n")), max_size=2_000))
def test_arbitrary_markup_converts(html: str) -> None:
    html_to_text(html)


_BODY_PIECES = st.sampled_from(
    list("> -_:\nOnwrote@Fm*") + ["From: a", "Sent: b", "On x wrote:", "--", "Best,", "\n> "]
)


@FUZZ
@given(st.lists(_BODY_PIECES, max_size=600))
def test_arbitrary_bodies_split(pieces: list[str]) -> None:
    parts = split_body("".join(pieces))
    assert parts.text.strip() == parts.text
