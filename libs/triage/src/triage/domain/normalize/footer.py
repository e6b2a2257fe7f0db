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
    r"|if you do not want to receive (further|any more|more) e-?mails"
    # "you are receiving this newsletter because ..." in the other languages we read
    r"|(sie erhalten|du erhältst|sie bekommen) (diese[ns]?|den|die) (e-?mail|nachricht|newsletter|mail)\b"
    r"|vous (recevez|avez reçu) (ce|cet|cette) (e-?mail|message|courriel|newsletter|lettre)\b"
    r"|pour vous (désinscrire|désabonner)\b"
    r"|(recibes|recibe|has recibido|ha recibido) este (correo|mensaje|e-?mail|boletín|newsletter)\b"
    r"|(ricevi|riceve|hai ricevuto|ha ricevuto) (questa|questo) (e-?mail|messaggio|newsletter|comunicazione)\b"
    r"|(você está recebendo|está a receber|recebeu|você recebeu) (este|esta) (e-?mail|mensagem|newsletter)\b"
    r"|(je|u) ontvangt (deze|dit) (e-?mail|nieuwsbrief|bericht)\b"
    r"|du (får|mottar|modtager) (detta|dette|denne|det här) (e-?post|e-?mail|mejl|nyhetsbrev|nyhedsbrev)\b"
    r"|otrzymujesz (tę|tą|ten) (wiadomość|newsletter|e-?mail)\b)",
    re.IGNORECASE,
)


# A mailing list's footer (Mailman and the like): a rule, then within two lines the
# list's name as "… mailing list" or its "listinfo" address.
_RULE = re.compile(r"[_=-]{10,}")
_LIST_LINE = re.compile(
    r".{0,80}\b(mailing[ -]?list|mailingliste|mailinglijst|liste de diffusion|lista de correo|lista de discussão"
    r"|lista di distribuzione)\b.{0,40}|.{0,200}/(listinfo|mailman)/.{0,200}",
    re.IGNORECASE,
)


def footer_start(lines: list[str]) -> int:
    """Index of the footer's first line, or len(lines) when there is none."""
    for index, line in enumerate(lines):
        stripped = line.strip()[:400]
        if _FOOTER_LINE.match(stripped):
            return index
        if _RULE.fullmatch(stripped) and any(
            _LIST_LINE.fullmatch(below.strip()[:400]) for below in lines[index + 1 : index + 3]
        ):
            return index
    return len(lines)
