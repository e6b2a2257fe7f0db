"""Entrypoint of the extract service."""

from triage.platform.check import check_requested, run_check
from triage.platform.service import run_stage
from triage.platform.settings import ExtractSettings, load_settings
from triage.platform.topics import CLEAN, RAW
from triage_extract.wiring import build_handler


def main() -> None:
    if check_requested():  # the start-up check: settings and shipped data, no Kafka (ADR 0031)
        raise SystemExit(run_check("extract", ExtractSettings))
    run_stage("extract", [RAW, CLEAN], build_handler, load_settings(ExtractSettings))


if __name__ == "__main__":
    main()
