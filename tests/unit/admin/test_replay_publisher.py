"""Concurrent replays through the admin's one producer: each request learns its own record's fate.

A fake librdkafka producer holds the delivery callbacks until a flush, and the broker refuses
one of two replays published together. The request whose record was refused answers 503 and
records nothing; the other answers with its replay id and is recorded, whichever flush
serves the callbacks.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi import HTTPException

from tests.unit.admin.test_admin_app import MemoryStore
from tests.unit.crm.test_mvp_mode import MemoryPublisher, MemoryRoutes
from tests.unit.services.test_crm_sink_handler import FakeCrm
from triage.platform import publisher
from triage.platform.settings import AdminSettings
from triage_admin.desk import AdminDesk

REFUSED = "refused"  # the thread whose record the broker refuses
WARM_UP = "warm-up"  # a first replay on its own: the producer exists before the two race


class HeldProducer:
    """Both threads produce before either flushes; the first flush serves every callback."""

    def __init__(self, _config: dict[str, Any]) -> None:
        self.pending: list[tuple[str, Any]] = []
        self.lock = threading.Lock()
        self.both_produced = threading.Barrier(2, timeout=10)
        self.first_flush_done = threading.Event()

    def produce(self, _topic: str, key: bytes, value: bytes, headers: Any, on_delivery: Any) -> None:
        with self.lock:
            self.pending.append((threading.current_thread().name, on_delivery))
        if threading.current_thread().name != WARM_UP:
            self.both_produced.wait()

    def poll(self, _timeout: float = 0) -> int:
        return 0

    def flush(self, _timeout: float = 60) -> int:
        if threading.current_thread().name == REFUSED:
            self.first_flush_done.wait(10)  # the accepted request flushes first and serves both
        with self.lock:
            pending, self.pending = self.pending, []
        for thread, delivered in pending:
            delivered("KafkaError{code=MSG_SIZE_TOO_LARGE}" if thread == REFUSED else None, None)
        if threading.current_thread().name != WARM_UP:
            self.first_flush_done.set()
        return 0


def test_one_replays_delivery_failure_is_not_another_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publisher, "Producer", HeldProducer)
    store = MemoryStore()
    desk = AdminDesk(MemoryRoutes({}), FakeCrm(), MemoryPublisher(), store=store, settings=AdminSettings())
    answers: dict[str, object] = {}

    def replay() -> None:
        name = threading.current_thread().name
        try:
            answers[name] = desk.replay_email("e1", name)
        except HTTPException as exc:
            answers[name] = exc.status_code

    def run(*names: str) -> None:
        threads = [threading.Thread(target=replay, name=name) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)

    run(WARM_UP)
    run("accepted", REFUSED)
    assert answers.get(REFUSED) == 503, "the refused replay says so"
    assert str(answers.get("accepted")).startswith("admin-"), "the acknowledged one is not blamed for the other"
    assert [(a[0], a[3]["replay_id"]) for a in store.actions] == [
        (WARM_UP, answers[WARM_UP]), ("accepted", answers["accepted"])], "only acknowledged replays are recorded"
