"""Who may use the admin, and as whom: bearer tokens per actor, UI sessions, CSRF tokens.

Tokens come from ``TRIAGE_ADMIN_TOKENS`` (``name:token,name2:token2``), a mounted file of
``name:token`` lines (``TRIAGE_ADMIN_TOKENS_FILE``) and the single ``TRIAGE_ADMIN_TOKEN``
(the actor ``admin``). A presented token is compared with every configured one in constant
time (``hmac.compare_digest`` over SHA-256 digests, so neither the position of the first
differing byte nor the length of a token leaks, and the loop never stops early). The UI's
session cookie (starlette's SessionMiddleware: itsdangerous-signed, HttpOnly,
SameSite=Strict) holds only a random session id; the server keeps the session
(``admin_sessions``, keyed by the id's SHA-256): the actor, a keyed fingerprint of the token
it logged in with (so removing a token ends its sessions at once), the session's CSRF token
and its absolute expiry. ADR 0011.

Configuration errors name entries by position ("entry 2 of TRIAGE_ADMIN_TOKENS"), never by
their text: with name and token swapped, the "name" is the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from triage.platform.settings import AdminSettings
from triage.platform.settings.secrets import (
    admin_session_secret,
    admin_token_entries,
    check_admin_entries,
)


class Throttled(Exception):
    """Too many failed attempts from one client: answer 429 with Retry-After."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many failed attempts: retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Admin:
    actor: str
    fingerprint: str  # keyed hash of the token: what a session remembers instead of the token


class Admins:
    """The configured actors and their tokens; answers "whose token is this?" in constant time."""

    def __init__(self, entries: list[tuple[str, str]], fingerprint_key: bytes) -> None:
        check_admin_entries(entries)
        self._key = fingerprint_key
        self._digests = [(actor, _digest(token)) for actor, token in entries]
        self._fingerprints = {self.fingerprint(token): actor for actor, token in entries}
        self.attempts = FailedAttempts()

    def fingerprint(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()[:32]

    def actor_for(self, presented: str | None) -> Admin | None:
        if not presented:
            return None
        digest = _digest(presented)
        found: str | None = None
        for actor, candidate in self._digests:  # every candidate, no early exit
            if hmac.compare_digest(digest, candidate) and found is None:
                found = actor
        return None if found is None else Admin(found, self.fingerprint(presented))

    def authenticate(self, presented: str | None, client: str, now: float | None = None) -> Admin | None:
        """``actor_for``, throttled per client: Throttled once it failed too often (429)."""
        now = time.monotonic() if now is None else now
        wait = self.attempts.retry_after(client, now)
        if wait is not None:
            raise Throttled(wait)
        admin = self.actor_for(presented)
        if admin is None:
            self.attempts.failed(client, now)
        return admin

    def still_valid(self, actor: str, fingerprint: str) -> bool:
        """A session's token is still configured for its actor (revocation ends sessions).

        A plain lookup: the fingerprint comes from a cookie whose signature was already checked.
        """
        return self._fingerprints.get(fingerprint) == actor

    @property
    def actors(self) -> list[str]:
        return [actor for actor, _ in self._digests]


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def load_admins(settings: AdminSettings) -> tuple[Admins, str]:
    """The admins and the session secret, or AdminTokensError (start-up fails loudly)."""
    entries = admin_token_entries(settings)
    secret = admin_session_secret(settings, entries)
    return Admins(entries, fingerprint_key=secret.encode()), secret


def bearer_token(header: str | None) -> str | None:
    scheme, _, presented = (header or "").partition(" ")
    return presented.strip() if scheme.lower() == "bearer" and presented.strip() else None


def new_session_id() -> str:
    """The random id a session cookie carries (nothing else about the session is in the cookie)."""
    return secrets.token_urlsafe(32)


def session_key(session_id: str) -> str:
    """What the server stores and looks up for a cookie's id: its SHA-256, never the id itself."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: object, presented: str | None) -> bool:
    """The form's hidden token equals the session's (constant time; a missing one never matches)."""
    if not isinstance(expected, str) or not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


class FailedAttempts:
    """Failed logins and API tokens per client: past ``limit`` in ``window_s``, 429 until one ages out.

    A sliding window per client address, in memory per process (a person mistyping a token
    twice is never throttled; 300 guesses a second are, after the first ``limit``). While a
    client is throttled even a right token is refused, so guessing learns nothing. Bounded:
    at most ``max_clients`` addresses are remembered, the least recently failed go first.
    """

    def __init__(self, limit: int = 10, window_s: float = 60.0, max_clients: int = 10_000) -> None:
        self.limit, self.window_s, self.max_clients = limit, window_s, max_clients
        self._failures: dict[str, list[float]] = {}

    def retry_after(self, client: str, now: float) -> int | None:
        """Seconds until this client may try again, or None when it may now."""
        recent = [t for t in self._failures.get(client, []) if now - t < self.window_s]
        if recent:
            self._failures[client] = recent
        else:
            self._failures.pop(client, None)
        if len(recent) < self.limit:
            return None
        return max(1, int(recent[-self.limit] + self.window_s - now + 0.999))

    def failed(self, client: str, now: float) -> None:
        self._failures[client] = [*self._failures.pop(client, []), now][-self.limit:]
        while len(self._failures) > self.max_clients:
            del self._failures[next(iter(self._failures))]


def client_address(request: object) -> str:
    """The peer address (behind a proxy, run uvicorn with --forwarded-allow-ips so it is the client's)."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "unknown"
