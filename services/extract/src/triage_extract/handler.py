"""extract: email.raw -> email.clean (normalise) and email.clean -> email.extracted (extract).

Both stages run in one process and one transactional loop; the two hops stay
separate topics so a replay can start from either.
"""

from __future__ import annotations

from collections.abc import Sequence

from triage.domain.extract import extract_fields
from triage.domain.models import CleanEmail, Mailbox, RawEmail
from triage.domain.normalize import clean_email
from triage.domain.pipeline import extracted_email
from triage.platform.runtime import Inbound, Outbound, trace_headers
from triage.platform.topics import CLEAN, EXTRACTED, RAW


class ExtractHandler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        if record.topic == RAW:
            assert isinstance(record.value, RawEmail)
            clean = clean_email(record.value)
            return [Outbound(CLEAN, clean.thread_id, clean, trace_headers(record))]
        assert isinstance(record.value, CleanEmail)
        extracted = extracted_email(record.value, extract_fields(record.value, self.mailbox))
        return [Outbound(EXTRACTED, extracted.thread_id, extracted, trace_headers(record))]
