"""Entrypoint of the Gmail fetch worker (``triage-ingest-fetch``): gmail.notifications -> email.raw."""

from __future__ import annotations

from functools import cache

from triage.platform.gmail import GmailClient, configured_mailboxes, credentials_info, gmail_client
from triage.platform.serde import Serde
from triage.platform.service import run_stage
from triage.platform.settings import Settings
from triage.platform.topics import GMAIL_NOTIFICATIONS
from triage_ingest.cursors import CursorStore, read_cursors
from triage_ingest.fetch import GmailFetchHandler


def build_handler(settings: Settings) -> GmailFetchHandler:
    info = credentials_info(settings)  # fails loudly at start-up when missing
    allowed = set(configured_mailboxes(settings))

    @cache
    def client_for(mailbox: str) -> GmailClient:
        if allowed and mailbox not in allowed:
            raise PermissionError(f"{mailbox} is not in TRIAGE_GMAIL_MAILBOXES")
        return gmail_client(settings, mailbox, info)

    cursors = CursorStore(lambda: read_cursors(settings, Serde()))
    cursors.reload()
    return GmailFetchHandler(settings, client_for, cursors)


def main() -> None:
    run_stage("ingest-fetch", [GMAIL_NOTIFICATIONS], build_handler)


if __name__ == "__main__":
    main()
