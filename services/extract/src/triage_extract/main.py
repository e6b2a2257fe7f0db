"""Entrypoint of the extract service."""

from triage.platform.service import run_stage
from triage.platform.topics import CLEAN, RAW
from triage_extract.wiring import build_handler


def main() -> None:
    run_stage("extract", [RAW, CLEAN], build_handler)


if __name__ == "__main__":
    main()
