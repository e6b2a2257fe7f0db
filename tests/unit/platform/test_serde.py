from __future__ import annotations

from datetime import UTC, datetime

import pytest

from triage.domain.models import CrmEvent, RawEmail
from triage.platform.serde import MAGIC, Serde, SerdeError
from triage.platform.topics import CRM_EVENTS, RAW

serde = Serde()
NOW = datetime(2026, 11, 25, 9, 30, 15, 123000, tzinfo=UTC)


def raw(**overrides) -> RawEmail:
    fields = dict(email_id="e1", thread_id="t1", mailbox="sales@x.io", received_at=NOW, source="file",
                  raw=b"Subject: hi\r\n\r\nbody", size_bytes=19)
    return RawEmail(**{**fields, **overrides})


def test_a_record_round_trips() -> None:
    assert serde.decode(RAW, serde.encode(RAW, raw())) == raw()


def test_values_use_the_avro_single_object_encoding() -> None:
    assert serde.encode(RAW, raw())[:2] == MAGIC


def test_a_record_of_the_wrong_topic_is_refused_before_it_is_written() -> None:
    event = CrmEvent(email_id="e", thread_id="t", action="none", status="ignored", idempotency_key="k",
                     backend="local", at=NOW)
    with pytest.raises(SerdeError, match="email.raw"):
        serde.encode(RAW, event)


@pytest.mark.parametrize("data", [None, b"", b"garbage", MAGIC + b"\x00" * 8 + b"\x01"])
def test_undecodable_values_raise_serde_error(data) -> None:
    with pytest.raises(SerdeError):
        serde.decode(RAW, data)


def test_a_truncated_body_is_a_serde_error() -> None:
    encoded = serde.encode(CRM_EVENTS, CrmEvent(email_id="e", thread_id="t", action="none", status="ignored",
                                                 idempotency_key="k", backend="local", at=NOW))
    with pytest.raises(SerdeError):
        serde.decode(CRM_EVENTS, encoded[:-5])
