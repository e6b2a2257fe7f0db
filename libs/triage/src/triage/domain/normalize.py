"""RFC 5322 bytes → CleanEmail: decoded headers, the visible text, and its parts.

Everything here must survive whatever the internet sends: malformed MIME,
lying charsets, megabyte HTML. So the work is bounded (parts walked, text
length), decoding falls back instead of raising, and parser defects are kept
as data rather than thrown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import TypeVar

from triage.domain.identity import message_ids
from triage.domain.models import Attachment, AuthVerdicts, CleanEmail, ForwardedMessage, RawEmail

T = TypeVar("T")

MAX_PARTS = 200
MAX_TEXT_CHARS = 200_000
MAX_DEFECTS = 50
# What an LLM extractor gets to read: enough for intent and fields, cheap in tokens.
EXTRACTOR_TEXT_CHARS = 1_500
EXTRACTOR_HISTORY_CHARS = 300
EXTRACTOR_SIGNATURE_CHARS = 300


# ---------------------------------------------------------------- body parts


@dataclass(frozen=True)
class BodyParts:
    """A message body cut into the newest visible text and what surrounds it."""

    text: str
    signature: str | None = None
    quoted: str | None = None
    footer: str | None = None


def split_body(text: str, sender_name: str | None = None) -> BodyParts:
    """Newest message first: cut quoted history, then the legal footer, then the signature.

    ``sender_name`` (the From display name) finds signatures that have no
    sign-off: a block starting with the sender's own name.
    """
    lines = text[:MAX_TEXT_CHARS].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    quote_at = _quote_start(lines)
    head, quoted = lines[:quote_at], lines[quote_at:]
    footer_at = _footer_start(head)
    head, footer = head[:footer_at], head[footer_at:]
    signature_at = _signature_start(head, _name_forms(sender_name))
    return BodyParts(
        text=_join(head[:signature_at]) or "",
        signature=_join(head[signature_at:]),
        quoted=_join(quoted),
        footer=_join(footer),
    )


def _join(lines: list[str]) -> str | None:
    return "\n".join(line.rstrip() for line in lines).strip() or None


_ATTRIBUTION_LINES = (
    re.compile(r"on\b.{0,250}\bwrote\s?:", re.IGNORECASE),
    re.compile(r"am\b.{0,250}\bschrieb\b.{0,120}:", re.IGNORECASE),
    re.compile(r"le\b.{0,250}\ba\s+écrit\s?:", re.IGNORECASE),
    re.compile(r"el\b.{0,250}\bescribió\s?:", re.IGNORECASE),
)
_FORWARD_TITLES = r"forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado"
_REPLY_TITLES = r"original message|ursprüngliche nachricht|message d'origine|mensaje original"
_FORWARD_INTROS = (
    r"begin forwarded message\s?:|anfang der weitergeleiteten nachricht\s?:"
    r"|début du message (?:réexpédié|transféré|réacheminé)\s?:|inicio del mensaje reenviado\s?:"
)
# "---------- Forwarded message ---------", "-----Original Message-----", "Begin forwarded message:".
_FORWARD_SEPARATOR = re.compile(
    rf"-{{2,}}\s*(?:{_FORWARD_TITLES})\s*-{{2,}}|{_FORWARD_INTROS}", re.IGNORECASE
)
_SEPARATOR_LINE = re.compile(
    rf"-{{2,}}\s*(?:{_FORWARD_TITLES}|{_REPLY_TITLES})\s*-{{2,}}|{_FORWARD_INTROS}", re.IGNORECASE
)
# Outlook quotes the previous message under a header block rather than with ">".
_FROM_HEADER = re.compile(r"\*?(from|von|de|da)\s?:\*?\s*\S.*", re.IGNORECASE)
_SENT_HEADER = re.compile(
    r"\*?(sent|date|subject|gesendet|datum|betreff|envoyé|objet|enviado|fecha|asunto)\s?:\*?.*",
    re.IGNORECASE,
)
_RULE_LINE = re.compile(r"_{8,}|-{8,}")


def _quote_start(lines: list[str]) -> int:
    for index in range(len(lines)):
        if _starts_quote(lines, index):
            return index
    return len(lines)


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if line.startswith(">") or _SEPARATOR_LINE.fullmatch(line):
        return True
    if _is_attribution(line, lines[index + 1].strip() if index + 1 < len(lines) else ""):
        return True
    if _RULE_LINE.fullmatch(line):
        return _is_header_block(lines, _next_non_empty(lines, index + 1))
    return _is_header_block(lines, index)


def _is_attribution(line: str, next_line: str) -> bool:
    # Gmail wraps long attributions: "On Mon, ... Jane Doe <\njane@x.com> wrote:".
    candidates = (line, f"{line} {next_line}") if next_line else (line,)
    return any(
        pattern.fullmatch(candidate) for candidate in candidates for pattern in _ATTRIBUTION_LINES
    )


def _is_header_block(lines: list[str], index: int) -> bool:
    if index >= len(lines) or not _FROM_HEADER.fullmatch(lines[index].strip()):
        return False
    following = lines[index + 1 : index + 5]
    return any(_SENT_HEADER.fullmatch(line.strip()) for line in following)


def _next_non_empty(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


_FOOTER_LINE = re.compile(
    r"(this (e-?mail|message|communication|transmission)\b.{0,120}"
    r"\b(confidential|privileged|intended (solely |only )?for)"
    r"|the information (contained )?in this (e-?mail|message).{0,80}\b(confidential|privileged)"
    r"|(confidentiality notice|disclaimer|legal notice)\b"
    r"|(diese|this) (e-?mail|nachricht).{0,120}\b(vertraulich|rechtlich geschützte)"
    r"|ce (message|courriel|mail|e-mail).{0,120}\bconfidenti"
    r"|este (mensaje|correo|e-?mail).{0,120}\bconfidencial"
    r"|you(?:'re| are) (receiving|getting) (this|these|product|our)\b|you receive this\b"
    r"|you received this (e-?mail|message)\b|(click here )?to unsubscribe\b|unsubscribe from (this|our|these)"
    r"|not the right person\?|if you'?d rather not hear from me|(note: )?this is not (a )?spam"
    r"|if you do not want to receive (further|any more|more) e-?mails)",
    re.IGNORECASE,
)


def _footer_start(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if _FOOTER_LINE.match(line.strip()):
            return index
    return len(lines)


_CLOSING = (
    r"(?:best|best regards|best wishes|kind regards|warm regards|warmest regards|regards"
    r"|many thanks|thanks|thank you|thanks again|thanks in advance|thx|cheers|sincerely"
    r"|yours sincerely|yours truly|all the best|talk soon"
    r"|thank you for your (?:time|consideration|help)|thanks for your (?:time|help)"
    r"|mit freundlichen grüßen|mit freundlichen grüssen|freundliche grüße|viele grüße"
    r"|beste grüße|liebe grüße|grüße|gruß|vielen dank|danke"
    r"|cordialement|bien cordialement|bien à vous|salutations|meilleures salutations"
    r"|merci|merci d'avance|merci beaucoup|je vous remercie"
    r"|saludos|un saludo|saludos cordiales|atentamente|gracias|muchas gracias"
    r"|met vriendelijke groet(?:en)?|groeten|obrigad[oa]|atenciosamente|um abraço|abraços)"
)
# Bilingual senders sign off twice: "Beste Grüße / Best regards," or "Thanks & Regards,".
_CLOSING_LINE = re.compile(rf"{_CLOSING}(?:\s*(?:/|&|and)\s*{_CLOSING})*\s*[,.!]*", re.IGNORECASE)
_DEVICE_LINE = re.compile(
    r"(sent from my [\w -]{1,30}|sent from (outlook|mail) for [\w -]{1,20}|get outlook for \w+"
    r"|von meinem [\w -]{1,30} gesendet|envoyé de mon [\w -]{1,30}|enviado desde mi [\w -]{1,30})\.?",
    re.IGNORECASE,
)
# "-Jane" or "— Jane Doe": a sign-off by name alone.
_DASH_NAME_LINE = re.compile(r"[-–—]\s?[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}")
# A closing followed by more than this is a "thanks" inside the message, not a sign-off.
_MAX_SIGNATURE_LINES = 12


def _signature_start(lines: list[str], names: frozenset[str] = frozenset()) -> int:
    first_text = _next_non_empty(lines, 0)
    remaining = _non_empty_after(lines)
    for index, line in enumerate(lines):
        if line.rstrip() == "--" or _DEVICE_LINE.fullmatch(line.strip()):
            return index
        if (
            index > first_text
            and remaining[index] <= _MAX_SIGNATURE_LINES
            and _is_sign_off(line.strip(), names)
        ):
            return index
    return len(lines)


def _is_sign_off(line: str, names: frozenset[str]) -> bool:
    if _CLOSING_LINE.fullmatch(line) or _DASH_NAME_LINE.fullmatch(line):
        return True
    return line.strip("-–— ,.").lower() in names


def _non_empty_after(lines: list[str]) -> list[int]:
    """For each line, how many non-empty lines follow it (one pass, not one per line)."""
    counts = [0] * len(lines)
    following = 0
    for index in range(len(lines) - 1, -1, -1):
        counts[index] = following
        following += bool(lines[index].strip())
    return counts


def _name_forms(sender_name: str | None) -> frozenset[str]:
    """The forms a sender signs with: "Jane Doe" or "Jane" (also for "Doe, Jane")."""
    if not sender_name or "@" in sender_name:
        return frozenset()
    name = sender_name.strip(" \"'")
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    words = name.split()
    return frozenset({name.lower(), words[0].lower()}) if words else frozenset()


# ---------------------------------------------------------------- forwards

_FORWARD_SUBJECT = re.compile(r"\s*(fwd?|fw|wg|tr|rv|enc|reenv)\s*:", re.IGNORECASE)
_FORWARD_HEADER = re.compile(r"\*?([^\W\d_][^\W\d_ ]*(?: [^\W\d_]+)?)\s?:\*?\s*(.*)")
_FORWARD_FIELDS = {
    "from": "from", "von": "from", "de": "from", "da": "from",
    "date": "date", "sent": "date", "datum": "date", "gesendet": "date",
    "envoyé": "date", "fecha": "date", "enviado": "date",
    "subject": "subject", "betreff": "subject", "objet": "subject", "asunto": "subject",
    "to": "to", "cc": "to", "an": "to", "à": "to", "para": "to",
}  # fmt: skip
_EMAIL_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def is_forward_subject(subject: str) -> bool:
    return bool(_FORWARD_SUBJECT.match(subject))


def find_forwarded(body: str, subject: str) -> ForwardedMessage | None:
    """The original inside a forward: after a forward separator, or any quoted block of a Fwd:."""
    lines = body[:MAX_TEXT_CHARS].replace("\r\n", "\n").split("\n")
    start = _forward_start(lines)
    if start is None and is_forward_subject(subject):
        start = _quote_start(lines) if _quote_start(lines) < len(lines) else None
    return None if start is None else _parse_forward_block(lines[start:])


def _forward_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if _FORWARD_SEPARATOR.fullmatch(line.strip()):
            return index
    return None


def _parse_forward_block(lines: list[str]) -> ForwardedMessage | None:
    lines = _unquote(lines)
    index = _skip_separators(lines, 0)
    fields, index = _read_forward_headers(lines, index)
    if "from" not in fields and "subject" not in fields:
        return None
    name, address = parse_address(fields.get("from", ""))
    parts = split_body("\n".join(lines[index:]), name)
    text = "\n\n".join(part for part in (parts.text, parts.signature) if part)
    return ForwardedMessage(
        from_name=name,
        from_email=address,
        date=fields.get("date") or None,
        subject=fields.get("subject") or None,
        text=text,
    )


def _skip_separators(lines: list[str], index: int) -> int:
    while index < len(lines) and _is_separator(lines[index].strip()):
        index += 1
    return index


def _is_separator(line: str) -> bool:
    return not line or bool(_SEPARATOR_LINE.fullmatch(line) or _RULE_LINE.fullmatch(line))


def _read_forward_headers(lines: list[str], index: int) -> tuple[dict[str, str], int]:
    fields: dict[str, str] = {}
    while index < len(lines):
        line = lines[index].strip()
        match = _FORWARD_HEADER.fullmatch(line)
        field = _FORWARD_FIELDS.get(match.group(1).lower()) if match else None
        if field is None:
            break
        fields.setdefault(field, match.group(2).replace("*", "").strip())
        index += 1
    return fields, index


def _unquote(lines: list[str]) -> list[str]:
    # A forward that was itself quoted with ">" still has a readable original inside.
    non_empty = [line for line in lines if line.strip()]
    if non_empty and all(line.lstrip().startswith(">") for line in non_empty):
        return [re.sub(r"^\s*> ?", "", line) for line in lines]
    return lines


def parse_address(value: str) -> tuple[str | None, str | None]:
    """(display name, email) from 'Jane <j@x>', 'Jane [mailto:j@x]' or a bare address."""
    found = _EMAIL_ADDRESS.search(value)
    if not found:
        return (value.strip(" \"'") or None), None
    name = value[: found.start()].replace("mailto:", "").strip(" \"'<[(")
    return (name.strip(" \"'") or None), found.group(0).lower()


# ---------------------------------------------------------------- HTML → text

# Paragraph-like blocks are separated by a blank line, line-like ones by a line break.
# fmt: off
_PARAGRAPH_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "fieldset", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section",
    "table", "ul",
})
_LINE_TAGS = frozenset({"br", "caption", "dd", "div", "dl", "dt", "figcaption", "li", "tbody",
                        "thead", "tr"})
# fmt: on
_SKIPPED_TAGS = frozenset({"script", "style", "title", "noscript", "template"})
_CELL_TAGS = frozenset({"td", "th"})


class _HtmlText(HTMLParser):
    """Readable text from HTML: blocks become lines, blockquotes become "> " quotes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._skip_depth = 0
        self._quote_depth = 0
        self._pre_depth = 0
        self.size = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in _PARAGRAPH_TAGS:
            self._paragraph()
            self._quote_depth += tag == "blockquote"
            self._pre_depth += tag == "pre"
        elif tag in _LINE_TAGS:
            self._newline(blank_if_empty=tag == "br")
            if tag == "li":
                self._line.append("- ")
        elif tag in _CELL_TAGS and self._line:
            self._line.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _PARAGRAPH_TAGS:
            self._paragraph()
            if tag == "blockquote":
                self._quote_depth = max(0, self._quote_depth - 1)
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
        elif tag in _LINE_TAGS and tag != "br":  # <br/> reports an end tag too
            self._newline()

    def handle_data(self, data: str) -> None:
        if self._skip_depth or self.size > MAX_TEXT_CHARS:
            return
        if self._pre_depth:
            for number, chunk in enumerate(data.split("\n")):
                if number:
                    self._newline(blank_if_empty=True)
                self._line.append(chunk)
        else:
            self._line.append(re.sub(r"\s+", " ", data))
        self.size += len(data)

    def _newline(self, *, blank_if_empty: bool = False) -> None:
        line = "".join(self._line).replace("\xa0", " ")
        line = line.rstrip() if self._pre_depth else " ".join(line.split())
        self._line = []
        if line or blank_if_empty:
            self.lines.append("> " * self._quote_depth + line)

    def _paragraph(self) -> None:
        self._newline()
        if self.lines and self.lines[-1].strip("> "):
            self.lines.append("")

    def text(self) -> str:
        self._newline()
        return _collapse_blank_lines(self.lines)


def _collapse_blank_lines(lines: list[str]) -> str:
    kept: list[str] = []
    for line in lines:
        if line.strip("> ") or (kept and kept[-1].strip("> ")):
            kept.append(line.rstrip())
    return "\n".join(kept).strip()


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html[: MAX_TEXT_CHARS * 5])
        parser.close()
    except Exception:  # noqa: BLE001 - a broken page still has the text read so far
        pass
    return parser.text()


# ---------------------------------------------------------------- decoding


def decode_text(payload: bytes, charset: str | None) -> str:
    """Declared charset, else utf-8, else cp1252: senders lie about charsets all the time."""
    for candidate in (charset, "utf-8"):
        decoded = _strict_decode(payload, candidate)
        if decoded is not None and "\ufffd" not in decoded:
            return decoded
    return payload.decode("cp1252", errors="replace")


def _strict_decode(payload: bytes, charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError, ValueError):
        return None


def _part_payload(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a broken transfer encoding is a defect, not a crash
        return b""
    return payload if isinstance(payload, bytes) else b""


def _part_text(part: Message) -> str:
    return decode_text(_part_payload(part), _safe(part.get_content_charset, None))


def _content_type(part: Message) -> str:
    return _safe(part.get_content_type, "application/octet-stream")


def _safe(call: Callable[[], T], default: T) -> T:
    try:
        return call()
    except Exception:  # noqa: BLE001 - header parameters can be arbitrarily malformed
        return default


# ---------------------------------------------------------------- MIME walk


@dataclass
class _Body:
    plain: list[str]
    html: list[str]
    attachments: list[Attachment]
    attached_messages: list[Message]
    defects: list[str]
    truncated: bool = False


def _walk(message: Message) -> _Body:
    body = _Body([], [], [], [], [])
    stack, seen = [message], 0
    while stack:
        part = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            body.truncated = True
            break
        body.defects.extend(_defects(part))
        children = _children(part, is_root=part is message)
        if children is None:
            _collect_leaf(part, body)
        else:
            stack.extend(reversed(children))
    return body


def _children(part: Message, *, is_root: bool) -> list[Message] | None:
    """Sub-parts to walk, or None for a leaf (attached messages are leaves: forwards)."""
    if _content_type(part) == "message/rfc822" and not is_root:
        return None
    payload = part.get_payload() if part.is_multipart() else None
    return [child for child in payload if isinstance(child, Message)] if payload else None


def _collect_leaf(part: Message, body: _Body) -> None:
    content_type = _content_type(part)
    is_attachment = _safe(part.get_content_disposition, None) == "attachment"
    # A multipart whose boundary is missing arrives as one string: its text is still the body.
    if (
        content_type in ("text/plain", "multipart/mixed", "multipart/alternative")
        and not is_attachment
    ):
        body.plain.append(_part_text(part))
    elif content_type == "text/html" and not is_attachment:
        body.html.append(_part_text(part))
    else:
        if content_type == "message/rfc822":
            body.attached_messages.append(part)
        body.attachments.append(_attachment(part, content_type))


def _attachment(part: Message, content_type: str) -> Attachment:
    if content_type == "message/rfc822":
        size = len(_safe(part.as_bytes, b""))
    else:
        size = len(_part_payload(part))
    return Attachment(
        filename=_safe(part.get_filename, None), content_type=content_type, size_bytes=size
    )


def _defects(part: Message) -> list[str]:
    return [f"{type(defect).__name__}: {defect}".rstrip(": ") for defect in part.defects]


def _body_text(body: _Body) -> str:
    if any(text.strip() for text in body.plain):
        return "\n\n".join(text for text in body.plain if text.strip())
    return "\n\n".join(html_to_text(html) for html in body.html)


# ---------------------------------------------------------------- headers


def _header_text(message: Message, name: str) -> str:
    """A header decoded (RFC 2047) and unfolded; "" when absent, raw text when unparsable."""
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - the policy's parser can fail on hostile headers
        value = _raw_header(message, name)
    return "" if value is None else " ".join(str(value).split())


def _raw_header(message: Message, name: str) -> str | None:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return _safe(lambda value=value: str(make_header(decode_header(value))), str(value))
    return None


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    text = _header_text(message, name)
    pairs = _safe(lambda: getaddresses([text]), [])
    return [(display, address.lower()) for display, address in pairs if "@" in address]


def _parse_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_AUTH_RESULT = re.compile(r"\b(dkim|spf|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)


def parse_auth_results(value: str) -> AuthVerdicts:
    """The first verdict per method in an Authentication-Results value."""
    verdicts: dict[str, str] = {}
    for method, verdict in _AUTH_RESULT.findall(value):
        verdicts.setdefault(method.lower(), verdict.lower())
    return AuthVerdicts(**verdicts)


def _auth_verdicts(message: Message) -> AuthVerdicts:
    verdicts = parse_auth_results(_header_text(message, "Authentication-Results"))
    if verdicts.spf is None:
        received_spf = _header_text(message, "Received-SPF").split(" ", 1)[0].lower()
        verdicts = verdicts.model_copy(update={"spf": received_spf or None})
    return verdicts


def _lowered(message: Message, name: str) -> str | None:
    return _header_text(message, name).lower() or None


# ---------------------------------------------------------------- the whole message


def clean_email(raw: RawEmail) -> CleanEmail:
    message, too_deep = parse_message(raw.raw)
    body = _walk(message)
    if too_deep:
        body.truncated = True
        body.defects.insert(0, "RecursionError: MIME nesting too deep; body left unparsed")
    text = _body_text(body)
    subject = _header_text(message, "Subject")
    sender = (_addresses(message, "From") or [("", "")])[0]
    parts = split_body(text, sender[0])
    return CleanEmail(
        **_envelope(raw),
        date=_parse_date(_header_text(message, "Date")),
        in_reply_to=next(iter(message_ids(_header_text(message, "In-Reply-To"))), None),
        references=message_ids(_header_text(message, "References")),
        from_name=sender[0].strip() or None,
        from_email=sender[1] or None,
        reply_to=next((address for _, address in _addresses(message, "Reply-To")), None),
        to=[address for _, address in _addresses(message, "To")],
        cc=[address for _, address in _addresses(message, "Cc")],
        subject=subject,
        text=parts.text,
        signature=parts.signature,
        quoted=parts.quoted,
        footer=parts.footer,
        forwarded=_forwarded(text, subject, body),
        attachments=body.attachments,
        auth=_auth_verdicts(message),
        list_unsubscribe="List-Unsubscribe" in message,
        precedence=_lowered(message, "Precedence"),
        auto_submitted=_lowered(message, "Auto-Submitted"),
        truncated=raw.truncated or body.truncated or len(text) > MAX_TEXT_CHARS,
        defects=body.defects[:MAX_DEFECTS],
    )


def parse_message(raw: bytes) -> tuple[Message, bool]:
    """The parsed message, and whether its MIME tree was too deep to parse.

    The stdlib parser recurses once per nesting level, so a hostile message can
    exhaust the stack; then only the headers are parsed and the body stays text.
    """
    try:
        return message_from_bytes(raw, policy=policy.default), False
    except RecursionError:
        return BytesParser(policy=policy.default).parsebytes(raw, headersonly=True), True


def _envelope(raw: RawEmail) -> dict[str, object]:
    return {
        "email_id": raw.email_id,
        "thread_id": raw.thread_id,
        "mailbox": raw.mailbox,
        "received_at": raw.received_at,
        "message_id": raw.message_id,
    }


def _forwarded(text: str, subject: str, body: _Body) -> ForwardedMessage | None:
    found = find_forwarded(text, subject)
    if found is None and body.attached_messages and is_forward_subject(subject):
        found = _forward_from_attachment(body.attached_messages[0])
    return found


def _forward_from_attachment(part: Message) -> ForwardedMessage | None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return None
    name, address = parse_address(_header_text(inner, "From"))
    parts = split_body(_body_text(_walk(inner)), name)
    return ForwardedMessage(
        from_name=name,
        from_email=address,
        date=_header_text(inner, "Date") or None,
        subject=_header_text(inner, "Subject") or None,
        text="\n\n".join(part for part in (parts.text, parts.signature) if part),
    )


def extractor_input(clean: CleanEmail) -> str:
    """What a model reads: subject, sender, the newest text, and a taste of the thread.

    The signature stays in (company, title and country live there), and a
    forward's original replaces an empty "FYI" body, since that is what the
    email is about.
    """
    sections = [
        f"Subject: {clean.subject}\nFrom: {_sender(clean.from_name, clean.from_email)}",
        clean.text[:EXTRACTOR_TEXT_CHARS],
    ]
    if clean.signature:
        sections.append("Signature:\n" + clean.signature[:EXTRACTOR_SIGNATURE_CHARS])
    if clean.forwarded:
        sections.append(_forwarded_section(clean.forwarded))
    elif clean.quoted:
        sections.append("Earlier in the thread:\n" + clean.quoted[:EXTRACTOR_HISTORY_CHARS])
    return "\n\n".join(section for section in sections if section.strip())


def _forwarded_section(forwarded: ForwardedMessage) -> str:
    header = f"Forwarded message from: {_sender(forwarded.from_name, forwarded.from_email)}"
    return f"{header}\nSubject: {forwarded.subject or ''}\n{forwarded.text[:EXTRACTOR_TEXT_CHARS]}"


def _sender(name: str | None, address: str | None) -> str:
    if name and address:
        return f"{name} <{address}>"
    return name or address or "unknown"
