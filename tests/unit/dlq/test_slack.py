"""The Slack notifier against a local HTTP server speaking the incoming-webhook wire format."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.unit.dlq.fake_slack import FakeSlack
from triage.platform.settings import AuditSettings
from triage.platform.slack import (
    Arrival,
    DlqNotifier,
    SlackError,
    SlackWebhook,
    message_text,
    notifier_from,
)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


ARRIVAL = Arrival(2, 17, "extract", "email.raw", 1, 40, "SerdeError",
                  "email.raw: cannot parse mail from jane.doe@example.com")


def test_a_message_is_posted_as_json_text_with_the_replay_command(slack: FakeSlack) -> None:
    assert SlackWebhook(slack.url).post(message_text([ARRIVAL])) == 1
    [payload] = slack.received
    assert set(payload) == {"text"}
    assert [c.split(";")[0] for c in slack.content_types] == ["application/json"]
    assert "triage dlq replay 2:17" in payload["text"]
    assert "extract" in payload["text"] and "SerdeError" in payload["text"]
    assert "jane.doe@example.com" not in payload["text"], "addresses are hashed like in the logs"
    assert "email:" in payload["text"]


def test_429_waits_for_retry_after_then_succeeds(slack: FakeSlack) -> None:
    slack.script = [(429, "rate_limited", {"Retry-After": "2"}), (503, "", {})]
    waits: list[float] = []
    hook = SlackWebhook(slack.url, sleep=waits.append, initial_backoff_s=0.1)
    assert hook.post("hello") == 3
    assert waits[0] == 2.0, "Retry-After is honoured"
    assert len(slack.received) == 3


def test_a_retry_after_http_date_is_honoured_too(slack: FakeSlack) -> None:
    then = (datetime.now(UTC) + timedelta(seconds=20)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    slack.script = [(429, "rate_limited", {"Retry-After": then})]
    waits: list[float] = []
    SlackWebhook(slack.url, sleep=waits.append, retry_after_cap_s=60, initial_backoff_s=0.1).post("hello")
    assert len(waits) == 1 and 15 <= waits[0] <= 20, waits


def test_retry_after_is_capped(slack: FakeSlack) -> None:
    slack.script = [(429, "rate_limited", {"Retry-After": "3600"})]
    waits: list[float] = []
    SlackWebhook(slack.url, sleep=waits.append, retry_after_cap_s=5).post("hello")
    assert waits == [5]


@pytest.mark.parametrize(("status", "body"), [(400, "invalid_payload"), (404, "no_service"),
                                              (403, "action_prohibited"), (410, "channel_is_archived")])
def test_permanent_answers_are_not_retried(slack: FakeSlack, status: int, body: str) -> None:
    slack.script = [(status, body, {})]
    with pytest.raises(SlackError, match=body):
        SlackWebhook(slack.url, sleep=lambda _s: None).post("hello")
    assert len(slack.received) == 1


def test_an_empty_text_is_slacks_invalid_payload(slack: FakeSlack) -> None:
    with pytest.raises(SlackError, match="invalid_payload"):
        SlackWebhook(slack.url).post("")


def test_gives_up_after_max_attempts(slack: FakeSlack) -> None:
    slack.script = [(500, "", {})] * 5
    with pytest.raises(SlackError, match="3 attempt"):
        SlackWebhook(slack.url, max_attempts=3, sleep=lambda _s: None).post("hello")
    assert len(slack.received) == 3


def test_the_webhook_url_and_the_text_stay_out_of_debug_logs(slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    # The incoming webhook's URL is its secret; slack_sdk would log it (and the body) at DEBUG.
    slack.script = [(503, "", {})]
    with caplog.at_level(logging.DEBUG):
        SlackWebhook(slack.url, sleep=lambda _s: None).post("secret text")
    assert len(slack.received) == 2, "the 503 was retried"
    assert "B000/XXXX" not in caplog.text
    assert "secret text" not in caplog.text


def test_an_unreachable_webhook_is_retried_then_given_up() -> None:
    waits: list[float] = []
    with pytest.raises(SlackError, match="2 attempt"):
        SlackWebhook("http://127.0.0.1:9/hook", max_attempts=2, timeout_s=1, sleep=waits.append).post("x")
    assert len(waits) == 1


def test_the_notifier_posts_one_message_per_batch_on_its_thread_and_survives_failures(slack: FakeSlack) -> None:
    slack.script = [(404, "no_service", {})]
    notifier = DlqNotifier(SlackWebhook(slack.url, sleep=lambda _s: None), prefix="it-1.")
    notifier.notify([ARRIVAL])  # refused by Slack: logged, the thread goes on
    notifier.notify([])  # nothing new: no message
    many = [Arrival(0, i, "route", "email.extracted", 0, i, "PermanentError", "boom") for i in range(14)]
    notifier.notify(many)
    notifier.close()
    assert len(slack.received) == 2
    text = slack.received[1]["text"]
    assert "14 new dead letter(s) on it-1.email.dlq" in text
    assert text.count("triage dlq replay") == 10 and "and 4 more" in text


def test_parked_letters_say_so_and_need_force() -> None:
    parked = Arrival(0, 3, "route", "email.extracted", 0, 9, "PermanentError", "boom", parked=True)
    assert parked.replay_command == "triage dlq replay 0:3 --force"
    assert "*parked*" in message_text([parked])


def test_no_webhook_no_notifier() -> None:
    assert notifier_from(AuditSettings()) is None
    notifier = notifier_from(AuditSettings(triage_slack_webhook_url="http://127.0.0.1:9/x"))
    assert notifier is not None
    notifier.close()


def test_with_the_admin_address_each_letter_links_to_its_replay_button(slack: FakeSlack) -> None:
    notifier = notifier_from(AuditSettings(triage_slack_webhook_url=slack.url,
                                      triage_admin_public_url="https://triage-admin.example.com/"))
    assert notifier is not None
    notifier.notify([ARRIVAL])
    notifier.close()
    [payload] = slack.received
    assert "<https://triage-admin.example.com/admin/dlq#letter-2:17|replay 2:17 in the admin>" in payload["text"]
    assert "triage dlq replay 2:17" in payload["text"]  # the command stays for those without the UI
    assert "/admin/dlq" not in message_text([ARRIVAL]), "no address configured: no link"


def test_the_admin_address_must_be_a_url() -> None:
    with pytest.raises(ValueError, match="triage_admin_public_url"):
        AuditSettings(triage_admin_public_url="triage-admin.example.com")
