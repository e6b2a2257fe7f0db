"""Pub/Sub push authentication: the OIDC token in ``Authorization: Bearer``, verified with google-auth.

google-auth checks the RS256 signature against Google's certificates, the
expiry and the audience (``google.auth.jwt.decode``); this module adds what a
push endpoint must check on top — Google is the issuer and the token belongs to
the push subscription's service account — and caches the certificates (Google
rotates them; the response's ``Cache-Control: max-age`` says for how long, and a
token signed with an unknown key id refetches them once).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import google.auth.exceptions
import google.auth.jwt
from google.auth.transport.requests import Request

GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")
CLOCK_SKEW_S = 10
_MAX_AGE = re.compile(r"max-age=(\d+)")


class PushAuthError(Exception):
    """Why a push was refused: ``status`` 401 (who are you?) or 403 (not whom we expect)."""

    def __init__(self, status: int, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.reason = reason


class GoogleCerts:
    """Google's signing certificates ({key id: PEM}), fetched with google-auth's transport, cached."""

    def __init__(self, url: str, request: Callable[..., Any] | None = None,
                 min_ttl_s: float = 60, max_ttl_s: float = 3600) -> None:
        self.url = url
        self._request = request or Request()
        self._min_ttl_s, self._max_ttl_s = min_ttl_s, max_ttl_s
        self._certs: Mapping[str, str] = {}
        self._expires = 0.0
        self._fetched = float("-inf")
        self._lock = threading.Lock()

    def get(self, refresh: bool = False) -> Mapping[str, str]:
        """``refresh``: a token named an unknown key; refetch, but at most once a minimum TTL,
        so forged tokens with made-up key ids cannot make us hammer the certificate endpoint."""
        if self._due(refresh):
            with self._lock:
                if self._due(refresh):
                    self._fetch()
        return self._certs

    def _due(self, refresh: bool) -> bool:
        now = time.monotonic()
        return now >= self._expires or (refresh and now - self._fetched >= self._min_ttl_s)

    def _fetch(self) -> None:
        response = self._request(self.url, method="GET")
        if response.status != 200:
            raise google.auth.exceptions.TransportError(f"certificates at {self.url}: HTTP {response.status}")
        self._certs = json.loads(response.data.decode())
        self._fetched = time.monotonic()
        match = _MAX_AGE.search(response.headers.get("cache-control", ""))
        ttl = float(match.group(1)) if match else self._min_ttl_s
        self._expires = time.monotonic() + min(max(ttl, self._min_ttl_s), self._max_ttl_s)


@dataclass
class PushVerifier:
    certs: GoogleCerts
    audience: str
    service_account: str

    def verify(self, authorization: str | None) -> Mapping[str, Any]:
        token = bearer_token(authorization)
        claims = self._decode(token)
        if claims.get("iss") not in GOOGLE_ISSUERS:
            raise PushAuthError(401, "issuer", "token not issued by Google")
        if claims.get("email") != self.service_account or claims.get("email_verified") is not True:
            raise PushAuthError(403, "service_account", "token belongs to another service account")
        return claims

    def _decode(self, token: str) -> Mapping[str, Any]:
        try:
            return self._decode_with(token, self.certs.get())
        except PushAuthError as exc:
            if exc.reason != "unknown_key":
                raise
            return self._decode_with(token, self.certs.get(refresh=True))  # Google rotated its keys

    def _decode_with(self, token: str, certs: Mapping[str, str]) -> Mapping[str, Any]:
        try:
            return google.auth.jwt.decode(token, certs=certs, audience=self.audience,
                                          clock_skew_in_seconds=CLOCK_SKEW_S)
        except (ValueError, google.auth.exceptions.GoogleAuthError) as exc:
            raise PushAuthError(401, rejection_reason(str(exc)), "invalid token") from exc


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise PushAuthError(401, "missing", "missing Authorization: Bearer token")
    return token.strip()


def rejection_reason(message: str) -> str:
    """A metric label from google-auth's error message."""
    for needle, reason in (("key id", "unknown_key"), ("signature", "signature"), ("expired", "expired"),
                           ("too early", "not_yet_valid"), ("audience", "audience")):
        if needle in message:
            return reason
    return "malformed"
