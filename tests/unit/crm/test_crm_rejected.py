"""The CRM refused this email's data (CRM issue #7, point 3): ``CrmRejected``, for a person; a
configuration failure (a bad token, a missing scope or field) stays a plain ``PermanentError``."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hubspot.crm.contacts.exceptions import ApiException
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.support.fake_hubspot import FakeHubSpot, missing_scope
from tests.support.fake_hubspot import error as error_answer
from tests.support.fake_salesforce import FakeSalesforce
from tests.unit.crm.conftest import MemoryLedger, action, hubspot_crm, lead, token
from tests.unit.crm.test_mvp_mode import ADMIN_TOKEN, MemoryPublisher, MemoryRoutes
from tests.unit.crm.test_salesforce_backend import salesforce_crm
from triage.platform.errors import CrmRejected, PermanentError
from triage_admin.app import PlannedRoute, create_admin_app
from triage_crm.adapters.hubspot.crm import classify as classify_hubspot
from triage_crm.adapters.hubspot.crm import rejected_values
from triage_crm.adapters.salesforce.crm import classify as classify_salesforce
from triage_crm.ledger import LedgeredCrm


@pytest.fixture
def salesforce() -> Iterator[FakeSalesforce]:
    fake = FakeSalesforce()
    yield fake
    fake.close()


def body(message: str, category: str = "VALIDATION_ERROR", **extra: object) -> str:
    return json.dumps({"status": "error", "message": message, "correlationId": "c0ffee", "category": category,
                       **extra})


def values_not_valid(*problems: tuple[str, str, str]) -> str:
    """HubSpot's own 400: the invalid values listed as JSON inside the message."""
    listed = [{"isValid": False, "message": text, "error": code, "name": name, "localizedErrorMessage": text,
               "portalId": 4711} for name, code, text in problems]
    return body(f"Property values were not valid: {json.dumps(listed)}")


# -- HubSpot ----------------------------------------------------------------------------------------
def test_hubspot_refusing_a_contacts_address_is_a_rejection_with_its_message(hubspot: FakeHubSpot) -> None:
    domain = f"acme-{token()}.com"
    hubspot.invalid_emails.add(f"jane@{domain}")
    with pytest.raises(CrmRejected) as refused:
        hubspot_crm(hubspot).apply(lead("e1", domain)[1])
    assert str(refused.value) == (f"HubSpot 400: VALIDATION_ERROR: Property values were not valid: "
                                  f"email: Email address jane@{domain} is invalid (INVALID_EMAIL)")
    assert hubspot.all("contacts") == []


def test_hubspot_refusing_a_deals_amount_is_a_rejection(hubspot: FakeHubSpot) -> None:
    bad = action("create_deal", "e1", name="Acme", amount="fifty thousand", currency="USD")
    with pytest.raises(CrmRejected, match=r"amount: fifty thousand was not a valid number\. \(INVALID_FLOAT\)"):
        hubspot_crm(hubspot).apply(bad)


def test_a_bad_hubspot_token_is_permanent_not_a_rejection(hubspot: FakeHubSpot) -> None:
    crm = hubspot_crm(hubspot)
    hubspot.token = "pat-na1-revoked"
    with pytest.raises(PermanentError, match="HubSpot 401: INVALID_AUTHENTICATION") as failed:
        crm.apply(lead("e1", f"acme-{token()}.com")[0])
    assert not isinstance(failed.value, CrmRejected)


def hubspot_error(status: int, answer: tuple[int, dict, dict]) -> ApiException:
    """What the SDK raises for one of the fake's (HubSpot's) error answers."""
    error = ApiException(status=status, reason="refused")
    error.body = json.dumps(answer[1])
    return error


@pytest.mark.parametrize("answer", [
    missing_scope("crm.objects.contacts.write"),
    error_answer(401, "Authentication credentials not found.", "INVALID_AUTHENTICATION"),
    error_answer(400, "triage_idempotency_key is not a unique identifier property of deals", "VALIDATION_ERROR"),
    error_answer(409, "Contact already exists. Existing ID: 17", "CONFLICT"),
], ids=["403-missing-scope", "401", "400-not-about-a-value", "409"])
def test_other_hubspot_4xx_stay_permanent_not_rejections(answer) -> None:
    error = classify_hubspot(hubspot_error(answer[0], answer))
    assert isinstance(error, PermanentError) and not isinstance(error, CrmRejected)
    assert str(error).startswith(f"HubSpot {answer[0]}: {answer[1]['category']}: ")


def test_a_hubspot_400_refusing_a_value_is_classified_a_rejection() -> None:
    answer = (400, json.loads(values_not_valid(("email", "INVALID_EMAIL", "Email address x is invalid"))), {})
    assert isinstance(classify_hubspot(hubspot_error(400, answer)), CrmRejected)


@pytest.mark.parametrize(("answer", "rejected"), [
    (values_not_valid(("email", "INVALID_EMAIL", "Email address jane@acme is invalid")),
     "email: Email address jane@acme is invalid (INVALID_EMAIL)"),
    (values_not_valid(("hs_lead_status", "INVALID_OPTION", "HOT was not one of the allowed options"),
                      ("amount", "INVALID_FLOAT", "ten was not a valid number.")),
     "hs_lead_status: HOT was not one of the allowed options (INVALID_OPTION); "
     "amount: ten was not a valid number. (INVALID_FLOAT)"),
    # newer endpoints also list them in ``errors`` with a code and the property in the context
    (body("Property values were not valid", errors=[{"message": "Email address x@y is invalid",
                                                     "code": "INVALID_EMAIL",
                                                     "context": {"propertyName": ["email"]}}]),
     "email: Email address x@y is invalid (INVALID_EMAIL)"),
    # ours to fix, for every email: a property the portal lacks, a read-only one
    (values_not_valid(("triage_idempotency_key", "PROPERTY_DOESNT_EXIST",
                       'Property "triage_idempotency_key" does not exist')), None),
    (values_not_valid(("email", "INVALID_EMAIL", "Email address x is invalid"),
                      ("hs_object_id", "READ_ONLY_VALUE", "hs_object_id is read only")), None),
    # validation errors about the request itself, not a value
    (body("email is not a unique identifier property of contacts"), None),
    (body("Invalid input JSON on line 1"), None),
    (body("Unable to infer object type from: widgets"), None),
    (body("This app hasn't been granted all required scopes", "MISSING_SCOPES"), None),
    ("<html>Bad Request</html>", None),
    (None, None),
], ids=["invalid-email", "two-values", "errors-array", "missing-property", "read-only-among-them",
        "id-property", "json", "object-type", "scopes", "not-json", "no-body"])
def test_which_hubspot_400_bodies_refuse_the_emails_values(answer, rejected) -> None:
    found = rejected_values(answer)
    if rejected is None:
        assert found is None
    else:
        assert found == f"VALIDATION_ERROR: Property values were not valid: {rejected}"


# -- Salesforce -------------------------------------------------------------------------------------
def test_a_salesforce_validation_rule_is_a_rejection_with_its_message(salesforce: FakeSalesforce) -> None:
    salesforce.validation_rule("Contact", "Email", r"@(gmail|yahoo)\.com$", "Use the person's work address")
    with pytest.raises(CrmRejected, match="Salesforce 400: FIELD_CUSTOM_VALIDATION_EXCEPTION: "
                                          "Use the person's work address"):
        salesforce_crm(salesforce).apply(action("upsert_contact", "e1", email="jane@gmail.com", name="Jane Doe"))
    assert salesforce.all("Contact") == []


def test_an_invalid_address_is_a_salesforce_rejection(salesforce: FakeSalesforce) -> None:
    with pytest.raises(CrmRejected, match="INVALID_EMAIL_ADDRESS: Email: invalid email address"):
        salesforce_crm(salesforce).apply(action("upsert_contact", "e1", email="not-an-address", name="Jane Doe"))


def test_an_expired_salesforce_session_is_permanent_not_a_rejection(salesforce: FakeSalesforce) -> None:
    crm = salesforce_crm(salesforce)
    salesforce.token = "00Dxx-expired"
    with pytest.raises(PermanentError, match="INVALID_SESSION_ID") as failed:
        crm.apply(lead("e1", f"acme-{token()}.com")[0])
    assert not isinstance(failed.value, CrmRejected)


def sf_error(status: int, *codes: str) -> SalesforceMalformedRequest:
    return SalesforceMalformedRequest("https://x/services/data/v59.0/sobjects/Contact", status, "Contact",
                                      [{"errorCode": code, "message": f"{code} happened", "fields": ["Email"]}
                                       for code in codes])


@pytest.mark.parametrize(("status", "codes", "rejected"), [
    (400, ("FIELD_CUSTOM_VALIDATION_EXCEPTION",), True),
    (400, ("REQUIRED_FIELD_MISSING",), True),
    (400, ("INVALID_EMAIL_ADDRESS",), True),
    (400, ("STRING_TOO_LONG",), True),
    (400, ("DUPLICATE_VALUE",), True),
    (400, ("DUPLICATES_DETECTED",), True),
    (400, ("STRING_TOO_LONG", "REQUIRED_FIELD_MISSING"), True),
    (400, ("INVALID_FIELD",), False),  # a field the org lacks: every email
    (400, ("STRING_TOO_LONG", "INVALID_FIELD"), False),
    (400, ("INSUFFICIENT_ACCESS_OR_READONLY",), False),
    (400, ("CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",), False),
    (401, ("INVALID_SESSION_ID",), False),
    (403, ("INSUFFICIENT_ACCESS",), False),
    (404, ("NOT_FOUND",), False),
])
def test_which_salesforce_error_codes_refuse_the_emails_data(status, codes, rejected) -> None:
    error = classify_salesforce(sf_error(status, *codes))
    assert isinstance(error, PermanentError)
    assert isinstance(error, CrmRejected) is rejected
    assert str(error).startswith(f"Salesforce {status}: {codes[0]}: {codes[0]} happened")


# -- the admin's Create in CRM ----------------------------------------------------------------------
class RefusingCrm:
    backend = "fake"

    def __init__(self, refuse: str) -> None:
        self.refuse = refuse
        self.applied: list[str] = []

    def apply(self, planned):
        from triage.domain.crm_decisions import ActionResult
        if planned.action == self.refuse:
            raise CrmRejected("HubSpot 400: VALIDATION_ERROR: Property values were not valid: "
                              "email: Email address jane@acme is invalid (INVALID_EMAIL)")
        self.applied.append(planned.action)
        return ActionResult(planned.object_type, f"id-{planned.action}", "created", "made")


def test_create_in_crm_answers_422_with_the_crms_message_and_records_no_refused_action() -> None:
    email_id = f"e-{token()}"
    crm = LedgeredCrm(RefusingCrm("upsert_contact"), MemoryLedger("fake"))
    routes = MemoryRoutes({email_id: PlannedRoute("t-1", "sales_inbound", False, lead(email_id, "acme.com"))})
    publisher = MemoryPublisher()
    client = TestClient(create_admin_app(ADMIN_TOKEN, routes, crm, publisher))
    response = client.post("/admin/crm/create", json={"email_id": email_id},
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 422
    assert response.json()["detail"] == ("the CRM refused: HubSpot 400: VALIDATION_ERROR: Property values were not "
                                         "valid: email: Email address jane@acme is invalid (INVALID_EMAIL)")
    assert set(crm.ledger.done) == {f"{email_id}:upsert_company"}, "the refused action stays to be done"
    published = [(e.action, e.status) for e in publisher.published]
    assert published == [("upsert_company", "created"), ("upsert_contact", "failed")], \
        "what the click did do is announced, and the refusal with it"
