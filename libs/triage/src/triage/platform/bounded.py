"""A client call that cannot outlive its deadline, even when the client ignores its own timeout.

librdkafka's ``send_offsets_to_transaction`` can block for ever past the timeout it is given
when the group coordinator went away during the transaction (confluentinc/librdkafka#5456,
#5511, open in 2.16): after a broker restart one stage then sits in that call, holding its
transaction, while every stage after it waits for records that never come (the "stall" of
docs/reliability.md). ``call_within`` runs the call in a daemon thread and stops waiting at
the deadline; the caller gives the client up (a fresh producer with the same transactional.id
fences the wedged one, so nothing it does later can become visible).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from triage.platform.errors import TransientError

T = TypeVar("T")


class CallWedged(TransientError):
    """A client call still blocked at its deadline: give the client up and try again."""

    def __init__(self, what: str, deadline_s: float) -> None:
        super().__init__(f"{what} still blocked after {deadline_s:g} s (the client ignored its own timeout)")
        self.what = what


def call_within(call: Callable[[], T], deadline_s: float, what: str) -> T:
    """``call()``'s value or exception, or ``CallWedged`` once ``deadline_s`` has passed.

    The abandoned thread is a daemon: it ends with the call, or with the process. confluent-kafka
    releases the GIL while it waits, so the wedged call costs a thread, not the interpreter."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread as is
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"bounded {what}", daemon=True)
    worker.start()
    worker.join(deadline_s)
    if worker.is_alive():
        raise CallWedged(what, deadline_s)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome.get("value")  # type: ignore[return-value]
