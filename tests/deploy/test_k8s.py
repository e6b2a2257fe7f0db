"""Every kustomization renders, and every rendered manifest validates against its schema:
the Kubernetes API's (kubernetes-validate, offline) or, for the CRDs, the JSON schema in
schemas/ written from the CRD's documentation. Plus the hardening and wiring rules."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.deploy.tools import ROOT, kustomize, run
from triage.platform.topics import REGISTRY

K8S = ROOT / "deploy/k8s"
KUBERNETES_VERSION = "1.32.0"
SCHEMAS = Path(__file__).parent / "schemas"
KUSTOMIZATIONS = ["base", "overlays/production", "overlays/blue-green"]
STAGES = ("extract", "route", "crm-sink", "audit")


@cache
def rendered(kustomization: str) -> tuple[dict, ...]:
    return tuple(d for d in yaml.safe_load_all(run([*kustomize(), str(K8S / kustomization)])) if d)


def crd_schema(doc: dict) -> dict | None:
    path = SCHEMAS / f"{doc['apiVersion'].replace('/', '_')}_{doc['kind']}.json"
    return json.loads(path.read_text()) if path.exists() else None


def of_kind(docs: tuple[dict, ...], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def test_every_kustomization_in_the_tree_is_tested() -> None:
    found = {str(p.parent.relative_to(K8S)) for p in K8S.rglob("kustomization.yaml")}
    components = {c for c in found if c.startswith("components/")}
    colours = {"overlays/blue-green/blue", "overlays/blue-green/green"}  # rendered by their parent
    assert found - components - colours == set(KUSTOMIZATIONS)


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_manifest_validates_against_its_schema(kustomization: str) -> None:
    docs = rendered(kustomization)
    assert docs
    for doc in docs:
        schema = crd_schema(doc)
        if schema is not None:
            jsonschema.validate(doc, schema)
        else:  # raises SchemaNotFoundError for a kind neither Kubernetes nor schemas/ knows
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_crd_schemas_catch_a_typo() -> None:
    scaled = of_kind(rendered("overlays/production"), "ScaledObject")[0]
    broken = {**scaled, "spec": {**scaled["spec"], "maxReplicas": 6}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, crd_schema(scaled))


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_pod_is_hardened_probed_and_bounded(kustomization: str) -> None:
    docs = rendered(kustomization)
    workloads = of_kind(docs, "Deployment") + of_kind(docs, "Job") + [
        {"kind": "CronJob", "metadata": c["metadata"], "spec": c["spec"]["jobTemplate"]["spec"]}
        for c in of_kind(docs, "CronJob")]
    assert workloads
    for workload in workloads:
        pod = workload["spec"]["template"]["spec"]
        name = workload["metadata"]["name"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            if workload["kind"] == "Deployment":
                assert container["livenessProbe"] and container["readinessProbe"], name


def test_services_configmaps_pdbs_and_cronjobs() -> None:
    docs = rendered("overlays/production")
    services = {d["metadata"]["name"] for d in of_kind(docs, "Service")}
    assert {"triage-ingest", "triage-admin", "triage-metrics"} <= services
    assert any(d["metadata"]["name"].startswith("triage-config-") for d in of_kind(docs, "ConfigMap"))
    pdbs = {d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] for d in of_kind(docs, "PodDisruptionBudget")}
    assert pdbs == {f"triage-{s}" for s in ("ingest", "ingest-fetch", "admin", *STAGES)}
    commands = {" ".join(c["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"])
                for c in of_kind(docs, "CronJob")}
    assert commands == {"triage gmail watch", "triage backfill", "triage purge-raw"}
    secrets = {ref["secretKeyRef"]["name"] for d in of_kind(docs, "Deployment")
               for c in d["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])
               if (ref := e.get("valueFrom")) and "secretKeyRef" in ref}
    assert secrets == {"triage-secrets"}


def test_autoscaling_on_lag_is_capped_at_the_partition_count() -> None:
    partitions = {spec.name: spec.partitions for spec in REGISTRY}
    scaled = {d["spec"]["scaleTargetRef"]["name"]: d for d in of_kind(rendered("overlays/production"), "ScaledObject")}
    assert set(scaled) == {f"triage-{s}" for s in STAGES}
    for name, obj in scaled.items():
        # A stage's consumers share its input topics' partitions: more replicas would idle.
        assert obj["spec"]["maxReplicaCount"] <= min(partitions.values()), name
        query = obj["spec"]["triggers"][0]["metadata"]["query"]
        assert f'kafka_consumergroup_lag{{group="{name}"}}' in query, name


def test_the_prometheus_rule_is_generated_from_alerts_yml() -> None:
    script = ROOT / "deploy/prometheus/prometheusrule.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rule = of_kind(rendered("overlays/production"), "PrometheusRule")[0]
    assert rule["spec"] == yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    assert of_kind(rendered("overlays/production"), "ServiceMonitor")


def test_blue_green_has_two_colours_and_a_read_only_standby_admin() -> None:
    docs = rendered("overlays/blue-green")
    deployments = {d["metadata"]["name"]: d for d in of_kind(docs, "Deployment")}
    for colour in ("blue", "green"):
        assert {f"triage-{s}-{colour}" for s in ("ingest", "admin", *STAGES)} <= set(deployments)
        for name in (n for n in deployments if n.endswith(colour)):
            selector = deployments[name]["spec"]["selector"]["matchLabels"]
            assert selector["app.kubernetes.io/instance"] == colour, name

    def read_only(name: str) -> str:
        env = deployments[name]["spec"]["template"]["spec"]["containers"][0]["env"]
        return next(e["value"] for e in env if e["name"] == "TRIAGE_ADMIN_READ_ONLY")

    assert (read_only("triage-admin-blue"), read_only("triage-admin-green")) == ("false", "true")
    assert all(deployments[f"triage-{s}-green"]["spec"]["replicas"] == 0 for s in STAGES)
    scaled = {d["spec"]["scaleTargetRef"]["name"]: d for d in of_kind(docs, "ScaledObject")}
    assert set(scaled) == {f"triage-{s}-{c}" for s in STAGES for c in ("blue", "green")}
    assert all(scaled[f"triage-{s}-green"]["metadata"]["annotations"]["autoscaling.keda.sh/paused-replicas"] == "0"
               for s in STAGES)
    assert all(c["spec"].get("suspend") is True for c in of_kind(docs, "CronJob")
               if c["metadata"]["name"].endswith("-green"))
    live = {d["metadata"]["name"]: d["spec"]["selector"] for d in of_kind(docs, "Service")}
    assert live["triage-ingest-live"]["app.kubernetes.io/instance"] == "blue"
    assert live["triage-admin-live"]["app.kubernetes.io/instance"] == "blue"


def uvicorn_keyword(path: Path, keyword: str) -> int | None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "uvicorn.run":
            for kw in node.keywords:
                if kw.arg == keyword and isinstance(kw.value, ast.Constant):
                    return kw.value.value
    return None


def test_http_servers_keep_connections_and_drain_for_at_least_60_s() -> None:
    mains = [p for p in (ROOT / "services").glob("*/src/*/*.py") if "uvicorn.run(" in p.read_text()]
    assert mains
    for main in mains:
        assert (uvicorn_keyword(main, "timeout_keep_alive") or 0) >= 60, main
    for deployment in of_kind(rendered("base"), "Deployment"):
        assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= 30
        if deployment["metadata"]["name"] in ("triage-ingest", "triage-admin"):
            assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] >= 60


def test_the_gmail_fetch_worker_runs_the_ingest_images_second_entrypoint() -> None:
    docs = rendered("overlays/production")
    fetch = next(d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == "triage-ingest-fetch")
    container = fetch["spec"]["template"]["spec"]["containers"][0]
    assert container["image"].startswith("ghcr.io/OWNER/triage-ingest:")
    assert container["command"] == ["triage-ingest-fetch"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["TRIAGE_GMAIL_CREDENTIALS_FILE"] == "/var/run/secrets/gmail/credentials.json"


def test_standby_also_parks_the_gmail_fetch_worker() -> None:
    docs = rendered("overlays/blue-green")
    green = next(d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == "triage-ingest-fetch-green")
    assert green["spec"]["replicas"] == 0


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_the_admin_re_decides_corrections_with_routes_mailbox(kustomization: str) -> None:
    """ADR 0025: a correction is routed by route's rules and mailbox; without the same mailbox
    file the admin would call a customer's support mail something else."""
    def mailbox(deployment: dict) -> tuple[str | None, str | None]:
        pod = deployment["spec"]["template"]["spec"]
        env = {e["name"]: e.get("value") for e in pod["containers"][0].get("env", [])}
        mounts = {m["name"]: m["mountPath"] for m in pod["containers"][0].get("volumeMounts", [])}
        maps = {v["name"]: v["configMap"]["name"] for v in pod["volumes"] if "configMap" in v}
        mounted = next((f"{mounts[n]}/mailbox.json" for n, m in maps.items() if "triage-mailbox" in m
                        and n in mounts), None)
        return env.get("TRIAGE_MAILBOX_FILE"), mounted

    deployments = of_kind(rendered(kustomization), "Deployment")
    routes = [d for d in deployments if d["metadata"]["name"].startswith("triage-route")]
    admins = [d for d in deployments if d["metadata"]["name"].startswith("triage-admin")]
    assert routes and admins
    expected = {mailbox(d) for d in routes}
    assert len(expected) == 1 and None not in next(iter(expected))
    assert {mailbox(d) for d in admins} == expected


def containers(doc: dict) -> list[dict]:
    spec = doc.get("spec", {})
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec.get("template", {}).get("spec", {}).get("containers", [])


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_only_the_operator_image_runs_the_cli(kustomization: str) -> None:
    """ADR 0031: a service's image holds its own wheel and triage, not triage-cli; whatever runs
    a `triage` command (init Job, CronJobs, lag exporter) uses the operator image."""
    cli_users = 0
    for doc in rendered(kustomization):
        for container in containers(doc):
            image = container["image"].split("/")[-1].split(":")[0]
            words = " ".join(container.get("command", [])).replace("&&", " ").split()
            if "triage" in words:
                cli_users += 1
                assert image == "triage-cli", (doc["metadata"]["name"], container["image"])
            else:
                assert image != "triage-cli", (doc["metadata"]["name"], container["command"])
    assert cli_users >= 5  # init, lag exporter, gmail watch, backfill, purge-raw


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_the_admin_runs_its_own_image(kustomization: str) -> None:
    """ADR 0035: every admin Deployment (each colour's too) runs the triage-admin image by its
    entrypoint (`triage-admin`), and crm-sink's image runs nothing but crm-sink."""
    deployments = of_kind(rendered(kustomization), "Deployment")
    admins = [d for d in deployments if d["metadata"]["name"].startswith("triage-admin")]
    assert admins
    for doc in deployments:
        for container in containers(doc):
            image = container["image"].split("/")[-1].split(":")[0]
            admin = doc["metadata"]["name"].startswith("triage-admin")
            assert (image == "triage-admin") == admin, (doc["metadata"]["name"], image)
            if image in ("triage-admin", "triage-crm-sink"):
                assert "command" not in container, (doc["metadata"]["name"], container["command"])
