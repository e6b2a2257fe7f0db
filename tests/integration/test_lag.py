"""Consumer lag per group/topic/partition, in records and seconds, read from the real broker."""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.request
from datetime import UTC, datetime

from tests.support.corpus import make_corpus
from tests.support.kafka import read_topic, wait_until
from tests.support.pipeline import Pipeline, free_port
from tests.support.stack import ROOT
from triage.domain.intake import raw_email
from triage.platform.lag import LagReader
from triage.platform.publisher import RawPublisher
from triage.platform.topics import EXTRACTED


def publish(pipeline: Pipeline, n: int, seed: int) -> None:
    publisher = RawPublisher(pipeline.settings)
    for _name, raw in make_corpus(n, seed):
        publisher.publish(raw_email(raw, source="file", received_at=datetime.now(UTC), max_bytes=25 << 20))
    publisher.flush()


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def test_lag_in_records_and_seconds_of_a_stopped_stage(pipeline: Pipeline) -> None:
    pipeline.start("extract")
    pipeline.start("route")
    publish(pipeline, 4, seed=1)
    wait_until(lambda: len(read_topic(pipeline.settings, EXTRACTED)) == 4, 30, "4 extracted")
    route, extract = f"{pipeline.prefix}triage-route", f"{pipeline.prefix}triage-extract"
    reader = LagReader(pipeline.settings)
    # Routed too, so route's group has committed offsets on every partition it got records on.
    wait_until(lambda: sum(lag.records for lag in reader.read() if lag.group == route) == 0, 30, "route idle")

    pipeline.processes.pop("route").terminate()
    publish(pipeline, 6, seed=2)
    wait_until(lambda: len(read_topic(pipeline.settings, EXTRACTED)) == 10, 30, "10 extracted")
    time.sleep(2)
    lags = reader.read()
    reader.close()

    behind = [lag for lag in lags if lag.group == route and lag.topic == pipeline.settings.topic(EXTRACTED)]
    # 6 records behind; transaction markers take offsets too (at most one per extract transaction).
    assert 6 <= sum(lag.records for lag in behind) <= 6 + 10
    assert max(lag.seconds for lag in behind) >= 2
    assert all(lag.seconds == 0 for lag in behind if lag.records == 0)
    # extract has consumed everything: the markers after its input records are not lag.
    assert [lag.records for lag in lags if lag.group == extract] == [0] * len(
        [lag for lag in lags if lag.group == extract])


def test_the_lag_exporter_serves_it_to_prometheus(pipeline: Pipeline) -> None:
    pipeline.start("extract")
    publish(pipeline, 3, seed=3)
    wait_until(lambda: len(read_topic(pipeline.settings, EXTRACTED)) == 3, 30, "3 extracted")
    port = free_port()
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": pipeline.stack.bootstrap_servers,
           "TRIAGE_TOPIC_PREFIX": pipeline.prefix}
    exporter = subprocess.Popen([str(ROOT / ".venv/bin/triage"), "lag-exporter", "--port", str(port),
                                 "--interval", "1"], env=env, stderr=subprocess.PIPE)
    try:
        pattern = re.compile(
            rf'kafka_consumergroup_lag\{{group="{re.escape(pipeline.prefix)}triage-extract",'
            rf'partition="\d+",topic="{re.escape(pipeline.prefix)}email.raw"\}} 0.0')

        def exported() -> bool:
            try:
                return bool(pattern.search(scrape(port)))
            except OSError:
                return False

        wait_until(exported, 30, "extract's lag on /metrics")
        text = scrape(port)
        assert "kafka_consumergroup_lag_seconds{" in text
        assert re.search(r"triage_lag_exporter_last_success_timestamp_seconds 1\.\d+e\+09", text)
    finally:
        exporter.terminate()
        exporter.wait(30)
    assert exporter.returncode == 0, exporter.stderr.read().decode() if exporter.stderr else ""
