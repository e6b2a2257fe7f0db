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
                self._reply(200 if healthy else 503, b"ok\n" if healthy else b"unhealthy\n")
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
    """The loop is alive when it polled Kafka recently."""

    def __init__(self, max_silence_s: float = 60.0) -> None:
        self._last = time.monotonic()
        self._max = max_silence_s
        self.running = True

    def beat(self) -> None:
        self._last = time.monotonic()

    def __call__(self) -> bool:
        return self.running and time.monotonic() - self._last < self._max
