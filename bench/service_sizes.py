"""Each image's installed size without Docker (docs/operations.md, ADR 0031).

For every service (and the operator CLI) a fresh venv holding only that package's wheel,
triage's wheel (crm-sink and the admin: triage-crm's too, ADR 0039) and their pinned dependencies, installed
exactly as deploy/docker/Dockerfile installs them (tests/support/wheels.py); the size is every file's apparent size, i.e. what
the image's venv layer carries on top of the Python base image. For comparison the same
service with triage-cli beside it (the images before ADR 0031 carried the CLI).

    .venv/bin/python -m bench.service_sizes     # prints a Markdown table
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.support.wheels import PACKAGES, build_wheels, install

MB = 1_000_000


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="triage-sizes-") as tmp:
        root = Path(tmp)
        wheels = build_wheels(root / "wheels")
        print("| image | packages (distributions) | venv, MB | with triage-cli beside it, MB |")
        print("|---|---|---|---|")
        for package in PACKAGES:
            alone = install(package, wheels, root / package)
            size, count = alone.size_bytes(), len(alone.distributions())
            if package == "triage-cli":
                print(f"| `{package}` (SERVICE=cli) | {count} | {size / MB:.0f} | — |")
                continue
            both = install(package, wheels, root / f"{package}-and-cli", "triage-cli")
            print(f"| `{package}` | {count} | {size / MB:.0f} | {both.size_bytes() / MB:.0f} |")


if __name__ == "__main__":
    main()
