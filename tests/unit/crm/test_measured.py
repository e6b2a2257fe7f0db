"""crm-sink's CRM write metrics (measured.py): every write timed, its outcome counted, errors too."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from prometheus_client import REGISTRY

from triage.domain.models import CrmAction
from triage_crm.measured import MeasuredCrm


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@dataclass(frozen=True)
class Result:
    status: str


class FakeCrm:
    backend = "fake-observe"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def apply(self, action: CrmAction) -> Result:
        if self.fail:
            raise ConnectionError("CRM down")
        return Result("created")


ACTION = CrmAction(action="upsert_contact", object_type="contact", idempotency_key="k1")


def test_measured_crm_times_every_write_and_counts_errors() -> None:
    assert MeasuredCrm(FakeCrm()).apply(ACTION) == Result("created")
    with pytest.raises(ConnectionError):
        MeasuredCrm(FakeCrm(fail=True)).apply(ACTION)
    labels = {"backend": "fake-observe", "action": "upsert_contact"}
    assert sample("crm_write_latency_seconds_count", **labels) == 2
    assert sample("crm_writes_total", **labels, outcome="created") == 1
    assert sample("crm_writes_total", **labels, outcome="error") == 1
