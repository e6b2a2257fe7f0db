"""The local CRM files support mail as one ticket per email, with the queue's owner (triage/config/queues.yaml)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.test_local_crm import Crm, company, contact, token
from tests.support.stack import Stack
from triage.domain.models import CrmAction
from triage.domain.queues import QueueTable
from triage.platform.db import Database, migrate
from triage_crm.backends import local_crm
from triage_crm.queue_owners import QueueOwnedCrm

QUEUES = QueueTable.model_validate({"queues": {"support": {"owner": {"local": "Support desk"}, "ticket": {}}}})


@pytest.fixture
def local(stack: Stack) -> Iterator[Crm]:
    url = stack.new_database()
    migrate(url)
    database = Database(url).connect()
    yield Crm(url, local_crm(database))
    database.close()
    stack.drop_database(url)


def in_support(action: CrmAction) -> CrmAction:
    return action.model_copy(update={"properties": {**action.properties, "queue": "support"}})


def ticket(email_id: str, address: str, domain: str) -> CrmAction:
    return in_support(CrmAction(
        action="create_ticket", object_type="ticket", idempotency_key=f"{email_id}:create_ticket",
        properties={"email_id": email_id, "subject": "Sync stuck", "content": "since Monday", "priority": "high",
                    "contact_email": address, "company_domain": domain}))


def test_support_mail_files_one_owned_ticket_linked_to_contact_and_company(local: Crm) -> None:
    crm = QueueOwnedCrm(local.crm, QUEUES)
    domain, email_id = f"globex-{token()}.com", f"e-{token()}"
    address = f"pat@{domain}"
    crm.apply(in_support(company(email_id, domain)))
    crm.apply(in_support(contact(email_id, address, domain)))
    first = crm.apply(ticket(email_id, address, domain))
    assert (first.object_type, first.status) == ("ticket", "created")
    assert crm.apply(ticket(email_id, address, domain)) == first  # the replay: the recorded result
    # even without the idempotency record (a restore, a hand-deleted row) the email has one ticket
    local.execute("DELETE FROM crm_actions_done WHERE idempotency_key = %s", f"{email_id}:create_ticket")
    assert crm.apply(ticket(email_id, address, domain)).object_id == first.object_id
    assert local.count("SELECT count(*) FROM crm_tickets WHERE source_email_id = %s", email_id) == 1
    assert local.count(
        "SELECT count(*) FROM crm_tickets t JOIN crm_contacts c ON c.id = t.contact_id JOIN crm_companies o "
        "ON o.id = t.company_id WHERE t.source_email_id = %s AND t.owner = 'Support desk' AND t.priority = 'high' "
        "AND t.queue = 'support' AND c.owner = 'Support desk'", email_id) == 1
