"""Settings -> the extract handler: the backend, its models and prices, the gates, the bands.

A provider chosen without what it needs (key, small model, a price for each
model) stops start-up with a message, rather than running up unpriced calls.
"""

from __future__ import annotations

from datetime import timedelta

from triage.domain.extraction.llm_gates import GatePolicy
from triage.platform.mailbox_file import load_mailbox_file
from triage.platform.pipeline_config import intent_model
from triage.platform.settings import ExtractSettings
from triage.platform.settings.secrets import llm_api_key, secret_value
from triage_extract.handler import ExtractHandler, LlmBackends


def lowered(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(value.lower() for value in values)


def gate_policy(settings: ExtractSettings) -> GatePolicy:
    return GatePolicy(
        blocklist=lowered(settings.triage_llm_sender_blocklist),
        min_words=settings.triage_llm_min_words,
        short_confidence=settings.triage_llm_short_confidence,
        large_model_intents=lowered(settings.triage_llm_large_model_intents),
        reuse_within=timedelta(hours=settings.triage_thread_reuse_hours),
    )


def llm_backends(settings: ExtractSettings) -> LlmBackends | None:
    provider = settings.triage_extractor
    if provider == "local":
        return None
    llm_api_key(settings)  # run by load_settings too; here for settings built in code
    key = secret_value(settings.triage_llm_api_key)
    if not settings.triage_llm_small_model:
        raise SystemExit(f"TRIAGE_EXTRACTOR={provider} needs TRIAGE_LLM_SMALL_MODEL")
    if provider != "openai" and settings.triage_llm_api != "responses":
        raise SystemExit(
            f"TRIAGE_LLM_API={settings.triage_llm_api} is OpenAI's wire protocol; "
            f"TRIAGE_EXTRACTOR={provider} has only its own (unset TRIAGE_LLM_API)"
        )
    from triage.platform.llm import llm_extractor, price_table  # the triage[llm] extra

    try:
        prices = price_table(settings.triage_llm_prices)
    except ValueError as exc:  # json.JSONDecodeError is one
        raise SystemExit(f"TRIAGE_LLM_PRICES is not a valid price table: {exc}") from exc
    models = [settings.triage_llm_small_model]
    if settings.triage_llm_large_model and settings.triage_llm_large_model not in models:
        models.append(settings.triage_llm_large_model)
    unpriced = [model for model in models if model not in prices]
    if unpriced:
        raise SystemExit(
            f"TRIAGE_LLM_PRICES has no price for {', '.join(unpriced)} "
            '(JSON: {"model": {"input": USD per 1M, "output": USD per 1M}})'
        )
    extractors = [
        llm_extractor(
            provider,
            model,
            prices[model],
            key,
            settings.triage_llm_base_url,
            settings.triage_llm_timeout_s,
            settings.triage_llm_max_retries,
            settings.triage_llm_api,
        )
        for model in models
    ]
    return LlmBackends(small=extractors[0], large=extractors[1] if len(extractors) > 1 else None)


def build_handler(settings: ExtractSettings) -> ExtractHandler:
    return ExtractHandler(
        load_mailbox_file(settings),
        llm=llm_backends(settings),
        policy=gate_policy(settings),
        bands=settings.confidence_bands(),
        intent_model=intent_model(settings),
    )
