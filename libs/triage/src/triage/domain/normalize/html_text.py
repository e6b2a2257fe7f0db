"""The line buffer that HTML → text writes into: blocks, quotes, preformatted text."""

from __future__ import annotations

import re

from triage.domain.normalize.limits import MAX_TEXT_CHARS

_SPACES = re.compile(r"\s+")


class TextWriter:
    """Collects text as lines; quoted blocks get a "> " per quote level."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.quote_depth = 0
        self.pre_depth = 0
        #: Past a reply divider (Outlook's): the rest of the document is history.
        self.history = False
        self._line: list[str] = []
        self._size = 0

    @property
    def full(self) -> bool:
        return self._size > MAX_TEXT_CHARS

    def data(self, text: str) -> None:
        if self.full:
            return
        self._size += len(text)
        if self.pre_depth <= 0:
            self._line.append(_SPACES.sub(" ", text))
            return
        for number, chunk in enumerate(text.split("\n")):
            if number:
                self.newline(blank_if_empty=True)
            self._line.append(chunk)

    def cell(self) -> None:
        if self._line:
            self._line.append("\t")

    def line(self, text: str) -> None:
        self.newline()
        self.lines.append("> " * max(self.quote_depth, 0) + text)

    def newline(self, *, blank_if_empty: bool = False) -> None:
        line = "".join(self._line).replace("\xa0", " ")
        line = line.rstrip() if self.pre_depth > 0 else " ".join(line.split())
        self._line = []
        if line or blank_if_empty:
            self.lines.append("> " * max(self.quote_depth, 0) + line)

    def paragraph(self) -> None:
        self.newline()
        # No blank line after the "-- " that stands for a marked signature block.
        if self.lines and self.lines[-1].strip("> ") not in ("", "--"):
            self.lines.append("")

    def text(self) -> str:
        self.newline()
        kept: list[str] = []
        for line in self.lines:
            if line.strip("> ") or (kept and kept[-1].strip("> ")):
                kept.append(line.rstrip())
        return "\n".join(kept).strip()
