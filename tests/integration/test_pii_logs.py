"""PII: the five services' logs carry no email address, end to end (issue #8, point 7).

The pipeline runs as processes at DEBUG, with emails through both doors (the signed webhook,
so uvicorn's access log is in play, and the file door), a poison record (a dead letter: its
error and stack) and a Slack webhook that refuses (the notifier's error path). Every line of
every service's output is then scanned: no address of the corpus may appear, nor anything
shaped like an address; the hashed form ``email:<12 hex>`` is what an address becomes.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request

from confluent_kafka import Producer

from tests.integration.test_pipeline import crm_event_emails, ingest
from tests.integration.test_tracing import post_webhook
from tests.support.corpus import make_corpus
from tests.support.kafka import read_topic, wait_until
from tests.support.pipeline import SERVICES, Pipeline
from tests.unit.dlq.fake_slack import FakeSlack
from triage.platform.logs import EMAIL_ADDRESS
from triage.platform.topics import DLQ, RAW

ADDRESS_IN_MIME = re.compile(rb"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")


def test_no_service_logs_an_email_address(pipeline: Pipeline) -> None:
    slack = FakeSlack()
    slack.script = [(404, "no_service", {})] * 10
    pipeline.extra_env.update({"TRIAGE_LOG_LEVEL": "DEBUG", "TRIAGE_SLACK_WEBHOOK_URL": slack.url})
    pipeline.start_all()
    corpus = make_corpus(12, seed=71)
    addresses = {m.decode().lower() for _, raw in corpus for m in ADDRESS_IN_MIME.findall(raw)}
    addresses.add("sales@lumora.io")
    assert len(addresses) > 12

    webhook_ids = [post_webhook(pipeline, raw) for _, raw in corpus[:6]]
    request = urllib.request.Request(f"http://127.0.0.1:{pipeline.ports['ingest']}/webhook/inbound",
                                     data=corpus[6][1], method="POST",
                                     headers={"X-Triage-Timestamp": "1", "X-Triage-Signature": "sha256=" + "00" * 32})
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as exc:
        assert exc.code == 401
    file_ids = ingest(pipeline, 10, seed=72)  # the file door's corpus: addresses of its own
    addresses |= {m.decode().lower() for _, raw in make_corpus(10, seed=72) for m in ADDRESS_IN_MIME.findall(raw)}
    producer = Producer({"bootstrap.servers": pipeline.stack.bootstrap_servers})
    producer.produce(pipeline.settings.topic(RAW), key=b"k",
                     value=b"\x00From: leak.me@poison-example.com not avro")
    producer.flush(10)
    addresses.add("leak.me@poison-example.com")

    wait_until(lambda: crm_event_emails(pipeline) >= set(webhook_ids + file_ids), 60, "every email in the CRM")
    wait_until(lambda: len(read_topic(pipeline.settings, DLQ)) == 1, 20, "the poison's letter")
    wait_until(lambda: len(slack.received) >= 1, 20, "the Slack attempt")
    pipeline.stop_all()  # shutdown lines too
    slack.close()

    logs = {service: pipeline.log(service) for service in SERVICES}
    assert all(logs.values()), "every service wrote logs"
    assert sum(text.count("\n") for text in logs.values()) > 30
    assert "uvicorn.access" in logs["ingest"], "the access log was on"
    assert "dead-lettered" in logs["extract"]
    leaks = [(service, line) for service, text in logs.items() for line in text.splitlines()
             if EMAIL_ADDRESS.search(line) or any(a in line.lower() for a in addresses)]
    assert leaks == [], f"{len(leaks)} log line(s) carry an address, e.g. {leaks[:3]}"
