"""The admin end to end: real services, real Kafka and PostgreSQL, Debian's chromium via Playwright.

One pipeline for the module (extract, route, crm-sink in MVP mode: only leads are written on
their own, audit) and the admin process with two actors; sample emails go in once. Each test
works on its own emails, so they do not depend on each other's order.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from confluent_kafka import Producer
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.band_texts import DOUBTFUL, message
from tests.support.kafka import decoded, read_topic, wait_until
from tests.support.pipeline import SERVICES, Pipeline, free_port
from tests.support.screenshots import shoot
from tests.support.stack import ROOT, Stack
from triage.domain.intake import raw_email
from triage.platform.dlq import read_letters
from triage.platform.publisher import RawPublisher
from triage.platform.runtime import REPLAY_HEADER, REPLAYS_HEADER
from triage.platform.topics import CRM_EVENTS, RAW, ROUTED

ALICE, BOB = f"alice-{uuid.uuid4().hex}", f"bob-{uuid.uuid4().hex}"
SAMPLES = {  # sample file -> what the test uses it for
    "0002-brightwater-pipeline-forecaster-demo": "lead (replayed through the API)",
    "0004-globex-revenue-radar-sync-stuck": "support (awaits approval: Create in CRM)",
    "0009-initech-urgent-forecast-zero": "support (review queue: a corrected label)",
    "0005-rankcraft-seo-pitch": "vendor",
    "0003-domain-expiry-scam": "spam (raw body purged: 410)",
}
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def chromium_path() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:  # a failure, not a skip: the UI is untested without a browser
        pytest.fail("Debian's chromium is missing: run `make setup` (apt-get install chromium)")
    return found


def sql(url: str, query: str, *params: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


class Admin:
    """The running pipeline, the admin's URL and the sample emails' ids."""

    def __init__(self, pipeline: Pipeline, port: int, ids: dict[str, str]) -> None:
        self.pipeline, self.url, self.ids = pipeline, f"http://127.0.0.1:{port}", ids
        self.db = pipeline.database_url

    def post(self, path: str, body: dict, token: str | None) -> tuple[int, dict, dict]:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read()), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}"), dict(error.headers)

    def statements(self) -> float:
        """The admin's ``triage_db_statements_total``: the statements its pool sent (ADR 0037)."""
        with urllib.request.urlopen(self.url + "/metrics", timeout=30) as response:
            found = re.search(r"^triage_db_statements_total (\S+)$", response.read().decode(), re.MULTILINE)
        assert found, "the admin's /metrics has no triage_db_statements_total"
        return float(found.group(1))

    def browse(self, path: str, cookie: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        """A GET (or a form POST) with this cookie, outside the browser, redirects not followed:
        (status, Location)."""
        data = None if form is None else urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(self.url + path, data=data, headers={"Cookie": cookie, "Accept": "text/html"})
        try:
            with urllib.request.build_opener(NoRedirects).open(request, timeout=30) as response:
                return response.status, response.headers.get("location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("location", "")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


@pytest.fixture(scope="module")
def admin(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Admin]:
    url = stack.new_database()
    pipeline = Pipeline(stack=stack, log_dir=tmp_path_factory.mktemp("admin-ui"), database_url=url)
    pipeline.prepare()
    try:
        for service in ("extract", "route", "audit"):
            pipeline.start(service)
        pipeline.start("crm-sink", TRIAGE_CRM_AUTO_WRITE_INTENTS="lead")
        pipeline.ports["admin"] = port = free_port()
        pipeline.start("admin", TRIAGE_ADMIN_PORT=str(port), TRIAGE_ADMIN_TOKENS=f"alice:{ALICE},bob:{BOB}")
        publisher, ids = RawPublisher(pipeline.settings), {}
        for name in SAMPLES:
            record = raw_email((ROOT / "samples/emails" / f"{name}.eml").read_bytes(), source="file",
                               received_at=datetime.now(UTC), max_bytes=25 << 20)
            publisher.publish(record)
            ids[name] = record.email_id
        publisher.flush()
        wait_until(lambda: sql(url, "SELECT count(*) FROM routes")[0][0] == len(SAMPLES), 60,
                   "every sample routed and audited")
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
def page(browser: Browser, admin: Admin) -> Iterator[Page]:
    context = browser.new_context(base_url=admin.url)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def log_in(page: Page, token: str) -> None:
    page.goto("/admin/login")
    page.fill("input[name=token]", token)
    page.click("#login button[type=submit]")


def test_a_wrong_token_is_refused_and_the_right_one_shows_the_emails(page: Page, admin: Admin) -> None:
    page.goto("/admin/")
    expect(page).to_have_url(f"{admin.url}/admin/login")  # no session: the login page
    log_in(page, "not-a-token-of-anyone")
    expect(page.locator("#login-error")).to_contain_text("not an admin token")
    shoot(page, "login")
    page.goto("/admin/review")
    expect(page).to_have_url(f"{admin.url}/admin/login")

    log_in(page, ALICE)
    expect(page.locator("#actor")).to_have_text("alice")
    cookie = next(c for c in page.context.cookies() if c["name"] == "triage_admin")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    rows = page.locator("#emails tbody tr")
    expect(rows).to_have_count(len(SAMPLES))
    shoot(page, "emails")
    for email_id, intent, queue, rule, reason in sql(admin.db, """
            SELECT r.email_id, x.intent, r.queue, r.rule, r.reason FROM routes r
            JOIN extractions x ON x.email_id = r.email_id"""):
        row = page.locator(f"#emails tr[data-email-id='{email_id}']")
        expect(row.locator(".intent")).to_have_text(intent)
        expect(row.locator(".queue")).to_contain_text(queue)
        expect(row.locator(".reason")).to_contain_text(rule)
        expect(row.locator(".reason")).to_contain_text(reason[:40])
    lead = page.locator(f"#emails tr[data-email-id='{admin.ids['0002-brightwater-pipeline-forecaster-demo']}']")
    expect(lead.locator(".sla")).to_have_text(re.compile(r"^(due in|overdue by) \d"))
    first = lead.locator(".sla").inner_text()
    page.wait_for_timeout(1500)
    assert lead.locator(".sla").inner_text() != first, "the SLA countdown ticks"


def sessions(admin: Admin) -> dict[str, tuple[str, datetime, datetime]]:
    return {key: (actor, created, expires) for key, actor, created, expires in sql(
        admin.db, "SELECT id, actor, created_at, expires_at FROM admin_sessions")}


def new_session(page: Page, admin: Admin, token: str) -> tuple[str, str, str]:
    """Log in; (the session's key in admin_sessions, the cookie header, the page's CSRF token)."""
    before = sessions(admin)
    log_in(page, token)
    expect(page.locator("#actor")).to_be_visible()
    [key] = set(sessions(admin)) - set(before)
    cookie = next(c for c in page.context.cookies() if c["name"] == "triage_admin")
    return key, f"triage_admin={cookie['value']}", page.locator("form.logout input[name=csrf]").input_value()


def test_logout_ends_the_session_for_every_copy_of_its_cookie(page: Page, admin: Admin) -> None:
    email_id = admin.ids["0005-rankcraft-seo-pitch"]
    key, cookie, csrf = new_session(page, admin, ALICE)
    actor, created, expires = sessions(admin)[key]
    assert actor == "alice" and expires - created == timedelta(hours=8), "TRIAGE_ADMIN_SESSION_MAX_AGE_S"
    assert admin.browse("/admin/review", cookie)[0] == 200, "the cookie works outside the browser too"
    assert sessions(admin)[key][2] == expires, "an absolute expiry: requests do not extend it"

    page.click("form.logout button[type=submit]")
    expect(page).to_have_url(f"{admin.url}/admin/login")
    assert key not in sessions(admin), "logout deletes the session on the server"

    trail, raw = sql(admin.db, "SELECT count(*) FROM admin_actions"), len(read_topic(admin.pipeline.settings, RAW))
    review = sql(admin.db, "SELECT status FROM review_queue WHERE email_id = %s", email_id)
    for path in ("/admin/", "/admin/review", f"/admin/emails/{email_id}"):  # the captured cookie
        assert admin.browse(path, cookie) == (303, "/admin/login"), path
    for action in ("dismiss", "replay", "crm-create"):  # with the session's old CSRF token
        assert admin.browse(f"/admin/emails/{email_id}/{action}", cookie, {"csrf": csrf})[0] == 401, action
    assert admin.browse(f"/admin/emails/{email_id}/label", cookie, {"csrf": csrf, "intent": "spam"})[0] == 401
    assert sql(admin.db, "SELECT count(*) FROM admin_actions") == trail, "nothing done with a dead session"
    assert sql(admin.db, "SELECT status FROM review_queue WHERE email_id = %s", email_id) == review
    assert len(read_topic(admin.pipeline.settings, RAW)) == raw


def test_an_expired_session_is_refused(page: Page, admin: Admin) -> None:
    key, cookie, csrf = new_session(page, admin, BOB)
    sql(admin.db, "UPDATE admin_sessions SET expires_at = now() - interval '1 second' WHERE id = %s", key)
    page.goto("/admin/review")
    expect(page).to_have_url(f"{admin.url}/admin/login")
    assert admin.browse("/admin/", cookie) == (303, "/admin/login")
    assert admin.browse(f"/admin/emails/{admin.ids['0005-rankcraft-seo-pitch']}/dismiss", cookie,
                        {"csrf": csrf})[0] == 401


def test_audit_queues_a_doubtful_email_and_the_review_page_shows_it(page: Page, admin: Admin) -> None:
    """No row inserted by the test: the real pipeline bands the email, audit opens the item."""
    record = raw_email(message(*DOUBTFUL, f"doubtful-{uuid.uuid4().hex[:8]}.com"), source="file",
                       received_at=datetime.now(UTC), max_bytes=1 << 20)
    publisher = RawPublisher(admin.pipeline.settings)
    publisher.publish(record)
    publisher.flush()

    def item() -> list[tuple]:
        return sql(admin.db, "SELECT reason, band, status, intent FROM review_queue WHERE email_id = %s",
                   record.email_id)

    wait_until(lambda: item() != [], 60, "audit to open a review item for the doubtful email")
    [(reason, band, status, intent)] = item()
    assert (reason, band, status) == ("low_confidence", "review", "open")
    log_in(page, ALICE)
    page.goto("/admin/review")
    shown = page.locator(f".review-item[data-email-id='{record.email_id}']")
    expect(shown).to_have_count(1)
    expect(shown.locator("select[name=intent]")).to_have_value(intent)  # the form prefilled from the extraction
    shoot(page, "review")


def test_a_corrected_label_is_stored_in_gold_format_with_its_actor(page: Page, admin: Admin) -> None:
    email_id = admin.ids["0009-initech-urgent-forecast-zero"]
    # What audit does for an email that needs a person (ON CONFLICT: audit may have done it already).
    sql(admin.db, """INSERT INTO review_queue (email_id, thread_id, reason, band, queue, intent, confidence)
                     SELECT r.email_id, r.thread_id, 'low_confidence', 'review', r.queue, x.intent, x.confidence
                     FROM routes r JOIN extractions x ON x.email_id = r.email_id WHERE r.email_id = %s
                     ON CONFLICT (email_id) DO NOTHING""", email_id)
    log_in(page, ALICE)
    page.goto("/admin/review")
    item = page.locator(f".review-item[data-email-id='{email_id}']")
    expect(item.locator("select[name=intent]")).to_have_value("support")  # prefilled from the extraction

    item.locator("input[name=region]").fill("Germany")  # not a country code: refused, nothing stored
    item.locator("button[name=save]").click()
    expect(page.locator("#error")).to_contain_text("region")
    assert sql(admin.db, "SELECT count(*) FROM eval_labels")[0][0] == 0

    page.goto("/admin/review")
    item.locator("input[name=company_name]").fill("Initech Corrected")
    item.locator("input[name=region]").fill("us")
    item.locator("input[name=notes]").fill("company name fixed by hand")
    item.locator("button[name=save]").click()
    expect(page.locator("#flash")).to_contain_text("labels of")
    expect(page.locator(f".review-item[data-email-id='{email_id}']")).to_have_count(0)  # no longer open

    [(labels, by)] = sql(admin.db, "SELECT labels, labelled_by FROM eval_labels WHERE email_id = %s", email_id)
    assert by == "alice"
    assert labels["id"] == email_id and labels["intent"] == "support"
    assert labels["company"]["name"] == "Initech Corrected" and labels["region"] == "US"
    assert set(labels) == {"id", "intent", "person", "company", "interest", "budget", "timeline", "region",
                           "required_action", "notes"}
    assert sql(admin.db, "SELECT status, resolved_by FROM review_queue WHERE email_id = %s", email_id) == [
        ("corrected", "alice")]
    assert sql(admin.db, "SELECT actor FROM admin_actions WHERE action = 'correct_label' AND email_id = %s",
               email_id) == [("alice",)]


def test_a_held_write_is_in_the_review_queue_and_create_in_crm_writes_it_once(page: Page, admin: Admin) -> None:
    """MVP mode holds the support email: audit puts it in the review queue (no row inserted by the
    test), the button there writes it, the pages show the outcome at once, a second click answers
    "already in CRM" and keeps the first write's time."""
    email_id = admin.ids["0004-globex-revenue-radar-sync-stuck"]
    wait_until(lambda: sql(admin.db, "SELECT count(*) FROM crm_events WHERE email_id = %s AND "
                                     "status = 'awaiting_approval'", email_id)[0][0] > 0, 30, "awaiting approval")
    wait_until(lambda: sql(admin.db, "SELECT reason, band, status FROM review_queue WHERE email_id = %s",
                           email_id) == [("awaiting_approval", "auto_write", "open")], 30, "the approval item")
    [(actions,)] = sql(admin.db, "SELECT actions FROM routes WHERE email_id = %s", email_id)
    keys = {a["idempotency_key"] for a in actions}
    contact = next(a["properties"]["email"] for a in actions if a["action"] == "upsert_contact")
    assert sql(admin.db, "SELECT count(*) FROM crm_contacts WHERE email = %s", contact) == [(0,)]
    [(summary,)] = sql(admin.db, "SELECT response_summary FROM crm_events WHERE email_id = %s LIMIT 1", email_id)
    assert "Create in CRM button" in summary and "POST /admin" not in summary, "the message names the button"

    log_in(page, BOB)
    page.goto(f"/admin/emails/{email_id}")
    expect(page.locator("#crm-events .status").first).to_have_text("awaiting_approval")
    shoot(page, "email")
    page.goto("/admin/")
    row = page.locator(f"#emails tr[data-email-id='{email_id}']")
    expect(row.locator(".band")).to_contain_text("held for approval")
    expect(row.locator(".crm")).to_have_text("awaiting_approval")
    page.goto("/admin/review")
    item = page.locator(f".review-item[data-email-id='{email_id}']")
    expect(item.locator(".review-reason")).to_have_text("awaiting_approval")
    expect(item.locator(".approval-hint")).to_contain_text("Create in CRM")
    item.locator("button.crm-create").click()
    expect(page).to_have_url(f"{admin.url}/admin/review")
    expect(page.locator("#flash")).to_contain_text("created in CRM")
    expect(page.locator(f".review-item[data-email-id='{email_id}']")).to_have_count(0)  # approved: gone
    page.goto(f"/admin/?q={urllib.parse.quote('Revenue Radar dashboards')}")
    expect(row.locator(".crm")).not_to_contain_text("awaiting_approval")  # the state after the action
    expect(row.locator(".review")).to_contain_text("approved")

    def outcomes() -> dict[str, str]:  # idempotency key -> its latest status on crm.events
        return {e.idempotency_key: e.status for e in decoded(admin.pipeline.settings, CRM_EVENTS)
                if e.email_id == email_id}

    wait_until(lambda: set(outcomes()) == keys and "awaiting_approval" not in outcomes().values(), 30,
               "the approved outcomes on crm.events")
    assert set(outcomes().values()) <= {"created", "updated", "unchanged"}, outcomes()
    assert sql(admin.db, "SELECT count(*) FROM crm_contacts WHERE email = %s", contact) == [(1,)]
    assert sql(admin.db, "SELECT status, resolved_by FROM review_queue WHERE email_id = %s", email_id) == [
        ("approved", "bob")]
    published = len(decoded(admin.pipeline.settings, CRM_EVENTS))
    written_at = dict(sql(admin.db, "SELECT idempotency_key, at FROM crm_events WHERE email_id = %s", email_id))

    page.goto(f"/admin/emails/{email_id}")
    page.click("button.crm-create")  # once more
    expect(page.locator("#flash")).to_contain_text("already in CRM")
    assert dict(sql(admin.db, "SELECT idempotency_key, at FROM crm_events WHERE email_id = %s", email_id)
                ) == written_at, "the first write's time is kept"
    assert len(decoded(admin.pipeline.settings, CRM_EVENTS)) == published, "nothing announced again"
    assert sql(admin.db, "SELECT actor, detail->>'already_in_crm' FROM admin_actions WHERE action = "
                         "'create_in_crm' AND email_id = %s ORDER BY id", email_id) == [("bob", None), ("bob", "true")]


def test_a_dead_letter_is_shown_replayed_once_and_its_next_letter_discarded(page: Page, admin: Admin) -> None:
    settings = admin.pipeline.settings
    poison, key = f"<b>not avro</b> {uuid.uuid4().hex}".encode(), uuid.uuid4().hex.encode()
    binary = b"\x00\xff\xfe" + uuid.uuid4().bytes
    producer = Producer({"bootstrap.servers": admin.pipeline.stack.bootstrap_servers})
    producer.produce(settings.topic(RAW), key=key, value=poison)
    producer.produce(settings.topic(RAW), key=b"binary", value=binary)
    assert producer.flush(10) == 0

    def letters(value: bytes = poison) -> list:
        return [x for x in read_letters(settings) if x.letter.original_value == value]

    wait_until(lambda: len(letters()) == 1 and len(letters(binary)) == 1, 30, "extract to dead-letter both")
    [letter] = letters()
    log_in(page, ALICE)
    page.goto("/admin/dlq")
    row = page.locator(f"#letters tr[data-letter-id='{letter.id}']")
    expect(row).to_contain_text("SerdeError")
    expect(row.locator(".replays")).to_have_text("0")
    expect(row.locator(".state")).to_have_text("new")
    shoot(page, "dlq")

    row.locator("a.open-letter").click()  # the detail: error, headers, the bytes as escaped text
    expect(page).to_have_url(f"{admin.url}/admin/dlq/{letter.id}")
    expect(page.locator("#letter-value")).to_have_text(poison.decode())  # the markup shown, not rendered
    expect(page.locator("#letter-value b")).to_have_count(0)
    expect(page.locator("#letter .error-text")).to_contain_text("SerdeError")
    expect(page.locator("#letter-headers")).to_contain_text("triage.service")
    page.goto(f"/admin/dlq/{letters(binary)[0].id}")
    expect(page.locator("#letter-binary")).to_contain_text(f"binary {len(binary)} bytes")
    expect(page.locator("#letter-value")).to_contain_text("00 ff fe")

    # the letter's state is read on the admin's pool (a connection of its own would not count): the
    # page's statements are the session's read and the state's, each with its BEGIN and COMMIT (a
    # scrape reads the pool too, email_sla_breached: its share is measured between two scrapes)
    first, second = admin.statements(), admin.statements()
    page.goto(f"/admin/dlq/{letter.id}")
    expect(page.locator("#letter .state")).to_contain_text("new: not replayed")
    assert admin.statements() - second - (second - first) == 3 + 3, "the session's and the state's reads"
    page.click("button.replay-letter")
    expect(page.locator("#flash")).to_contain_text(f"replayed letter {letter.id}")
    expect(page.locator("#letter .state")).to_contain_text("replayed by alice")  # the state after the action
    expect(page.locator("#letter .replays")).to_have_text("1")
    expect(page.locator("button.replay-letter")).to_have_count(0)
    page.goto("/admin/dlq")
    expect(row.locator(".state")).to_contain_text("replayed by alice")
    expect(row.locator("button.replay-letter")).to_have_count(0)

    replayed = [r for r in read_topic(settings, RAW) if r.value == poison]
    assert [r.headers.get(REPLAYS_HEADER) for r in replayed] == [None, b"1"]
    cookie = next(c for c in page.context.cookies() if c["name"] == "triage_admin")
    csrf = page.locator("form.logout input[name=csrf]").input_value()
    assert admin.browse(f"/admin/dlq/{letter.id}/replay", f"triage_admin={cookie['value']}", {"csrf": csrf}
                        )[0] == 409, "a stale page's Replay (another tab) replays nothing"
    assert len([r for r in read_topic(settings, RAW) if r.value == poison]) == 2

    wait_until(lambda: len(letters()) == 2, 30, "the replayed record dead-lettered again, with its count")
    [again] = [x for x in letters() if x.replays == 1]
    page.goto("/admin/dlq")
    again_row = page.locator(f"#letters tr[data-letter-id='{again.id}']")
    again_row.locator("input[name=reason]").fill("not an email: a test's poison record")
    again_row.locator("button.discard-letter").click()
    expect(page).to_have_url(f"{admin.url}/admin/dlq")
    expect(page.locator("#flash")).to_contain_text(f"discarded letter {again.id}")
    expect(again_row.locator(".state")).to_contain_text("discarded by alice")
    expect(again_row.locator(".state")).to_contain_text("a test's poison record")
    expect(again_row.locator("button")).to_have_count(0)
    assert sql(admin.db, "SELECT actor, action, detail->>'letter' FROM admin_actions WHERE action IN "
                         "('replay_letter', 'discard_letter') ORDER BY id") == [
        ("alice", "replay_letter", letter.id), ("alice", "discard_letter", again.id)]


def test_an_unknown_email_shows_the_error_page_with_its_reason_and_the_way_back(page: Page, admin: Admin) -> None:
    log_in(page, ALICE)
    expect(page.locator("#actor")).to_have_text("alice")
    response = page.goto("/admin/emails/no-such-email")
    assert response is not None and response.status == 404
    assert "default-src" in response.headers.get("content-security-policy", "")
    expect(page.locator("#error")).to_have_text("no email no-such-email")
    expect(page.locator("#actor")).to_have_text("alice")  # still signed in, inside the desk's layout
    shoot(page, "error")
    page.click("main a[href='/admin/']")
    expect(page).to_have_url(f"{admin.url}/admin/")
    expect(page.locator("#emails tbody tr").first).to_be_visible()


def test_api_replay_needs_a_token_and_routes_the_email_once_more(admin: Admin) -> None:
    settings = admin.pipeline.settings
    email_id = admin.ids["0002-brightwater-pipeline-forecaster-demo"]

    def routed() -> int:
        return sum(1 for r in decoded(settings, ROUTED) if r.email_id == email_id)

    def crm_events() -> Counter[str]:  # idempotency key -> how many outcomes crm-sink published
        return Counter(e.idempotency_key for e in decoded(settings, CRM_EVENTS) if e.email_id == email_id)

    def crm_rows() -> tuple:  # the local CRM's objects and its ledger of performed actions
        return sql(admin.db, """SELECT (SELECT count(*) FROM crm_companies), (SELECT count(*) FROM crm_contacts),
                                       (SELECT count(*) FROM crm_deals), (SELECT count(*) FROM crm_actions_done)""")[0]

    assert routed() == 1
    [(actions,)] = sql(admin.db, "SELECT actions FROM routes WHERE email_id = %s", email_id)
    keys = {a["idempotency_key"] for a in actions}
    wait_until(lambda: set(crm_events()) == keys, 30, "the lead written to the CRM (auto-write)")
    crm_before = crm_rows()
    raw_before, actions_before = len(read_topic(settings, RAW)), sql(admin.db, "SELECT count(*) FROM admin_actions")
    for token in (None, "wrong-token-0123456789", ALICE + "x"):
        status, body, headers = admin.post("/admin/replay", {"email_id": email_id}, token)
        assert status == 401 and headers.get("www-authenticate") == "Bearer", body
    browser_style = urllib.request.Request(admin.url + "/admin/replay", method="POST",
                                           data=json.dumps({"email_id": email_id}).encode(),
                                           headers={"Content-Type": "application/json", "Accept": "text/html"})
    with pytest.raises(urllib.error.HTTPError) as refused:  # the error as a page, its header kept
        urllib.request.urlopen(browser_style, timeout=30)
    assert refused.value.code == 401 and refused.value.headers["WWW-Authenticate"] == "Bearer"
    assert len(read_topic(settings, RAW)) == raw_before, "a refused replay publishes nothing"
    assert sql(admin.db, "SELECT count(*) FROM admin_actions") == actions_before

    status, body, _ = admin.post("/admin/replay", {"email_id": email_id}, BOB)
    assert status == 202, body
    [replay] = [r for r in read_topic(settings, RAW) if r.headers.get(REPLAY_HEADER)]
    assert replay.headers[REPLAY_HEADER] == body["replay_id"].encode()
    wait_until(lambda: routed() == 2, 30, "the replayed email routed once more")
    wait_until(lambda: crm_events() == Counter(dict.fromkeys(keys, 2)), 30, "crm-sink to take the replayed lead")
    assert crm_rows() == crm_before, "exactly once: the ledger answered, no CRM row or ledger row was added"
    # A second delivery of the same replay (a producer retry, a DLQ replay) is still a duplicate.
    skipped = admin.pipeline.metric("route", "route_duplicates_skipped_total")
    again = Producer({"bootstrap.servers": admin.pipeline.stack.bootstrap_servers})
    again.produce(settings.topic(RAW), key=replay.key, value=replay.value, headers=list(replay.headers.items()))
    assert again.flush(10) == 0
    wait_until(lambda: admin.pipeline.metric("route", "route_duplicates_skipped_total") == skipped + 1, 30,
               "route to skip the redelivered replay")
    assert routed() == 2
    assert sql(admin.db, "SELECT actor, detail->>'replay_id' FROM admin_actions WHERE action = 'replay_email'") == [
        ("bob", body["replay_id"])]

    assert admin.post("/admin/replay", {"email_id": "no-such-email"}, BOB)[0] == 404
    purged = admin.ids["0003-domain-expiry-scam"]
    sql(admin.db, "UPDATE emails SET raw = NULL WHERE email_id = %s", purged)
    status, body, _ = admin.post("/admin/replay", {"email_id": purged}, BOB)
    assert status == 410 and "purged" in body["detail"]


def hostile_support_email(domain: str) -> bytes:
    """A support request whose subject, body and quoted history carry markup and scripts."""
    return f"""From: Dana Ruiz <dana.ruiz@{domain}>
To: support@lumora.io
Subject: Revenue Radar sync broken <script>alert(1)</script>
Date: {datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")}
Message-ID: <{uuid.uuid4().hex}@{domain}>

Hi team,

our <b>Revenue Radar</b> sync has been failing since Monday <script>alert("pwned")</script>.
The dashboard shows an error and nothing updates. Can you help us fix it?

Thanks,
Dana Ruiz
Head of Operations, Acme Hostile Corp

On Mon, 30 Nov 2026, Support <support@lumora.io> wrote:
> Did you try <img src=x onerror=alert(2)> turning it off and on?
""".replace("\n", "\r\n").encode()


def test_the_email_page_shows_the_text_and_its_evidence_and_a_correction_acts(page: Page, admin: Admin) -> None:
    """See it, correct it, and it acts: a support email re-decided as a lead is written once as
    a company, a contact and a deal however often Create in CRM is clicked."""
    domain = f"acme{uuid.uuid4().hex[:8]}.com"
    record = raw_email(hostile_support_email(domain), source="file", received_at=datetime.now(UTC),
                       max_bytes=1 << 20)
    publisher = RawPublisher(admin.pipeline.settings)
    publisher.publish(record)
    publisher.flush()
    email_id = record.email_id
    wait_until(lambda: sql(admin.db, "SELECT count(*) FROM crm_events WHERE email_id = %s AND status = "
                                     "'awaiting_approval'", email_id)[0][0] > 0, 60, "the support email held back")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, ALICE)
    response = page.goto(f"/admin/emails/{email_id}")
    assert response is not None and "default-src 'self'" in response.headers["content-security-policy"], \
        "the CSP stays: no inline script would run even if one got through"

    # See it: the text as written (markup shown, never run), each field's evidence marked and labelled
    expect(page.locator("h1")).to_have_text("Revenue Radar sync broken <script>alert(1)</script>")
    body = page.locator("#email-text [data-source='text'] .mail-text")
    expect(body).to_contain_text('our <b>Revenue Radar</b> sync has been failing since Monday '
                                 '<script>alert("pwned")</script>.')
    for tag in ("script", "b", "img", "iframe"):
        expect(page.locator(f"main {tag}")).to_have_count(0)
    name = page.locator("#email-text mark.evidence[data-fields='person.name']")
    expect(name).to_contain_text("Dana Ruiz")
    expect(name.locator(".ev-label")).to_have_text("person.name")
    both = page.locator("#email-text mark.evidence[data-fields='person.email company.domain']")
    expect(both).to_contain_text(f"dana.ruiz@{domain}")
    expect(both.locator(".ev-label")).to_have_text("person.email, company.domain")
    expect(page.locator("#email-text [data-source='subject'] mark.evidence")).to_have_attribute(
        "data-fields", "interest.products[0]")
    signature, quoted = (page.locator(f"#email-text details[data-source='{s}']") for s in ("signature", "quoted"))
    company = signature.locator("mark.evidence[data-fields='company.name']")
    expect(signature.locator("summary")).to_have_text("Signature · 1 evidence span")
    expect(company).to_be_hidden()  # folded away until opened
    signature.locator("summary").click()
    expect(company).to_be_visible()
    expect(company).to_contain_text("Acme Hostile Corp")
    expect(quoted.locator(".mail-text")).to_be_hidden()
    quoted.locator("summary").click()
    expect(quoted.locator(".mail-text")).to_contain_text("Did you try <img src=x onerror=alert(2)> turning")
    expect(page.locator("#evidence tr[data-field='company.name']")).to_contain_text("signature [")
    expect(page.locator("#route")).to_contain_text("support request from")
    expect(page.locator("#route")).to_contain_text("support")
    expect(page.locator("#crm-events")).to_contain_text("awaiting_approval")
    expect(page.locator("#planned li[data-action='create_deal']")).to_have_count(0)  # support: no deal
    assert dialogs == [], "no script of the email ran"

    # Correct it: a lead buying now. The label is kept with its actor and notes, and the route follows.
    form = page.locator("form.label-form")
    form.locator("select[name=intent]").select_option("lead")
    form.locator("select[name=timeline]").select_option("now")
    form.locator("select[name=required_action]").select_option("schedule_demo")
    form.locator("input[name=budget_usd]").fill("80000")
    form.locator("input[name=notes]").fill("a buyer, not a ticket")
    form.locator("button[name=save]").click()
    expect(page.locator("#flash")).to_contain_text("labels of")
    expect(page).to_have_url(f"{admin.url}/admin/emails/{email_id}")
    expect(page.locator("#route-corrected")).to_contain_text("alice")
    expect(page.locator("#route .queue")).to_have_text("sales_inbound (high)")
    expect(page.locator("#route .reason")).to_have_text("lead, buying timeline now (corrected by alice)")
    expect(page.locator("#model-route")).to_contain_text("support")
    deal = page.locator("#planned li[data-action='create_deal']")  # what Create in CRM will write
    expect(deal).to_contain_text("amount=80000")
    expect(deal).to_contain_text("company_name=Acme Hostile Corp")
    page.reload()
    expect(form.locator("input[name=notes]")).to_have_value("a buyer, not a ticket")
    expect(form.locator("select[name=intent]")).to_have_value("lead")
    expect(page.locator("#labelled")).to_contain_text("corrected by alice")
    shoot(page, "email-corrected")
    [(labels, by)] = sql(admin.db, "SELECT labels, labelled_by FROM eval_labels WHERE email_id = %s", email_id)
    assert (by, labels["intent"], labels["notes"]) == ("alice", "lead", "a buyer, not a ticket")
    [(queue, rule, corrected_by, actions)] = sql(
        admin.db, "SELECT queue, rule, corrected_by, actions FROM routes WHERE email_id = %s", email_id)
    assert (queue, rule, corrected_by) == ("sales_inbound", "hot_lead", "alice")
    assert [a["action"] for a in actions] == ["upsert_company", "upsert_contact", "create_deal", "associate_contact"]
    deal_key = next(a["idempotency_key"] for a in actions if a["action"] == "create_deal")
    wait_until(lambda: sql(admin.db, "SELECT status FROM crm_events WHERE idempotency_key = %s", deal_key)
               == [("awaiting_approval",)], 30, "the corrected plan announced on crm.events")

    page.goto("/admin/")  # the list shows the person's intent, marked
    row = page.locator(f"#emails tr[data-email-id='{email_id}']")
    expect(row.locator(".intent")).to_have_text("lead")
    expect(row.locator(".corrected")).to_have_text("corrected")
    expect(row.locator(".queue")).to_contain_text("sales_inbound")

    # Create in CRM writes the corrected values, exactly once
    contact = f"dana.ruiz@{domain}"

    def crm() -> tuple:
        return sql(admin.db, """
            SELECT (SELECT count(*) FROM crm_companies WHERE domain = %s),
                   (SELECT count(*) FROM crm_contacts p JOIN crm_companies c ON c.id = p.company_id
                     WHERE p.email = %s AND c.domain = %s),
                   (SELECT count(*) FROM crm_deals d JOIN crm_companies c ON c.id = d.company_id
                     WHERE c.domain = %s),
                   (SELECT count(*) FROM crm_deal_contacts x JOIN crm_contacts p ON p.id = x.contact_id
                     WHERE p.email = %s),
                   (SELECT string_agg(c.name || ' / ' || d.name || ' / ' || d.amount_usd::int, ',')
                      FROM crm_deals d JOIN crm_companies c ON c.id = d.company_id WHERE c.domain = %s)""",
                   domain, contact, domain, domain, contact, domain)[0]

    assert crm()[:4] == (0, 0, 0, 0), "nothing written before Create in CRM"
    page.goto(f"/admin/emails/{email_id}")
    page.click("button.crm-create")
    expect(page.locator("#flash")).to_contain_text("created in CRM")
    page.click("button.crm-create")  # a second click writes nothing and says so
    expect(page.locator("#flash")).to_contain_text("already in CRM")
    # one company; its contact, linked to it and to the deal; one deal with the corrected amount
    assert crm() == (1, 1, 1, 1, "Acme Hostile Corp / Acme Hostile Corp — Revenue Radar / 80000")
    wait_until(lambda: sql(admin.db, "SELECT status FROM crm_events WHERE idempotency_key = %s", deal_key)
               == [("created",)], 30, "the deal's outcome on crm.events")
    page.reload()
    expect(page.locator("#crm-events")).to_contain_text("created")


def test_the_list_filters_searches_and_pages_through_its_emails(page: Page, admin: Admin) -> None:
    """Filters, search and keyset pages over the real audit rows, plus 60 of one inbox."""
    inbox = f"paging-{uuid.uuid4().hex[:8]}@lumora.io"
    start = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    with psycopg.connect(admin.db) as conn:
        for n in range(60):
            conn.execute("INSERT INTO emails (email_id, thread_id, mailbox, received_at, subject, from_email) "
                         "VALUES (%s, %s, %s, %s, %s, %s)", (f"page-{inbox}-{n:02d}", f"t-{n}", inbox,
                                                              start - timedelta(minutes=n), f"Paged email {n:02d}",
                                                              f"sender{n}@example.org"))
    log_in(page, ALICE)
    page.goto("/admin/")
    lead_id = admin.ids["0002-brightwater-pipeline-forecaster-demo"]
    [(mailbox,)] = sql(admin.db, "SELECT mailbox FROM emails WHERE email_id = %s", lead_id)
    expect(page.locator(f"#emails tr[data-email-id='{lead_id}'] .inbox")).to_have_text(mailbox)

    page.select_option("select[name=intent]", "lead")
    page.click("#apply-filters")
    expect(page).to_have_url(re.compile(r"intent=lead"))
    intents = page.locator("#emails tbody .intent")
    expect(intents.first).to_have_text("lead")
    assert set(intents.all_inner_texts()) == {"lead"}

    page.goto("/admin/")
    page.fill("input[name=q]", "BRIGHTWATERLOGISTICS")  # the sender, any case
    page.click("#apply-filters")
    expect(page.locator("#emails tbody tr")).to_have_count(1)
    expect(page.locator(f"#emails tr[data-email-id='{lead_id}']")).to_have_count(1)
    page.fill("input[name=q]", "100%")  # a wildcard is searched for as a character
    page.click("#apply-filters")
    expect(page.locator("#no-emails")).to_contain_text("No email matches")

    page.goto("/admin/")
    page.select_option("select[name=mailbox]", inbox)
    page.select_option("select[name=size]", "25")
    page.click("#apply-filters")
    seen: list[str] = []
    for expected in (25, 25, 10):
        rows = page.locator("#emails tbody tr")
        expect(rows).to_have_count(expected)
        seen += [rows.nth(i).get_attribute("data-email-id") for i in range(expected)]
        if expected == 10:
            expect(page.locator("#page-older")).to_have_count(0)
        else:
            page.click("#page-older")
    assert seen == [f"page-{inbox}-{n:02d}" for n in range(60)], "newest first, each once, none skipped"
    page.click("#page-newer")
    expect(page.locator("#emails tbody tr").first).to_have_attribute("data-email-id", f"page-{inbox}-25")
    page.click("#page-first")
    expect(page.locator("#page-newer")).to_have_count(0)
    expect(page.locator("#emails tbody tr").first).to_have_attribute("data-email-id", f"page-{inbox}-00")

    page.goto(f"/admin/?mailbox={urllib.parse.quote(inbox)}&received_from=2026-01-15&received_to=2026-01-15"
              f"&sort=oldest&review=none&crm=none")
    expect(page.locator("#emails tbody tr")).to_have_count(50)
    expect(page.locator("#emails tbody tr").first).to_have_attribute("data-email-id", f"page-{inbox}-59")
    page.goto(f"/admin/?mailbox={urllib.parse.quote(inbox)}&received_from=2026-01-16")
    expect(page.locator("#no-emails")).to_be_visible()
    held = {r[0] for r in sql(admin.db, "SELECT q.email_id FROM review_queue q WHERE q.status = 'open' AND EXISTS "
                                        "(SELECT 1 FROM crm_events c WHERE c.email_id = q.email_id AND "
                                        "c.status = 'awaiting_approval')")}
    page.goto("/admin/?crm=awaiting_approval&review=open")
    expect(page.locator("#filters select[name=crm]")).to_have_value("awaiting_approval")
    shown = page.locator("#emails tbody tr[data-email-id]").evaluate_all("rows => rows.map(r => r.dataset.emailId)")
    assert set(shown) == held
    page.goto("/admin/?band=everything")
    expect(page.locator("#error")).to_contain_text("band")
