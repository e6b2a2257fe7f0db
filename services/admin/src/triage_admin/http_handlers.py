"""The admin pages' HTTP plumbing: security headers, and errors as pages for browsers.

A browser (``Accept: text/html``) gets an error page it can read; an API client keeps
FastAPI's JSON answers, so the same routes serve both without two error paths. Either way
the error's headers (``WWW-Authenticate`` of a 401) go out with it. The page is rendered on
a worker thread: it looks the session up in the database, whose calls block (a synchronous pool).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

#: no inline script, no framing, forms post only here, nothing leaks in Referer, nothing cached
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

#: (request, status, message) -> the error page
ErrorPage = Callable[[Request, int, str], Response]


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def install_http_handlers(app: FastAPI, error_page: ErrorPage) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if request.url.path.startswith("/admin"):
            response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not wants_html(request):
            return await http_exception_handler(request, exc)
        page = await run_in_threadpool(error_page, request, exc.status_code, str(exc.detail))
        page.headers.update(exc.headers or {})
        return page

    @app.exception_handler(RequestValidationError)
    async def form_error(request: Request, exc: RequestValidationError) -> Response:
        if not wants_html(request):
            return await request_validation_exception_handler(request, exc)
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return await run_in_threadpool(error_page, request, 422, f"the form is incomplete or malformed: {fields}")
