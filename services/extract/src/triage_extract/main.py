"""Entrypoint of the extract service."""

from triage.platform.mailbox_file import load_mailbox_file
from triage.platform.service import run_stage
from triage.platform.topics import CLEAN, RAW
from triage_extract.handler import ExtractHandler


def main() -> None:
    run_stage("extract", [RAW, CLEAN], lambda settings: ExtractHandler(load_mailbox_file(settings)))


if __name__ == "__main__":
    main()
