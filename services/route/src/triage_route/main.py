"""Entrypoint of the route service."""

from triage.platform.mailbox_file import load_mailbox_file
from triage.platform.service import run_stage
from triage.platform.topics import EXTRACTED

from triage_route.handler import RouteHandler


def main() -> None:
    run_stage("route", [EXTRACTED], lambda settings: RouteHandler(load_mailbox_file(settings)))


if __name__ == "__main__":
    main()
