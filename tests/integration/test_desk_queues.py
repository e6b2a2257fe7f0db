"""Queues lead to action, end to end: real services, Kafka, PostgreSQL, chromium via Playwright, a local Slack.

One pipeline for the module (extract, route, crm-sink writing leads and support on their own,
audit, the admin) with a queues file that gives support mail a ticket, an owner and a Slack
notice. The samples arrive hours late, so their SLAs are already past due: the admin's
``email_sla_breached`` counts them until a person assigns, answers or dismisses them on the
email's page, and the countdown stops there.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.integration.test_admin_ui import CHROMIUM_ARGS, Admin, chromium_path, log_in, sql
from tests.support.fake_slack_api import FakeSlackApi
from tests.support.kafka import decoded, wait_until
from tests.support.pipeline import SERVICES, Pipeline, free_port
from tests.support.screenshots import shoot
from tests.support.stack import ROOT, Stack
from triage.domain.intake import raw_email
from triage.platform.publisher import RawPublisher
from triage.platform.topics import CRM_EVENTS

ALICE = "alice-desk-queues-token-0001"
SUPPORT, LEAD, INITECH = ("0004-globex-revenue-radar-sync-stuck", "0002-brightwater-pipeline-forecaster-demo",
                          "0009-initech-urgent-forecast-zero")
QUEUES_FILE = """
queues:
  support_escalated:
    owner: {local: "Support desk"}
    ticket: {}
    slack: {channel: C0SUPPORT1}
  sales_inbound:
    owner: {local: "Sales inbound"}
"""


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlackApi]:
    fake = FakeSlackApi()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def desk(stack: Stack, slack: FakeSlackApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Admin]:
    url, logs = stack.new_database(), tmp_path_factory.mktemp("desk-queues")
    queues = logs / "queues.yaml"
    queues.write_text(QUEUES_FILE)
    pipeline = Pipeline(stack=stack, log_dir=logs, database_url=url)
    pipeline.extra_env.update({"TRIAGE_QUEUES_FILE": str(queues), "TRIAGE_SLACK_BOT_TOKEN": slack.token,
                               "TRIAGE_SLACK_API_URL": slack.api_url,
                               "TRIAGE_ADMIN_PUBLIC_URL": "https://triage-admin.example.com"})
    pipeline.prepare()
    try:
        for service in SERVICES:
            pipeline.start(service)
        pipeline.ports["admin"] = port = free_port()
        pipeline.start("admin", TRIAGE_ADMIN_PORT=str(port), TRIAGE_ADMIN_TOKENS=f"alice:{ALICE}")
        publisher, ids = RawPublisher(pipeline.settings), {}
        for name in (SUPPORT, LEAD, INITECH):  # hours late: every SLA is past due on arrival
            record = raw_email((ROOT / "samples/emails" / f"{name}.eml").read_bytes(), source="file",
                               received_at=datetime.now(UTC) - timedelta(hours=10), max_bytes=25 << 20)
            publisher.publish(record)
            ids[name] = record.email_id
        publisher.flush()
        wait_until(lambda: sql(url, "SELECT count(*) FROM routes")[0][0] == 3, 60, "the samples routed and audited")
        yield Admin(pipeline, port, ids)
    finally:
        pipeline.stop_all()
        for service in (*SERVICES, "admin"):
            print(f"----- {service} log (tail) -----\n{pipeline.log(service)[-3000:]}")
        stack.drop_database(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, desk: Admin) -> Iterator[Page]:
    context = browser.new_context(base_url=desk.url)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def breached(admin: Admin) -> dict[str, float]:
    """email_sla_breached per queue, as the admin's /metrics says at this scrape."""
    with urllib.request.urlopen(admin.url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r'^email_sla_breached\{queue="([^"]+)"\} (\S+)$', text, re.M)}


def tickets(admin: Admin, email_id: str) -> list[tuple]:
    return sql(admin.db, "SELECT owner, queue, priority, contact_id IS NOT NULL FROM crm_tickets "
                         "WHERE source_email_id = %s", email_id)


def test_support_mail_becomes_one_owned_ticket_and_one_slack_notice_even_when_replayed(
        desk: Admin, slack: FakeSlackApi) -> None:
    email_id = desk.ids[SUPPORT]
    wait_until(lambda: tickets(desk, email_id) != [], 60, "crm-sink to file the support email's ticket")
    assert tickets(desk, email_id) == [("Support desk", "support_escalated", "high", True)]
    assert sql(desk.db, "SELECT c.owner FROM crm_contacts c JOIN crm_tickets t ON t.contact_id = c.id "
                        "WHERE t.source_email_id = %s", email_id) == [("Support desk",)]
    wait_until(lambda: len(slack.posted()) >= 2, 30, "the notices of both support_escalated emails")
    [notice] = [m for m in slack.posted() if email_id in m["text"]]
    assert notice["channel"] == "C0SUPPORT1"
    assert f"<https://triage-admin.example.com/admin/emails/{email_id}|" in notice["text"]
    assert "@" not in notice["text"] and "globex" not in notice["text"].lower()
    assert sql(desk.db, "SELECT status FROM queue_notices WHERE email_id = %s", email_id) == [("sent",)]

    def ticket_events() -> list:
        return [e for e in decoded(desk.pipeline.settings, CRM_EVENTS)
                if e.email_id == email_id and e.action == "create_ticket"]

    assert [e.status for e in ticket_events()] == ["created"]
    status, _body, _headers = desk.post("/admin/replay", {"email_id": email_id}, ALICE)
    assert status == 202
    wait_until(lambda: len(ticket_events()) == 2, 60, "the replayed email's create_ticket through crm-sink")
    assert [e.status for e in ticket_events()] == ["created", "created"]  # the recorded result, again
    assert len(tickets(desk, email_id)) == 1
    assert len([m for m in slack.posted() if email_id in m["text"]]) == 1, "a replay announces nothing twice"


def test_answering_stops_the_clock_on_the_page_and_in_email_sla_breached(page: Page, desk: Admin) -> None:
    email_id = desk.ids[SUPPORT]
    wait_until(lambda: sql(desk.db, "SELECT count(*) FROM routes WHERE email_id = %s", email_id)[0][0] == 1, 30,
               "the support email audited")
    before = breached(desk)
    log_in(page, ALICE)
    page.goto(f"/admin/emails/{email_id}")
    expect(page.locator("#desk .desk-state")).to_contain_text("Open")
    sla = page.locator("#route .sla")
    expect(sla).to_have_text(re.compile(r"^overdue by \d"))

    page.click("#desk button.answered")
    expect(page.locator("#flash")).to_contain_text("SLA clock stopped")
    expect(page.locator("#desk .desk-state")).to_contain_text("answered")
    expect(page.locator("#desk .desk-state")).to_contain_text("by alice")
    expect(page.locator("#desk button")).to_have_count(0)
    expect(sla).to_have_text(re.compile(r"^stopped: answered \(\d+h \d+m late\)$"))
    shoot(page, "desk-clock")
    expect(sla).to_have_attribute("data-due", "")  # admin.js no longer counts it
    first = sla.inner_text()
    page.wait_for_timeout(1500)
    assert sla.inner_text() == first, "a stopped clock does not tick"

    after = breached(desk)
    assert after["support_escalated"] == before["support_escalated"] - 1
    assert after["sales_inbound"] == before["sales_inbound"]
    [(stop, by)] = sql(desk.db, "SELECT stop, stopped_by FROM desk_clock WHERE email_id = %s", email_id)
    assert (stop, by) == ("answered", "alice")
    assert ("alice", "desk_answered") in sql(desk.db, "SELECT actor, action FROM admin_actions WHERE email_id = %s",
                                             email_id)


def test_assigning_stops_the_clock_and_the_list_shows_it_stopped(page: Page, desk: Admin) -> None:
    email_id = desk.ids[LEAD]
    wait_until(lambda: breached(desk).get("sales_inbound") == 1, 30, "the late lead counted as breached")
    log_in(page, ALICE)
    page.goto(f"/admin/emails/{email_id}")
    page.fill("#desk input[name=assignee]", "carol")
    page.click("#desk button.assign")
    expect(page.locator("#desk .desk-state")).to_contain_text("assigned to carol")
    expect(page.locator("#route .sla")).to_have_text(re.compile(r"^stopped: assigned"))
    assert breached(desk)["sales_inbound"] == 0
    assert sql(desk.db, "SELECT stop, assignee FROM desk_clock WHERE email_id = %s", email_id) == [
        ("assigned", "carol")]

    page.goto("/admin/")
    row = page.locator(f"#emails tr[data-email-id='{email_id}'] .sla")
    expect(row).to_have_text(re.compile(r"^stopped: assigned"))
    expect(row).to_have_attribute("data-due", "")


def test_dismissing_stops_the_clock_once_and_a_second_click_changes_nothing(page: Page, desk: Admin) -> None:
    email_id = desk.ids[INITECH]
    before = breached(desk)["support_escalated"]
    log_in(page, ALICE)
    page.goto(f"/admin/emails/{email_id}")
    page.click("#desk button.clock-dismiss")
    expect(page.locator("#desk .desk-state")).to_contain_text("dismissed")
    [(stop, at)] = sql(desk.db, "SELECT stop, stopped_at FROM desk_clock WHERE email_id = %s", email_id)
    assert stop == "dismissed"
    # a second admin's stale form: recorded, the clock keeps its first stop
    csrf = page.locator("form.logout input[name=csrf]").input_value()
    cookie = next(c for c in page.context.cookies() if c["name"] == "triage_admin")
    assert desk.browse(f"/admin/emails/{email_id}/answered", f"triage_admin={cookie['value']}",
                       {"csrf": csrf})[0] == 303
    assert sql(desk.db, "SELECT stop, stopped_at FROM desk_clock WHERE email_id = %s", email_id) == [(stop, at)]
    assert desk.browse("/admin/emails/no-such-email/answered", f"triage_admin={cookie['value']}",
                       {"csrf": csrf})[0] == 404
    assert breached(desk)["support_escalated"] == before - 1
