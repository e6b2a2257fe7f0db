"""extract: email.raw -> email.clean (normalise) and email.clean -> email.extracted (extract).

Both stages run in one process and one transactional loop; the two hops stay
separate topics so a replay can start from either.

With an LLM backend configured (``TRIAGE_EXTRACTOR=openai|anthropic``), the
local rules still run first, and the cost-control gates
(``triage.domain.extraction.llm_gates``) decide whether the email may cost a call.
Thread reuse reads a small in-memory map, per input partition, of the threads
this process classified with an LLM (email.clean is keyed by thread, so a
thread always lands on the same partition). It is fed only by what this
process produced, made real when the batch commits, forgotten after the reuse
window and on revocation; a restart or a rebalance starts it empty, which
costs at most one extra call per thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from prometheus_client import Counter

from triage.domain.band_cap import cap_llm_answer
from triage.domain.bands import ConfidenceBands, email_band
from triage.domain.extraction import SHIPPED_MODEL, ExtractionOutcome, extract_fields
from triage.domain.extraction.intent_model import IntentWeights
from triage.domain.extraction.llm_gates import (
    GatePolicy,
    ThreadClassification,
    invalid_llm_result,
    llm_gate,
    local_result,
    needs_large_model,
    reused_extraction,
)
from triage.domain.models import CleanEmail, ExtractedEmail, Extraction, Mailbox, RawEmail
from triage.domain.normalize import clean_email
from triage.domain.pipeline import (
    extracted_email,
    flag_non_message,
    non_message_extracted,
    non_message_reason,
)
from triage.platform import metrics
from triage.platform.handler import Handler
from triage.platform.runtime import Inbound, Outbound, trace_headers
from triage.platform.topics import CLEAN, EXTRACTED, RAW

if TYPE_CHECKING:  # the llm extra is only needed when a provider is configured
    from triage.platform.llm import LlmExtractor, LlmOutcome

EXTRACTED_TOTAL = Counter(
    "extract_extracted_total",
    "Extractions by the gate that decided and the confidence band (auto_write|suggest|review)",
    ["decided_by", "band"],
)
CAPPED = Counter("extract_llm_band_capped_total",
                 "LLM answers held below their confidence's band by the evidence (ADR 0015)", ["band"])
LLM_CALLS = Counter("extract_llm_calls_total", "LLM extractions by model and validity", ["model", "valid"])
LLM_TOKENS = Counter("extract_llm_tokens_total", "LLM tokens by model and direction", ["model", "direction"])
LLM_COST = Counter("extract_llm_cost_usd_total", "LLM cost in US dollars by model", ["model"])


@dataclass(frozen=True)
class LlmBackends:
    small: LlmExtractor
    large: LlmExtractor | None = None  # None: the small model decides alone


class ExtractHandler(Handler):
    def __init__(
        self,
        mailbox: Mailbox,
        llm: LlmBackends | None = None,
        policy: GatePolicy | None = None,
        bands: ConfidenceBands | None = None,
        intent_model: IntentWeights | Literal["shipped"] | None = SHIPPED_MODEL,  # None: the rules alone
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sweep_every: timedelta = timedelta(minutes=5),
    ) -> None:
        self.mailbox = mailbox
        self.llm = llm
        self.policy = policy or GatePolicy()
        self.bands = bands or ConfidenceBands()
        self.intent_model = intent_model
        self.clock = clock
        self.sweep_every = sweep_every
        self.last_sweep = clock()
        # partition -> thread -> its last LLM classification (committed), and this batch's.
        self.threads: dict[int, dict[str, ThreadClassification]] = {}
        self.pending: list[tuple[int, str, ThreadClassification]] = []

    def handle(self, record: Inbound) -> Sequence[Outbound]:
        if record.topic == RAW:
            assert isinstance(record.value, RawEmail)
            clean = flag_non_message(clean_email(record.value), record.value.raw)
            return [Outbound(CLEAN, clean.thread_id, clean, trace_headers(record))]
        assert isinstance(record.value, CleanEmail)
        extracted = self.extract(record.partition, record.value)
        EXTRACTED_TOTAL.labels(extracted.decided_by, email_band(extracted, self.bands)).inc()
        return [Outbound(EXTRACTED, extracted.thread_id, extracted, trace_headers(record))]

    def observe(self, record: Inbound, outputs: Sequence[Outbound]) -> None:
        for out in outputs:
            if isinstance(out.value, ExtractedEmail):
                observe_extraction(out.value)

    def extract(self, partition: int, clean: CleanEmail) -> ExtractedEmail:
        if non_message_reason(clean) is not None:  # kept, never classified, never sent to an LLM
            return non_message_extracted(clean)
        local = extract_fields(clean, self.mailbox, self.intent_model)
        if self.llm is None:
            return extracted_email(clean, local)
        now = self.clock()
        previous = self.previous(partition, clean.thread_id)
        decision = llm_gate(clean, previous, now, self.policy)
        if decision.route == "local":
            extraction = local_result(local.extraction, decision, self.policy)
            return extracted_email(clean, _as(local, extraction, decision.decided_by))
        if decision.route == "reuse":
            assert previous is not None
            extraction = reused_extraction(clean, self.mailbox, previous)
            return extracted_email(clean, _as(local, extraction, decision.decided_by))
        return self.ask_llm(partition, clean, local, now)

    def ask_llm(
        self, partition: int, clean: CleanEmail, local: ExtractionOutcome, now: datetime
    ) -> ExtractedEmail:
        assert self.llm is not None
        outcomes = [self.call(self.llm.small, clean)]
        small = outcomes[0].extraction
        if small is None:  # invalid after its one repair: human review, not the DLQ
            return self.priced(
                extracted_email(clean, _as(local, invalid_llm_result(local.extraction), "llm_invalid")),
                outcomes,
            )
        chosen, extractor, decided_by = small, self.llm.small, "llm_small"
        large = self.llm.large
        if large is not None and large.model != self.llm.small.model and needs_large_model(small, self.policy):
            outcomes.append(self.call(large, clean))
            if outcomes[-1].extraction is not None:  # else the small model's valid answer stands
                chosen, extractor, decided_by = outcomes[-1].extraction, large, "llm_large"
        chosen, cap = cap_llm_answer(chosen, local.extraction, clean)  # never above its evidence
        if cap is None:  # a capped answer is no thread classification to reuse
            self.pending.append((partition, clean.thread_id, ThreadClassification(
                chosen.intent, chosen.confidence, extractor.model, now)))
        outcome = ExtractionOutcome(chosen, decided_by, extractor.model, extractor.provider)
        extracted = extracted_email(clean, outcome)
        if cap is not None:
            CAPPED.labels(cap.band).inc()
            extracted = extracted.model_copy(update={"band_cap": cap.band, "band_cap_reason": cap.reason})
        return self.priced(extracted, outcomes)

    @staticmethod
    def call(extractor: LlmExtractor, clean: CleanEmail) -> LlmOutcome:
        outcome = extractor.extract(clean)
        LLM_CALLS.labels(outcome.model, str(outcome.extraction is not None).lower()).inc()
        LLM_TOKENS.labels(outcome.model, "in").inc(outcome.tokens_in)
        LLM_TOKENS.labels(outcome.model, "out").inc(outcome.tokens_out)
        LLM_COST.labels(outcome.model).inc(outcome.cost_usd)
        return outcome

    @staticmethod
    def priced(extracted: ExtractedEmail, outcomes: Sequence[LlmOutcome]) -> ExtractedEmail:
        return extracted.model_copy(update={
            "tokens_in": sum(o.tokens_in for o in outcomes),
            "tokens_out": sum(o.tokens_out for o in outcomes),
            "cost_usd": round(sum(o.cost_usd for o in outcomes), 6),
        })

    # ------------------------------------------------------------ the thread map

    def previous(self, partition: int, thread_id: str) -> ThreadClassification | None:
        for p, thread, classification in reversed(self.pending):
            if (p, thread) == (partition, thread_id):
                return classification
        return self.threads.get(partition, {}).get(thread_id)

    def committed(self) -> None:
        for partition, thread, classification in self.pending:
            self.threads.setdefault(partition, {})[thread] = classification
        self.pending.clear()
        now = self.clock()
        if now - self.last_sweep >= self.sweep_every:
            self.last_sweep = now
            for threads in self.threads.values():
                for thread in [t for t, c in threads.items() if now - c.at > self.policy.reuse_within]:
                    del threads[thread]

    def discard(self) -> None:
        self.pending.clear()

    def revoked(self, partitions: dict[str, list[int]]) -> None:
        for partition in partitions.get(CLEAN, []):
            self.threads.pop(partition, None)


def observe_extraction(extracted: ExtractedEmail) -> None:
    """An extraction produced: its confidence, and what its model calls cost (the seed design's metrics)."""
    metrics.EXTRACTION_CONFIDENCE.labels(extracted.extraction.intent).observe(extracted.extraction.confidence)
    metrics.LLM_COST_USD.labels(extracted.model).inc(max(extracted.cost_usd, 0.0))
    metrics.LLM_TOKENS.labels(extracted.model, "in").inc(max(extracted.tokens_in, 0))
    metrics.LLM_TOKENS.labels(extracted.model, "out").inc(max(extracted.tokens_out, 0))


def _as(local: ExtractionOutcome, extraction: Extraction, decided_by: str) -> ExtractionOutcome:
    return ExtractionOutcome(extraction, decided_by, local.model, local.model_version)
