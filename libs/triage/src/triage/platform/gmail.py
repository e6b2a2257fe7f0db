"""The Gmail adapter: credentials, the real google-api-python-client, and what its errors mean here.

Every call is made once (``num_retries=0``): retries belong to the caller —
the stage runtime retries ``TransientError`` with backoff and jitter, at most
``triage_max_attempts`` tries, then dead-letters. A 429 or 5xx that carries
``Retry-After`` waits that long (capped) before it raises, so the runtime's
backoff comes on top of what Gmail asked for. Scope: ``gmail.readonly`` only.

Needs the ``triage[gmail]`` extra (google-api-python-client, google-auth).
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import google.auth.exceptions
import google.oauth2.credentials
import google_auth_httplib2
import httplib2
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from triage.platform.errors import PermanentError, TransientError
from triage.platform.retrying import parse_retry_after
from triage.platform.settings.groups import GmailSettings, MailboxSettings
from triage.platform.settings.secrets import gmail_credentials

log = logging.getLogger(__name__)

GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
#: 403s Gmail answers when a quota, not a permission, is the problem: worth retrying.
RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}


class GmailUnavailable(TransientError):
    """429, 5xx, a quota 403, a timeout or a lost connection."""


class GmailNotFound(PermanentError):
    """404: a message deleted before it was fetched, or a history id too old to list from."""


class GmailRefused(PermanentError):
    """Any other 4xx (bad credentials, missing delegation, bad request): retrying cannot help."""


def configured_mailboxes(settings: MailboxSettings) -> list[str]:
    """TRIAGE_GMAIL_MAILBOXES: a comma-separated list of addresses."""
    return [m.lower() for m in settings.triage_gmail_mailboxes]


def credentials_info(settings: GmailSettings) -> dict[str, Any]:
    """The credentials JSON, from TRIAGE_GMAIL_CREDENTIALS_JSON or TRIAGE_GMAIL_CREDENTIALS_FILE (secrets.py)."""
    return json.loads(gmail_credentials(settings))


def mailbox_credentials(info: dict[str, Any], mailbox: str):
    """Service account: domain-wide delegation to ``mailbox``. Authorized user: that user's own mailbox."""
    kind = info.get("type")
    if kind == "service_account":
        return service_account.Credentials.from_service_account_info(
            info, scopes=[GMAIL_READONLY], subject=mailbox)
    if kind == "authorized_user":
        return google.oauth2.credentials.Credentials.from_authorized_user_info(info, scopes=[GMAIL_READONLY])
    raise SystemExit(f"unsupported Gmail credentials type {kind!r}: use a service_account or authorized_user JSON")


def retry_after_s(error: HttpError, cap_s: float | None = None) -> float | None:
    """The answer's ``Retry-After`` (seconds or an HTTP date, retrying.py), at most ``cap_s``."""
    return parse_retry_after(error.resp.get("retry-after") if error.resp is not None else None, cap_s=cap_s)


def error_reasons(error: HttpError) -> set[str]:
    return {d.get("reason", "") for d in (error.error_details or []) if isinstance(d, dict)}


def decode_raw(raw: str) -> bytes:
    """messages.get(format=raw): base64url, with or without padding."""
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))


@dataclass
class GmailClient:
    """One mailbox's Gmail API: each method is one HTTP call, translated into our errors."""

    service: Any
    mailbox: str
    retry_after_cap_s: float = 10.0
    sleep: Callable[[float], None] = time.sleep

    @property
    def user_id(self) -> str:
        return self.mailbox

    def history_page(self, start_history_id: int, page_token: str | None = None) -> dict[str, Any]:
        return self._call(self.service.users().history().list(
            userId=self.user_id, startHistoryId=str(start_history_id), pageToken=page_token,
            historyTypes=["messageAdded"], maxResults=500))

    def message_raw(self, message_id: str) -> dict[str, Any]:
        return self._call(self.service.users().messages().get(userId=self.user_id, id=message_id, format="raw"))

    def messages_page(self, query: str | None, page_token: str | None = None,
                      max_results: int = 500) -> dict[str, Any]:
        return self._call(self.service.users().messages().list(
            userId=self.user_id, q=query, pageToken=page_token, maxResults=max_results))

    def watch(self, topic_name: str, label_ids: list[str]) -> dict[str, Any]:
        body = {"topicName": topic_name, "labelIds": label_ids, "labelFilterBehavior": "include"}
        return self._call(self.service.users().watch(userId=self.user_id, body=body))

    def _call(self, request: Any) -> dict[str, Any]:
        try:
            return request.execute(num_retries=0)
        except HttpError as exc:
            raise self._translate(exc) from exc
        except (TimeoutError, ConnectionError, httplib2.HttpLib2Error) as exc:
            raise GmailUnavailable(f"{self.mailbox}: {type(exc).__name__}: {exc}") from exc
        except google.auth.exceptions.TransportError as exc:
            raise GmailUnavailable(f"{self.mailbox}: token endpoint unreachable: {exc}") from exc
        except google.auth.exceptions.RefreshError as exc:
            raise GmailRefused(f"{self.mailbox}: credentials refused: {exc}") from exc

    def _translate(self, exc: HttpError) -> Exception:
        status = exc.status_code
        message = f"{self.mailbox}: Gmail answered {status}: {exc.reason}"
        if status == 404:
            return GmailNotFound(message)
        if status == 429 or status >= 500 or (status == 403 and error_reasons(exc) & RATE_LIMIT_REASONS):
            wait = retry_after_s(exc, self.retry_after_cap_s)
            if wait:
                self.sleep(wait)
            return GmailUnavailable(message + (f" (Retry-After {wait:g} s)" if wait else ""))
        return GmailRefused(message)


def gmail_client(settings: GmailSettings, mailbox: str, info: dict[str, Any] | None = None) -> GmailClient:
    """The real client for one mailbox. Builds from the bundled discovery document: no network here."""
    info = info or credentials_info(settings)
    credentials = mailbox_credentials(info, mailbox)
    http = google_auth_httplib2.AuthorizedHttp(
        credentials, http=httplib2.Http(timeout=settings.triage_gmail_timeout_s))
    options = {"api_endpoint": settings.triage_gmail_api_endpoint} if settings.triage_gmail_api_endpoint else None
    service = build("gmail", "v1", http=http, cache_discovery=False, static_discovery=True,
                    client_options=options)
    kind = GmailClient if info.get("type") == "service_account" else OwnMailboxClient
    return kind(service, mailbox, settings.triage_gmail_retry_after_cap_s)


class OwnMailboxClient(GmailClient):
    """OAuth user credentials reach only the user's own mailbox: Gmail calls it ``me``."""

    @property
    def user_id(self) -> str:
        return "me"
