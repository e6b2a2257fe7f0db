"""The inbound webhook under hostile calls: refused before the body, capped, once per signature, 4xx."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time

import pytest
import uvicorn
from fastapi.testclient import TestClient

from tests.unit.services.test_ingest_app import SECRET, FakePublisher, message, post, signed
from triage.platform.settings import IngestSettings
from triage_ingest.app import BODY_MARGIN_BYTES, create_app
from triage_ingest.signature import REPLAY_WINDOW_S, Accepted, SeenSignatures, sign

MAX_BYTES = 64 * 1024


class CountingStream:
    """A chunked body that counts how much of it the server pulled."""

    def __init__(self, chunks: int, size: int = 64 * 1024) -> None:
        self.chunks, self.size, self.pulled = chunks, size, 0

    def __iter__(self):
        for _ in range(self.chunks):
            self.pulled += self.size
            yield b"x" * self.size


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def client(publisher: FakePublisher) -> TestClient:
    settings = IngestSettings(kafka_bootstrap_servers="unused:9092", triage_ingest_max_bytes=MAX_BYTES)
    return TestClient(create_app(settings, publisher, SECRET))


@pytest.mark.parametrize("headers", [
    {},
    {"X-Triage-Timestamp": str(int(time.time()) - 3600), "X-Triage-Signature": "sha256=" + "0" * 64},
], ids=["missing", "stale"])
def test_unsigned_or_stale_calls_are_refused_before_the_body_is_read(client, publisher, headers) -> None:
    stream = CountingStream(chunks=200)  # 12.5 MiB, chunked: no Content-Length to trust

    response = client.post("/webhook/inbound", content=stream, headers=headers)

    assert response.status_code == 401
    assert stream.pulled == 0  # the app never asked for the body
    assert publisher.published == []


def test_a_chunked_body_past_the_cap_is_413(client, publisher) -> None:
    timestamp = str(int(time.time()))
    headers = {"X-Triage-Timestamp": timestamp, "X-Triage-Signature": "sha256=" + "a" * 64}

    response = client.post("/webhook/inbound", content=CountingStream(chunks=4), headers=headers)

    assert response.status_code == 413
    assert publisher.published == []


def test_a_real_server_answers_a_huge_unsigned_chunked_body_before_it_is_sent(publisher) -> None:
    """600 MiB, chunked, a well-formed but wrong signature: 413 at the cap (25 MiB + margin)."""
    app = create_app(IngestSettings(kafka_bootstrap_servers="unused:9092"), publisher, SECRET)
    with serving(app) as port, socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"POST /webhook/inbound HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     b"X-Triage-Timestamp: " + str(int(time.time())).encode() + b"\r\n"
                     b"X-Triage-Signature: sha256=" + b"b" * 64 + b"\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (1 << 20, b"z" * (1 << 20))
        sent = 0
        with contextlib.suppress(OSError):  # the server may close while a chunk is under way
            while sent < 600 and not select.select([conn], [], [], 0)[0]:
                conn.sendall(chunk)
                sent += 1
        answer = conn.recv(4096)

    assert answer.startswith(b"HTTP/1.1 413")
    assert sent < 600


@contextlib.contextmanager
def serving(app):
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)


def test_a_declared_length_past_the_cap_is_413_without_reading(client, publisher) -> None:
    body = b"x" * (MAX_BYTES + BODY_MARGIN_BYTES + 1)
    assert post(client, body, signed(body)).status_code == 413


def test_a_message_between_the_limit_and_the_margin_is_kept_cut_and_flagged(client, publisher) -> None:
    body = message() + b"y" * MAX_BYTES
    assert post(client, body, signed(body)).status_code == 202
    [record] = publisher.published
    assert record.truncated and len(record.raw) == MAX_BYTES and record.size_bytes == len(body)


def test_a_replayed_signature_is_answered_but_not_published_again(client, publisher) -> None:
    body = message()
    headers = signed(body)
    first = post(client, body, headers)

    again = post(client, body, headers)

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["email_id"] == first.json()["email_id"] and again.json()["replayed"] == "true"
    assert len(publisher.published) == 1


@pytest.mark.parametrize("headers", [
    {"X-Triage-Timestamp": "now", "X-Triage-Signature": "sha256=" + "0" * 64},
    {"X-Triage-Timestamp": "1" * 40, "X-Triage-Signature": "sha256=" + "0" * 64},
    {"X-Triage-Signature": "sha256=" + "é" * 64},
    {"X-Triage-Signature": "md5=abc"},
    {"X-Triage-Inbox": "sales@lumora.io\u00e9"},
], ids=["word-timestamp", "huge-timestamp", "non-ascii-signature", "other-scheme", "non-ascii-inbox"])
def test_malformed_headers_are_400_never_500(publisher, headers) -> None:
    client = TestClient(create_app(IngestSettings(kafka_bootstrap_servers="unused:9092"), publisher, SECRET),
                        raise_server_exceptions=False)
    body = message()
    sent = {**signed(body), **headers}
    encoded = {k: v.encode("latin-1") if not v.isascii() else v for k, v in sent.items()}

    response = client.post("/webhook/inbound", content=body, headers=encoded)

    assert response.status_code == 400
    assert publisher.published == []


@pytest.mark.parametrize(("body", "status", "why"), [
    (b"\x7fELF\x02\x01\x01" + bytes(300), 422, "binary data"),
    (b'{"company": "Lumora", "inboxes": ["sales@lumora.io"]}', 422, "a JSON document"),
    (b"Hi, we want 500 seats now, budget $1M.\n", 422, "no header block"),
    (b"", 400, "empty body"),
], ids=["binary", "json", "no-headers", "empty"])
def test_a_signed_body_that_is_no_email_is_refused(client, publisher, body, status, why) -> None:
    response = post(client, body, signed(body))

    assert response.status_code == status
    assert why in response.json()["detail"]
    assert publisher.published == []


def test_seen_signatures_forget_after_the_window_and_stay_bounded() -> None:
    seen = SeenSignatures(max_entries=2)
    now = time.time()
    for n in range(3):
        seen.add(sign(SECRET, str(int(now)), bytes([n])), int(now), Accepted(f"e{n}", "t"))

    assert len(seen) == 2
    assert seen.get(sign(SECRET, str(int(now)), b"\x02"), now).email_id == "e2"
    assert seen.get(sign(SECRET, str(int(now)), b"\x02"), now + REPLAY_WINDOW_S + 1) is None
