"""Writes the PrometheusRule of deploy/k8s/components/monitoring from alerts.yml (the source).

    .venv/bin/python deploy/prometheus/prometheusrule.py          # rewrite it
    .venv/bin/python deploy/prometheus/prometheusrule.py --check  # exit 1 if it is stale

tests/deploy runs the check, so an alert edited in one place only fails the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "alerts.yml"
TARGET = HERE.parent / "k8s/components/monitoring/prometheusrule.yaml"
HEADER = (
    "# GENERATED from deploy/prometheus/alerts.yml by deploy/prometheus/prometheusrule.py:\n"
    "# edit alerts.yml, then run that script (tests/deploy fails while the two differ).\n"
)


class _BlockDumper(yaml.SafeDumper):
    """Multi-line expressions stay readable blocks (``|``), as in alerts.yml."""


_BlockDumper.add_representer(
    str,
    lambda dumper, data: dumper.represent_scalar(
        "tag:yaml.org,2002:str", data, style="|" if "\n" in data else None
    ),
)


def render() -> str:
    groups = yaml.safe_load(SOURCE.read_text())["groups"]
    rule = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "triage", "labels": {"app.kubernetes.io/name": "triage"}},
        "spec": {"groups": groups},
    }
    return HEADER + yaml.dump(rule, Dumper=_BlockDumper, sort_keys=False, width=100)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        stale = not TARGET.exists() or TARGET.read_text() != text
        if stale:
            print(f"{TARGET} is stale: run python {Path(__file__).name}", file=sys.stderr)
        return 1 if stale else 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
