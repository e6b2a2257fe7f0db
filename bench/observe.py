"""What the benchmark reads from the running services: their /metrics, their peak RSS, and the
CPU the broker and PostgreSQL spent (from /proc; on a shared machine that includes other
clients of the same servers)."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

#: The counters "where the time goes" is made of (each service's own metrics).
COUNTERS = ("process_cpu_seconds", "triage_stage_cpu_seconds", "triage_serde_cpu_seconds",
            "triage_db_statements", "triage_db_runs", "triage_db_seconds", "triage_transactions")

Sample = tuple[str, tuple[tuple[str, str], ...]]


def parse_counters(text: str) -> dict[Sample, float]:
    """(family, sorted labels) -> value, for the counters of ``COUNTERS`` in a /metrics page."""
    found: dict[Sample, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name not in COUNTERS:
            continue
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            found[(family.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(port: int) -> dict[Sample, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return parse_counters(response.read().decode())


def delta(before: Mapping[Sample, float], after: Mapping[Sample, float]) -> dict[Sample, float]:
    return {key: value - before.get(key, 0.0) for key, value in after.items()}


def per_email(counters: Mapping[Sample, float], emails: int) -> dict:
    """One service's counters as per-email figures: CPU in ms (total, by phase, by Avro step),
    PostgreSQL statements and transactions, Kafka transactions."""
    def total(name: str, **labels: str) -> float:
        return sum(v for (family, lab), v in counters.items() if family == name
                   and all(dict(lab).get(k) == want for k, want in labels.items()))

    def ms(seconds: float) -> float:
        return round(1000 * seconds / emails, 3)

    phases: dict[str, float] = {}
    for (family, labels), value in counters.items():
        if family == "triage_stage_cpu_seconds" and value > 0:
            lab = dict(labels)
            name = f"{lab['phase']} {lab['topic']}".strip()
            phases[name] = ms(value)
    serde: dict[str, float] = {}
    for (family, labels), value in counters.items():
        if family == "triage_serde_cpu_seconds" and value > 0:
            step = dict(labels)["step"]
            serde[step] = round(serde.get(step, 0.0) + 1000 * value / emails, 3)
    return {
        "process_cpu_ms": ms(total("process_cpu_seconds")),
        "loop_thread_cpu_ms": ms(total("triage_stage_cpu_seconds")),
        "phases_cpu_ms": dict(sorted(phases.items(), key=lambda kv: -kv[1])),
        "avro_cpu_ms": serde,
        "db_statements": round(total("triage_db_statements") / emails, 2),
        "db_transactions": round(total("triage_db_runs") / emails, 3),
        "db_wall_ms": ms(total("triage_db_seconds", clock="wall")),
        "db_client_cpu_ms": ms(total("triage_db_seconds", clock="cpu")),
        "kafka_transactions": round(total("triage_transactions", outcome="committed") / emails, 3),
    }


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (VmHWM) in MB, or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def process_cpu_s(pids: Iterable[int]) -> float:
    """utime + stime of the processes (and their reaped children), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / ticks


def server_pids() -> dict[str, list[int]]:
    """The broker's JVM and the PostgreSQL processes on this machine (what /proc lets us see)."""
    found: dict[str, list[int]] = {"kafka": [], "postgres": []}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if comm == "java" and b"kafka.Kafka" in cmdline:
            found["kafka"].append(int(entry.name))
        elif comm.startswith("postgres") or cmdline.startswith(b"postgres"):
            found["postgres"].append(int(entry.name))
    return found


class ServerCpu:
    """CPU seconds the broker and PostgreSQL spent between ``start()`` and ``stop()``.

    PostgreSQL backends come and go: those alive at either end are counted, so a backend
    that lived only in between is missed (the stages keep pooled connections open)."""

    def start(self) -> None:
        self._pids = server_pids()
        self._before = {name: _cpu_by_pid(pids) for name, pids in self._pids.items()}

    def stop(self) -> dict[str, float]:
        now = {name: _cpu_by_pid(pids) for name, pids in server_pids().items()}
        spent = {}
        for name, after in now.items():
            before = self._before.get(name, {})
            spent[name] = round(sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items()), 2)
        return spent


def _cpu_by_pid(pids: Iterable[int]) -> dict[int, float]:
    return {pid: process_cpu_s([pid]) for pid in pids}
