"""The words mail clients write around a reply, in the languages we read.

English, German, French, Spanish, Portuguese, Dutch and Italian: the words
Gmail, Outlook, Apple Mail and Thunderbird use in each locale. Reply headers
are recognised by a grammar (quotes.py), so for them only the *kinds* of words
are listed here — verbs of writing, intro words, "message" nouns — in those
languages and the common neighbours (Nordic, Polish, Russian/Ukrainian,
Finnish, Vietnamese, Turkish, Czech, Hungarian).
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
# The verb of a reply header ("… wrote:"), any person or gender form.
WRITING_VERBS = (
    r"wrote", r"writes", r"sent", r"schrieb", r"schreibt", r"a\s+écrit", r"écrit", r"escribió",
    r"escreveu", r"schreef", r"geschreven", r"ha\s+scritto", r"scrisse", r"skrev", r"skriver",
    r"napisał(?:\(a\)|a)?", r"napsal(?:\(a\)|a)?", r"написал(?:\(а\)|а)?", r"пишет", r"пише",
    r"писал(?:а)?", r"написав(?:\(ла\)|ла)?", r"đã viết", r"kirjoitti", r"yazdı", r"írta",
    r"pisze", r"ha\s+escrit", r"写道", r"寫道", r"작성", r"のメッセージ",
)  # fmt: skip
# Words a reply header opens with ("On", "Am", "W dniu", "På"): a header may then put
# the verb before the name ("Am … schrieb Jane <…>:").
HEADER_INTROS = (
    r"on", r"am", r"le", r"el", r"em", r"op", r"il", r"in data", r"den", r"på", r"w dniu",
    r"dnia", r"vào", r"dne", r"el día", r"the",
)  # fmt: skip
# "-----Original Message-----", "-----Antwort Nachricht-----", "-------- Oprindelig besked":
# a rule of dashes (or "=") around a few words, one of them a word for "message".
MESSAGE_NOUNS = (
    r"message", r"nachricht", r"meddelelse", r"besked", r"meddelande", r"melding", r"bericht",
    r"messaggio", r"mensaje", r"mensagem", r"wiadomość", r"wiadomosc", r"сообщение",
    r"повідомлення", r"viesti", r"zpráva", r"mesaj", r"üzenet", r"mail", r"e-mail",
)  # fmt: skip
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
    # Nordic, Polish, Russian, Ukrainian, Finnish, French variants
    "fra": "from", "från": "from", "od": "from", "от": "from", "від": "from", "lähettäjä": "from",
    "sendt": "date", "skickat": "date", "dato": "date", "wysłano": "date", "отправлено": "date",
    "надіслано": "date", "lähetetty": "date", "sendt den": "date",
    "envoyé le": "date", "message du": "date", "enviado el": "date", "enviada em": "date", "enviado em": "date",
    "emne": "subject", "ämne": "subject", "temat": "subject", "тема": "subject", "aihe": "subject",
    "sujet": "subject",
    "til": "to", "till": "to", "do": "to", "кому": "to", "vastaanottaja": "to", "copie à": "to",
    "kopia": "to", "kopie": "to",
    # Chinese (Outlook, Foxmail)
    "发件人": "from", "寄件者": "from", "发送时间": "date", "日期": "date", "主题": "subject",
    "主旨": "subject", "收件人": "to", "抄送": "to",
}  # fmt: skip
# Fwd (en), WG (de), TR (fr), RV (es), ENC/REENV (pt), I (it), Doorst (nl), VS (no, da), VB (sv),
# VL (fi), PD (pl): how each language's mail client marks a forward
FORWARD_SUBJECT_PREFIXES = ("fwd", "fw", "wg", "tr", "rv", "enc", "reenv", "i", "doorst", "vs", "vb", "vl", "pd")
# Re (en, fr, es, it), AW/Antw (de, nl), SV (sv, no, da), VS (fi), Odp (pl), Vá (hu), R (it
# Outlook), Ynt (tr), Atb (lt), Odg (hr), RES (pt): how each language's client marks a reply
REPLY_SUBJECT_PREFIXES = ("re", "aw", "antw", "sv", "vs", "odp", "vá", "r", "ynt", "atb", "odg", "res")
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
    # Danish, Norwegian, Swedish, Polish (neighbours we read)
    "med venlig hilsen", "venlig hilsen", "venlige hilsner", "med vennlig hilsen",
    "vennlig hilsen", "hilsen", "mvh", "kh", "med vänlig hälsning", "vänliga hälsningar",
    "med vänliga hälsningar", "hälsningar", "pozdrawiam", "z poważaniem", "z powazaniem",
    "pozdrowienia",
)  # fmt: skip
# Lowercase words inside a name ("Maarten de Jong", "Ana da Silva"), for "-Name" sign-offs.
NAME_PARTICLES = (
    "de", "van", "von", "der", "den", "da", "di", "du", "la", "le", "dos", "das", "del",
    "ten", "ter", "af", "zu",
)  # fmt: skip
# "Sent from my iPhone", "Gesendet von Outlook für Android": a verb of sending, a
# preposition, a device or app name of a few words, maybe its link (signature.py).
DEVICE_VERBS = (
    r"sent", r"get", r"envoyé", r"envoye", r"gesendet", r"enviado", r"verzonden", r"verstuurd",
    r"inviato", r"skickat", r"sendt", r"wysłane", r"отправлено", r"надіслано", r"lähetetty",
)  # fmt: skip
DEVICE_PREPOSITIONS = (
    r"from", r"with", r"via", r"using", r"on", r"for", r"von", r"mit", r"vom", r"aus",
    r"depuis", r"de", r"à partir de", r"avec", r"desde", r"do", r"con", r"vanaf", r"met",
    r"da", r"dal", r"från", r"fra", r"z", r"с", r"з", r"my", r"mon", r"ma", r"mi", r"meu",
    r"mijn", r"mio",
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
