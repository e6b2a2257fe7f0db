"""Logging that never carries a raw email address: every address is replaced by a hash."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import threading
import time
from types import TracebackType

EMAIL_ADDRESS = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")


def hash_address(address: str) -> str:
    """A stable pseudonym: the same address always logs as the same token."""
    return "email:" + hashlib.sha256(address.strip().lower().encode()).hexdigest()[:12]


def scrub(text: str) -> str:
    return EMAIL_ADDRESS.sub(lambda m: hash_address(m.group(0)), text)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # A crash's traceback would otherwise reach stderr raw, addresses and all.
    sys.excepthook = log_uncaught
    threading.excepthook = lambda args: log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)


def log_uncaught(exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None) -> None:
    logging.getLogger("triage.crash").critical("uncaught exception", exc_info=(exc_type, exc, tb))
