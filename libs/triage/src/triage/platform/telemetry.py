"""Process-wide telemetry: the OpenTelemetry tracer provider and Sentry, both opt-in.

Configured by the standard variables only, read once here:
- tracing is on when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or
  ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is set, or ``OTEL_TRACES_EXPORTER`` is
  ``otlp`` or ``console``; ``OTEL_SDK_DISABLED=true`` or
  ``OTEL_TRACES_EXPORTER=none`` turn it off. The OTLP/HTTP exporter reads the
  rest (headers, timeouts, ``OTEL_BSP_*``) itself, as the specification says.
  Off, nothing is installed: the API's no-op tracer costs a function call.
- Sentry is on when ``SENTRY_DSN`` is set. Events never carry personal data:
  ``send_default_pii=False``, no request bodies, no local variables, and
  ``scrub_event`` hashes every email address left in an event (logs.py's hash,
  so an event and a log line name the same sender the same way).

These are other products' standard variables, not the pipeline's: they are the
``TelemetrySettings`` group of every process's settings (platform/settings/groups.py, ADR 0038),
read with the rest, and the SDKs read the rest of theirs themselves.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from opentelemetry import trace

from triage.platform import tracing
from triage.platform.logs import scrub
from triage.platform.settings.groups import TelemetrySettings
from triage.platform.settings.secrets import secret_value

log = logging.getLogger(__name__)


def setup_telemetry(service: str, settings: TelemetrySettings) -> None:
    """Call once per process, in its composition root, with the process's settings."""
    setup_tracing(service, settings.traces_exporter())
    if secret_value(settings.sentry_dsn):
        setup_sentry(service, settings)


def setup_tracing(service: str, exporter: str | None) -> None:
    if exporter is None:
        return
    # Imported here: a process that does not trace never loads the SDK.
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    if exporter == "console":
        span_exporter: Any = ConsoleSpanExporter()
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        span_exporter = OTLPSpanExporter()
    # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win over this name.
    provider = TracerProvider(resource=Resource.create({"service.name": f"triage-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(provider)  # shuts down (flushes) at exit
    tracing.enable()
    log.info("tracing on: %s exporter", exporter)


def shutdown_telemetry() -> None:
    """Flush what is buffered (spans, Sentry events) before the process exits."""
    provider = trace.get_tracer_provider()
    shutdown = getattr(provider, "shutdown", None)
    if shutdown is not None:
        shutdown()
    import sentry_sdk

    if sentry_sdk.is_initialized():
        sentry_sdk.flush(5)


def setup_sentry(service: str, settings: TelemetrySettings) -> None:
    import sentry_sdk

    sentry_sdk.init(
        dsn=secret_value(settings.sentry_dsn),
        environment=settings.sentry_environment,
        release=settings.sentry_release,
        server_name=f"triage-{service}",
        send_default_pii=False,
        include_local_variables=False,  # a frame's locals can hold an email body
        max_request_body_size="never",  # the webhook's body is an email
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=None,  # traces go to OpenTelemetry
    )
    sentry_sdk.set_tag("service", service)
    log.info("Sentry on")


#: Request headers that may be reported; every other one (cookies, signatures, tokens) is dropped.
SAFE_HEADERS = frozenset({"content-type", "content-length", "user-agent", "x-triage-inbox"})
SECRETS_IN_URL = re.compile(r"(?i)([?&](?:token|key|secret|signature|code)=)[^&#]*")


def scrub_event(event: dict[str, Any], _hint: object = None) -> dict[str, Any]:
    """Sentry's before_send: no email address, body, cookie or credential leaves the process."""
    request = event.get("request")
    if isinstance(request, dict):
        for field in ("data", "cookies", "env"):
            request.pop(field, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() in SAFE_HEADERS}
        if isinstance(request.get("query_string"), str):
            request["query_string"] = SECRETS_IN_URL.sub(r"\1[removed]", "?" + request["query_string"])[1:]
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {k: v for k, v in user.items() if k == "id"}
    return scrub_value(event)


def scrub_breadcrumb(crumb: dict[str, Any], _hint: object = None) -> dict[str, Any]:
    return scrub_value(crumb)


def scrub_value(value: Any) -> Any:
    """Every string in a JSON-like value with its email addresses hashed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub_value(k) if isinstance(k, str) else k: scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(v) for v in value]
    return value
