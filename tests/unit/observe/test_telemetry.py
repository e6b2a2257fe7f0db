"""Telemetry is opt-in through the standard variables, and Sentry never sees an address."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from triage.platform.settings import TelemetrySettings
from triage.platform.telemetry import scrub_event


@pytest.mark.parametrize(("env", "exporter"), [
    ({}, None),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "otlp"),
    ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, "otlp"),
    ({"OTEL_TRACES_EXPORTER": "console"}, "console"),
    ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, None),
    ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, None),
])
def test_tracing_is_on_only_when_an_exporter_is_configured(env: dict, exporter: str | None,
                                                           monkeypatch) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                 "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert TelemetrySettings().traces_exporter() == exporter


def test_scrub_event_hashes_addresses_and_drops_bodies_cookies_and_credentials() -> None:
    event = {
        "message": "could not reach jane.doe@acme.com",
        "exception": {"values": [{"value": "KeyError: 'Bob <bob@example.org>'"}]},
        "request": {"url": "https://x/webhook", "data": "From: jane.doe@acme.com\r\n\r\nbody",
                    "cookies": {"s": "1"}, "query_string": "a=1&token=secret",
                    "headers": {"Authorization": "Bearer t", "X-Triage-Signature": "sha256=..",
                                "Content-Type": "message/rfc822"}},
        "user": {"email": "jane.doe@acme.com", "ip_address": "10.0.0.1", "id": "42"},
        "extra": {"addresses": ["a@b.io"]},
    }
    scrubbed = scrub_event(event)
    text = json.dumps(scrubbed)
    assert "@" not in text.replace("email:", "")
    assert "email:" in scrubbed["message"]
    assert "data" not in scrubbed["request"] and "cookies" not in scrubbed["request"]
    assert scrubbed["request"]["headers"] == {"Content-Type": "message/rfc822"}
    assert scrubbed["request"]["query_string"] == "a=1&token=[removed]"
    assert scrubbed["user"] == {"id": "42"}


class Envelopes:
    """A local Sentry: keeps every envelope POSTed to /api/<project>/envelope/."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        received = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                received.append(body)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server.server_port}/1"


SENDS_AN_ERROR = """
import logging
from triage.platform.settings import TelemetrySettings
from triage.platform.telemetry import setup_telemetry, shutdown_telemetry
setup_telemetry("crm-sink", TelemetrySettings())
body = "Hi, I am jane.doe@acme.com, call me"
try:
    raise ValueError(f"cannot parse {body}")
except ValueError:
    logging.getLogger("x").exception("failed for bob@example.org")
shutdown_telemetry()
"""


def test_sentry_is_initialised_from_sentry_dsn_and_its_events_carry_no_address() -> None:
    sentry = Envelopes()
    try:
        env = {**os.environ, "SENTRY_DSN": sentry.dsn, "SENTRY_ENVIRONMENT": "test"}
        done = subprocess.run([sys.executable, "-c", SENDS_AN_ERROR], env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    finally:
        sentry.server.shutdown()
    events = [json.loads(line) for body in sentry.bodies for line in body.splitlines()
              if line.startswith(b"{") and b'"exception"' in line]
    assert events, f"no event reached the local Sentry ({len(sentry.bodies)} envelopes)"
    text = json.dumps(events)
    assert "jane.doe@acme.com" not in text and "bob@example.org" not in text
    assert "email:" in text
    assert events[0]["environment"] == "test" and events[0]["tags"]["service"] == "crm-sink"
