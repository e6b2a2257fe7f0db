"""Entrypoint of the Gmail fetch worker (``triage-ingest-fetch``): gmail.notifications -> email.raw."""

from __future__ import annotations

from functools import cache

from triage.platform.gmail import GmailClient, configured_mailboxes, credentials_info, gmail_client
from triage.platform.serde import Serde
from triage.platform.service import run_stage
from triage.platform.settings import GmailFetchSettings, load_settings
from triage.platform.topics import GMAIL_NOTIFICATIONS
from triage_ingest.cursors import CursorStore, read_cursors
from triage_ingest.fetch import GmailFetchHandler


def build_handler(settings: GmailFetchSettings) -> GmailFetchHandler:
    info = credentials_info(settings)  # the JSON, parsed (load_settings checked it is there)
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
    run_stage("ingest-fetch", [GMAIL_NOTIFICATIONS], build_handler, load_settings(GmailFetchSettings))


if __name__ == "__main__":
    main()
