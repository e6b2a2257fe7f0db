"""Cost control: which emails may cost an LLM call, and which model (issue 5, point 4).

Pure decisions, taken per email before and after the small model answers:

1. failed DKIM → no call (``auth_fail``); a blocklisted sender → no call
   (``blocklist``): the local rules' verdict stands;
2. fewer than ``min_words`` words → no call, the local result with its
   confidence capped at ``short_confidence`` (``short_message``), so routing
   sends it to review unless the thread says more;
3. a thread classified by an LLM within ``reuse_within`` → its intent and
   confidence are reused, no call (``thread_reuse``);
4. otherwise the small model; the large model only when the small one answers
   with an intent in ``large_model_intents`` (leads and support by default).

What a confidence then allows (write, suggest, review) is ``triage.domain.bands``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from triage.domain.extraction.about import about_whom
from triage.domain.extraction.flow import fields_for
from triage.domain.models import CleanEmail, Extraction, Intent, Mailbox

Route = Literal["local", "reuse", "llm"]

#: DKIM verdicts that count as a failure (Authentication-Results).
DKIM_FAILURES = frozenset({"fail", "permerror"})
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class GatePolicy:
    """The gates' configuration (TRIAGE_LLM_* settings)."""

    blocklist: frozenset[str] = frozenset()  # addresses or domains, lower case
    min_words: int = 6
    short_confidence: float = 0.4
    large_model_intents: frozenset[str] = frozenset({"lead", "support"})
    reuse_within: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class ThreadClassification:
    """How an LLM last classified a thread, and when."""

    intent: Intent
    confidence: float
    model: str
    at: datetime


@dataclass(frozen=True)
class GateDecision:
    route: Route
    decided_by: str  # auth_fail | blocklist | short_message | thread_reuse | llm
    reason: str = ""


def dkim_failed(clean: CleanEmail) -> bool:
    return (clean.auth.dkim or "").strip().lower() in DKIM_FAILURES


def blocklisted(address: str | None, blocklist: frozenset[str]) -> bool:
    """The address, its domain or any parent domain is on the list."""
    if not address or not blocklist:
        return False
    address = address.strip().lower()
    if address in blocklist:
        return True
    domain = address.rpartition("@")[2]
    labels = domain.split(".")
    return any(".".join(labels[i:]) in blocklist for i in range(len(labels) - 1))


def word_count(clean: CleanEmail) -> int:
    """Words the sender wrote in the newest message (a forward's text counts)."""
    forwarded = clean.forwarded.text if clean.forwarded else ""
    return len(_WORD.findall(f"{clean.text}\n{forwarded}"))


def llm_gate(
    clean: CleanEmail,
    previous: ThreadClassification | None,
    now: datetime,
    policy: GatePolicy,
) -> GateDecision:
    """Local only, reuse, or an LLM call — in the order the module docstring gives."""
    if dkim_failed(clean):
        return GateDecision("local", "auth_fail", f"DKIM {clean.auth.dkim}")
    for sender in (clean.from_email, clean.reply_to):
        if blocklisted(sender, policy.blocklist):
            return GateDecision("local", "blocklist", f"sender {sender} is blocklisted")
    words = word_count(clean)
    if words < policy.min_words:
        return GateDecision("local", "short_message", f"{words} words < {policy.min_words}")
    if previous is not None and timedelta(0) <= now - previous.at <= policy.reuse_within:
        return GateDecision(
            "reuse",
            "thread_reuse",
            f"thread classified {previous.intent} by {previous.model} at {previous.at:%Y-%m-%d %H:%M} UTC",
        )
    return GateDecision("llm", "llm")


def local_result(local: Extraction, decision: GateDecision, policy: GatePolicy) -> Extraction:
    """The local extraction as a gate that made no call returns it (short → low confidence)."""
    if decision.decided_by == "short_message":
        return local.model_copy(update={"confidence": min(local.confidence, policy.short_confidence)})
    return local


def reused_extraction(
    clean: CleanEmail, mailbox: Mailbox, previous: ThreadClassification
) -> Extraction:
    """This message's own fields, read as the thread's intent, at the thread's confidence."""
    return fields_for(
        previous.intent, clean, about_whom(clean, mailbox), mailbox, previous.confidence
    )


def needs_large_model(small: Extraction, policy: GatePolicy) -> bool:
    return small.intent in policy.large_model_intents


def invalid_llm_result(local: Extraction) -> Extraction:
    """LLM output invalid after its repair: the local fields at confidence 0 → human review."""
    return local.model_copy(update={"confidence": 0.0})
