"""crm-sink: the CRM refusing an email's data is a ``failed`` event for a person, not a dead letter."""

from __future__ import annotations

import logging

import pytest

from tests.unit.crm.conftest import MemoryLedger
from tests.unit.services.test_crm_sink_handler import FakeCrm, events, inbound, routed
from triage.domain.crm_decisions import ActionResult
from triage.domain.models import CrmAction
from triage.platform.errors import CrmRejected, PermanentError
from triage_crm.ledger import LedgeredCrm
from triage_crm_sink.handler import CrmSinkHandler

MESSAGE = ("HubSpot 400: VALIDATION_ERROR: Property values were not valid: "
           "email: Email address jane@acme.com is invalid (INVALID_EMAIL)")


class RefusingCrm(FakeCrm):
    """Refuses one action kind the way the adapters do (``refusal``), until ``fixed``."""

    def __init__(self, refuse: str, refusal: Exception | None = None) -> None:
        super().__init__()
        self.refuse = refuse
        self.refusal = refusal or CrmRejected(MESSAGE)
        self.fixed = False
        self.tried: list[str] = []

    def apply(self, action: CrmAction) -> ActionResult:
        self.tried.append(action.action)
        if action.action == self.refuse and not self.fixed:
            raise self.refusal
        return super().apply(action)


def test_a_refused_action_is_failed_with_the_crms_message_and_the_rest_await_approval() -> None:
    crm = RefusingCrm("upsert_contact")
    email = routed()  # upsert_company, upsert_contact, create_deal
    out = events(CrmSinkHandler(crm).handle(inbound(email)))
    assert [(e.action, e.status) for e in out] == [("upsert_company", "created"), ("upsert_contact", "failed"),
                                                   ("create_deal", "awaiting_approval")]
    assert crm.tried == ["upsert_company", "upsert_contact"], "nothing after the refused action is tried"
    company, contact, deal = out
    assert (company.object_id, company.response_summary) == (crm.results[0].object_id, "fake created")
    assert contact.response_summary == MESSAGE
    assert (contact.object_type, contact.object_id) == ("contact", None)
    assert "waits for upsert_contact" in deal.response_summary
    assert "Create in CRM button" in deal.response_summary
    assert [e.idempotency_key for e in out] == [a.idempotency_key for a in email.crm_actions]
    assert {(e.email_id, e.thread_id, e.backend) for e in out} == {(email.email_id, email.thread_id, "fake")}


def test_a_refused_first_action_holds_every_later_one() -> None:
    out = events(CrmSinkHandler(RefusingCrm("upsert_company")).handle(inbound(routed())))
    assert [e.status for e in out] == ["failed", "awaiting_approval", "awaiting_approval"]


def test_a_refused_last_action_keeps_every_earlier_outcome() -> None:
    out = events(CrmSinkHandler(RefusingCrm("create_deal")).handle(inbound(routed())))
    assert [e.status for e in out] == ["created", "created", "failed"]


def test_a_configuration_failure_still_goes_to_the_dead_letter_queue() -> None:
    crm = RefusingCrm("upsert_contact", PermanentError("HubSpot 401: INVALID_AUTHENTICATION: bad token"))
    with pytest.raises(PermanentError) as raised:
        CrmSinkHandler(crm).handle(inbound(routed()))
    assert not isinstance(raised.value, CrmRejected)


def test_the_refused_action_is_not_in_the_ledger_and_is_performed_once_fixed() -> None:
    backend = RefusingCrm("upsert_contact")
    ledgered = LedgeredCrm(backend, MemoryLedger("fake"))
    handler = CrmSinkHandler(ledgered)
    email = routed()
    handler.handle(inbound(email))
    company, contact, deal = (a.idempotency_key for a in email.crm_actions)
    assert set(ledgered.ledger.done) == {company}, "only what was written is recorded"

    backend.fixed = True  # a person fixed the data in the CRM and approves again
    out = events(handler.handle(inbound(email)))
    assert [e.status for e in out] == ["created", "created", "created"]
    assert backend.tried == ["upsert_company", "upsert_contact", "upsert_contact", "create_deal"]
    assert ledgered.ledger.conflicts == 1, "the company's recorded result was returned, not written again"
    assert set(ledgered.ledger.done) == {company, contact, deal}


def test_the_refusal_is_logged_without_the_address(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="triage_crm_sink.handler"):
        CrmSinkHandler(RefusingCrm("upsert_contact")).handle(inbound(routed()))
    [record] = [r for r in caplog.records if "refused" in r.getMessage()]
    assert "upsert_contact" in record.getMessage() and "INVALID_EMAIL" in record.getMessage()
    assert "jane@acme.com" not in record.getMessage()


def test_held_emails_are_announced_as_before_and_never_tried() -> None:
    crm = RefusingCrm("upsert_contact")
    email = routed().model_copy(update={"band": "suggest"})
    out = events(CrmSinkHandler(crm).handle(inbound(email)))
    assert crm.tried == []
    assert [e.status for e in out] == ["awaiting_approval"] * 3
    assert all(e.response_summary.startswith("suggest band") for e in out)
