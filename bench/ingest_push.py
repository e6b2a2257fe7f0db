"""The Gmail push door under load: signed Pub/Sub pushes against ``POST /webhook/email`` on loopback.

Starts the real ingest service (uvicorn, one process) against the local Kafka,
with Google's certificates served by a local server, and drives it with
``BENCH_PUSH_CONNECTIONS`` keep-alive connections (default 16), each sending
the next push as soon as the last was answered, for ``BENCH_PUSH_SECONDS``
(default 10) or ``BENCH_PUSH_REQUESTS`` (default 20,000), whichever ends
first. Every push carries a real RS256 OIDC token that the service verifies.
Each answer is a 204 sent after the broker acknowledged the notification.

Prints one JSON object: requests, requests/s, latency P50/P99/max in ms, errors.

    .venv/bin/python -m bench.ingest_push
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from tests.support.fake_google_certs import GoogleCertsServer, mint, push_claims
from tests.support.pipeline import Pipeline
from tests.support.stack import start_stack
from triage.platform.admin import apply_topics

SECONDS = float(os.environ.get("BENCH_PUSH_SECONDS", "10"))
REQUESTS = int(os.environ.get("BENCH_PUSH_REQUESTS", "20000"))
CONNECTIONS = int(os.environ.get("BENCH_PUSH_CONNECTIONS", "16"))
AUDIENCE = "https://ingest.bench.example/webhook/email"
PUSHER = "gmail-push@bench.iam.gserviceaccount.com"
MAILBOXES = [f"{name}@bench.example" for name in ("sales", "info", "partnerships")]


def push_request(port: int, token: str, mailbox: str, history_id: int) -> bytes:
    data = base64.b64encode(json.dumps({"emailAddress": mailbox, "historyId": history_id}).encode()).decode()
    body = json.dumps({"message": {"data": data, "messageId": str(history_id),
                                   "publishTime": "2026-11-25T09:00:00Z"},
                       "subscription": "projects/bench/subscriptions/gmail-push"}).encode()
    head = (f"POST /webhook/email HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    if length:
        await reader.readexactly(length)
    return status


async def connection(port: int, token: str, index: int, deadline: float, budget: list[int],
                     latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    history_id = 1_000_000 * (index + 1)
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        history_id += 1
        started = time.perf_counter()
        writer.write(push_request(port, token, MAILBOXES[history_id % len(MAILBOXES)], history_id))
        status = await read_response(reader)
        latencies.append((time.perf_counter() - started) * 1000)
        if status != 204:
            errors.append(status)
    writer.close()


async def drive(port: int, token: str) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    budget = [REQUESTS]
    await connection(port, token, 99, time.monotonic() + 2, [200], [], [])  # warm-up: producer, certs
    started = time.monotonic()
    deadline = started + SECONDS
    await asyncio.gather(*(connection(port, token, i, deadline, budget, latencies, errors)
                           for i in range(CONNECTIONS)))
    elapsed = time.monotonic() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "seconds": round(elapsed, 2),
            "requests_per_s": round(len(latencies) / elapsed, 1), "connections": CONNECTIONS,
            "latency_p50_ms": round(quantiles[49], 2), "latency_p99_ms": round(quantiles[98], 2),
            "latency_max_ms": round(max(latencies), 2), "errors": len(errors)}


def main() -> None:
    stack, _ = start_stack()
    certs = GoogleCertsServer()
    with tempfile.TemporaryDirectory() as logs:
        pipeline = Pipeline(stack=stack, log_dir=Path(logs), database_url=stack.database_url)
        pipeline.extra_env.update({"TRIAGE_PUBSUB_AUDIENCE": AUDIENCE, "TRIAGE_PUBSUB_SERVICE_ACCOUNT": PUSHER,
                                   "TRIAGE_GOOGLE_CERTS_URL": certs.url, "TRIAGE_GMAIL_MAILBOXES": ",".join(MAILBOXES),
                                   "TRIAGE_LOG_LEVEL": "WARNING"})
        apply_topics(pipeline.settings, 3)  # no database: the push door needs only Kafka
        pipeline.start("ingest")
        try:
            token = mint(certs.key, push_claims(AUDIENCE, PUSHER))
            result = asyncio.run(drive(pipeline.ports["ingest"], token))
        finally:
            pipeline.stop_all()
            certs.close()
    print(json.dumps({"bench": "ingest_push", **result}))


if __name__ == "__main__":
    main()
