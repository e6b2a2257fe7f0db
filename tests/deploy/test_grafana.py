"""The Grafana dashboard parses, covers what operators watch, and every query is valid PromQL
over metrics that exist."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.deploy.promql import known_metrics, metric_names
from tests.deploy.tools import ROOT, promtool, run

DASHBOARDS = sorted((ROOT / "deploy/grafana").glob("*.json"))


def panels(dashboard: dict) -> list[dict]:
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))
    return [p for p in found if p["type"] != "row"]


def expressions() -> list[tuple[str, str]]:
    return [(panel["title"], target["expr"]) for path in DASHBOARDS
            for panel in panels(json.loads(path.read_text())) for target in panel.get("targets", [])]


def test_dashboards_parse_with_unique_panel_ids_and_a_query_each() -> None:
    assert DASHBOARDS
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        assert dashboard["uid"] and dashboard["title"]
        ids = [p["id"] for p in dashboard["panels"]]
        assert len(ids) == len(set(ids)), path.name
        assert all(p.get("targets") for p in panels(dashboard)), path.name


def test_the_dashboard_shows_what_the_issue_asks_for() -> None:
    every = " ".join(expr for _title, expr in expressions())
    for metric in ("triage_records_processed_total", "kafka_consumergroup_lag", "kafka_consumergroup_lag_seconds",
                   "llm_cost_usd_total", "extraction_confidence_bucket", "crm_write_latency_seconds_bucket",
                   "crm_writes_total", "email_sla_breaches_total", "email_lead_time_seconds_bucket",
                   "emails_ingested_total", "idempotency_conflicts_total", "triage_dlq_records_total"):
        assert metric in every, metric


def test_every_panel_reads_metrics_that_exist() -> None:
    known = known_metrics()
    unknown = {title: metric_names(expr) - known for title, expr in expressions()}
    assert not {title: names for title, names in unknown.items() if names}


def test_every_panel_query_is_valid_promql(tmp_path: Path) -> None:
    """promtool parses each query as a recording rule (Grafana's range variables made concrete)."""
    rules = [{"record": f"dashboard:query_{i}",
              "expr": expr.replace("$__rate_interval", "5m").replace("$__range", "1h")}
             for i, (_title, expr) in enumerate(expressions())]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    assert f"SUCCESS: {len(rules)} rules found" in run([promtool(), "check", "rules", str(path)])
