"""``/healthz`` and ``/metrics`` on one port per service (stdlib HTTP server, one thread)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest


def serve_health(host: str, port: int, is_healthy: Callable[[], bool]) -> ThreadingHTTPServer:
    """Start the server in a daemon thread; port 0 picks a free one (``server.server_port``)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path == "/metrics":
                self._reply(200, generate_latest(), CONTENT_TYPE_LATEST)
            elif self.path == "/healthz":
                healthy = is_healthy()
                reasons = getattr(is_healthy, "reasons", lambda: [])()
                notes = getattr(is_healthy, "notes", lambda: [])()  # healthy, but waiting (ADR 0022)
                body = (("ok\n" if healthy else "unhealthy: " + "; ".join(reasons) + "\n")
                        + "".join(f"{note}\n" for note in notes)).encode()
                self._reply(200 if healthy else 503, body)
            else:
                self._reply(404, b"not found\n")

        def _reply(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # probes every few seconds: keep logs quiet
            return

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server


class Liveness:
    """A stage is healthy while its loop polls Kafka, commits what it consumed and does not keep
    rewinding: each of those failing is a reason (``reasons()``) for ``/healthz`` to answer 503.

    ``holding`` is called when the loop has records it has not committed yet (a batch it works
    on, or one it rewound to consume again) and ``committed`` when a transaction committed;
    ``released`` when its partitions went elsewhere. So "no progress while it has lag" is: some
    records have been held longer than ``max_stall_s``.

    ``waiting`` names the dependencies the stage is waiting for (their circuits open, ADR 0022):
    not a reason for 503 — a restart would not bring the CRM back — but shown on ``/healthz``
    (``notes``); held records do not count as a stall meanwhile, and the stall clock restarts
    when the wait ends.
    """

    def __init__(self, max_silence_s: float = 60.0, max_rewinds: int = 5, max_stall_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last = clock()
        self._max = max_silence_s
        self._max_rewinds = max_rewinds
        self._max_stall = max_stall_s
        self._holding_since: float | None = None
        self._rewinds = 0
        self._waiting: list[str] = []
        self.running = True

    def waiting(self, notes: list[str]) -> None:
        if self._waiting and not notes and self._holding_since is not None:
            self._holding_since = self._clock()
        self._waiting = notes

    def notes(self) -> list[str]:
        return list(self._waiting)

    def beat(self) -> None:
        self._last = self._clock()

    def holding(self) -> None:
        if self._holding_since is None:
            self._holding_since = self._clock()

    def committed(self) -> None:
        self._holding_since = None
        self._rewinds = 0

    def rewound(self) -> None:
        self._rewinds += 1

    def released(self) -> None:
        self._holding_since = None

    def reasons(self) -> list[str]:
        now = self._clock()
        found = []
        if not self.running:
            found.append("stopped")
        if now - self._last >= self._max:
            found.append(f"no poll for {now - self._last:.0f} s")
        if self._rewinds >= self._max_rewinds:
            found.append(f"{self._rewinds} batches rewound in a row")
        if not self._waiting and self._holding_since is not None and now - self._holding_since >= self._max_stall:
            found.append(f"no commit for {now - self._holding_since:.0f} s with records waiting")
        return found

    def __call__(self) -> bool:
        return not self.reasons()
