"""The admin app in-process (FastAPI TestClient) over in-memory fakes of its ports.

Sessions, CSRF, read-only mode, the actor of every write, and the API's replay: 401 and
403 change nothing, the right token publishes one raw record with a fresh replay id.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.crm.test_mvp_mode import MemoryPublisher, MemoryRoutes
from tests.unit.services.test_crm_sink_handler import FakeCrm
from triage.domain.models import DeadLetter, RawEmail
from triage.platform.dlq import Letter
from triage.platform.publisher import RawPublisher
from triage.platform.runtime import REPLAY_HEADER
from triage.platform.settings import Settings
from triage_crm_sink import admin_desk
from triage_crm_sink.admin import create_admin_app
from triage_crm_sink.admin_auth import Admins
from triage_crm_sink.admin_desk import AdminDesk
from triage_crm_sink.admin_store import AdminStore, RawPurged
from triage_crm_sink.admin_ui import UiConfig

ALICE, BOB = "alice-token-0123456789", "bob-token-0123456789ab"
SECRET = "x" * 40
NOW = datetime.now(UTC)
EXTRACTION = {"intent": "support", "person": {"name": "Ann", "email": "ann@globex.com"},
              "company": {"name": "Globex", "domain": "globex.com"}, "interest": {"products": []},
              "budget": {"annual_amount_usd": None}, "timeline": "unknown", "region": "US", "summary": "",
              "required_action": "forward_support", "confidence": 0.4}


class MemoryStore(AdminStore):
    """AdminStore's contract in memory: one email 'e1' (open review item) and a purged 'e2'."""

    def __init__(self) -> None:
        self.labels: dict[str, tuple[dict, str]] = {}
        self.review = {"e1": "open"}
        self.actions: list[tuple[str, str, str | None, dict]] = []

    def row(self, email_id: str) -> dict[str, Any]:
        return {"email_id": email_id, "received_at": NOW, "from_email": "ann@globex.com", "subject": "Help",
                "mailbox": "sales@lumora.io", "intent": "support", "confidence": 0.4, "queue": "support",
                "priority": "normal", "rule": "support_default",
                "reason": "a support request", "band": "review", "review_status": self.review.get(email_id),
                "review_reason": "low_confidence", "crm_statuses": ["awaiting_approval"],
                # relative to the page's clock, not NOW: the suite may reach this test minutes after import
                "due_at": datetime.now(UTC) - timedelta(minutes=5, seconds=1)}

    def recent_emails(self, limit: int = 100) -> list[dict[str, Any]]:
        return [self.row("e1")]

    def email(self, email_id: str) -> dict[str, Any] | None:
        if email_id not in ("e1", "e2"):
            return None
        return {**self.row(email_id), "thread_id": "t1", "message_id": None, "source": "file", "language": "en",
                "has_raw": email_id == "e1", "data": EXTRACTION, "decided_by": "rules", "model": "local",
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

    def save_label(self, email_id: str, labels: dict[str, Any], actor: str) -> None:
        self.labels[email_id] = (labels, actor)
        self.review[email_id] = "corrected"
        self.record(actor, "correct_label", email_id, {})

    def resolve(self, email_id: str, status: str, actor: str, action: str, detail: dict[str, Any]) -> None:
        self.review[email_id] = status
        self.record(actor, action, email_id, detail)


class MemoryRawPublisher(RawPublisher):
    def __init__(self) -> None:
        self.published: list[tuple[RawEmail, dict[str, bytes]]] = []

    def publish(self, email: RawEmail, headers: dict[str, bytes] | None = None) -> None:
        self.published.append((email, dict(headers or {})))

    def flush(self, timeout_s: float = 60) -> None:
        return None


class Running:
    def __init__(self, read_only: bool = False, tokens: tuple[tuple[str, str], ...] = (("alice", ALICE),
                                                                                      ("bob", BOB))) -> None:
        self.store, self.raw, self.publisher = MemoryStore(), MemoryRawPublisher(), MemoryPublisher()
        routes = MemoryRoutes({})
        desk = AdminDesk(routes, FakeCrm(), self.publisher, store=self.store, settings=Settings(),
                         raw_publisher=self.raw)
        app = create_admin_app(Admins(list(tokens), SECRET.encode()), routes, desk.crm, self.publisher,
                               read_only=read_only, desk=desk, ui=UiConfig(SECRET))
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


LABEL = {"intent": "support", "person_name": "Ann", "person_email": "ann@globex.com", "company_name": "Globex",
         "company_domain": "globex.com", "timeline": "unknown", "region": "DE", "required_action": "forward_support"}
HTML = {"Accept": "text/html"}


@pytest.fixture
def running() -> Running:
    return Running()


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


def test_a_form_without_this_sessions_csrf_token_changes_nothing(running: Running) -> None:
    running.log_in()
    for csrf in ({}, {"csrf": "forged"}):
        response = running.client.post("/admin/emails/e1/label", data={**LABEL, **csrf}, headers=HTML)
        assert response.status_code == 403 and "CSRF" in response.text
        assert running.client.post("/admin/emails/e1/replay", data=csrf).status_code == 403
        assert running.client.post("/admin/emails/e1/dismiss", data=csrf).status_code == 403
    running.nothing_changed()


def test_a_post_without_a_session_is_401_and_changes_nothing(running: Running) -> None:
    csrf = running.csrf()  # a session with a CSRF token, but nobody logged in
    assert running.client.post("/admin/emails/e1/label", data={**LABEL, "csrf": csrf}).status_code == 401
    assert running.client.post("/admin/emails/e1/replay", data={"csrf": csrf}).status_code == 401
    running.nothing_changed()


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


def test_an_open_redirect_through_next_is_not_followed(running: Running) -> None:
    running.log_in()
    response = running.client.post("/admin/emails/e1/dismiss",
                                   data={"csrf": running.csrf("/admin/review"), "next": "https://evil.example/"})
    assert response.headers["location"] == "/admin/review"
    assert running.store.actions == [("alice", "dismiss_review", "e1", {})]


def test_the_pages_show_the_sla_countdown_reason_and_form_prefilled(running: Running) -> None:
    running.log_in()
    emails = running.client.get("/admin/").text
    assert "overdue by 5m" in emails and "support_default" in emails and "a support request" in emails
    review = running.client.get("/admin/review").text
    assert 'name="company_domain" value="globex.com"' in review
    assert running.client.get("/admin/emails/nope", headers=HTML).status_code == 404


def test_a_read_only_admin_shows_pages_with_disabled_buttons_and_refuses_writes() -> None:
    running = Running(read_only=True)
    running.log_in()
    page = running.client.get("/admin/emails/e1").text
    assert 'id="read-only"' in page
    assert re.search(r'class="crm-create"\s+disabled', page) and re.search(r'class="replay"\s+disabled', page)
    csrf = running.csrf("/admin/review")
    assert running.client.post("/admin/emails/e1/label", data={**LABEL, "csrf": csrf}).status_code == 403
    assert running.client.post("/admin/emails/e1/crm-create", data={"csrf": csrf}).status_code == 403
    response = running.client.post("/admin/replay", json={"email_id": "e1"},
                                   headers={"Authorization": f"Bearer {ALICE}"})
    assert response.status_code == 403
    running.nothing_changed()


def test_a_revoked_token_ends_its_sessions() -> None:
    before = Running()
    before.log_in()
    after = Running(tokens=(("alice", "alice-rotated-0123456789"),))
    after.client.cookies = before.client.cookies  # same session secret, the old cookie
    assert after.client.get("/admin/").status_code == 303


def test_api_replay_without_a_valid_bearer_token_is_401_and_publishes_nothing(running: Running) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": ALICE},
                    {"Authorization": f"Bearer {ALICE}x"}):
        response = running.client.post("/admin/replay", json={"email_id": "e1"}, headers=headers)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
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
    letter = Letter(0, 7, DeadLetter(source_topic="email.raw", source_partition=0, source_offset=1,
                                     service="extract", error_class="SerdeError", error_message="bad",
                                     attempts=1, failed_at=NOW, original_value=b"x",
                                     original_headers={"triage.replays": b"3"}), {"triage.parked": b"true"})
    monkeypatch.setattr(admin_desk, "fetch_letter", lambda _settings, letter_id: letter if letter_id == "0:7" else None)
    monkeypatch.setattr(admin_desk, "Replayer", None)  # a replay attempt would fail loudly
    running.log_in()
    csrf = running.csrf("/admin/review")
    parked = running.client.post("/admin/dlq/0:7/replay", data={"csrf": csrf}, headers=HTML)
    assert parked.status_code == 409 and "parked" in parked.text
    assert running.client.post("/admin/dlq/0:8/replay", data={"csrf": csrf}, headers=HTML).status_code == 404
    assert running.client.post("/admin/dlq/nonsense/replay", data={"csrf": csrf}, headers=HTML).status_code == 422
    running.nothing_changed()
