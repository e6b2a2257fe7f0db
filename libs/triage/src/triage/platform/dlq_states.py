"""What people decided about each dead letter: replayed or discarded, by whom, why (``dead_letter_states``).

A letter on ``email.dlq`` cannot change, so its state is a row keyed by where it sits
(topic, partition, offset; migration 0007), shared by the admin UI and ``triage dlq``.
The row is also the guard against a second replay: a replay inserts it in a transaction
that stays open until the broker acknowledged the re-published record, then records the
actor in ``admin_actions`` and commits. A second click (another replica, the CLI) waits on
that row and then finds it: refused, nothing published. If the publish fails the
transaction rolls back and the letter can be replayed again. Replaying a decided letter on
purpose needs ``again`` (``triage dlq replay --again``). ADR 0026.

The rows are read and written on the caller's pool (``Database``, ADR 0037): the admin's own,
the CLI command's of one connection; nothing here opens a connection.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from triage.platform.db import Connection, Database, JsonText

REPLAYED, DISCARDED = "replayed", "discarded"

# $1 topic, $2 partition, $3 offset, $4 actor, $5 again (replay) / reason (discard)
CLAIM_REPLAY = """
INSERT INTO dead_letter_states (dlq_topic, dlq_partition, dlq_offset, state, replays, actor, reason)
VALUES ($1, $2, $3, 'replayed', 1, $4, NULL)
ON CONFLICT (dlq_topic, dlq_partition, dlq_offset) DO UPDATE
   SET state = 'replayed', replays = dead_letter_states.replays + 1, actor = EXCLUDED.actor, reason = NULL,
       decided_at = now()
 WHERE $5::boolean
RETURNING state, replays, actor, reason, decided_at"""
CLAIM_DISCARD = """
INSERT INTO dead_letter_states (dlq_topic, dlq_partition, dlq_offset, state, replays, actor, reason)
VALUES ($1, $2, $3, 'discarded', 0, $4, $5)
ON CONFLICT (dlq_topic, dlq_partition, dlq_offset) DO NOTHING
RETURNING state, replays, actor, reason, decided_at"""
STATE = """SELECT state, replays, actor, reason, decided_at FROM dead_letter_states
WHERE dlq_topic = $1 AND dlq_partition = $2 AND dlq_offset = $3"""
STATES = """SELECT dlq_partition, dlq_offset, state, replays, actor, reason, decided_at FROM dead_letter_states
WHERE dlq_topic = $1 AND (dlq_partition, dlq_offset) IN (SELECT * FROM unnest($2::int[], $3::bigint[]))"""
RECORD = "INSERT INTO admin_actions (actor, action, email_id, detail) VALUES ($1, $2, NULL, $3::jsonb)"
MAX_REASON = 500


@dataclass(frozen=True)
class LetterState:
    state: str  # replayed | discarded
    replays: int  # how many times people replayed the letter
    actor: str
    reason: str | None
    decided_at: datetime

    def describe(self) -> str:
        when = self.decided_at.strftime("%Y-%m-%d %H:%M")
        if self.state == DISCARDED:
            return f"discarded by {self.actor} at {when}: {self.reason}"
        times = f" ({self.replays} times)" if self.replays > 1 else ""
        return f"replayed by {self.actor} at {when}{times}"


class AlreadyDecided(Exception):
    """The letter was replayed or discarded already: nothing was done this time."""

    def __init__(self, letter_id: str, state: LetterState) -> None:
        super().__init__(f"letter {letter_id} was {state.describe()}")
        self.state = state


class LetterStates:
    """``dead_letter_states`` of one DLQ topic (its full, prefixed name), on the process's pool
    (``Database``, ADR 0037): the admin's own, or the CLI command's for its life."""

    def __init__(self, database: Database, dlq_topic: str) -> None:
        self.db, self.topic = database, dlq_topic

    def of(self, positions: Iterable[tuple[int, int]]) -> dict[tuple[int, int], LetterState]:
        wanted = list(positions)
        if not wanted:
            return {}
        rows = self.db.run(lambda conn: conn.fetch(STATES, self.topic, [p for p, _ in wanted],
                                                   [o for _, o in wanted]))
        return {(p, o): LetterState(*rest) for p, o, *rest in rows}

    def one(self, partition: int, offset: int) -> LetterState | None:
        row = self.db.run(lambda conn: conn.fetchrow(STATE, self.topic, partition, offset))
        return None if row is None else LetterState(*row)

    def replay(self, partition: int, offset: int, actor: str, publish: Callable[[], None],
               detail: dict[str, object], again: bool = False) -> LetterState:
        """Claim the letter, ``publish`` (raises unless acknowledged), record the actor: one transaction."""
        letter_id = f"{partition}:{offset}"
        with self.db.transaction() as conn:
            row = self._claim(conn, CLAIM_REPLAY, partition, offset, actor, again)
            publish()  # an exception rolls the claim back: the letter stays replayable
            state = LetterState(*row)
            conn.command(RECORD, actor, "replay_letter", JsonText(json.dumps(
                {"letter": letter_id, "dlq_topic": self.topic, "times": state.replays, **detail})))
        return state

    def discard(self, partition: int, offset: int, actor: str, reason: str) -> LetterState:
        """Mark the letter discarded (never replayed by accident), with its reason and actor."""
        reason = " ".join(reason.split())[:MAX_REASON]
        if not reason:
            raise ValueError("a discard needs a reason")
        letter_id = f"{partition}:{offset}"
        with self.db.transaction() as conn:
            row = self._claim(conn, CLAIM_DISCARD, partition, offset, actor, reason)
            conn.command(RECORD, actor, "discard_letter", JsonText(json.dumps(
                {"letter": letter_id, "dlq_topic": self.topic, "reason": reason})))
        return LetterState(*row)

    def _claim(self, conn: Connection, claim: str, partition: int, offset: int, actor: str,
               last: object) -> tuple:
        """The claimed row, inside the caller's transaction; AlreadyDecided (with its state) when someone was first."""
        row = conn.fetchrow(claim, self.topic, partition, offset, actor, last)
        if row is None:
            state = conn.fetchrow(STATE, self.topic, partition, offset)
            raise AlreadyDecided(f"{partition}:{offset}", LetterState(*state))
        return tuple(row)
