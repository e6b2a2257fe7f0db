"""Website-form and applicant-tracking notifications: who relayed them, and their fields
("Label: value" lines, or a label alone on its line with the value below it).
"""

from __future__ import annotations

import re

from triage.domain.models import CleanEmail

RELAY_SENDER = re.compile(
    r"no-?reply|do-?not-?reply|forms?\b|web-?forms?|notifications?|notify|wordpress|website|"
    r"webmaster|contact-?form|typeform|hubspot|jotform|formspree|wufoo|formrelay|"
    r"jobs?\b|careers?\b|recruiting|talent|"  # an applicant-tracking system's notices
    r"transcripts?\b|live-?chat|chat-?widget",  # a website chat's transcript of a visitor
    re.IGNORECASE,
)
_FORM_FIELD = re.compile(r"^\s*\*?([^\W\d][\w '/?-]{0,30}?)\*?\s*[:\t]\s*(.*)$")
# fmt: off
_FORM_LABELS = {
    "name": "name", "full name": "name", "your name": "name", "nombre": "name", "nom": "name",
    "candidate": "name", "applicant": "name",
    "first name": "first_name", "vorname": "first_name", "prénom": "first_name",
    "last name": "last_name", "nachname": "last_name", "surname": "last_name",
    "apellido": "last_name", "apellidos": "last_name",
    "email": "email", "e-mail": "email", "email address": "email", "your email": "email",
    "work email": "email", "business email": "email", "correo": "email",
    "correo electrónico": "email", "e-mail-adresse": "email", "courriel": "email",
    "company": "company", "company name": "company", "organization": "company",
    "organisation": "company", "firma": "company", "unternehmen": "company",
    "entreprise": "company", "société": "company", "empresa": "company",
    "phone": "phone", "telephone": "phone", "phone number": "phone", "telefon": "phone",
    "téléphone": "phone", "teléfono": "phone",
    "country": "country", "land": "country", "pays": "country", "país": "country",
    "location": "location", "city": "location", "standort": "location", "ville": "location",
    "message": "message", "comments": "message", "comment": "message", "nachricht": "message",
    "mensaje": "message", "how can we help": "message", "how can we help?": "message",
    "details": "message", "inquiry": "message", "anfrage": "message", "demande": "message",
    # Nordic, Dutch, Portuguese, Italian, Polish, Finnish and Japanese forms
    "namn": "name", "navn": "name", "naam": "name", "nome": "name", "nimi": "name",
    "imię i nazwisko": "name", "お名前": "name", "氏名": "name",
    "søker": "name", "sökande": "name", "sollicitant": "name", "kandidat": "name", "candidato": "name",
    "e-post": "email", "epost": "email", "e-postadress": "email", "e-postadresse": "email",
    "e-mailadres": "email", "sähköposti": "email", "adres e-mail": "email", "メールアドレス": "email",
    "företag": "company", "bedrift": "company", "virksomhed": "company", "bedrijf": "company",
    "organisatie": "company", "yritys": "company", "azienda": "company", "nazwa firmy": "company",
    "会社名": "company", "貴社名": "company",
    "telefoon": "phone", "telefone": "phone", "telefono": "phone", "puhelin": "phone", "電話番号": "phone",
    "meddelande": "message", "melding": "message", "besked": "message", "bericht": "message",
    "viesti": "message", "mensagem": "message", "messaggio": "message", "wiadomość": "message",
    "お問い合わせ内容": "message",
    # Czech, Slovak, Hungarian
    "jméno": "name", "jméno a příjmení": "name", "meno": "name", "meno a priezvisko": "name",
    "név": "name", "teljes név": "name", "e-mail cím": "email", "email cím": "email",
    "e-mailová adresa": "email", "společnost": "company",
    "spoločnosť": "company", "název firmy": "company", "cégnév": "company", "cég": "company",
    "vállalat": "company", "zpráva": "message", "správa": "message", "üzenet": "message",
    "telefonszám": "phone", "imię": "first_name", "nazwisko": "last_name", "zgłaszający": "name",
    "organizacja": "company", "nazwa organizacji": "company", "klient": "company",
    "zadavatel": "name", "žadatel": "name", "bejelentő": "name",
}
# fmt: on
_APPLIED_NAME = re.compile(
    r"^([A-Z][\w'’-]+(?: [A-Z][\w'’-]+){1,3}) (?:has )?(?:applied|submitted|sent)\b", re.MULTILINE
)


def relayed_form(clean: CleanEmail) -> dict[str, str]:
    """The fields of a website-form or applicant-tracking notification, or {} if not one."""
    if not RELAY_SENDER.search(f"{clean.from_name or ''} {clean.from_email or ''}"):
        return {}
    fields = form_fields(clean.text)
    if "email" not in fields:
        fields = {**_table_fields(clean.text), **fields}
    applied = _APPLIED_NAME.search(clean.text)
    if "name" not in fields and applied:
        fields["name"] = applied.group(1)
    if "email" not in fields and clean.reply_to and not RELAY_SENDER.search(clean.reply_to):
        # a form that mails the visitor's address only as Reply-To (PHPMailer, Contact Form 7)
        fields["email"] = clean.reply_to
    identifying = {"name", "first_name", "company"} & fields.keys()
    return fields if "email" in fields and identifying else {}


def form_fields(text: str) -> dict[str, str]:
    """"Label: value" lines, or a label alone on its line with the value below it (the
    stacked layout of WPForms, Gravity Forms and many others)."""
    fields: dict[str, str] = {}
    lines = text.split("\n")
    for index, line in enumerate(lines):
        match = _FORM_FIELD.match(line)
        key = label_key(match.group(1)) if match else None
        if match and key and key not in fields:
            value = _form_message(lines, index) if key == "message" else match.group(2).strip()
            if value:
                fields[key] = value
            continue
        key = _stacked_label(line)
        if key and key not in fields:
            value = _stacked_value(lines, index, key)
            if value:
                fields[key] = value
    return fields


_BY_LENGTH = sorted(_FORM_LABELS, key=len, reverse=True)


def _table_fields(text: str) -> dict[str, str]:
    """An HTML table's rows read as "Label value" (Jotform, Tally): a known label, a space,
    the value; only where no "Label:" line gave the email, so prose is never read this way."""
    fields: dict[str, str] = {}
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        label = next((label for label in _BY_LENGTH if stripped.lower().startswith(label + " ")), None)
        key = _FORM_LABELS.get(label) if label else None
        if label and key and key not in fields:
            value = stripped[len(label) :].strip()
            if key == "message":
                value = "\n".join([value, *(rest.strip() for rest in lines[index + 1 :])]).strip()
            fields[key] = value
    return fields


def label_key(label: str) -> str | None:
    """The field a label names: whole, else its first known part ("Organizacja / klient")."""
    parts = [label.strip().lower(), *(part.strip().lower() for part in label.split("/"))]
    return next((_FORM_LABELS[part] for part in parts if part in _FORM_LABELS), None)


def _stacked_label(line: str) -> str | None:
    return label_key(line.strip().rstrip(":"))


def _stacked_value(lines: list[str], index: int, key: str) -> str:
    """The lines under a stacked label, up to the next label (one line, unless a message)."""
    collected: list[str] = []
    for line in lines[index + 1:]:
        labelled = _FORM_FIELD.match(line)
        if _stacked_label(line) or labelled and label_key(labelled.group(1)):
            break
        if not line.strip() and collected and key != "message":
            break
        if line.strip() or collected:
            collected.append(line.strip())
    return ("\n".join(collected) if key == "message" else " ".join(collected[:1])).strip()


def _form_message(lines: list[str], index: int) -> str:
    """A message field runs on until the next labelled field."""
    collected = [_FORM_FIELD.match(lines[index]).group(2).strip()]  # type: ignore[union-attr]
    for line in lines[index + 1 :]:
        match = _FORM_FIELD.match(line)
        if match and label_key(match.group(1)):
            break
        collected.append(line.strip())
    return "\n".join(collected).strip()
