"""The email page's desk block: Assign, Mark answered, Dismiss — each stops the email's SLA clock.

``POST /admin/emails/{id}/assign`` (``assignee``: a name, the person clicking when empty),
``.../answered`` and ``.../clock-dismiss`` (no answer needed; an open review item is dismissed
too). Same guards as every UI write (a live session, not read-only, the form's CSRF token);
an unknown email is 404. The first stop is the clock's (desk_clock.py); later clicks are
recorded in ``admin_actions`` and change nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import Response

from triage.domain.queues import ClockStop
from triage_admin.desk_clock import DeskClock

if TYPE_CHECKING:
    from triage_admin.ui import Ui

MAX_ASSIGNEE = 200


def mount_desk_clock(app: FastAPI, ui: Ui, clock: DeskClock) -> None:
    ui.templates.env.globals["desk_clock_on"] = True

    def stop(request: Request, email_id: str, csrf: str, what: ClockStop, assignee: str | None = None) -> Response:
        actor = ui.writer(request, csrf)
        if not ui.store.exists(email_id):
            raise HTTPException(404, f"no email {email_id}")
        if what == "assigned":
            assignee = (assignee or "").strip() or actor
            if len(assignee) > MAX_ASSIGNEE:
                raise HTTPException(422, f"an assignee is at most {MAX_ASSIGNEE} characters")
        if what == "dismissed":
            ui.store.resolve(email_id, "dismissed", actor, "dismiss_review", {}, require_item=True)
        stopped = clock.stop(email_id, what, actor, assignee)
        message = f"{email_id} {what}" + (f" to {assignee}" if assignee else "")
        message += ": SLA clock stopped" if stopped else " (its SLA clock had already stopped)"
        return ui.done(request, message, f"/admin/emails/{email_id}")

    @app.post("/admin/emails/{email_id}/assign")
    def assign(request: Request, email_id: str, csrf: str = Form(""), assignee: str = Form("")) -> Response:
        return stop(request, email_id, csrf, "assigned", assignee)

    @app.post("/admin/emails/{email_id}/answered")
    def answered(request: Request, email_id: str, csrf: str = Form("")) -> Response:
        return stop(request, email_id, csrf, "answered")

    @app.post("/admin/emails/{email_id}/clock-dismiss")
    def dismissed(request: Request, email_id: str, csrf: str = Form("")) -> Response:
        return stop(request, email_id, csrf, "dismissed")
