"""Bytes → text when senders lie about charsets: declared, else UTF-8, else detected.

A wrong guess is never silent: ``decode_payload`` says which charset it
actually used when that is not the declared one, and the caller records it
as a defect on the email.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from triage.domain.normalize.limits import CHARSET_SAMPLE_BYTES

# Labels that browsers (WHATWG Encoding) read as windows-1252: mail agents label
# cp1252 text ("smart quotes" in 0x80-0x9F) as latin-1 or even as ASCII.
_READ_AS_CP1252 = frozenset({"ascii", "latin-1", "iso8859-1", "cp1252"})
# Single-byte codecs decode any bytes, so a UTF-8 body labelled with one of them
# would become mojibake ("Ã¼") without an error: valid UTF-8 wins over such a label.
_SINGLE_BYTE_PREFIXES = ("latin", "iso8859", "cp125", "ascii", "mac-", "koi8", "cp8")


def decode_text(payload: bytes, charset: str | None) -> str:
    """Declared charset, else utf-8, else a detected one; never raises."""
    return decode_payload(payload, charset)[0]


def decode_payload(payload: bytes, charset: str | None) -> tuple[str, str | None]:
    """The text, and the charset used when it is not the one declared (else None)."""
    codec = codec_name(charset)
    if codec and not _is_single_byte(codec):
        text = _strict(payload, codec)
        if text is not None:
            return text, None
    if payload.isascii():
        return payload.decode("ascii"), None
    text = _strict(payload, "utf-8")
    if text is not None:
        return text, (None if codec in (None, "utf-8") else "utf-8")
    if codec and _is_single_byte(codec):
        text = _strict(payload, "cp1252" if codec in _READ_AS_CP1252 else codec)
        if text is not None:
            return text, None
    return _detected(payload, codec)


def codec_name(charset: str | None) -> str | None:
    """Python's canonical codec name for a MIME charset label, or None when unknown."""
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip("\"'")).name
    except (LookupError, ValueError, TypeError):
        return None


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(_SINGLE_BYTE_PREFIXES)


def _strict(payload: bytes, codec: str) -> str | None:
    try:
        return payload.decode(codec)
    except (LookupError, UnicodeDecodeError, ValueError):
        return None


def _detected(payload: bytes, declared: str | None) -> tuple[str, str | None]:
    codec = "cp1252" if _mostly_latin(payload) else _guessed(payload)
    text = payload.decode(codec, errors="replace")
    return text, (None if codec == declared else codec)


def _mostly_latin(payload: bytes) -> bool:
    """Western text: few 8-bit bytes that all mean something in cp1252.

    Detectors guess poorly on short samples (a French "café" reads as Cyrillic
    to them), while Cyrillic, Greek or CJK text is mostly 8-bit bytes: so text
    with few 8-bit bytes is read as the most common mislabelled charset.
    """
    sample = payload[:CHARSET_SAMPLE_BYTES]
    high = sum(sample.count(bytes([byte])) for byte in range(0x80, 0x100))
    visible = len(sample) - sum(sample.count(space) for space in (b" ", b"\n", b"\r", b"\t"))
    return high * 2 < visible and _strict(sample, "cp1252") is not None


def _guessed(payload: bytes) -> str:
    match = from_bytes(payload[:CHARSET_SAMPLE_BYTES]).best()
    return (codec_name(match.encoding) if match else None) or "cp1252"
