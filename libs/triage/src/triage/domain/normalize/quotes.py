"""Where the quoted history starts: reply headers, separators, header blocks, ">".

A reply header is recognised by its grammar, not by a list of sentences:
an intro word or a date, a name or an address, a verb of writing, a colon —
"On Mon, 12 Jan 2026, Jane <j@x> wrote:", "Am 12.01.2026 schrieb Jane <j@x>:",
"W dniu 12.01.2026 użytkownik Jane napisał:", "2026-01-12 9:30 GMT+01:00 Jane
<j@x>:" — possibly wrapped over up to three lines, possibly in dashes
("---- Jane wrote ----"), possibly at the end of the reply's last line.
"""

from __future__ import annotations

import re

from triage.domain.normalize.vocabulary import (
    FORWARD_INTROS,
    FORWARD_TITLES,
    HEADER_FIELDS,
    HEADER_INTROS,
    MESSAGE_NOUNS,
    REPLY_TITLES,
    WRITING_VERBS,
)

_FORWARD_TITLE = "|".join(FORWARD_TITLES)
_INTRO = "|".join(rf"{intro}\s?:" for intro in FORWARD_INTROS)
#: "---------- Forwarded message ---------" or "Begin forwarded message:".
FORWARD_SEPARATOR = re.compile(rf"-{{2,}}\s*(?:{_FORWARD_TITLE})\s*-{{2,}}|{_INTRO}", re.IGNORECASE)
_MESSAGE_NOUN = "|".join(MESSAGE_NOUNS)
#: The same, "-----Original Message-----" and its translations, or any rule of dashes
#: (or "=") around a few words naming a message ("-----Antwort Nachricht-----").
SEPARATOR_LINE = re.compile(
    rf"-{{2,}}\s*(?:{_FORWARD_TITLE}|{'|'.join(REPLY_TITLES)})\s*-{{2,}}|{_INTRO}"
    rf"|[-=]{{2,}}\s*(?:[^\W\d_][\w']*\s+){{0,3}}(?:{_MESSAGE_NOUN})\b[^-=\n]{{0,60}}[-=]*",
    re.IGNORECASE,
)
_LABELS = {field: "|".join(label for label, f in HEADER_FIELDS.items() if f == field)
           for field in ("from", "date", "subject", "to")}  # fmt: skip
_FIELD_LINE = re.compile(
    rf"\*?(?P<label>{'|'.join(_LABELS.values())})\s?[:：]\*?\s*(?P<value>.*)", re.IGNORECASE
)
RULE_LINE = re.compile(r"_{8,}|-{8,}|={4,}")

_VERB = "|".join(WRITING_VERBS)
_OPENING = "|".join(HEADER_INTROS)
_ADDRESS = r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
# A date or a time: "2026", "12.01.2026", "9:30", "17.50".
_DATE = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}[:.h]\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
_STARTS_WITH_INTRO = re.compile(rf"(?:{_OPENING})\b", re.IGNORECASE)
# … a verb of writing, then (after an intro or a date) at most a name and an address, ":"
# (or the full-width "："). Tried with the first verb and with the last one: "Sent from
# my phone, Jane <j@x> wrote:" has two, and only the last is the header's.
_VERB_HEADER_PARTS = (
    rf"(?<![\w-])(?P<verb>{_VERB})(?![\w-])(?P<after>[^:：]{{0,160}}?)\s?[:：]"
)
_VERB_HEADER = re.compile(rf"(?P<before>.{{0,300}}?){_VERB_HEADER_PARTS}", re.IGNORECASE)
_VERB_HEADER_LAST = re.compile(rf"(?P<before>.{{0,300}}){_VERB_HEADER_PARTS}", re.IGNORECASE)
# "2026-01-12 9:30 GMT+01:00 Jane Doe <jane@acme.com>:" — a date, a name, an address, ":".
_DATE_FIRST = re.compile(rf"(?P<before>.{{0,300}}?)[<\[(]?(?:mailto:)?{_ADDRESS}[>\])]?\s?[:：]")
# The same with its colon lost ("2026/1/12 Jane Doe <jane@acme.com>"): only over ">" lines.
_DATE_FIRST_NO_COLON = re.compile(rf"(?P<before>.{{0,300}}?)[<\[(](?:mailto:)?{_ADDRESS}[>\])]")
# "---- On Wed, 24 Feb 2026 Jane wrote ----" (Zoho), "---- Jane Doe wrote ----" (Android):
# a header without a colon inside dashes.
_DASHED = re.compile(
    rf"-{{2,}}\s*(?P<header>.{{2,300}}?)\s+(?:{_VERB})\s*-{{2,}}", re.IGNORECASE
)
# "On … Jane <jane@acme.com> wrote" with the colon lost.
_NO_COLON = re.compile(rf"(?:{_OPENING})\b.{{0,300}}{_ADDRESS}>?\s+(?:{_VERB})", re.IGNORECASE)
# Gmail wraps "Jane <jane@acme.com\n>:" — the bracket and colon alone on a line.
_CLOSING_BRACKET = re.compile(r"[>)\]]+\s?:")
_ADDRESS_LINE = re.compile(rf"[<(\[]?(?:mailto:)?{_ADDRESS}[>)\]]*")
_OPEN_BRACKET_SPACE = re.compile(r"([<(\[])\s+")
_SPACE_CLOSE_BRACKET = re.compile(r"\s+([>)\]])")
_MAX_HEADER_CHARS = 400
_MAX_HEADER_LINES = 3
_MAX_STRONG_HEADER_LINES = 6
# The end of an address bracket and the verb, on a line of their own: "> wrote:".
_BRACKET_VERB = re.compile(r">\s?\w+\s?:")
# A blank line inside a header only before its address part ("<", "(", "mailto:").
_OPENS_ADDRESS = re.compile(r"[<(\[]|mailto:", re.IGNORECASE)


def quote_start(lines: list[str]) -> int:
    """Index of the first line of quoted history, or len(lines) when there is none."""
    for index in range(len(lines)):
        if _starts_quote(lines, index):
            return index
    return len(lines)


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if line.startswith(">") or SEPARATOR_LINE.fullmatch(line):
        return True
    if header_lines(lines, index):
        return True
    if RULE_LINE.fullmatch(line):
        return is_header_block(lines, next_non_empty(lines, index + 1))
    return is_header_block(lines, index)


def header_lines(lines: list[str], index: int) -> int:
    """How many lines the reply header at ``index`` spans (0: none starts there).

    A weak header — a name and a verb alone ("Jane wrote:"), a date and an
    address with the colon lost — counts only over ">" lines.
    """
    line = lines[index].strip()
    if not line or len(line) > _MAX_HEADER_CHARS:
        return 0
    if is_reply_header(line, quoted_below=_quoted_below(lines, index + 1)):
        return 1
    # Wrapped headers open like one: an intro word or a date (or "Name <") on the first line.
    if not (_STARTS_WITH_INTRO.match(line) or _DATE.search(line[:40]) or "<" in line):
        return 0
    joined = line
    # An intro word and a date: the header is certain enough to cross a blank line and a
    # lone "> wrote:" (Polymail: "On … PM Jane\n\n<\nmailto:jane@x\n> wrote:").
    strong = bool(_STARTS_WITH_INTRO.match(line) and _DATE.search(line)) and line[-1] not in ".!?"
    for extra in range(1, _MAX_STRONG_HEADER_LINES if strong else _MAX_HEADER_LINES):
        following = lines[index + extra].strip() if index + extra < len(lines) else ""
        if strong and not following and _OPENS_ADDRESS.match(_line_after(lines, index + extra)):
            continue
        if not following or (
            following.startswith(">")
            and not _CLOSING_BRACKET.fullmatch(following)
            and not (strong and _BRACKET_VERB.fullmatch(following))
        ):
            return 0
        # "Thanks, see you then.\nJane <jane@acme.com> wrote:": the header is the second line.
        if extra == 1 and line[-1] in ".!?" and is_reply_header(following):
            return 0
        joined = f"{joined} {following}"
        if len(joined) > _MAX_HEADER_CHARS:
            return 0
        if is_reply_header(joined, quoted_below=_quoted_below(lines, index + extra + 1)):
            return extra + 1
    return 0


def _line_after(lines: list[str], index: int) -> str:
    after = next_non_empty(lines, index)
    return lines[after].strip() if after < len(lines) else ""


def _quoted_below(lines: list[str], index: int) -> bool:
    below = next_non_empty(lines, index)
    return below < len(lines) and lines[below].lstrip().startswith(">")


def is_reply_header(text: str, *, quoted_below: bool = True) -> bool:
    """Whether one (joined) line is a reply header, by the grammar above.

    ``quoted_below``: whether ">" lines follow; without them a weak header
    (a name and a verb alone, a date and an address without the colon) is prose.
    """
    text = text.strip().strip("*_").strip()
    # Wrapping split "<\njane@acme.com>"; joined with a space, it reads "< jane@acme.com >".
    text = _SPACE_CLOSE_BRACKET.sub(r"\1", _OPEN_BRACKET_SPACE.sub(r"\1", text))
    if len(text) > _MAX_HEADER_CHARS:
        return False
    dashed = _DASHED.fullmatch(text)
    if dashed:
        return _header_evidence(dashed.group("header"), "", quoted_below=True)
    if _NO_COLON.fullmatch(text):
        return True
    for grammar in (_VERB_HEADER, _VERB_HEADER_LAST):
        verb = grammar.fullmatch(text)
        if verb and _header_evidence(verb.group("before"), verb.group("after"), quoted_below):
            return True
    date_first = _DATE_FIRST.fullmatch(text) or (
        quoted_below and _DATE_FIRST_NO_COLON.fullmatch(text)
    )
    return bool(date_first and _DATE.search(date_first.group("before")))


def _header_evidence(before: str, after: str, quoted_below: bool) -> bool:
    """A date, an address or an intro word before the verb; after it, only a name/address."""
    opens = bool(_STARTS_WITH_INTRO.match(before.strip())) or bool(_DATE.search(before))
    after = after.strip()
    if not after:
        return opens or "@" in before or (quoted_below and _is_name(before))
    # The verb before the name ("Am … schrieb Jane <…>:") only after an intro or a date.
    return opens and ("@" in after or _is_name(after, loose=True))


def _is_name(text: str, *, loose: bool = False) -> bool:
    # "Jane Doe wrote:" — a name of one to four capitalised words, nothing else. After
    # an intro and a verb ("Am … schrieb Test user:") the first word capitalised is enough.
    words = text.strip(" ,\"'").split()
    if not 0 < len(words) <= 4 or not words[0][:1].isupper():
        return False
    return all(word.isalpha() for word in words) if loose else all(
        word[:1].isupper() for word in words
    )


def split_inline_header(line: str) -> tuple[str, str] | None:
    """("reply text", "header") when a reply header ends the line after some text."""
    if len(line) > _MAX_HEADER_CHARS * 2 or line.lstrip().startswith(">"):
        return None
    if _STARTS_WITH_INTRO.match(line.strip()) and is_reply_header(line):
        # "On Thu, … life is short. on Bob wrote:" is one header, not a sentence and a header.
        return None
    for found in _INLINE_SPLIT.finditer(line):
        head, tail = line[: found.start()], line[found.end() :]
        if not any(c.isalnum() for c in head) or not _STARTS_WITH_INTRO.match(tail) or not is_reply_header(tail):
            continue
        # After a sentence or a dash rule ("reply--- On …"); after bare words only when
        # the header opens with a capital and carries a date ("reply On Wed, 4 Apr …").
        if found.group("stop") or found.group("dashes") or (tail[:1].isupper() and _DATE.search(tail)):
            return head, tail
    return None


_INLINE_SPLIT = re.compile(
    rf"(?:(?<=(?P<stop>[.!?]))\s+|\s*(?P<dashes>-{{2,}})\s*|\s+)(?=(?:{_OPENING})\b)", re.IGNORECASE
)


def field_of(line: str) -> str | None:
    """"from", "date", "subject" or "to" for a header-block line ("Fra: …", "Date: …")."""
    match = _FIELD_LINE.fullmatch(line.strip())
    return HEADER_FIELDS.get(match.group("label").lower()) if match else None


def is_header_block(lines: list[str], index: int) -> bool:
    """Outlook-style "From:/Sent:/To:/Subject:" lines (any order, seven-plus languages).

    Two different fields in a row, one of them the sender or the date, and
    not only "To:"-like ones ("A:", "An:", "Do:" are too common in prose).
    """
    if index >= len(lines):
        return False
    first = field_of(lines[index])
    if first not in ("from", "date", "subject"):
        return False
    from_line = _FIELD_LINE.fullmatch(lines[index].strip())
    if first == "from" and (from_line is None or not from_line.group("value")):
        return False
    fields = {first}
    addressed = False
    for line in lines[index + 1 : index + 6]:
        field = field_of(line)
        if field is None:
            # Outlook wraps a long sender: "From: Jane Doe\n<jane@acme.com>".
            if _ADDRESS_LINE.fullmatch(line.strip()):
                continue
            break
        fields.add(field)
        # "Date: …\nTo: jane@acme.com": a recipient's address makes a date or sender a block.
        addressed = addressed or (field == "to" and "@" in line)
    if not fields & {"from", "date"}:
        return False
    return len(fields - {"to"}) >= 2 or addressed


def next_non_empty(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index
