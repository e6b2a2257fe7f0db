"""``python -m bench.render FILE``: the tables of docs/benchmarks.md from one ``make bench`` JSON.

Only arithmetic on what the run recorded: every ratio is of two figures of the same run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: CPU milliseconds one core gives in a second: the bound of what the cores can serve.
CORES_MS_PER_S = 1000


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def burst_tables(burst: dict, cpus: int) -> str:
    ceiling = (burst["passthrough_first"]["emails_per_s"] + burst["passthrough_second"]["emails_per_s"]) / 2
    variants = [k for k in burst if isinstance(burst[k], dict) and "stages" in burst[k]]
    rows = [["passthrough, first", burst["passthrough_first"]["emails_per_s"], "", ""],
            ["passthrough, second", burst["passthrough_second"]["emails_per_s"], "",
             f"noise {burst['passthrough_noise']:.0%}"]]
    for name in variants:
        run = burst[name]
        total = sum(s["process_cpu_ms"] for s in run["stages"].values()) + sum(run["server_cpu_ms_per_email"].values())
        rows.append([name, run["emails_per_s"], f"{run['emails_per_s'] / ceiling:.2f}×", f"{total:.2f} ms"])
    out = [table(["run", "emails/s", "vs passthrough", "CPU per email, all processes"], rows)]

    after = burst.get("after") or burst[variants[-1]]
    stage_rows = []
    for name, stage in after["stages"].items():
        phases = ", ".join(f"{k} {v:.2f}" for k, v in stage["phases_cpu_ms"].items() if v >= 0.01)
        avro = ", ".join(f"{k} {v:.2f}" for k, v in stage["avro_cpu_ms"].items() if v >= 0.01)
        stage_rows.append([name, stage["process_cpu_ms"], phases or "-", avro or "-", stage["db_statements"],
                           stage["db_transactions"], stage["peak_rss_mb"]])
    for name, ms in after["server_cpu_ms_per_email"].items():
        stage_rows.append([f"{name} (server)", ms, "-", "-", "", "", ""])
    out.append(table(["stage (after)", "CPU ms/email", "phases ms/email", "Avro ms/email", "SQL statements/email",
                      "SQL transactions/email", "peak RSS MB"], stage_rows))
    total = sum(s["process_cpu_ms"] for s in after["stages"].values()) + sum(after["server_cpu_ms_per_email"].values())
    out.append(f"At {total:.2f} ms of CPU per email, {cpus} cores serve at most "
               f"{cpus * CORES_MS_PER_S / total:.0f} emails/s; half the passthrough ({ceiling / 2:.0f}/s) would need "
               f"{cpus * CORES_MS_PER_S / (ceiling / 2):.2f} ms per email in all processes together.")
    return "\n\n".join(out)


def steady_tables(steady: dict) -> str:
    rows = [[name, s["rate_per_s"], s["duration_s"], s["emails"], s["missing"], s["p50_ms"], s["p95_ms"],
             s["p99_ms"], s["sender_late_p99_ms"]] for name, s in (("before", steady["before"]),
                                                                    ("after", steady["after"]))]
    search = steady["step_search"]
    rows += [[f"step {s['rate_per_s']:.0f}/s ({'held' if s['held'] else 'not held'})", s["rate_per_s"],
              s["duration_s"], s["emails"], s["missing"], s["p50_ms"], s["p95_ms"], s["p99_ms"],
              s["sender_late_p99_ms"]] for s in search["steps"]]
    out = table(["run", "rate /s", "s", "emails", "missing", "P50 ms", "P95 ms", "P99 ms", "sender late P99 ms"],
                rows)
    return out + (f"\n\nHighest rate held with P95 under {steady['p95_limit_ms']:.0f} ms: "
                  f"**{search['highest_rate_held']} emails/s**.")


def scaleout_table(scaleout: dict) -> str:
    rows = [[n, scaleout[f"instances_{n}"]["emails_per_s"], scaleout[f"instances_{n}"]["load_average_1m"],
             scaleout[f"instances_{n}"]["process_cpu_ms_per_email"]] for n in (1, 2)]
    return (table(["extract instances", "emails/s", "load average (before, after)", "CPU ms/email"], rows)
            + f"\n\nSpeed-up {scaleout['speedup']}×; one instance kept "
              f"{scaleout['extract_cores_busy_at_one_instance']} of {scaleout['cpus']} cores busy with extract alone."
            + (f" Why not more: {scaleout['why_not']}." if "why_not" in scaleout else ""))


def render(result: dict) -> str:
    cpus = result["machine"]["cpus"]
    parts = [f"Run of {result['started_at']}: {cpus} cores, load average {result['machine']['load_average_1m_at_start']}"
             f" at the start, {result['machine']['load_average_1m_at_end']} at the end; {result['emails']} emails."]
    if "burst" in result:
        parts.append(burst_tables(result["burst"], cpus))
    if "steady" in result:
        parts.append(steady_tables(result["steady"]))
    if "scaleout" in result:
        parts.append(scaleout_table(result["scaleout"]))
    return "\n\n".join(parts) + "\n"


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m bench.render bench/results/pipeline-<time>.json")
    print(render(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))), end="")


if __name__ == "__main__":
    main()
