"""JSON-line logs that never carry a raw email address."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from triage.platform.logs import JsonFormatter, configure_logging, hash_address, scrub

ADDRESS = f"Jane.Doe+{uuid.uuid4().hex[:6]}@acme-robotics.co.uk"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("route"))
    logger = logging.getLogger(f"triage.test.{uuid.uuid4().hex[:8]}")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def entries(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_an_address_in_the_message_is_logged_as_its_hash(captured) -> None:
    logger, stream = captured
    logger.info("new lead from %s", ADDRESS)
    [entry] = entries(stream)
    assert entry["msg"] == f"new lead from {hash_address(ADDRESS)}"
    assert ADDRESS not in stream.getvalue()
    assert ADDRESS.lower() not in stream.getvalue()
    assert "acme-robotics" not in stream.getvalue()


def test_each_line_is_one_json_object_with_the_expected_fields(captured) -> None:
    logger, stream = captured
    logger.warning("first")
    logger.error("second")
    first, second = entries(stream)
    assert set(first) == {"ts", "level", "service", "logger", "msg"}
    assert (first["level"], first["service"], first["logger"], first["msg"]) == (
        "WARNING", "route", logger.name, "first")
    assert second["level"] == "ERROR"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["ts"])


def test_exceptions_are_scrubbed_too(captured) -> None:
    logger, stream = captured
    try:
        raise ValueError(f"cannot write contact {ADDRESS}")
    except ValueError:
        logger.exception("crm write failed")
    [entry] = entries(stream)
    assert "ValueError" in entry["exc"]
    assert "Traceback" in entry["exc"]
    assert hash_address(ADDRESS) in entry["exc"]
    assert ADDRESS not in stream.getvalue()


def test_the_hash_is_stable_and_ignores_case_and_spaces() -> None:
    assert hash_address(ADDRESS) == hash_address(f"  {ADDRESS.upper()} ")
    assert hash_address(ADDRESS) != hash_address("someone.else@acme-robotics.co.uk")
    assert re.fullmatch(r"email:[0-9a-f]{12}", hash_address(ADDRESS))


def test_scrub_replaces_every_address_and_keeps_the_rest() -> None:
    text = scrub("from a@x.io to sales@lumora.io: hello")
    assert text == f"from {hash_address('a@x.io')} to {hash_address('sales@lumora.io')}: hello"


def test_non_ascii_text_is_kept_readable(captured) -> None:
    logger, stream = captured
    logger.info("Anfrage von Müller")
    assert "Müller" in stream.getvalue()


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_configure_logging_sends_scrubbed_json_to_stderr(restore_root_logger, capsys) -> None:
    configure_logging("extract", "debug")
    assert logging.getLogger().level == logging.DEBUG
    logging.getLogger("triage.anything").debug("reply-to %s", ADDRESS)
    sys.stderr.flush()
    [line] = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    entry = json.loads(line)
    assert (entry["service"], entry["level"]) == ("extract", "DEBUG")
    assert ADDRESS not in line
    assert hash_address(ADDRESS) in entry["msg"]


def test_a_crash_traceback_is_logged_scrubbed_not_printed_raw() -> None:
    code = ("from triage.platform.logs import configure_logging\n"
            "configure_logging('crash-test')\n"
            "raise RuntimeError('cannot reach jane.doe@globex.com')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "jane.doe@globex.com" not in result.stderr
    assert '"level": "CRITICAL"' in result.stderr and "email:" in result.stderr
