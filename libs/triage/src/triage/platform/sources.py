"""Reads messages from .eml files, folders of them, mbox files and Maildir folders."""

from __future__ import annotations

import mailbox
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceMessage:
    origin: str
    raw: bytes


class SourceError(ValueError):
    """A path that is not a message, a folder of messages, an mbox or a Maildir."""


def is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def iter_messages(paths: Iterable[Path]) -> Iterator[SourceMessage]:
    for path in paths:
        if not path.exists():
            raise SourceError(f"{path}: no such file or folder")
        if path.is_dir():
            yield from iter_folder(path)
        elif is_mbox(path):
            yield from iter_mbox(path)
        else:
            yield SourceMessage(str(path), path.read_bytes())


def iter_folder(path: Path) -> Iterator[SourceMessage]:
    if is_maildir(path):
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.keys()):
            yield SourceMessage(f"{path}:{key}", box.get_bytes(key))
        return
    for file in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".eml", ".mbox")):
        yield from iter_messages([file])


def iter_mbox(path: Path) -> Iterator[SourceMessage]:
    box = mailbox.mbox(path, factory=None, create=False)
    for index, key in enumerate(box.keys()):
        yield SourceMessage(f"{path}#{index}", box.get_bytes(key))


def count_messages(paths: Iterable[Path]) -> int:
    """For the progress bar: counts without reading bodies where the format allows."""
    return sum(1 for _ in iter_messages(paths))
