"""Is Kafka / PostgreSQL there? Checked before a command starts, answered in one line.

Without this check an unreachable broker is hundreds of librdkafka log lines (one per retry,
per client) and some commands print an empty answer and exit 0; an unreachable database is
psycopg's multi-line error. Each check names the variable to fix and exits 1.
"""

from __future__ import annotations

import socket
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import typer

if TYPE_CHECKING:
    from triage.platform.settings import CliSettings

CONNECT_TIMEOUT_S = 3.0


def fail(message: str) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(1)


def require_kafka(settings: CliSettings) -> str:
    """The bootstrap servers, once one of them accepts a TCP connection; else one line and exit 1."""
    servers = settings.kafka_bootstrap_servers
    reasons = []
    for server in settings.bootstrap_addresses():
        host, port = split_host_port(server.split("://")[-1], 9092)
        try:
            socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
            return servers
        except OSError as exc:
            reasons.append(exc.strerror or type(exc).__name__)
    fail(f"Kafka is unreachable at KAFKA_BOOTSTRAP_SERVERS={servers} ({', '.join(reasons) or 'no server'})")


def require_database(settings: CliSettings) -> str:
    """DATABASE_URL, once PostgreSQL accepts a session with it; else one line and exit 1."""
    url = settings.require_database_url()
    import psycopg  # only the commands that use the database pay for it

    try:
        psycopg.connect(url, connect_timeout=int(CONNECT_TIMEOUT_S)).close()
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        fail(f"PostgreSQL is unreachable at DATABASE_URL={redact(url)} ({reason})")
    return url


def split_host_port(address: str, default_port: int) -> tuple[str, int]:
    if address.startswith("["):  # [::1]:9092
        host, _, rest = address[1:].partition("]")
        return host, int(rest.lstrip(":") or default_port)
    host, _, port = address.rpartition(":")
    return (host, int(port)) if host and port.isdigit() else (address, default_port)


def redact(url: str) -> str:
    """The URL with its password replaced, for an error message (logs never carry secrets)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
