"""Reads the mailbox configuration (whose mailbox this is) named by TRIAGE_MAILBOX_FILE."""

from __future__ import annotations

import json

from pydantic import ValidationError

from triage.domain.models import Mailbox
from triage.platform.settings.groups import MailboxSettings


def load_mailbox_file(settings: MailboxSettings) -> Mailbox:
    path = settings.triage_mailbox_file
    if path is None:
        return Mailbox(company="Unknown")
    try:
        return Mailbox.model_validate(json.loads(path.read_text()))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        raise SystemExit(f"TRIAGE_MAILBOX_FILE={path}: cannot read a mailbox.json: {exc}") from exc


def configured_inboxes(settings: MailboxSettings) -> list[str]:
    """The inboxes this deployment receives for: mailbox.json's, and the Gmail mailboxes."""
    gmail = list(settings.triage_gmail_mailboxes)
    return [*load_mailbox_file(settings).inboxes, *gmail]
