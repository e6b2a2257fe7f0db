"""The HTTP plumbing every fake third-party server shares (Gmail, HubSpot, Salesforce)."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Dispatch = Callable[[BaseHTTPRequestHandler, str], None]


def serve(dispatch: Dispatch, tls: ssl.SSLContext | None = None, port: int = 0) -> ThreadingHTTPServer:
    """A loopback server on a free port (or ``port``: a server back after an outage) that hands every
    request to ``dispatch(handler, method)``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stall

        def do_GET(self) -> None:  # noqa: N802
            dispatch(self, "GET")

        def do_POST(self) -> None:  # noqa: N802
            dispatch(self, "POST")

        def do_PATCH(self) -> None:  # noqa: N802
            dispatch(self, "PATCH")

        def do_PUT(self) -> None:  # noqa: N802
            dispatch(self, "PUT")

        def do_DELETE(self) -> None:  # noqa: N802
            dispatch(self, "DELETE")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.handle_error = lambda *_args: None  # a client that timed out or was killed hung up
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


class Served:
    """What every fake says of its server: where it listens, and how it stops (``_http`` from ``serve``)."""

    _http: ThreadingHTTPServer
    scheme = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._http.server_port}"

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
