"""Admin tokens per actor, constant-time matching, revocation, session secret, CSRF."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from triage.platform.settings import AdminSettings
from triage.platform.settings.secrets import (
    AdminTokensError,
    admin_session_secret,
    admin_token_entries,
    parse_admin_tokens,
)
from triage_admin import auth as admin_auth
from triage_admin.auth import (
    Admins,
    bearer_token,
    csrf_ok,
    load_admins,
    new_csrf_token,
)

ALICE, BOB, CAROL = "alice-token-0123456789", "bob-token-0123456789ab", "carol-token-0123456789"


def admins(*entries: tuple[str, str]) -> Admins:
    return Admins(list(entries), fingerprint_key=b"k")


def test_tokens_parse_from_commas_newlines_and_comment_lines() -> None:
    text = f"alice:{ALICE}, bob : {BOB}\n# rotated 2026-11\n\ncarol:{CAROL}\n"
    assert parse_admin_tokens(text, "X") == [("alice", ALICE), ("bob", BOB), ("carol", CAROL)]


@pytest.mark.parametrize("text", ["alice", f":{ALICE}", "alice:", f"al ice:{ALICE}", f"al/ice:{ALICE}"])
def test_a_malformed_entry_is_refused_without_echoing_the_token(text: str) -> None:
    with pytest.raises(AdminTokensError) as raised:
        parse_admin_tokens(text, "TRIAGE_ADMIN_TOKENS")
    assert "TRIAGE_ADMIN_TOKENS" in str(raised.value) and ALICE not in str(raised.value)


#: an operator's slip: "token:name" instead of "name:token" (tokens as `openssl rand` makes them)
SWAPPED = [
    f"{ALICE}:alice",  # the token parses as a valid name, and the name is too short for a token
    "Zm9vYmFyYmF6cXV4/+0123456789==:alice",  # base64: not a valid name
    "0123456789abcdef0123456789abcdef:bob",  # hex
]


@pytest.mark.parametrize("secret_first", SWAPPED)
@pytest.mark.parametrize("origin", ["TRIAGE_ADMIN_TOKENS", "TRIAGE_ADMIN_TOKENS_FILE"])
def test_a_swapped_entry_is_named_by_position_and_its_token_never_printed(
        secret_first: str, origin: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    token = secret_first.split(":")[0]
    text = f"carol:{CAROL}\n# a comment is not an entry\n{secret_first}"
    with pytest.raises(AdminTokensError) as raised:
        parse_admin_tokens(text, origin)
    message = str(raised.value)
    assert f"entry 2 of {origin}" in message and "name:token" in message
    assert token not in message and token[:8] not in message and CAROL not in message

    # as the process says it on start-up (triage-admin exits with this message)
    for name in ("TRIAGE_ADMIN_TOKEN", "TRIAGE_ADMIN_TOKENS", "TRIAGE_ADMIN_TOKENS_FILE"):
        monkeypatch.delenv(name, raising=False)
    if origin == "TRIAGE_ADMIN_TOKENS":
        monkeypatch.setenv(origin, text.replace("\n# a comment is not an entry\n", ","))
    else:
        (tmp_path / "tokens").write_text(text)
        monkeypatch.setenv(origin, str(tmp_path / "tokens"))
    from triage_admin import main as admin_main
    with pytest.raises(SystemExit) as exited:
        admin_main.main()
    said = f"{exited.value.code}{capsys.readouterr()}"
    assert f"entry 2 of {origin}" in said and token not in said and token[:8] not in said


def test_a_short_token_is_named_by_position_not_by_its_name() -> None:
    with pytest.raises(AdminTokensError) as raised:
        admins(("alice", ALICE), ("bob-token-0123456789ab", "bob"))  # swapped, built directly
    assert "entry 2" in str(raised.value) and "bob-token" not in str(raised.value)
    with pytest.raises(AdminTokensError, match="TRIAGE_ADMIN_TOKEN is shorter"):
        admin_token_entries(AdminSettings(triage_admin_token=SecretStr("short")))


@pytest.mark.parametrize(("entries", "complaint"), [
    ([], "no admin token"),
    ([("alice", "short")], "shorter than 16"),
    ([("alice", ALICE), ("alice", BOB)], "appears twice"),
    ([("alice", ALICE), ("bob", ALICE)], "share a token"),
])
def test_unusable_token_sets_stop_the_process(entries: list, complaint: str) -> None:
    with pytest.raises(AdminTokensError, match=complaint):
        admins(*entries)


def test_each_token_names_its_actor_and_nothing_else_matches() -> None:
    found = admins(("alice", ALICE), ("bob", BOB))
    assert found.actor_for(ALICE).actor == "alice"
    assert found.actor_for(BOB).actor == "bob"
    for wrong in (None, "", "wrong", ALICE[:-1], ALICE + "x", ALICE.upper(), f" {ALICE}"):
        assert found.actor_for(wrong) is None


def test_every_candidate_is_compared_whether_the_token_matches_first_last_or_not_at_all(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = admin_auth.hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append(len(a))
        return real(a, b)

    monkeypatch.setattr(admin_auth.hmac, "compare_digest", counting)
    found = admins(("alice", ALICE), ("bob", BOB), ("carol", CAROL))
    for presented in (ALICE, CAROL, "nobody-0123456789", "x"):
        calls.clear()
        found.actor_for(presented)
        assert len(calls) == 3, "no early exit: timing does not tell which (or whether a) token matched"
        assert set(calls) == {32}, "digests of equal length: the token's length does not leak either"


def test_a_session_ends_when_its_token_is_revoked() -> None:
    before = admins(("alice", ALICE), ("bob", BOB))
    session = before.actor_for(ALICE)
    assert before.still_valid(session.actor, session.fingerprint)
    assert not before.still_valid("bob", session.fingerprint), "a fingerprint belongs to one actor"
    rotated = admins(("alice", "alice-new-token-0123456789"), ("bob", BOB))
    assert not rotated.still_valid(session.actor, session.fingerprint)


def test_settings_combine_the_single_token_the_list_and_the_file(tmp_path: Path) -> None:
    tokens_file = tmp_path / "tokens"
    tokens_file.write_text(f"# mounted secret\ncarol:{CAROL}\n")
    settings = AdminSettings(triage_admin_token=SecretStr(ALICE), triage_admin_tokens=SecretStr(f"bob:{BOB}"),
                        triage_admin_tokens_file=tokens_file)
    assert admin_token_entries(settings) == [("admin", ALICE), ("bob", BOB), ("carol", CAROL)]
    found, _ = load_admins(settings)
    assert found.actors == ["admin", "bob", "carol"]
    assert found.actor_for(ALICE).actor == "admin", "TRIAGE_ADMIN_TOKEN keeps working, as the actor 'admin'"


def test_a_missing_tokens_file_is_a_clear_start_up_error(tmp_path: Path) -> None:
    with pytest.raises(AdminTokensError, match="TRIAGE_ADMIN_TOKENS_FILE"):
        load_admins(AdminSettings(triage_admin_tokens_file=tmp_path / "absent"))
    with pytest.raises(AdminTokensError, match="no admin token"):
        load_admins(AdminSettings())


def test_the_derived_session_secret_is_stable_and_changes_with_any_token() -> None:
    settings = AdminSettings()
    one = admin_session_secret(settings, [("alice", ALICE), ("bob", BOB)])
    assert one == admin_session_secret(settings, [("bob", BOB), ("alice", ALICE)]), "same on every replica"
    assert one != admin_session_secret(settings, [("alice", ALICE), ("bob", CAROL)])
    assert ALICE not in one and len(one) == 64


def test_a_configured_session_secret_must_be_long_enough() -> None:
    with pytest.raises(AdminTokensError, match="at least 32"):
        admin_session_secret(AdminSettings(triage_admin_session_secret=SecretStr("short")), [("alice", ALICE)])
    secret = "session-secret-0123456789abcdefghij"
    assert admin_session_secret(AdminSettings(triage_admin_session_secret=SecretStr(secret)), [("alice", ALICE)]) == secret


@pytest.mark.parametrize(("variable", "value", "why"), [
    ("TRIAGE_ADMIN_TOKEN", "aaaaaaaaaaaaaaaa", "one character repeated"),
    ("TRIAGE_ADMIN_TOKEN", "abababababababab", "too predictable"),
    ("TRIAGE_ADMIN_TOKENS", "alice:" + "z" * 20, "one character repeated"),
    ("TRIAGE_ADMIN_SESSION_SECRET", "s" * 40, "one character repeated"),
])
def test_a_weak_secret_stops_the_start_naming_the_variable_not_the_value(variable, value, why) -> None:
    field = variable.lower()
    settings = AdminSettings(**{field: SecretStr(value)},
                        **({} if variable != "TRIAGE_ADMIN_SESSION_SECRET" else {"triage_admin_token": SecretStr(ALICE)}))
    with pytest.raises(AdminTokensError) as caught:
        admin_auth.load_admins(settings)
    message = str(caught.value)
    assert why in message and value not in message
    assert variable in message or "TRIAGE_ADMIN_TOKENS" in message


def test_failed_attempts_are_throttled_per_client_and_age_out() -> None:
    team = admins(("alice", ALICE))
    for n in range(10):
        assert team.authenticate(f"guess-{n}", "10.0.0.9", now=100.0 + n / 100) is None

    with pytest.raises(admin_auth.Throttled) as caught:
        team.authenticate(ALICE, "10.0.0.9", now=100.5)  # even the right token, while throttled

    assert 1 <= caught.value.retry_after_s <= 60
    assert team.authenticate(ALICE, "10.0.0.7", now=100.5).actor == "alice"  # another client is not
    assert team.authenticate(ALICE, "10.0.0.9", now=161.0).actor == "alice"  # the window has passed


def test_a_right_token_after_a_typo_is_never_throttled() -> None:
    team = admins(("alice", ALICE))
    assert team.authenticate("typo", "10.0.0.8", now=1.0) is None
    assert team.authenticate(ALICE, "10.0.0.8", now=2.0).actor == "alice"


@pytest.mark.parametrize(("header", "token"), [
    (f"Bearer {ALICE}", ALICE), (f"bearer  {ALICE} ", ALICE), (None, None), ("", None), ("Bearer", None),
    ("Bearer ", None), (f"Basic {ALICE}", None), (ALICE, None),
])
def test_only_a_bearer_header_carries_a_token(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


def test_csrf_tokens_match_only_their_session() -> None:
    token = new_csrf_token()
    assert len(token) >= 40 and token != new_csrf_token()
    assert csrf_ok(token, token)
    for expected, presented in ((token, token + "x"), (token, ""), (token, None), (None, token), ("", "")):
        assert not csrf_ok(expected, presented)
