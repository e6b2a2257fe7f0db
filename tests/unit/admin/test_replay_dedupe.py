"""The replay header (ADR 0011): carried hop to hop, and part of route's dedupe key."""

from __future__ import annotations

from tests.unit.services.test_route_handler import TRACE, extracted, handler, inbound
from triage.domain.dedupe import dedupe_key
from triage.platform.runtime import REPLAY_HEADER, Inbound, trace_headers
from triage.platform.topics import ROUTED


def test_the_replay_id_follows_the_email_with_the_trace_context() -> None:
    record = Inbound("email.raw", 0, 0, None, extracted(), {**TRACE, REPLAY_HEADER: b"admin-1", "x-other": b"1"}, 0)
    assert trace_headers(record) == {**TRACE, REPLAY_HEADER: b"admin-1"}


def test_a_replay_is_a_new_dedupe_key_and_no_replay_is_the_old_one() -> None:
    email = extracted()
    assert dedupe_key(email) == f"{email.message_id}|{email.thread_id}"
    assert dedupe_key(email, "admin-1") == f"{email.message_id}|{email.thread_id}|replay:admin-1"
    assert dedupe_key(email, None) == dedupe_key(email)


def test_a_replayed_email_is_routed_once_more_and_a_redelivered_replay_is_not() -> None:
    route, email = handler(), extracted()

    def routed(headers: dict[str, bytes]) -> int:
        outputs = route.handle(inbound(email, headers))
        route.committed()
        return sum(1 for o in outputs if o.topic == ROUTED)

    assert routed(dict(TRACE)) == 1
    assert routed(dict(TRACE)) == 0, "a redelivery without a replay id is a duplicate"
    replay = {**TRACE, REPLAY_HEADER: b"admin-1"}
    assert routed(replay) == 1, "an operator's replay routes it again"
    assert routed(replay) == 0, "the same replay delivered twice routes it once"
    assert routed({**TRACE, REPLAY_HEADER: b"admin-2"}) == 1, "a later replay is a new one"


def test_the_routed_record_of_a_replay_carries_its_replay_id() -> None:
    routed_out, _ = handler().handle(inbound(extracted(), {**TRACE, REPLAY_HEADER: b"admin-9"}))
    assert routed_out.headers[REPLAY_HEADER] == b"admin-9"
