"""The one writer (writer.py): explicit dispatch over the port, the deal decided once, under the deal lock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest

from tests.unit.crm.conftest import action
from triage.domain.crm_decisions import ActionResult, OpenDeal
from triage.domain.models import CrmAction
from triage.platform.errors import PermanentError
from triage_crm.crm_port import CrmPort, DealOwner
from triage_crm.writer import CrmWriter

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class FakePort(CrmPort):
    """Records every call; the owner's deals are ``snapshot`` (None: none known) and ``stored``."""

    backend, deal_type, deal_label = "fake", "opportunity", "Fake opportunity"

    def __init__(self, snapshot: list[OpenDeal] | None = None, stored: list[OpenDeal] | None = None,
                 earlier: ActionResult | None = None) -> None:
        self.snapshot, self.stored, self.earlier = snapshot, stored or [], earlier
        self.calls: list[str] = []

    def prefetch(self, actions: Sequence[CrmAction]) -> None:
        self.calls.append(f"prefetch {len(actions)}")

    def performing(self) -> AbstractContextManager[None]:
        self.calls.append("performing")
        return nullcontext()

    def upsert_company(self, props: dict[str, str]) -> ActionResult:
        return self.made("upsert_company", "company")

    def upsert_contact(self, props: dict[str, str]) -> ActionResult:
        return self.made("upsert_contact", "contact")

    def deal_made_for(self, props: dict[str, str], key: str) -> ActionResult | None:
        self.calls.append("deal_made_for")
        return self.earlier

    def deal_owner(self, props: dict[str, str]) -> DealOwner:
        self.calls.append("deal_owner")
        return DealOwner("acct-1", None, "Account:acct-1")

    def known_deals(self, owner: DealOwner) -> list[OpenDeal] | None:
        self.calls.append("known_deals")
        return self.snapshot

    def read_deals(self, owner: DealOwner, since: datetime) -> list[OpenDeal]:
        self.calls.append(f"read_deals since {NOW - since}")
        return self.stored

    def create_deal(self, props: dict[str, str], key: str, owner: DealOwner) -> ActionResult:
        return self.made("create_deal", "opportunity")

    def associate_contact(self, props: dict[str, str]) -> ActionResult:
        return self.made("associate_contact", "association")

    def create_ticket(self, props: dict[str, str], key: str) -> ActionResult:
        return self.made(f"create_ticket {key}", "case")

    def made(self, call: str, object_type: str) -> ActionResult:
        self.calls.append(call)
        return ActionResult(object_type, "new-1", "created", call)


class RecordingLock:
    def __init__(self, port: FakePort) -> None:
        self.port = port

    @contextmanager
    def held(self, owner: str | None) -> Iterator[None]:
        self.port.calls.append(f"lock {owner}")
        yield
        self.port.calls.append("unlock")


def writer(port: FakePort) -> CrmWriter:
    return CrmWriter(port, RecordingLock(port), clock=lambda: NOW)


def deal() -> CrmAction:
    return action("create_deal", "e1", name="Acme", company_domain="acme.com")


def young(days: int = 3) -> OpenDeal:
    return OpenDeal("open-1", NOW - timedelta(days=days))


def test_every_planned_action_has_an_operation() -> None:
    planned = set(get_args(CrmAction.model_fields["action"].annotation))
    assert set(writer(FakePort()).operations) == planned


def test_each_action_is_dispatched_to_its_port_call_inside_performing() -> None:
    port = FakePort()
    crm = writer(port)
    results = [crm.apply(action(kind, "e1", email="jane@acme.com", contact_email="jane@acme.com"))
               for kind in ("upsert_company", "upsert_contact", "associate_contact", "create_ticket")]
    assert [r.object_type for r in results] == ["company", "contact", "association", "case"]
    assert port.calls == ["performing", "upsert_company", "performing", "upsert_contact", "performing",
                          "associate_contact", "performing", "create_ticket e1:create_ticket"]


def test_an_unknown_action_is_a_permanent_error_not_an_attribute_lookup() -> None:
    crm = writer(FakePort())
    unknown = action("upsert_company", "e1").model_copy(update={"action": "apply"})
    with pytest.raises(PermanentError, match="unknown CRM action 'apply'"):
        crm.apply(unknown)


def test_no_open_deal_creates_after_a_fresh_read_of_the_window_under_the_lock() -> None:
    port = FakePort(snapshot=None, stored=[OpenDeal("old", NOW - timedelta(days=46))])
    result = writer(port).apply(deal())
    assert (result.status, port.calls[-2:]) == ("created", ["create_deal", "unlock"])
    assert port.calls == ["performing", "deal_made_for", "deal_owner", "lock Account:acct-1", "known_deals",
                          "read_deals since 45 days, 0:00:00", "create_deal", "unlock"]


def test_a_young_open_deal_in_the_snapshot_is_trusted_and_joined() -> None:
    port = FakePort(snapshot=[young()])
    result = writer(port).apply(deal())
    assert result == ActionResult("opportunity", "open-1", "unchanged",
                                  "open Fake opportunity open-1 younger than 45 days")
    assert not [c for c in port.calls if c.startswith(("read_deals", "create_deal"))]


def test_a_snapshot_without_a_young_deal_is_read_again_before_creating() -> None:
    port = FakePort(snapshot=[OpenDeal("closed", NOW, closed=True)], stored=[young(1)])
    result = writer(port).apply(deal())
    assert (result.status, result.object_id) == ("unchanged", "open-1"), "another writer made one since"
    assert "create_deal" not in port.calls


def test_an_earlier_attempts_deal_is_returned_without_deciding_again() -> None:
    earlier = ActionResult("deal", "d-9", "created", "found by its idempotency key")
    port = FakePort(earlier=earlier, stored=[young()])
    assert writer(port).apply(deal()) == earlier
    assert port.calls == ["performing", "deal_made_for"]


def test_prefetch_reaches_the_port() -> None:
    port = FakePort()
    writer(port).prefetch([deal(), deal()])
    assert port.calls == ["prefetch 2"]
