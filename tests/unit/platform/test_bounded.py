"""call_within: a client call that ignores its own timeout cannot hold the stage (bounded.py)."""

from __future__ import annotations

import threading

import pytest

from triage.platform.bounded import CallWedged, call_within
from triage.platform.errors import TransientError
from triage.platform.runtime import is_transient


def test_a_call_that_returns_in_time_gives_its_value() -> None:
    assert call_within(lambda: 42, 5, "answer") == 42


def test_a_call_that_fails_in_time_raises_its_own_error() -> None:
    def refuse() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        call_within(refuse, 5, "refuse")


def test_a_call_still_blocked_at_the_deadline_is_wedged_and_transient() -> None:
    release = threading.Event()
    try:
        with pytest.raises(CallWedged, match="send_offsets_to_transaction still blocked after 0.2 s") as raised:
            call_within(lambda: release.wait(60), 0.2, "send_offsets_to_transaction")
    finally:
        release.set()  # the abandoned thread ends
    assert raised.value.what == "send_offsets_to_transaction"
    assert isinstance(raised.value, TransientError) and is_transient(raised.value)
