"""The words mail clients write around a reply, in the languages we read.

English, German, French, Spanish, Portuguese, Dutch and Italian: the words
Gmail, Outlook, Apple Mail and Thunderbird use in each locale.
"""

from __future__ import annotations

# "On <date>, <name> wrote:" and its translations: (opening word, verb).
ATTRIBUTIONS = (
    ("on", r"wrote"),
    ("am", r"schrieb\b.{0,120}?"),
    ("le", r"a\s+écrit"),
    ("el", r"escribió"),
    ("em", r"escreveu"),
    ("op", r"schreef\b.{0,120}?"),
    ("il", r"ha\s+scritto"),
)
FORWARD_TITLES = (
    "forwarded message", "weitergeleitete nachricht", "message transféré", "mensaje reenviado",
    "mensagem encaminhada", "doorgestuurd bericht", "messaggio inoltrato",
)  # fmt: skip
REPLY_TITLES = (
    "original message", "ursprüngliche nachricht", "originalnachricht", "message d'origine",
    "message original", "mensaje original", "mensagem original", "oorspronkelijk bericht",
    "origineel bericht", "messaggio originale",
)  # fmt: skip
# Apple Mail: "Begin forwarded message:" and its translations.
FORWARD_INTROS = (
    "begin forwarded message", "anfang der weitergeleiteten nachricht",
    "début du message réexpédié", "début du message transféré", "début du message réacheminé",
    "inicio del mensaje reenviado", "início da mensagem reencaminhada",
    "início da mensagem encaminhada", "begin doorgestuurd bericht",
    "inizio messaggio inoltrato",
)  # fmt: skip
# Outlook's header block above a quoted or forwarded message: field label → field.
HEADER_FIELDS = {
    "from": "from", "von": "from", "de": "from", "da": "from", "van": "from",
    "date": "date", "sent": "date", "datum": "date", "gesendet": "date", "envoyé": "date",
    "fecha": "date", "enviado": "date", "enviada": "date", "data": "date",
    "verzonden": "date", "inviato": "date",
    "subject": "subject", "betreff": "subject", "objet": "subject", "asunto": "subject",
    "assunto": "subject", "onderwerp": "subject", "oggetto": "subject",
    "to": "to", "cc": "to", "an": "to", "à": "to", "para": "to", "aan": "to", "a": "to",
}  # fmt: skip
FORWARD_SUBJECT_PREFIXES = ("fwd", "fw", "wg", "tr", "rv", "enc", "reenv", "i", "doorst")
CLOSINGS = (
    # English
    "best", "best regards", "best wishes", "kind regards", "warm regards", "warmest regards",
    "regards", "many thanks", "thanks", "thank you", "thanks again", "thanks in advance", "thx",
    "cheers", "sincerely", "yours sincerely", "yours truly", "all the best", "talk soon",
    "thank you for your (?:time|consideration|help)", "thanks for your (?:time|help)",
    # German
    "mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße", "viele grüße",
    "beste grüße", "liebe grüße", "grüße", "gruß", "vielen dank", "danke",
    # French
    "cordialement", "bien cordialement", "bien à vous", "salutations", "meilleures salutations",
    "merci", "merci d'avance", "merci beaucoup", "je vous remercie",
    # Spanish
    "saludos", "un saludo", "saludos cordiales", "atentamente", "gracias", "muchas gracias",
    # Portuguese
    "obrigad[oa]", "muito obrigad[oa]", "atenciosamente", "cumprimentos",
    "com os melhores cumprimentos", "melhores cumprimentos", "um abraço", "abraços",
    # Dutch
    "met vriendelijke groet(?:en)?", "vriendelijke groet(?:en)?", "hartelijke groet(?:en)?",
    "groeten", "groet", "bedankt", "dank je wel", "dank u wel",
    # Italian
    "cordiali saluti", "distinti saluti", "saluti", "un saluto", "grazie", "grazie mille",
)  # fmt: skip
# "Sent from my iPhone" and its translations (device or app names follow).
DEVICE_LINES = (
    r"sent from my [\w®™'’.-]+(?: [\w®™'’.-]+){0,3}", r"sent from (?:outlook|mail|yahoo mail) for [\w -]{1,20}",
    r"sent with [\w -]{1,20}", r"get outlook for \w+", r"von meinem [\w -]{1,30} gesendet",
    r"gesendet von meinem [\w -]{1,30}", r"envoyé de mon [\w -]{1,30}",
    r"enviado desde mi [\w -]{1,30}", r"enviado do meu [\w -]{1,30}",
    r"verzonden (?:vanaf|met) mijn [\w -]{1,30}", r"verstuurd vanaf mijn [\w -]{1,30}",
    r"inviato da(?:l mio)? [\w -]{1,30}",
)  # fmt: skip
