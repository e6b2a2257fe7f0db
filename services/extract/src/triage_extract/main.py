"""Entrypoint of the extract service."""

from triage.platform.check import check_requested, run_check
from triage.platform.service import run_stage
from triage.platform.topics import CLEAN, RAW
from triage_extract.wiring import build_handler


def main() -> None:
    if check_requested():  # the start-up check: settings and shipped data, no Kafka (ADR 0031)
        raise SystemExit(run_check("extract"))
    run_stage("extract", [RAW, CLEAN], build_handler)


if __name__ == "__main__":
    main()
