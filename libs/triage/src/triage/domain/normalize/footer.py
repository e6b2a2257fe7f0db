"""Where a legal, confidentiality or mailing-list footer starts."""

from __future__ import annotations

import re

_FOOTER_LINE = re.compile(
    r"(this (e-?mail|message|communication|transmission)\b.{0,120}"
    r"\b(confidential|privileged|intended (solely |only )?for)"
    r"|the information (contained )?in this (e-?mail|message).{0,80}\b(confidential|privileged)"
    r"|(confidentiality notice|disclaimer|legal notice|haftungsausschluss|avis de confidentialité"
    r"|aviso legal|aviso de confidencialidade|vertrouwelijkheidsverklaring|avvertenza)\b"
    r"|(diese|this) (e-?mail|nachricht).{0,120}\b(vertraulich|rechtlich geschützte)"
    r"|ce (message|courriel|mail|e-mail).{0,120}\bconfidenti"
    r"|este (mensaje|correo|e-?mail).{0,120}\bconfidencial"
    r"|esta (mensagem|comunicação).{0,120}\bconfidencia"
    r"|(dit|deze) (bericht|e-?mail).{0,120}\bvertrouwelijk"
    r"|(questo|questa|il presente) (messaggio|e-?mail|comunicazione).{0,120}\b(riservat|confidenzial)"
    r"|you(?:'re| are) (receiving|getting) (this|these|product|our)\b|you receive this\b"
    r"|you received this (e-?mail|message)\b|(click here )?to unsubscribe\b|unsubscribe from (this|our|these)"
    r"|not the right person\?|if you'?d rather not hear from me|(note: )?this is not (a )?spam"
    r"|if you do not want to receive (further|any more|more) e-?mails)",
    re.IGNORECASE,
)


def footer_start(lines: list[str]) -> int:
    """Index of the footer's first line, or len(lines) when there is none."""
    for index, line in enumerate(lines):
        if _FOOTER_LINE.match(line.strip()[:400]):
            return index
    return len(lines)
