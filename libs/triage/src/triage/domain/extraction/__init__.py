"""Extraction: from a ``CleanEmail`` to an ``Extraction`` (intent, person, company, interest,
budget, timeline, region, summary, action, confidence), each value with its evidence span.

``flow`` reads top to bottom: whom the email is about (``about``, ``forms``), the cue scores
and signals (``cues``, ``signals``), the intent (``intent``, with the learned model of
``intent_model`` and its weights in ``intent_model.json``), then each field (``person``,
``company`` with ``company_suffix``/``company_spelling``/``company_phrases``/``legal``,
``budget``, ``timeline`` with ``sentences``/``dates``/``durations``/``calendar``, ``region``,
``summary``, ``action``) and the spans it was read from (``quotes``, ``evidence``). The LLM
path's pure parts are ``llm`` (prompt, tool schema, grounding) and ``llm_gates`` (which
emails may cost a call). docs/extraction.md; ADR 0036 for the module map and its limit.
"""

from triage.domain.extraction.flow import (
    MODEL,
    MODEL_VERSION,
    SHIPPED_MODEL,
    ExtractionOutcome,
    extract_fields,
)

__all__ = ["MODEL", "MODEL_VERSION", "SHIPPED_MODEL", "ExtractionOutcome", "extract_fields"]
