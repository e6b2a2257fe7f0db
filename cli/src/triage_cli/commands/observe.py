"""``triage lag`` (one reading, a table or JSON) and ``triage lag-exporter`` (for Prometheus)."""

from __future__ import annotations

import json
import threading

import typer
from confluent_kafka import KafkaException
from prometheus_client import REGISTRY
from rich.console import Console
from rich.table import Table

from triage.platform.health import serve_health
from triage.platform.lag import LagCollector, LagReader
from triage.platform.logs import configure_logging
from triage.platform.service import stop_on_signals
from triage.platform.settings import CliSettings, load_settings
from triage.platform.telemetry import setup_telemetry
from triage_cli.reach import require_kafka

console = Console()
err = Console(stderr=True)

GROUP_PREFIX_HELP = "Consumer groups to report (default: TRIAGE_TOPIC_PREFIX + 'triage-')"


def lag(
    group_prefix: str | None = typer.Option(None, help=GROUP_PREFIX_HELP),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per partition, as a list"),
) -> None:
    """Consumer lag of the pipeline's groups now: records and age of the oldest unconsumed one."""
    settings = load_settings(CliSettings)
    require_kafka(settings)
    reader = LagReader(settings, group_prefix)
    try:
        lags = reader.read()
    except KafkaException as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        reader.close()
    if as_json:
        typer.echo(json.dumps([lag.__dict__ for lag in lags]))
        return
    table = Table("group", "topic", "partition", "committed", "end", "lag", "lag (s)")
    for item in lags:
        table.add_row(item.group, item.topic, str(item.partition), str(item.committed), str(item.end),
                      str(item.records), f"{item.seconds:.1f}")
    console.print(table)


def lag_exporter(
    port: int | None = typer.Option(None, help="/metrics and /healthz port (default: TRIAGE_METRICS_PORT or 9100)"),
    host: str | None = typer.Option(None, help="Address to listen on (default: TRIAGE_METRICS_HOST)"),
    interval: float = typer.Option(15.0, min=1.0, help="Seconds between two readings"),
    group_prefix: str | None = typer.Option(None, help=GROUP_PREFIX_HELP),
) -> None:
    """Serve kafka_consumergroup_lag{group,topic,partition} and ..._lag_seconds on /metrics."""
    settings = load_settings(CliSettings)
    configure_logging("lag-exporter", settings.triage_log_level)
    setup_telemetry("lag-exporter", settings)
    reader = LagReader(settings, group_prefix)
    collector = LagCollector(reader, interval)
    REGISTRY.register(collector)
    host = host or settings.triage_metrics_host
    server = serve_health(host, port or settings.triage_metrics_port or 9100, collector.healthy)
    err.print(f"lag-exporter: /metrics on {host}:{server.server_port}, every {interval:g} s")
    stop = stop_on_signals()
    worker = threading.Thread(target=collector.run, args=(stop,), name="lag", daemon=True)
    worker.start()
    stop.wait()
    worker.join(30)
    server.shutdown()
    reader.close()


def register(app: typer.Typer) -> None:
    app.command("lag")(lag)
    app.command("lag-exporter")(lag_exporter)
