"""RFC 5322 bytes → CleanEmail: decoded headers, the visible text, and its parts.

Everything here must survive whatever the internet sends: malformed MIME,
lying charsets, megabyte HTML. So the work is bounded (``limits``), decoding
falls back instead of raising, and parser defects are kept as data rather
than thrown. docs/normalization.md describes the stages; this package is pure
(no I/O), like the rest of the domain.
"""

from __future__ import annotations

from triage.domain.normalize.body import BodyParts, split_body
from triage.domain.normalize.charset import decode_payload, decode_text
from triage.domain.normalize.extractor import extractor_input
from triage.domain.normalize.forward import find_forwarded, is_forward_subject, parse_address
from triage.domain.normalize.headers import parse_auth_results
from triage.domain.normalize.html import html_to_text
from triage.domain.normalize.language import detect_language
from triage.domain.normalize.limits import (
    EXTRACTOR_HISTORY_CHARS,
    EXTRACTOR_SIGNATURE_CHARS,
    EXTRACTOR_TEXT_CHARS,
    MAX_PARTS,
    MAX_TEXT_CHARS,
)
from triage.domain.normalize.message import clean_email, parse_message

__all__ = [
    "EXTRACTOR_HISTORY_CHARS",
    "EXTRACTOR_SIGNATURE_CHARS",
    "EXTRACTOR_TEXT_CHARS",
    "MAX_PARTS",
    "MAX_TEXT_CHARS",
    "BodyParts",
    "clean_email",
    "decode_payload",
    "decode_text",
    "detect_language",
    "extractor_input",
    "find_forwarded",
    "html_to_text",
    "is_forward_subject",
    "parse_address",
    "parse_auth_results",
    "parse_message",
    "split_body",
]
