"""The admin web UI: server-rendered pages (Jinja2) over the same desk as the JSON API.

Pages: ``/admin/`` the emails (filters, search, keyset pages: ``email_list``),
``/admin/emails/{id}``, ``/admin/review``, ``/admin/dlq``, ``/admin/dlq/{letter}``,
``/admin/model`` (``model_page``). Every write answers with a redirect (303) to a page that
reads the state afresh.
A person logs in by pasting their admin token (``/admin/login``); the session lives on the
server (``admin_sessions``: actor, token fingerprint, CSRF token, an absolute expiry set at
login) and the cookie (starlette's SessionMiddleware: itsdangerous, HttpOnly,
SameSite=Strict, Secure unless turned off) carries only its random id. Every request looks
the session up; logout deletes it, so a captured cookie is dead from then on. Every form
carries the session's CSRF token in a hidden field, checked before anything else happens.
Read-only (standby) admins render pages with their buttons disabled and refuse every POST
with 403 (logout excepted: it ends a session, it writes no data). Errors render as a page when the
browser asked for HTML, as JSON otherwise. ADR 0011.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from triage.domain.bands import ConfidenceBands
from triage_admin.auth import (
    Admins,
    Throttled,
    client_address,
    csrf_ok,
    new_csrf_token,
    new_session_id,
    session_key,
)
from triage_admin.desk import AdminDesk
from triage_admin.desk_clock_routes import mount_desk_clock
from triage_admin.email_list import (
    BANDS,
    CRM_STATES,
    PAGE_SIZES,
    REVIEW_STATES,
    SORTS,
    FilterError,
    parse_filter,
)
from triage_admin.evidence import email_parts, spans
from triage_admin.http_handlers import install_http_handlers
from triage_admin.labels import (
    ACTIONS_BY_INTENT,
    FIELDS,
    INTENTS,
    TIMELINES,
    form_from_extraction,
)
from triage_admin.model_page import mount_model_page
from triage_admin.store import AdminSession, AdminStore
from triage_admin.views import (
    bytes_view,
    decoded_letter,
    email_row,
    header_text,
    letter_row,
    sla,
)

HERE = Path(__file__).parent
SESSION_COOKIE = "triage_admin"
#: where a form's ``next`` may send the browser: a path inside the admin, nothing else
_NEXT = re.compile(r"/admin/[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*", re.ASCII)


@dataclass(frozen=True)
class UiConfig:
    session_secret: str
    cookie_secure: bool = True
    max_age_s: int = 8 * 3600  # a login's absolute lifetime (the server-side expiry; not sliding)
    bands: ConfidenceBands = field(default_factory=ConfidenceBands)


def mount_ui(app: FastAPI, admins: Admins, desk: AdminDesk, config: UiConfig, read_only: bool) -> None:
    templates = Jinja2Templates(directory=HERE / "templates")
    app.add_middleware(SessionMiddleware, secret_key=config.session_secret, session_cookie=SESSION_COOKIE,
                       max_age=config.max_age_s, path="/admin", same_site="strict",
                       https_only=config.cookie_secure)
    app.mount("/admin/static", StaticFiles(directory=HERE / "static"), name="admin-static")
    ui = Ui(templates, admins, desk, config, read_only)

    install_http_handlers(app, lambda request, status, message: ui.page(
        request, "error.html", status, message=message))
    ui.routes(app)
    if desk.clock is not None:  # the desk's SLA clock: Assign, Mark answered, Dismiss (desk_clock_routes.py)
        mount_desk_clock(app, ui, desk.clock)
    mount_model_page(app, ui)


def safe_next(target: str | None, default: str) -> str:
    """Redirect only to a path inside the admin (no open redirect through a form field).

    No scheme or host, no ``//``, backslash, dot segment or control character, as written
    and once percent-decoded; anything else goes to ``default``.
    """
    if not target:
        return default
    for form in (target, unquote(target)):
        if not _NEXT.fullmatch(form) or "//" in form or "\\" in form or ".." in form:
            return default
    return target


class Ui:
    def __init__(self, templates: Jinja2Templates, admins: Admins, desk: AdminDesk, config: UiConfig,
                 read_only: bool) -> None:
        self.templates, self.admins, self.desk = templates, admins, desk
        self.config, self.read_only = config, read_only
        assert desk.store is not None, "the web UI needs the admin store"
        self.store: AdminStore = desk.store

    # ------------------------------------------------------------------ session and guards

    def session(self, request: Request) -> AdminSession | None:
        """This request's live session, looked up once: it exists on the server, has not
        expired, and the token it logged in with is still configured."""
        if not hasattr(request.state, "admin_session"):
            found, sid = None, request.session.get("sid")
            if isinstance(sid, str) and sid:
                row = self.store.session(session_key(sid))
                if row is not None and self.admins.still_valid(row.actor, row.token_fingerprint):
                    found = row
            request.state.admin_session = found
        return request.state.admin_session

    def actor(self, request: Request) -> str | None:
        live = self.session(request)
        return None if live is None else live.actor

    def csrf(self, request: Request) -> str:
        """The session's CSRF token; before a login, one kept in the cookie for the login form."""
        live = self.session(request)
        if live is not None:
            return live.csrf
        if not request.session.get("csrf"):
            request.session["csrf"] = new_csrf_token()
        return request.session["csrf"]

    def start(self, request: Request, actor: str, fingerprint: str) -> None:
        """A new session (new id, new CSRF token) with its absolute expiry; an old one of this browser ends."""
        self.end(request)
        sid, live = new_session_id(), AdminSession(actor, fingerprint, new_csrf_token())
        self.store.create_session(session_key(sid), live, self.config.max_age_s)
        request.session["sid"] = sid
        request.state.admin_session = live

    def end(self, request: Request) -> None:
        sid = request.session.get("sid")
        if isinstance(sid, str) and sid:
            self.store.end_session(session_key(sid))
        request.session.clear()
        request.state.admin_session = None

    def writer(self, request: Request, csrf: str | None) -> str:
        """The actor of a POST: logged in, allowed to write, and the form is this session's."""
        live = self.session(request)
        if live is None:
            raise HTTPException(401, "log in first (/admin/login)")
        if self.read_only:
            raise HTTPException(403, "this admin is read-only (standby): use the live one")
        if not csrf_ok(live.csrf, csrf):
            raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page and try again")
        return live.actor

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        base = {"actor": self.actor(request), "csrf": self.csrf(request), "read_only": self.read_only,
                "flash": request.session.pop("flash", None), "now": datetime.now(UTC)}
        return self.templates.TemplateResponse(request, name, {**base, **context}, status_code=status)

    def done(self, request: Request, message: str, target: str) -> RedirectResponse:
        request.session["flash"] = message
        return RedirectResponse(target, status_code=303)

    # ------------------------------------------------------------------ routes

    def routes(self, app: FastAPI) -> None:
        login_page = "/admin/login"

        @app.get("/admin", include_in_schema=False)
        def root() -> RedirectResponse:
            return RedirectResponse("/admin/", status_code=303)

        @app.get("/admin/login")
        def login_form(request: Request) -> Response:
            return self.page(request, "login.html")

        @app.post("/admin/login")
        def login(request: Request, token: str = Form(""), csrf: str = Form("")) -> Response:
            if not csrf_ok(self.csrf(request), csrf):
                raise HTTPException(403, "the login form is stale: reload the page and try again")
            try:
                admin = self.admins.authenticate(token.strip(), client_address(request))
            except Throttled as exc:
                throttled = self.page(request, "login.html", 429, error=str(exc))
                throttled.headers["Retry-After"] = str(exc.retry_after_s)
                return throttled
            if admin is None:
                return self.page(request, "login.html", 401, error="that token is not an admin token")
            self.start(request, admin.actor, admin.fingerprint)
            return self.done(request, f"logged in as {admin.actor}", "/admin/")

        @app.post("/admin/logout")
        def logout(request: Request, csrf: str = Form("")) -> Response:
            """Ends the session on the server (every copy of its cookie); allowed when read-only."""
            if self.session(request) is not None:
                if not csrf_ok(self.csrf(request), csrf):
                    raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page and try again")
                self.end(request)
            else:
                request.session.clear()  # nothing live to end: drop a dead id
            return RedirectResponse(login_page, status_code=303)

        @app.get("/admin/")
        def emails(request: Request) -> Response:
            if self.actor(request) is None:
                return RedirectResponse(login_page, status_code=303)
            try:
                chosen = parse_filter(dict(request.query_params))
            except FilterError as exc:
                raise HTTPException(422, f"filter {exc}") from exc
            now = datetime.now(UTC)
            found = self.store.email_page(chosen, self.config.bands)
            rows = [email_row(r, now, self.config.bands) for r in found.rows]
            return self.page(request, "emails.html", emails=rows, filter=chosen, found=found,
                             options=self.store.filter_options(), intents=INTENTS, bands=BANDS,
                             review_states=REVIEW_STATES, crm_states=CRM_STATES, page_sizes=PAGE_SIZES,
                             sorts=SORTS)

        @app.get("/admin/emails/{email_id}")
        def email(request: Request, email_id: str) -> Response:
            if self.actor(request) is None:
                return RedirectResponse(login_page, status_code=303)
            found = self.desk.store.email(email_id)
            if found is None:
                raise HTTPException(404, f"no email {email_id}")
            sla_text, sla_state = sla(found["due_at"], datetime.now(UTC), found.get("clock_at"), found.get("clock_stop"))
            form = form_from_extraction(found["labels"] or found["data"] or {})
            marked = spans(found.get("clean_parts"), found["data"])
            return self.page(request, "email.html", email=found, sla_text=sla_text, sla_state=sla_state,
                             form=form, spans=marked, parts=email_parts(found.get("clean_parts"), marked),
                             **self.form_choices())

        @app.get("/admin/review")
        def review(request: Request) -> Response:
            if self.actor(request) is None:
                return RedirectResponse(login_page, status_code=303)
            items = [{**item, "form": form_from_extraction(item["data"])}
                     for item in self.desk.store.open_reviews(200)]
            return self.page(request, "review.html", items=items, **self.form_choices())

        @app.get("/admin/dlq")
        def dlq(request: Request) -> Response:
            if self.actor(request) is None:
                return RedirectResponse(login_page, status_code=303)
            limit = self.max_replays()
            letters = [letter_row(x, state, limit) for x, state in self.desk.letters()]
            return self.page(request, "dlq.html", letters=letters)

        @app.get("/admin/dlq/{letter_id}")
        def dlq_letter(request: Request, letter_id: str) -> Response:
            if self.actor(request) is None:
                return RedirectResponse(login_page, status_code=303)
            letter, state = self.desk.letter(letter_id)
            d = letter.letter
            return self.page(request, "dlq_letter.html", x=letter_row(letter, state, self.max_replays()),
                             stack=d.stack or "", key=bytes_view(d.original_key, 2000, 256),
                             value=bytes_view(d.original_value),
                             decoded=decoded_letter(d.source_topic, d.original_value, self.topic_prefix()),
                             original_headers={k: header_text(v) for k, v in d.original_headers.items()},
                             headers={k: header_text(v) for k, v in letter.headers.items()})

        self.write_routes(app)

    def write_routes(self, app: FastAPI) -> None:
        @app.post("/admin/emails/{email_id}/replay")
        def replay(request: Request, email_id: str, csrf: str = Form(""), next: str = Form("")) -> Response:
            replay_id = self.desk.replay_email(email_id, self.writer(request, csrf))
            return self.done(request, f"replayed {email_id} to email.raw ({replay_id})",
                             safe_next(next, f"/admin/emails/{email_id}"))

        @app.post("/admin/emails/{email_id}/crm-create")
        def crm_create(request: Request, email_id: str, csrf: str = Form(""), next: str = Form("")) -> Response:
            outcome = self.desk.create_in_crm(email_id, self.writer(request, csrf))
            summary = ", ".join(f"{e.action} {e.status}" for e in outcome.events)
            message = (f"already in CRM (nothing written again): {summary}" if outcome.already_in_crm
                       else f"created in CRM: {summary}")
            return self.done(request, message, safe_next(next, f"/admin/emails/{email_id}"))

        @app.post("/admin/emails/{email_id}/label")
        async def label(request: Request, email_id: str) -> Response:
            form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
            # the database calls block (a synchronous pool): run them in a worker thread, not on this loop
            return await run_in_threadpool(self.save_label, request, email_id, form)

        @app.post("/admin/emails/{email_id}/dismiss")
        def dismiss(request: Request, email_id: str, csrf: str = Form(""), next: str = Form("")) -> Response:
            self.desk.dismiss(email_id, self.writer(request, csrf))
            return self.done(request, f"dismissed {email_id}", safe_next(next, "/admin/review"))

        @app.post("/admin/dlq/{letter_id}/replay")
        def replay_letter(request: Request, letter_id: str, csrf: str = Form(""), next: str = Form("")) -> Response:
            letter, _ = self.desk.replay_letter(letter_id, self.writer(request, csrf))
            return self.done(request, f"replayed letter {letter_id} to {letter.letter.source_topic} "
                                      f"(replay {letter.replays + 1})", safe_next(next, "/admin/dlq"))

        @app.post("/admin/dlq/{letter_id}/discard")
        def discard_letter(request: Request, letter_id: str, csrf: str = Form(""), reason: str = Form(""),
                           next: str = Form("")) -> Response:
            actor = self.writer(request, csrf)
            self.desk.discard_letter(letter_id, actor, reason)
            return self.done(request, f"discarded letter {letter_id}", safe_next(next, "/admin/dlq"))

    def save_label(self, request: Request, email_id: str, form: dict[str, str]) -> Response:
        actor = self.writer(request, form.get("csrf"))
        labels = self.desk.correct_label(email_id, {k: form.get(k, "") for k in FIELDS}, actor)
        return self.done(request, f"labels of {email_id} saved ({labels['intent']})",
                         safe_next(form.get("next"), "/admin/review"))

    def topic_prefix(self) -> str:
        return self.desk.settings.triage_topic_prefix if self.desk.settings else ""

    def max_replays(self) -> int:
        return self.desk.settings.triage_dlq_max_replays if self.desk.settings else 3

    @staticmethod
    def form_choices() -> dict[str, Any]:
        return {"intents": INTENTS, "timelines": TIMELINES, "actions_by_intent": ACTIONS_BY_INTENT,
                "actions": sorted({a for acts in ACTIONS_BY_INTENT.values() for a in acts})}
