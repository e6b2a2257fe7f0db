"""One email is one connected trace across the five services (real processes, OTLP/HTTP)."""

from __future__ import annotations

import json
import time
import urllib.request
from collections import defaultdict

from tests.support.kafka import wait_until
from tests.support.otlp import Collector, ReceivedSpan
from tests.support.pipeline import SERVICES, Pipeline
from tests.support.stack import ROOT
from triage_ingest.signature import sign

LEAD = ROOT / "samples/emails/0002-brightwater-pipeline-forecaster-demo.eml"


def post_webhook(pipeline: Pipeline, body: bytes) -> str:
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        f"http://127.0.0.1:{pipeline.ports['ingest']}/webhook/inbound", data=body, method="POST",
        headers={"X-Triage-Timestamp": timestamp, "X-Triage-Inbox": "sales@lumora.io",
                 "X-Triage-Signature": sign(pipeline.webhook_secret.encode(), timestamp, body)},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 202
        return json.loads(response.read())["email_id"]


def trace_of(spans: list[ReceivedSpan], email_id: str) -> list[ReceivedSpan]:
    trace_ids = {s.trace_id for s in spans if s.attributes.get("email_id") == email_id}
    assert len(trace_ids) == 1, f"email {email_id} is in {len(trace_ids)} traces"
    return [s for s in spans if s.trace_id in trace_ids]


def test_one_email_is_one_connected_trace_across_the_five_services(pipeline: Pipeline) -> None:
    with Collector() as collector:
        pipeline.extra_env.update({
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "200",
        })
        pipeline.start_all()
        email_id = post_webhook(pipeline, LEAD.read_bytes())

        def complete() -> bool:
            services = {s.service for s in collector.received() if s.attributes.get("email_id") == email_id}
            audit_saw_crm = any(s.service == "triage-audit" and "crm.events" in s.name
                                and s.attributes.get("email_id") == email_id for s in collector.received())
            return services >= {f"triage-{name}" for name in SERVICES} and audit_saw_crm

        wait_until(complete, 45, "spans from all five services")
        spans = trace_of(collector.received(), email_id)

    by_id = {s.span_id: s for s in spans}
    roots = [s for s in spans if not s.parent_id]
    # The door starts the trace: FastAPI's own request span when it has one, else the publish span.
    assert [r.service for r in roots] == ["triage-ingest"]
    orphans = [s.name for s in spans if s.parent_id and s.parent_id not in by_id]
    assert not orphans, f"spans whose parent is not in the trace: {orphans}"

    hops: dict[str, list[str]] = defaultdict(list)
    for span in spans:
        hops[span.service].append(span.name)
    assert {f"triage-{name}" for name in SERVICES} == set(hops)
    # The chain: door -> extract(raw) -> extract(clean) -> route -> crm-sink, each the parent of the next.
    chain = ["publish email.raw", "extract process email.raw", "extract process email.clean",
             "route process email.extracted", "crm-sink process email.routed"]
    named = {s.name: s for s in spans if s.service != "triage-audit"}
    for parent, child in zip(chain, chain[1:], strict=False):
        assert named[child].parent_id == named[parent].span_id, f"{child} is not a child of {parent}"
    assert named["extract process email.clean"].attributes["model"]
    assert named["crm-sink process email.routed"].attributes.get("crm_object_id")
    assert all(named[name].attributes.get("email_id") == email_id for name in chain)


def test_the_file_door_starts_the_trace_too(pipeline: Pipeline, tmp_path) -> None:
    import os
    import subprocess

    with Collector() as collector:
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"}
        pipeline.extra_env.update(env)
        pipeline.start_all(("extract",))
        result = subprocess.run(
            [str(ROOT / ".venv/bin/triage"), "ingest", str(LEAD), "--json"], capture_output=True, text=True,
            timeout=60, env={**os.environ, **pipeline.env("extract", "cli"), **env})
        assert result.returncode == 0, result.stderr
        email_id = json.loads(result.stdout)["email_ids"][0]

        def extracted_span() -> bool:
            return any(s.name == "extract process email.clean" and s.attributes.get("email_id") == email_id
                       for s in collector.received())

        wait_until(extracted_span, 45, "extract's spans")
        spans = trace_of(collector.received(), email_id)
    roots = [s for s in spans if not s.parent_id]
    assert [r.service for r in roots] == ["triage-ingest-cli"]
    assert {s.service for s in spans} >= {"triage-ingest-cli", "triage-extract"}
