"""Every secret rule in one place: how strong a secret must be, and which a process needs (ADR 0038).

Strength: "aaaaaaaaaaaaaaaa" is sixteen characters and guessable in one try; so is
"abababababababab". A secret must be long enough, not one character repeated, and carry enough
entropy, estimated from its own character frequencies (Shannon entropy × length): ``openssl rand
-hex 24`` has about 190 bits by this estimate, a 16-character random hex string 40 to 64;
"abcdabcdabcdabcd" 32.

Required-when: each process class lists the rules below that it runs at start-up
(``SECRET_RULES``, run by ``load_settings``). A rule names the variable, never the value. The
admin's bearer tokens (``name:token`` entries) and its session secret are read here too
(``admin_token_entries``, ``admin_session_secret``), and ``triage_admin.auth`` builds its actors
from them.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import SecretStr

MIN_LENGTH = 16
MIN_ESTIMATED_BITS = 36.0
MIN_TOKEN_LENGTH = MIN_LENGTH
MIN_SESSION_SECRET_LENGTH = 32
DEFAULT_ACTOR = "admin"  # the actor of the single TRIAGE_ADMIN_TOKEN
_ACTOR_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-")


class MissingSecret(SystemExit):
    """Start-up stops: a secret this process needs is unset or weak (the variable is named)."""


def estimated_bits(secret: str) -> float:
    counts = Counter(secret)
    total = len(secret)
    return -total * sum(n / total * math.log2(n / total) for n in counts.values()) if total else 0.0


def weakness(secret: str, min_length: int = MIN_LENGTH) -> str | None:
    """Why the secret is weak (for an error message: it never quotes the secret), else None."""
    if len(secret) < min_length:
        return f"shorter than {min_length} characters"
    if len(set(secret)) == 1:
        return "one character repeated"
    if estimated_bits(secret) < MIN_ESTIMATED_BITS:
        return f"too predictable (about {estimated_bits(secret):.0f} bits; at least {MIN_ESTIMATED_BITS:.0f})"
    return None


def require_strong(name: str, secret: str, min_length: int = MIN_LENGTH) -> None:
    """MissingSecret naming the variable: start-up fails loudly (style.md habit 3)."""
    why = weakness(secret, min_length)
    if why is not None:
        raise MissingSecret(f"{name} is a weak secret: {why}. Generate one: openssl rand -hex 32")


def secret_value(secret: SecretStr | None) -> str:
    """The value, or "" when unset: an empty variable counts as unset everywhere."""
    return secret.get_secret_value() if secret is not None else ""


#: A rule takes a process's settings and raises MissingSecret, or returns.
SecretRule = Callable[[Any], None]


def database_url(settings: Any) -> None:
    """crm-sink, audit and the admin: there is no default database password."""
    try:
        settings.require_database_url()
    except SystemExit as exc:
        raise MissingSecret(exc.code) from None


def inbound_webhook_secret(settings: Any) -> None:
    """ingest: the HMAC key of POST /webhook/inbound, set and strong."""
    secret = secret_value(settings.triage_inbound_webhook_secret)
    if not secret:
        raise MissingSecret(f"TRIAGE_INBOUND_WEBHOOK_SECRET must be set (at least {MIN_LENGTH} characters: "
                            "openssl rand -hex 32)")
    require_strong("TRIAGE_INBOUND_WEBHOOK_SECRET", secret)


def llm_api_key(settings: Any) -> None:
    """extract with TRIAGE_EXTRACTOR=openai|anthropic: the provider's key (any non-empty value:
    a self-hosted server may check none)."""
    if settings.triage_extractor != "local" and not secret_value(settings.triage_llm_api_key):
        raise MissingSecret(f"TRIAGE_EXTRACTOR={settings.triage_extractor} needs TRIAGE_LLM_API_KEY (none is set)")


def hubspot_access_token(settings: Any) -> None:
    """crm-sink and the admin with TRIAGE_CRM_BACKEND=hubspot: the private app's token."""
    if settings.triage_crm_backend == "hubspot" and not secret_value(settings.triage_hubspot_access_token):
        raise MissingSecret("TRIAGE_CRM_BACKEND=hubspot needs TRIAGE_HUBSPOT_ACCESS_TOKEN "
                            "(a private app token, docs/crm.md)")


def salesforce_credentials(settings: Any) -> None:
    """crm-sink and the admin with TRIAGE_CRM_BACKEND=salesforce: an access token with its instance,
    or a username with its password."""
    if settings.triage_crm_backend != "salesforce":
        return
    token = settings.triage_salesforce_instance_url and secret_value(settings.triage_salesforce_access_token)
    login = settings.triage_salesforce_username and secret_value(settings.triage_salesforce_password)
    if not (token or login):
        raise MissingSecret("TRIAGE_CRM_BACKEND=salesforce needs TRIAGE_SALESFORCE_INSTANCE_URL and "
                            "TRIAGE_SALESFORCE_ACCESS_TOKEN, or TRIAGE_SALESFORCE_USERNAME and _PASSWORD (docs/crm.md)")


def from_env_or_file(value: SecretStr | None, path: Path | None) -> str:
    """A secret given as a variable or as a mounted file the variable names; the variable wins; "" when neither."""
    if value is not None and value.get_secret_value():
        return value.get_secret_value()
    return path.read_text() if path is not None else ""


def gmail_credentials(settings: Any) -> str:
    """The Gmail credentials JSON (TRIAGE_GMAIL_CREDENTIALS_JSON, or the file TRIAGE_GMAIL_CREDENTIALS_FILE)."""
    text = from_env_or_file(settings.triage_gmail_credentials_json, settings.triage_gmail_credentials_file)
    if not text:
        raise MissingSecret("Gmail credentials missing: set TRIAGE_GMAIL_CREDENTIALS_FILE or "
                            "TRIAGE_GMAIL_CREDENTIALS_JSON")
    return text


def gmail_credentials_present(settings: Any) -> None:
    """triage-ingest-fetch: it cannot read a mailbox without credentials."""
    gmail_credentials(settings)


class AdminTokensError(ValueError):
    """The admin's token configuration is unusable: the admin refuses to start, saying why (entries
    are named by position, never by their text: with name and token swapped, the "name" is the secret)."""

def parse_admin_tokens(text: str, origin: str) -> list[tuple[str, str]]:
    """``name:token`` entries separated by commas or newlines (``#`` starts a comment line)."""
    entries: list[tuple[str, str]] = []
    for raw in text.replace(",", "\n").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"entry {len(entries) + 1} of {origin}"  # never the entry's text: it may be a secret
        actor, sep, token = line.partition(":")
        actor, token = actor.strip(), token.strip()
        if not sep or not actor or not token:
            raise AdminTokensError(f"{where} is not 'name:token'")
        if not set(actor) <= _ACTOR_CHARS:
            raise AdminTokensError(f"{where}: the name may only use letters, digits and . _ @ - "
                                  f"(is it written token:name? entries are name:token)")
        if len(token) < MIN_TOKEN_LENGTH:
            raise AdminTokensError(f"{where}: the token is shorter than {MIN_TOKEN_LENGTH} characters "
                                  f"(is it written token:name? entries are name:token)")
        if (why := weakness(token, MIN_TOKEN_LENGTH)) is not None:
            raise AdminTokensError(f"{where}: the token is a weak secret: {why}")
        entries.append((actor, token))
    return entries

def check_admin_entries(entries: list[tuple[str, str]]) -> None:
    if not entries:
        raise AdminTokensError("no admin token: set TRIAGE_ADMIN_TOKENS (name:token,...), "
                              "TRIAGE_ADMIN_TOKENS_FILE or TRIAGE_ADMIN_TOKEN")
    actors = [actor for actor, _ in entries]
    if len(set(actors)) != len(actors):
        raise AdminTokensError("an actor name appears twice in the admin tokens")
    if len({token for _, token in entries}) != len(entries):
        raise AdminTokensError("two admins share a token: each actor needs their own")
    short = [str(n) for n, (_, token) in enumerate(entries, 1) if len(token) < MIN_TOKEN_LENGTH]
    if short:  # by position: with name and token swapped, the name would be the secret
        raise AdminTokensError(f"admin token entry {', '.join(short)} shorter than {MIN_TOKEN_LENGTH} characters")

def admin_token_entries(settings: Any) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    if settings.triage_admin_token is not None and settings.triage_admin_token.get_secret_value():
        if len(settings.triage_admin_token.get_secret_value()) < MIN_TOKEN_LENGTH:
            raise AdminTokensError(f"TRIAGE_ADMIN_TOKEN is shorter than {MIN_TOKEN_LENGTH} characters")
        if (why := weakness(settings.triage_admin_token.get_secret_value(), MIN_TOKEN_LENGTH)) is not None:
            raise AdminTokensError(f"TRIAGE_ADMIN_TOKEN is a weak secret: {why}")
        entries.append((DEFAULT_ACTOR, settings.triage_admin_token.get_secret_value()))
    if settings.triage_admin_tokens is not None:
        entries += parse_admin_tokens(settings.triage_admin_tokens.get_secret_value(), "TRIAGE_ADMIN_TOKENS")
    if settings.triage_admin_tokens_file is not None:
        entries += parse_admin_tokens(_read_tokens_file(settings.triage_admin_tokens_file), "TRIAGE_ADMIN_TOKENS_FILE")
    return entries


def _read_tokens_file(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise AdminTokensError(f"TRIAGE_ADMIN_TOKENS_FILE {path}: {exc.strerror}") from exc


def admin_session_secret(settings: Any, entries: list[tuple[str, str]]) -> str:
    """The configured secret, or one derived from every token (same on every replica).

    Derived: changing any token signs out every UI session, which is what a rotation wants.
    """
    if settings.triage_admin_session_secret is not None:
        secret = settings.triage_admin_session_secret.get_secret_value()
        if len(secret) < MIN_SESSION_SECRET_LENGTH:
            raise AdminTokensError(f"TRIAGE_ADMIN_SESSION_SECRET must be at least "
                                  f"{MIN_SESSION_SECRET_LENGTH} characters")
        if (why := weakness(secret, MIN_SESSION_SECRET_LENGTH)) is not None:
            raise AdminTokensError(f"TRIAGE_ADMIN_SESSION_SECRET is a weak secret: {why}")
        return secret
    material = "\n".join(f"{actor}:{token}" for actor, token in sorted(entries)).encode()
    return hmac.new(b"triage-admin-session-v1", material, hashlib.sha256).hexdigest()


def admin_tokens(settings: Any) -> None:
    """The admin: at least one strong bearer token (TRIAGE_ADMIN_TOKENS, _FILE or TRIAGE_ADMIN_TOKEN),
    no actor or token twice, and a strong session secret if one is set."""
    try:
        entries = admin_token_entries(settings)
        check_admin_entries(entries)
        admin_session_secret(settings, entries)
    except AdminTokensError as exc:
        raise MissingSecret(f"admin: {exc}") from None


def require_secrets(settings: Any) -> None:
    """Run the rules the settings' process class lists; the first that fails stops start-up."""
    for rule in getattr(type(settings), "SECRET_RULES", ()):
        rule(settings)
