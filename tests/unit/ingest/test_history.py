"""The pure parts of the Gmail sync: push envelopes, history pages, cursor bookkeeping."""

from __future__ import annotations

import base64
import json

import pytest

from triage_ingest.history import (
    EnvelopeError,
    MessageRef,
    added_messages,
    history_id_of,
    is_inbound,
    listed_messages,
    not_yet_ingested,
    parse_push,
    remember,
)


def envelope(data: object, message_id: str = "2070443601311540") -> bytes:
    payload = base64.b64encode(json.dumps(data).encode()).decode()
    return json.dumps({"message": {"data": payload, "messageId": message_id, "message_id": message_id,
                                   "publishTime": "2026-11-25T09:00:00.123Z", "attributes": {}},
                       "subscription": "projects/p/subscriptions/gmail-push"}).encode()


@pytest.mark.parametrize("history_id", ["9876543210", 9876543210])
def test_a_push_names_the_mailbox_and_its_history_id(history_id) -> None:
    push = parse_push(envelope({"emailAddress": "Sales@Lumora.io", "historyId": history_id}))
    assert (push.mailbox, push.history_id, push.pubsub_message_id) == ("sales@lumora.io", 9876543210,
                                                                        "2070443601311540")


@pytest.mark.parametrize("body", [b"", b"{}", b'{"message": {}}', b'{"message": {"data": "%%%"}}',
                                  envelope({"emailAddress": "x"}), envelope({"historyId": "1"}),
                                  envelope({"emailAddress": "nobody", "historyId": "1"}),
                                  envelope({"emailAddress": "a@b.io", "historyId": str(2**63)}),
                                  envelope({"emailAddress": "a@b.io", "historyId": 10**30}),
                                  envelope({"emailAddress": "a@b.io", "historyId": "-5"}),
                                  envelope({"emailAddress": "a@b.io", "historyId": 1}, message_id=["x"]),
                                  envelope({"emailAddress": "a" * 300 + "@b.io", "historyId": 1})],
                         ids=["empty", "no-message", "no-data", "bad-base64", "no-history", "no-address",
                              "bad-address", "past-avro-long", "huge-number", "negative", "list-message-id",
                              "long-address"])
def test_anything_else_is_refused(body) -> None:
    with pytest.raises(EnvelopeError):
        parse_push(body)


def history(*records: list[tuple[str, list[str]]]) -> dict:
    return {"history": [{"id": str(i), "messagesAdded": [{"message": {"id": m, "threadId": "t" + m,
                                                                        "labelIds": labels}}
                                                           for m, labels in rec]}
                        for i, rec in enumerate(records, 1)], "historyId": "99"}


def test_added_messages_are_inbound_unique_and_in_order() -> None:
    pages = [history([("a", ["INBOX"]), ("d", ["DRAFT"])], [("s", ["SENT"])]),
             history([("a", ["INBOX"]), ("b", ["INBOX", "SENT"])])]
    assert added_messages(pages) == [MessageRef("a", "ta"), MessageRef("b", "tb")]


def test_inbound_means_not_a_draft_and_not_only_sent() -> None:
    assert is_inbound(["INBOX", "UNREAD"]) and is_inbound(["CATEGORY_UPDATES"]) and is_inbound(["SENT", "INBOX"])
    assert not is_inbound(["SENT"]) and not is_inbound(["DRAFT", "INBOX"])


def test_the_cursor_moves_to_the_reported_history_id_never_back() -> None:
    assert history_id_of([{"historyId": "120"}, {"historyId": "130"}], floor=100) == 130
    assert history_id_of([{}], floor=100) == 100
    assert history_id_of([{"historyId": "90"}], floor=100) == 100


def test_a_resync_takes_the_newest_messages_oldest_first() -> None:
    pages = [{"messages": [{"id": "3", "threadId": "t"}, {"id": "2", "threadId": "t"}]},
             {"messages": [{"id": "1", "threadId": "t"}]}]
    assert [r.id for r in listed_messages(pages, limit=2)] == ["2", "3"]


def test_ingested_ids_are_skipped_and_the_memory_is_bounded() -> None:
    refs = [MessageRef("1", "t"), MessageRef("2", "t")]
    assert not_yet_ingested(refs, ["1"]) == [MessageRef("2", "t")]
    assert remember(["1", "2"], ["3", "4"], keep=3) == ["2", "3", "4"]
