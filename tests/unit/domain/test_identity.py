from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage.domain.identity import HEADER_SCAN_LIMIT, identify


def sha(text: str | bytes, length: int) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()[:length]


def raw(*headers: str, body: str = "Hello") -> bytes:
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


def test_email_id_is_the_hash_of_the_normalised_message_id() -> None:
    identity = identify(raw("Message-ID: <ABC.123@Mail.Example.COM>", "Subject: hi"))

    assert identity.email_id == sha("abc.123@mail.example.com", 32)
    assert identity.message_id == "ABC.123@Mail.Example.COM"


def test_the_same_message_id_in_another_case_gives_the_same_ids() -> None:
    upper = identify(raw("Message-ID: <ABC@X.COM>"))
    lower = identify(raw("Message-Id:   <abc@x.com>", "Subject: other bytes"))

    assert (upper.email_id, upper.thread_id) == (lower.email_id, lower.thread_id)


def test_without_a_message_id_the_email_id_hashes_the_raw_bytes() -> None:
    message = raw("Subject: no id")

    identity = identify(message)

    assert identity.message_id is None
    assert identity.email_id == sha(message, 32)
    assert identity.thread_id == "t" + sha(identity.email_id, 24)


@pytest.mark.parametrize(
    ("headers", "root"),
    [
        (
            ["Message-ID: <c@x>", "In-Reply-To: <b@x>", "References: <a@x> <b@x>"],
            "a@x",
        ),
        (["Message-ID: <c@x>", "In-Reply-To: <B@X>"], "b@x"),
        (["Message-ID: <C@x>"], "c@x"),
        (["Message-ID: <c@x>", "References: <a@x>\r\n <b@x>"], "a@x"),  # folded header
    ],
    ids=["references-first", "in-reply-to", "own-message-id", "folded-references"],
)
def test_the_thread_root_is_the_first_reference_else_in_reply_to_else_the_message_id(
    headers: list[str], root: str
) -> None:
    assert identify(raw(*headers)).thread_id == "t" + sha(root, 24)


def test_a_reply_lands_in_the_thread_of_the_message_it_answers() -> None:
    original = identify(raw("Message-ID: <first@x>"))
    reply = identify(raw("Message-ID: <second@x>", "In-Reply-To: <first@x>"))

    assert reply.thread_id == original.thread_id
    assert reply.email_id != original.email_id


def test_only_the_header_block_is_read() -> None:
    identity = identify(raw("Subject: hi", body="Message-ID: <in-the-body@x>"))

    assert identity.message_id is None


def test_headers_past_the_scan_limit_are_not_read() -> None:
    padding = "X-Padding: " + "a" * HEADER_SCAN_LIMIT
    identity = identify(raw(padding, "Message-ID: <late@x>"))

    assert identity.message_id is None


@given(st.binary(max_size=4096))
def test_any_bytes_get_well_formed_ids(data: bytes) -> None:
    identity = identify(data)

    assert re.fullmatch(r"[0-9a-f]{32}", identity.email_id)
    assert re.fullmatch(r"t[0-9a-f]{24}", identity.thread_id)
