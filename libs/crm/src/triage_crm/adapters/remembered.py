"""What a remote adapter remembers between requests: ids it looked up, and how long a batch's reads hold."""

from __future__ import annotations

from collections import OrderedDict

VIEW_TTL_S = 30.0  # a batch's view older than this (a long batch, an idle admin process) is read again


class BoundedCache(OrderedDict[str, str]):
    """domain -> company id (and email -> contact id), least recently used out first."""

    def __init__(self, size: int = 10_000) -> None:
        super().__init__()
        self.size = size

    def remember(self, key: str, value: str) -> str:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value
