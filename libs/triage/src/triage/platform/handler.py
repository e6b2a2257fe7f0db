"""What a stage's handler is to the runtime: ``handle``, and hooks that do nothing unless overridden.

Every stage's handler subclasses ``Handler`` and overrides ``handle`` and only the hooks it
needs; the runtime (runtime.py) calls every hook on every handler, so a hook left alone costs
one empty call. ADR 0033.

When the runtime calls each one, for a batch of records consumed together and produced in one
Kafka transaction:

- ``prepare(records)``: once per batch, before ``handle`` is called for its records (the
  decodable ones), e.g. to read in bulk what they will need. The records are decoded only
  when the hook reads them, so the default costs no decoding.
- ``handle(record)``: once per record (again when retried): its outputs. Raise
  ``TransientError`` to retry it, anything else to dead-letter it.
- ``observe(record, outputs)``: after ``handle`` returned and its outputs were encoded: the
  stage's business metrics (confidence, routing, lead time). At least once, like the
  records: a batch consumed again is observed again.
- ``flush()``: write the side effects ``handle`` buffered, inside the transaction.
- ``committed()``: the batch's transaction committed: make pending state real.
- ``discard()``: the batch was aborted (its transaction, or a first record that met an outage):
  forget what it buffered.
- ``assigned(partitions)`` / ``revoked(partitions)``: input partitions gained or lost in a
  rebalance, as {logical topic: [partition, ...]}: rebuild or drop per-partition state.
"""

# ruff: noqa: B027 - the hooks are empty on purpose: the no-op defaults a handler overrides
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # runtime.py imports this module
    from triage.platform.runtime import Inbound, Outbound


class Handler(ABC):
    """A stage's handler: ``handle`` is its own, every hook a no-op until it overrides it."""

    @abstractmethod
    def handle(self, record: Inbound) -> Sequence[Outbound]:
        """Transform one record. Raise TransientError to retry, anything else to dead-letter it."""

    def prepare(self, records: Sequence[Inbound]) -> None:
        """Once per batch, before its records are handled. Default: nothing."""

    def observe(self, record: Inbound, outputs: Sequence[Outbound]) -> None:
        """A record handled and its outputs encoded: count the stage's business metrics. Default: none."""

    def flush(self) -> None:
        """Write what ``handle`` buffered, inside the batch's transaction. Default: nothing to write."""

    def committed(self) -> None:
        """The batch's transaction committed. Default: no pending state."""

    def discard(self) -> None:
        """The batch was aborted. Default: nothing buffered."""

    def assigned(self, partitions: dict[str, list[int]]) -> None:
        """Input partitions gained in a rebalance. Default: no per-partition state."""

    def revoked(self, partitions: dict[str, list[int]]) -> None:
        """Input partitions lost in a rebalance. Default: no per-partition state."""
