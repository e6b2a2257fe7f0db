"""The admin app in-process (FastAPI TestClient) over in-memory fakes of its ports.

Server-side sessions (logout and expiry end them for every copy of the cookie), CSRF,
read-only mode, the actor of every write, and the API's replay: 401 and 403 change nothing,
the right token publishes one raw record with a fresh replay id. The guards are tested on
every write route of the UI.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.admin.test_admin_views import raw_letter_value
from tests.unit.crm.test_mvp_mode import MemoryPublisher, MemoryRoutes
from tests.unit.services.test_crm_sink_handler import FakeCrm, action
from triage.domain.bands import ConfidenceBands
from triage.domain.models import (
    CrmEvent,
    DeadLetter,
    ExtractedEmail,
    Extraction,
    Mailbox,
    RawEmail,
    RoutedEmail,
)
from triage.domain.rules import DEFAULT_RULES
from triage.platform.dlq import Letter
from triage.platform.dlq_states import LetterState, LetterStates
from triage.platform.errors import TransientError
from triage.platform.runtime import REPLAY_HEADER
from triage.platform.settings import AdminSettings
from triage_admin import desk as admin_desk
from triage_admin.app import create_admin_app
from triage_admin.auth import Admins, session_key
from triage_admin.crm import PlannedRoute
from triage_admin.desk import AdminDesk, ReplayPublisher, Routing
from triage_admin.email_list import EmailFilter, Page
from triage_admin.store import AdminSession, AdminStore, CorrectionInput, RawPurged
from triage_admin.ui import UiConfig

ALICE, BOB = "alice-token-0123456789", "bob-token-0123456789ab"
SECRET = "x" * 40
NOW = datetime.now(UTC)
EXTRACTION = {"intent": "support", "person": {"name": "Ann", "email": "ann@globex.com"},
              "company": {"name": "Globex", "domain": "globex.com"}, "interest": {"products": []},
              "budget": {"annual_amount_usd": None}, "timeline": "unknown", "region": "US", "summary": "",
              "required_action": "forward_support", "confidence": 0.4}


#: e1's stored email.clean parts: hostile markup in the body, the quoted history and the signature
HOSTILE_TEXT = 'Hi <script>alert("x")</script> team,\nour <b onclick="steal()">Globex</b> sync is stuck.'
CLEAN_PARTS = {"subject": "Help", "from_name": "Ann", "from_email": "ann@globex.com", "reply_to": None,
               "text": HOSTILE_TEXT, "signature": "-- \nAnn <img src=x onerror=alert(1)>",
               "quoted": "> <iframe src=//evil></iframe> earlier", "footer": None}
EVIDENCE = [{"field": "company.name", "source": "text", "start": HOSTILE_TEXT.index("Globex"),
             "end": HOSTILE_TEXT.index("Globex") + 6, "text": "Globex"},
            {"field": "person.email", "source": "from_email", "start": 0, "end": 14, "text": "ann@globex.com"},
            {"field": "region", "source": "text", "start": 0, "end": 2, "text": "no"}]  # does not index its text


class MemoryStore(AdminStore):
    """AdminStore's contract in memory: one email 'e1' (open review item), a purged 'e2' (no
    review item), and the UI's sessions (key -> session, absolute expiry)."""

    def __init__(self) -> None:
        self.labels: dict[str, tuple[dict, str]] = {}
        self.review = {"e1": "open"}
        self.actions: list[tuple[str, str, str | None, dict]] = []
        self.sessions: dict[str, tuple[AdminSession, datetime]] = {}
        self.corrected: dict[str, RoutedEmail | None] = {}
        self.pages: list[EmailFilter] = []
        self.crm_events: list[CrmEvent] = []

    def row(self, email_id: str) -> dict[str, Any]:
        return {"email_id": email_id, "received_at": NOW, "from_email": "ann@globex.com", "subject": "Help",
                "mailbox": "sales@lumora.io", "intent": "support", "confidence": 0.4, "queue": "support",
                "priority": "normal", "rule": "support_default",
                "reason": "a support request", "band": "review", "review_status": self.review.get(email_id),
                "review_reason": "low_confidence", "crm_statuses": ["awaiting_approval"],
                # relative to the page's clock, not NOW: the suite may reach this test minutes after import
                "due_at": datetime.now(UTC) - timedelta(minutes=5, seconds=1)}

    def email_page(self, chosen: EmailFilter, bands: ConfidenceBands) -> Page:
        self.pages.append(chosen)
        return Page([self.row("e1")], None, None)

    def filter_options(self) -> dict[str, list[str]]:
        return {"mailboxes": ["sales@lumora.io"], "queues": ["support"]}

    def written_events(self, email_id: str) -> list[CrmEvent]:
        return [e for e in self.crm_events if e.email_id == email_id and e.status in ("created", "updated")]

    def record_crm_events(self, events: list[CrmEvent]) -> None:
        self.crm_events.extend(events)

    def email(self, email_id: str) -> dict[str, Any] | None:
        if email_id not in ("e1", "e2"):
            return None
        return {**self.row(email_id), "thread_id": "t1", "message_id": None, "source": "file", "language": "en",
                "has_raw": email_id == "e1", "data": {**EXTRACTION, "evidence": EVIDENCE}, "decided_by": "rules",
                "model": "local", "clean_parts": CLEAN_PARTS if email_id == "e1" else None,
                "sla_minutes": 60, "ignored": False, "actions": [], "resolved_by": None,
                "labels": None, "labelled_by": None, "labelled_at": None, "crm_events": [], "history": []}

    def open_reviews(self, limit: int = 100) -> list[dict[str, Any]]:
        return [{"email_id": "e1", "reason": "low_confidence", "band": "review", "queue": "support",
                 "intent": "support", "confidence": 0.4, "created_at": NOW, "subject": "Help",
                 "from_email": "ann@globex.com", "received_at": NOW, "data": EXTRACTION}
                for status in [self.review["e1"]] if status == "open"]

    def raw_email(self, email_id: str) -> RawEmail | None:
        if email_id == "e2":
            raise RawPurged(email_id)
        if email_id != "e1":
            return None
        return RawEmail(email_id="e1", thread_id="t1", mailbox="sales@lumora.io", received_at=NOW,
                        source="file", raw=b"Subject: Help\r\n\r\nhi", size_bytes=20)

    def exists(self, email_id: str) -> bool:
        return email_id in ("e1", "e2")

    def record(self, actor: str, action: str, email_id: str | None, detail: dict[str, Any]) -> None:
        self.actions.append((actor, action, email_id, detail))

    def correction_input(self, email_id: str) -> CorrectionInput | None:
        if email_id not in ("e1", "e2"):
            return None
        model = ExtractedEmail(email_id=email_id, thread_id="t1", mailbox="sales@lumora.io", received_at=NOW,
                               from_email="ann@globex.com", subject="Help", extraction=Extraction(**EXTRACTION),
                               model="local", model_version="3", decided_by="rules")
        return CorrectionInput(model, MODEL_PLAN, True, [{"idempotency_key": a.idempotency_key, "action": a.action,
                                                          "object_type": a.object_type} for a in MODEL_PLAN])

    def save_label(self, email_id: str, labels: dict[str, Any], actor: str,
                   routed: RoutedEmail | None = None) -> None:
        self.corrected[email_id] = routed
        self.labels[email_id] = (labels, actor)
        self.review[email_id] = "corrected"
        self.record(actor, "correct_label", email_id, {})

    def resolve(self, email_id: str, status: str, actor: str, action: str, detail: dict[str, Any],
                require_item: bool = False) -> bool:
        changed = self.review.get(email_id) in (("open", "corrected") if status == "approved" else ("open",))
        if changed:
            self.review[email_id] = status
        if changed or not require_item:
            self.record(actor, action, email_id, detail)
        return changed

    def create_session(self, key: str, session: AdminSession, lifetime_s: int) -> None:
        now = datetime.now(UTC)
        self.sessions = {k: v for k, v in self.sessions.items() if v[1] > now}
        self.sessions[key] = (session, now + timedelta(seconds=lifetime_s))

    def session(self, key: str) -> AdminSession | None:
        found = self.sessions.get(key)
        return found[0] if found is not None and found[1] > datetime.now(UTC) else None

    def end_session(self, key: str) -> None:
        self.sessions.pop(key, None)


#: what the model's route planned for e1 (a support email from a customer): a contact, a company
MODEL_PLAN = [action("upsert_company", "company", "e1", name="Globex", domain="globex.com"),
              action("upsert_contact", "contact", "e1", email="ann@globex.com", name="Ann")]
ROUTING = Routing(DEFAULT_RULES, Mailbox(company="Lumora", customer_domains=["globex.com"]), ConfidenceBands())


class MemoryLetterStates(LetterStates):
    """dead_letter_states in memory (the database's guard has its own test, test_dlq_states)."""

    def __init__(self, trail: list) -> None:
        self.states: dict[tuple[int, int], LetterState] = {}
        self.trail = trail  # the store's admin_actions: the real one records in the same transaction

    def of(self, positions: Iterable[tuple[int, int]]) -> dict[tuple[int, int], LetterState]:
        return {p: self.states[p] for p in positions if p in self.states}

    def one(self, partition: int, offset: int) -> LetterState | None:
        return self.states.get((partition, offset))

    def replay(self, partition: int, offset: int, actor: str, publish: Callable[[], None],
               detail: dict[str, object], again: bool = False) -> LetterState:
        publish()
        self.states[(partition, offset)] = LetterState("replayed", 1, actor, None, datetime.now(UTC))
        self.trail.append((actor, "replay_letter", None, {"letter": f"{partition}:{offset}", **detail}))
        return self.states[(partition, offset)]

    def discard(self, partition: int, offset: int, actor: str, reason: str) -> LetterState:
        if not reason.strip():
            raise ValueError("a discard needs a reason")
        self.states[(partition, offset)] = LetterState("discarded", 0, actor, reason, datetime.now(UTC))
        self.trail.append((actor, "discard_letter", None, {"letter": f"{partition}:{offset}", "reason": reason}))
        return self.states[(partition, offset)]


class MemoryRawPublisher(ReplayPublisher):
    def __init__(self) -> None:
        self.published: list[tuple[RawEmail, dict[str, bytes]]] = []

    def publish_acknowledged(self, email: RawEmail, headers: dict[str, bytes], timeout_s: float = 30) -> None:
        self.published.append((email, dict(headers)))


#: a letter on email.dlq that may be replayed (the parked one has its own test)
LETTER = Letter(0, 7, DeadLetter(source_topic="email.raw", source_partition=0, source_offset=1, service="extract",
                                 error_class="SerdeError", error_message="bad", attempts=1, failed_at=NOW,
                                 original_value=b"x", original_headers={}), {})


class Running:
    """One admin replica over fakes; ``letters_replayed``: what the DLQ's Replayer was asked to replay."""

    def __init__(self, read_only: bool = False, tokens: tuple[tuple[str, str], ...] = (("alice", ALICE),
                                                                                      ("bob", BOB)),
                 store: MemoryStore | None = None, max_age_s: int = 8 * 3600) -> None:
        self.store, self.raw, self.publisher = store or MemoryStore(), MemoryRawPublisher(), MemoryPublisher()
        self.crm, self.letters_replayed = FakeCrm(), []
        routes = MemoryRoutes({"e1": PlannedRoute("t1", "support", False, [
            action("upsert_company", "company", "e1", name="Globex", domain="globex.com")])})
        self.letter_states = MemoryLetterStates(self.store.actions)
        desk = AdminDesk(routes, self.crm, self.publisher, store=self.store, settings=AdminSettings(),
                         raw_publisher=self.raw, routing=ROUTING, letter_states=self.letter_states)
        app = create_admin_app(Admins(list(tokens), SECRET.encode()), routes, desk.crm, self.publisher,
                               read_only=read_only, desk=desk, ui=UiConfig(SECRET, max_age_s=max_age_s))
        self.client = TestClient(app, base_url="https://testserver", follow_redirects=False)

    def csrf(self, path: str = "/admin/login") -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.client.get(path).text)
        assert found, "every page with a form carries the session's CSRF token"
        return found.group(1)

    def log_in(self, token: str = ALICE) -> None:
        response = self.client.post("/admin/login", data={"token": token, "csrf": self.csrf()})
        assert (response.status_code, response.headers["location"]) == (303, "/admin/")

    def nothing_changed(self) -> None:
        assert self.store.labels == {} and self.store.actions == [] and self.raw.published == []
        assert self.store.review == {"e1": "open"}
        assert self.publisher.published == [] and self.crm.applied == [] and self.letters_replayed == []
        assert self.letter_states.states == {}

    def logged_in(self) -> bool:
        return self.client.get("/admin/").status_code == 200


LABEL = {"intent": "support", "person_name": "Ann", "person_email": "ann@globex.com", "company_name": "Globex",
         "company_domain": "globex.com", "timeline": "unknown", "region": "DE", "required_action": "forward_support"}
HTML = {"Accept": "text/html"}


#: every write route of the UI but logout: (path, form fields besides csrf)
WRITES = {
    "crm-create": ("/admin/emails/e1/crm-create", {}),
    "replay": ("/admin/emails/e1/replay", {}),
    "dismiss": ("/admin/emails/e1/dismiss", {}),
    "correction": ("/admin/emails/e1/label", LABEL),
    "dlq-replay": ("/admin/dlq/0:7/replay", {}),
    "dlq-discard": ("/admin/dlq/0:7/discard", {"reason": "a test record, nothing to redo"}),
}
ALL_WRITES = [*WRITES, "logout"]


def write(running: Running, route: str, csrf: dict[str, str], headers: dict[str, str] | None = None):
    path, fields = WRITES.get(route, ("/admin/logout", {}))
    return running.client.post(path, data={**fields, **csrf}, headers=headers or {})


@pytest.fixture
def start(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Running]]:
    """Start admins whose DLQ holds LETTER and whose Replayer records what it replays."""
    started: list[Running] = []

    class RecordingReplayer:
        def __init__(self, _settings: AdminSettings) -> None:
            self.failed: list = []

        def replay(self, letter: Letter) -> None:
            for one in started:
                one.letters_replayed.append(letter.id)

        def flush(self, _timeout_s: float = 60) -> int:
            return 0

    monkeypatch.setattr(admin_desk, "fetch_letter", lambda _s, letter_id: LETTER if letter_id == LETTER.id else None)
    # the list page too: a unit test must not read whatever broker the environment points at (CI's held other
    # letters, or answered late, and the page became a 503 without a form)
    monkeypatch.setattr(admin_desk, "read_letters", lambda _s, timeout_s=20: [LETTER])
    monkeypatch.setattr(admin_desk, "Replayer", RecordingReplayer)

    def make(**options: Any) -> Running:
        started.append(Running(**options))
        return started[-1]
    yield make


@pytest.fixture
def running(start: Callable[..., Running]) -> Running:
    return start()


def test_pages_without_a_session_go_to_the_login_page(running: Running) -> None:
    for path in ("/admin/", "/admin/review", "/admin/dlq", "/admin/emails/e1"):
        response = running.client.get(path)
        assert (response.status_code, response.headers["location"]) == (303, "/admin/login")


def test_login_sets_a_signed_httponly_strict_secure_cookie(running: Running) -> None:
    csrf = running.csrf()
    response = running.client.post("/admin/login", data={"token": ALICE, "csrf": csrf})
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("triage_admin=")
    for flag in ("httponly", "samesite=strict", "secure", "path=/admin"):
        assert flag in cookie
    assert ALICE.lower() not in cookie, "the token itself never goes into the cookie"
    page = running.client.get("/admin/")
    assert page.status_code == 200 and 'id="actor">alice<' in page.text
    assert page.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in page.headers[
        "content-security-policy"]


def test_a_wrong_token_or_a_login_without_its_csrf_token_is_refused(running: Running) -> None:
    csrf = running.csrf()
    assert running.client.post("/admin/login", data={"token": "wrong", "csrf": csrf}).status_code == 401
    assert running.client.post("/admin/login", data={"token": ALICE}, headers=HTML).status_code == 403
    assert running.client.get("/admin/").status_code == 303


@pytest.mark.parametrize("route", ALL_WRITES)
def test_each_write_route_works_with_a_session_and_its_csrf_token(running: Running, route: str) -> None:
    """The guard tests below are not vacuous: each route does change something when allowed."""
    running.log_in(BOB)
    response = write(running, route, {"csrf": running.csrf("/admin/review")})
    assert response.status_code == 303, response.text
    changed = {"crm-create": lambda: running.crm.applied and running.publisher.published,
               "replay": lambda: running.raw.published, "dismiss": lambda: running.store.review["e1"] == "dismissed",
               "correction": lambda: "e1" in running.store.labels, "dlq-replay": lambda: running.letters_replayed,
               "dlq-discard": lambda: running.letter_states.states[(0, 7)].state == "discarded",
               "logout": lambda: not running.logged_in()}[route]
    assert changed()
    if route != "logout":
        assert running.store.actions[-1][0] == "bob"


@pytest.mark.parametrize("route", ALL_WRITES)
def test_a_form_without_this_sessions_csrf_token_changes_nothing(running: Running, route: str) -> None:
    running.log_in()
    running.csrf("/admin/review")  # the session's token exists; the forms below do not carry it
    for csrf in ({}, {"csrf": ""}, {"csrf": "forged"}):
        response = write(running, route, csrf, headers=HTML)
        assert response.status_code == 403 and "CSRF" in response.text
    running.nothing_changed()
    assert running.logged_in(), "a forged logout does not end the session either"


@pytest.mark.parametrize("route", ALL_WRITES)
def test_a_post_without_a_session_changes_nothing(running: Running, route: str) -> None:
    csrf = running.csrf()  # a cookie with a (login form's) CSRF token, but nobody logged in
    response = write(running, route, {"csrf": csrf})
    if route == "logout":  # nothing to end: back to the login page
        assert (response.status_code, response.headers["location"]) == (303, "/admin/login")
    else:
        assert response.status_code == 401
    running.nothing_changed()


def test_logout_ends_the_session_for_every_copy_of_its_cookie(running: Running) -> None:
    running.log_in()
    csrf, captured = running.csrf("/admin/review"), dict(running.client.cookies)
    response = running.client.post("/admin/logout", data={"csrf": csrf})
    assert (response.status_code, response.headers["location"]) == (303, "/admin/login")
    assert running.store.sessions == {}, "the session is gone on the server"

    running.client.cookies = captured  # a copy taken before the logout (another tab, a thief)
    for path in ("/admin/", "/admin/review", "/admin/dlq", "/admin/emails/e1"):
        response = running.client.get(path)
        assert (response.status_code, response.headers["location"]) == (303, "/admin/login")
    for route in WRITES:  # the old CSRF token died with the session
        running.client.cookies = captured
        assert write(running, route, {"csrf": csrf}).status_code in (401, 403), route
    running.nothing_changed()


def test_a_session_expires_at_its_absolute_limit_however_active(start: Callable[..., Running]) -> None:
    running = start(max_age_s=120)
    running.log_in()
    [(key, (session, expires))] = running.store.sessions.items()
    assert timedelta(seconds=110) < expires - datetime.now(UTC) <= timedelta(seconds=120)
    for _ in range(3):
        assert running.logged_in()
    assert running.store.sessions[key][1] == expires, "activity does not extend it (not sliding)"

    running.store.sessions[key] = (session, datetime.now(UTC) - timedelta(seconds=1))
    assert running.client.get("/admin/").headers["location"] == "/admin/login"
    assert write(running, "dismiss", {"csrf": session.csrf}).status_code == 401
    running.nothing_changed()


def test_the_cookie_carries_only_a_session_id_and_the_server_only_its_hash(running: Running) -> None:
    running.log_in()
    running.client.get("/admin/")  # the flash message is read
    payload = running.client.cookies["triage_admin"].split(".")[0]
    session = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(session) == {"sid"}, "no actor, token fingerprint or CSRF token in the cookie"
    assert list(running.store.sessions) == [session_key(session["sid"])] != [session["sid"]]


def test_each_login_is_a_new_session_with_a_new_csrf_token(running: Running) -> None:
    running.log_in()
    first = running.csrf("/admin/review")
    running.log_in(BOB)
    assert running.csrf("/admin/review") != first and len(running.store.sessions) == 1, "the old session ended"
    assert 'id="actor">bob<' in running.client.get("/admin/").text


def test_replicas_share_sessions_and_their_logout(start: Callable[..., Running]) -> None:
    blue = start()
    green = start(store=blue.store)  # another replica, the same database
    blue.log_in()
    green.client.cookies = dict(blue.client.cookies)
    assert green.logged_in()
    green.client.post("/admin/logout", data={"csrf": green.csrf("/admin/review")})
    assert not blue.logged_in()


def test_dismiss_without_an_open_review_item_is_404_and_records_nothing(running: Running) -> None:
    running.log_in()
    csrf = running.csrf("/admin/review")
    for email_id in ("e2", "nope"):  # e2 exists but has no review item
        assert running.client.post(f"/admin/emails/{email_id}/dismiss", data={"csrf": csrf}).status_code == 404
    running.nothing_changed()
    assert running.client.post("/admin/emails/e1/dismiss", data={"csrf": csrf}).status_code == 303
    assert running.client.post("/admin/emails/e1/dismiss", data={"csrf": csrf}).status_code == 404
    assert running.store.actions == [("alice", "dismiss_review", "e1", {})], "only the real dismiss"


def test_a_correction_is_saved_as_gold_labels_under_its_actor(running: Running) -> None:
    running.log_in(BOB)
    response = running.client.post("/admin/emails/e1/label",
                                   data={**LABEL, "csrf": running.csrf("/admin/review"), "next": "/admin/review"})
    assert (response.status_code, response.headers["location"]) == (303, "/admin/review")
    labels, actor = running.store.labels["e1"]
    assert actor == "bob" and labels["region"] == "DE" and labels["id"] == "e1"
    assert running.store.review["e1"] == "corrected"
    assert "labels of e1 saved" in running.client.get("/admin/review").text  # the flash message


def test_a_bad_correction_is_422_with_the_field_named(running: Running) -> None:
    running.log_in()
    response = running.client.post("/admin/emails/e1/label", headers=HTML,
                                   data={**LABEL, "region": "Germany", "csrf": running.csrf("/admin/review")})
    assert response.status_code == 422 and "region" in response.text
    running.nothing_changed()


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil",
    "javascript:alert(1)", "evil.example", "/admin", "%2F%2Fevil.example", "/%2Fevil.example",
    "/%5Cevil.example", "/admin/%2F%2Fevil.example", "/admin/%5C%5Cevil.example", "/admin/..//evil.example",
    "/admin/%2E%2E/%2E%2E//evil.example", "/admin//evil.example", "/admin/\\evil.example",
    "/admin/%0d%0aLocation:%20https://evil.example", "/admin/\r\nSet-Cookie: x=1", " /admin/review",
])
def test_an_open_redirect_through_next_is_not_followed(running: Running, target: str) -> None:
    running.log_in()
    response = running.client.post("/admin/emails/e1/dismiss",
                                   data={"csrf": running.csrf("/admin/review"), "next": target})
    assert response.headers["location"] == "/admin/review"
    assert running.store.actions == [("alice", "dismiss_review", "e1", {})]


@pytest.mark.parametrize("target", ["/admin/review", "/admin/emails/e1", "/admin/emails/a%40b?x=1"])
def test_next_inside_the_admin_is_followed(running: Running, target: str) -> None:
    running.log_in()
    response = running.client.post("/admin/emails/e1/dismiss",
                                   data={"csrf": running.csrf("/admin/review"), "next": target})
    assert response.headers["location"] == target


def test_the_pages_show_the_sla_countdown_reason_and_form_prefilled(running: Running) -> None:
    running.log_in()
    emails = running.client.get("/admin/").text
    assert "overdue by 5m" in emails and "support_default" in emails and "a support request" in emails
    review = running.client.get("/admin/review").text
    assert 'name="company_domain" value="globex.com"' in review
    assert running.client.get("/admin/emails/nope", headers=HTML).status_code == 404


def test_a_read_only_admin_shows_pages_with_disabled_buttons(start: Callable[..., Running]) -> None:
    running = start(read_only=True)
    running.log_in()
    page = running.client.get("/admin/emails/e1").text
    assert 'id="read-only"' in page
    assert re.search(r'class="crm-create"\s+disabled', page) and re.search(r'class="replay"\s+disabled', page)


@pytest.mark.parametrize("route", ALL_WRITES)
def test_a_read_only_admin_refuses_every_write(start: Callable[..., Running], route: str) -> None:
    running = start(read_only=True)
    running.log_in()
    response = write(running, route, {"csrf": running.csrf("/admin/review")})
    if route == "logout":  # ending one's own session is no write to the data: allowed on the standby
        assert response.status_code == 303 and not running.logged_in()
    else:
        assert response.status_code == 403 and "read-only" in response.text
    for api in ("/admin/replay", "/admin/crm/create"):
        assert running.client.post(api, json={"email_id": "e1"},
                                   headers={"Authorization": f"Bearer {ALICE}"}).status_code == 403
    running.nothing_changed()


def test_a_revoked_token_ends_its_sessions(start: Callable[..., Running]) -> None:
    before = start()
    before.log_in()
    after = start(tokens=(("alice", "alice-rotated-0123456789"),), store=before.store)
    after.client.cookies = before.client.cookies  # same session secret and database, the old cookie
    assert after.client.get("/admin/").status_code == 303


def test_api_replay_without_a_valid_bearer_token_is_401_and_publishes_nothing(running: Running) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": ALICE},
                    {"Authorization": f"Bearer {ALICE}x"}):
        response = running.client.post("/admin/replay", json={"email_id": "e1"}, headers=headers)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    running.nothing_changed()


def test_a_browser_without_a_token_gets_the_401_page_with_its_www_authenticate(running: Running) -> None:
    for path in ("/admin/replay", "/admin/crm/create"):
        response = running.client.post(path, json={"email_id": "e1"}, headers=HTML)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
        assert response.headers["content-type"].startswith("text/html")
    running.nothing_changed()


def test_api_replay_publishes_the_raw_record_with_a_fresh_replay_id_as_its_actor(running: Running) -> None:
    bearer = {"Authorization": f"Bearer {BOB}"}
    first = running.client.post("/admin/replay", json={"email_id": "e1"}, headers=bearer)
    second = running.client.post("/admin/replay", json={"email_id": "e1"}, headers=bearer)
    assert first.status_code == second.status_code == 202
    ids = [first.json()["replay_id"], second.json()["replay_id"]]
    assert ids[0] != ids[1] and all(i.startswith("admin-") for i in ids)
    assert [h[REPLAY_HEADER].decode() for _, h in running.raw.published] == ids
    assert running.raw.published[0][0].email_id == "e1"
    assert [(a[0], a[1], a[3]["replay_id"]) for a in running.store.actions] == [
        ("bob", "replay_email", ids[0]), ("bob", "replay_email", ids[1])]


def test_api_replay_of_an_unknown_or_purged_email_says_so(running: Running) -> None:
    bearer = {"Authorization": f"Bearer {ALICE}"}
    assert running.client.post("/admin/replay", json={"email_id": "nope"}, headers=bearer).status_code == 404
    purged = running.client.post("/admin/replay", json={"email_id": "e2"}, headers=bearer)
    assert purged.status_code == 410 and "purged" in purged.json()["detail"]
    assert running.client.post("/admin/replay", json={}, headers=bearer).status_code == 422
    running.nothing_changed()


def test_a_parked_letter_is_refused_and_nothing_is_replayed(running: Running,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    letter = Letter(0, 7, LETTER.letter.model_copy(update={"original_headers": {"triage.replays": b"3"}}),
                    {"triage.parked": b"true"})
    monkeypatch.setattr(admin_desk, "fetch_letter", lambda _settings, letter_id: letter if letter_id == "0:7" else None)
    monkeypatch.setattr(admin_desk, "Replayer", None)  # a replay attempt would fail loudly
    running.log_in()
    csrf = running.csrf("/admin/review")
    parked = running.client.post("/admin/dlq/0:7/replay", data={"csrf": csrf}, headers=HTML)
    assert parked.status_code == 409 and "parked" in parked.text
    assert running.client.post("/admin/dlq/0:8/replay", data={"csrf": csrf}, headers=HTML).status_code == 404
    assert running.client.post("/admin/dlq/nonsense/replay", data={"csrf": csrf}, headers=HTML).status_code == 422
    running.nothing_changed()


def test_a_discard_without_a_reason_is_422_and_decides_nothing(running: Running) -> None:
    running.log_in()
    csrf = running.csrf("/admin/dlq")
    assert 'id="letter-0:7"' in running.client.get("/admin/dlq").text, "the list shows the DLQ's letter"
    for reason in ("", "   \n "):
        refused = running.client.post("/admin/dlq/0:7/discard", data={"csrf": csrf, "reason": reason}, headers=HTML)
        assert refused.status_code == 422 and "reason" in refused.text
    running.nothing_changed()


def test_a_decided_letter_is_neither_replayed_nor_discarded_again_and_shows_no_buttons(running: Running) -> None:
    running.log_in(BOB)
    csrf = running.csrf("/admin/dlq")
    done = running.client.post("/admin/dlq/0:7/discard", data={"csrf": csrf, "reason": "test data", "next":
                                                               "/admin/dlq/0:7"})
    assert (done.status_code, done.headers["location"]) == (303, "/admin/dlq/0:7"), "back to the letter, read afresh"
    page = running.client.get("/admin/dlq/0:7").text
    assert "discarded by bob" in page and "test data" in page
    assert "replay-letter" not in page and "discard-letter" not in page
    for path, fields in (("/admin/dlq/0:7/replay", {}), ("/admin/dlq/0:7/discard", {"reason": "again"})):
        again = running.client.post(path, data={"csrf": csrf, **fields}, headers=HTML)
        assert again.status_code == 409 and "discarded by bob" in again.text
    assert running.letters_replayed == []
    assert [a[1] for a in running.store.actions] == ["discard_letter"]


def test_a_letters_page_shows_its_decoded_email_escaped(running: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    """An email.raw letter that decodes shows the message as text; its markup is escaped, never run."""
    value = raw_letter_value()  # Subject: <script>alert(1)</script> ... Hello <b>bold</b>
    letter = Letter(0, 7, LETTER.letter.model_copy(update={"original_value": value}), {})
    monkeypatch.setattr(admin_desk, "fetch_letter", lambda _settings, letter_id: letter if letter_id == "0:7" else None)
    running.log_in()
    page = running.client.get("/admin/dlq/0:7").text
    assert 'id="letter-decoded"' in page and 'data-field="raw"' in page
    assert "Subject: &lt;script&gt;alert(1)&lt;/script&gt;" in page and "Hello &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script>alert" not in page and "<b>bold" not in page
    assert 'id="letter-binary"' in page, "the Avro bytes themselves are a hex dump"


def test_a_poison_letters_page_says_it_is_not_decodable(running: Running) -> None:
    running.log_in()
    page = running.client.get("/admin/dlq/0:7").text  # LETTER: the value b"x"
    assert 'id="letter-undecodable"' in page and "not an Avro single-object encoded value" in page


def test_the_review_page_links_to_every_open_item_in_the_paged_list(running: Running) -> None:
    running.log_in()
    assert 'id="review-all" href="/admin/?review=open"' in running.client.get("/admin/review").text


def test_guessed_api_tokens_are_throttled_with_retry_after(running: Running) -> None:
    """300 wrong tokens in a burst: the first ten are 401, the rest 429 — the right one too, for now."""
    answers = [running.client.post("/admin/replay", json={"email_id": "e1"},
                                   headers={"Authorization": f"Bearer guess-{n:04d}-0123456789"}).status_code
               for n in range(300)]
    right = running.client.post("/admin/replay", json={"email_id": "e1"}, headers={"Authorization": f"Bearer {ALICE}"})

    assert answers[:10] == [401] * 10 and set(answers[10:]) == {429}
    assert right.status_code == 429 and 1 <= int(right.headers["Retry-After"]) <= 60
    running.nothing_changed()


def test_guessed_logins_are_throttled_with_retry_after(running: Running) -> None:
    csrf = running.csrf()
    answers = [running.client.post("/admin/login", data={"token": f"wrong-{n}", "csrf": csrf}).status_code
               for n in range(11)]

    assert answers == [401] * 10 + [429]
    throttled = running.client.post("/admin/login", data={"token": ALICE, "csrf": csrf})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1


LEAD_LABEL = {"intent": "lead", "person_name": "Ann", "person_email": "ann@globex.com",
              "company_name": "Initech", "company_domain": "initech.com", "products": "Revenue Radar",
              "budget_usd": "50000", "timeline": "now", "region": "US", "required_action": "schedule_demo",
              "notes": "she is buying, not asking for help"}


def test_a_correction_re_decides_the_route_and_the_plan_with_the_route_services_rules(running: Running) -> None:
    running.log_in(BOB)
    response = running.client.post("/admin/emails/e1/label", data={**LEAD_LABEL, "csrf": running.csrf("/admin/"),
                                                                   "next": "/admin/emails/e1"})
    assert response.status_code == 303
    routed = running.store.corrected["e1"]
    assert routed is not None and (routed.queue, routed.priority, routed.rule) == ("sales_inbound", "high", "hot_lead")
    assert routed.sla_minutes == 15 and routed.due_at == NOW + timedelta(minutes=15)
    assert routed.reason == "lead, buying timeline now (corrected by bob)"
    assert routed.extraction.confidence == 1.0 and routed.band == "auto_write"
    plan = {a.action: a for a in routed.crm_actions}
    assert list(plan) == ["upsert_company", "upsert_contact", "create_deal", "associate_contact"]
    assert plan["upsert_company"].properties == {"name": "Initech", "domain": "initech.com"}
    assert plan["create_deal"].properties["amount"] == "50000"
    assert all(re.fullmatch(rf"e1:{a}:c[0-9a-f]{{12}}", x.idempotency_key) for a, x in plan.items()), \
        "writes the model did not plan get keys of their own"
    events = {(e.idempotency_key, e.status) for e in running.publisher.published}
    assert {("e1:upsert_company", "ignored"), ("e1:upsert_contact", "ignored")} <= events, "the superseded plan"
    assert {(a.idempotency_key, "awaiting_approval") for a in routed.crm_actions} <= events

    running.client.post("/admin/emails/e1/label", data={**LEAD_LABEL, "csrf": running.csrf("/admin/")})
    assert [a.idempotency_key for a in running.store.corrected["e1"].crm_actions] == [
        a.idempotency_key for a in routed.crm_actions], "the same correction plans the same keys (exactly once)"


def test_a_correction_that_keeps_a_write_keeps_its_key(running: Running) -> None:
    running.log_in()
    support = {**LABEL, "company_name": "Globex", "person_name": "Ann", "region": "US"}
    running.client.post("/admin/emails/e1/label", data={**support, "csrf": running.csrf("/admin/")})
    routed = running.store.corrected["e1"]
    assert (routed.queue, routed.rule) == ("support_escalated", "customer_support")
    keys = {a.action: a.idempotency_key for a in routed.crm_actions}
    assert keys["upsert_company"] == "e1:upsert_company", "the very write the model planned: its key, done once"
    assert keys["upsert_contact"] != "e1:upsert_contact", "a contact with other properties: a key of its own"


def test_the_email_page_shows_the_text_with_evidence_marked_and_hostile_markup_escaped(running: Running) -> None:
    running.log_in()
    page = running.client.get("/admin/emails/e1").text
    assert "<script>alert" not in page and "<b onclick" not in page and "<img src=x" not in page
    assert "<iframe" not in page
    assert "Hi &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; team" in page
    assert ('&lt;b onclick=&#34;steal()&#34;&gt;<mark class="evidence" data-fields="company.name">Globex'
            '<span class="ev-label">company.name</span></mark>&lt;/b&gt;') in page
    assert '<mark class="evidence" data-fields="person.email">ann@globex.com' in page
    assert re.search(r'<details class="part folded" data-source="signature">\s*<summary>Signature</summary>', page)
    assert re.search(r'<details class="part folded" data-source="quoted">\s*<summary>Quoted history</summary>', page)
    assert "(not in the stored text)" in page, "a span that does not index its text is listed, never marked"
    assert page.count('<mark class="evidence"') == 2


def test_the_planned_actions_show_what_they_write_escaped(running: Running) -> None:
    email = running.store.email
    hostile = action("create_ticket", "ticket", "e1", subject="<script>alert(1)</script> help", priority="high")
    running.store.email = lambda email_id: {**email(email_id), "rule": "customer_support", "queue": "support",
                                            "priority": "high", "reason": "support request",
                                            "actions": [hostile.model_dump()]}
    running.log_in()
    page = running.client.get("/admin/emails/e1").text
    assert '<li data-action="create_ticket"><code>create_ticket</code>' in page
    assert "priority=high; subject=&lt;script&gt;alert(1)&lt;/script&gt; help" in page
    assert "<script>alert(1)" not in page


def test_a_correction_to_spam_ignores_the_email_and_drops_every_held_write(running: Running) -> None:
    running.log_in()
    spam = {"intent": "spam", "timeline": "unknown", "required_action": "ignore", "person_email": "ann@globex.com"}
    response = running.client.post("/admin/emails/e1/label", data={**spam, "csrf": running.csrf("/admin/")})
    assert response.status_code == 303
    routed = running.store.corrected["e1"]
    assert routed.ignored and routed.crm_actions == [] and routed.queue == "ignored"
    assert {(e.idempotency_key, e.status) for e in running.publisher.published} == {
        ("e1:upsert_company", "ignored"), ("e1:upsert_contact", "ignored")}, "the model's held plan, superseded"


def test_a_correction_whose_plan_kafka_did_not_take_says_so_and_saving_again_announces_it(running: Running) -> None:
    running.log_in()
    publish, failures = running.publisher.publish, [TransientError("crm.events: 1 unacknowledged")]

    def flaky(events: list) -> None:
        if failures:
            raise failures.pop()
        publish(events)

    running.publisher.publish = flaky
    form = {**LEAD_LABEL, "csrf": running.csrf("/admin/")}
    failed = running.client.post("/admin/emails/e1/label", data=form, headers=HTML)
    assert failed.status_code == 503 and "save it again" in failed.text
    assert running.store.labels["e1"][0]["intent"] == "lead", "the label itself is kept"
    assert running.publisher.published == []
    assert running.client.post("/admin/emails/e1/label", data=form).status_code == 303
    statuses = {e.status for e in running.publisher.published}
    assert statuses == {"ignored", "awaiting_approval"}
