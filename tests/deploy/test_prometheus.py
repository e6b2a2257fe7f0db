"""The alerting rules: valid (promtool check), behaving as specified (promtool test), on real metrics."""

from __future__ import annotations

import yaml

from tests.deploy.promql import known_metrics, metric_names
from tests.deploy.tools import ROOT, promtool, run

RULES = ROOT / "deploy/prometheus/alerts.yml"
RULE_TESTS = ROOT / "deploy/prometheus/alerts.test.yml"

REQUIRED_ALERTS = {
    "TriageConsumerLagGrowing", "TriageSpamRoutedToSales", "TriageLowConfidenceShareHigh",
    "TriageDeadLettersArriving", "TriageCrmErrorRateHigh", "TriageSlaBreached",
    "TriageMailboxSilent", "TriageGmailWatchExpiring",
}


def rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def test_promtool_checks_the_rules() -> None:
    out = run([promtool(), "check", "rules", str(RULES)])
    assert f"SUCCESS: {len(rules())} rules found" in out


def test_promtool_unit_tests_pass_and_cover_every_alert() -> None:
    out = run([promtool(), "test", "rules", str(RULE_TESTS)], cwd=RULES.parent)
    assert "SUCCESS" in out
    tested = {case["alertname"] for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
              for case in test.get("alert_rule_test", [])}
    assert tested == {rule["alert"] for rule in rules()}


def test_the_issue_s_alerts_exist() -> None:
    assert {rule["alert"] for rule in rules()} >= REQUIRED_ALERTS


def test_every_rule_reads_metrics_that_exist() -> None:
    known = known_metrics()
    unknown = {rule["alert"]: metric_names(rule["expr"]) - known for rule in rules()}
    assert not {k: v for k, v in unknown.items() if v}


def test_every_alert_has_a_severity_and_a_summary() -> None:
    for rule in rules():
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
