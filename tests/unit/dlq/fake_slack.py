"""A local HTTP server speaking Slack's incoming-webhook wire format (loopback only)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeSlack:
    """Answers each POST with the next scripted (status, body, headers); records the bodies."""

    def __init__(self) -> None:
        self.script: list[tuple[int, str, dict[str, str]]] = []
        self.received: list[dict] = []
        self.content_types: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.content_types.append(self.headers["Content-Type"])
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = None
                fake.received.append(payload)
                if not isinstance(payload, dict) or not payload.get("text"):
                    status, text, headers = 400, "invalid_payload", {}
                else:
                    status, text, headers = fake.script.pop(0) if fake.script else (200, "ok", {})
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T000/B000/XXXX"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
