"""Where a company's name is written besides a signature's legal name: the sender's own
introduction ("we at …", "wir bei …", "nous chez …"), a form's company field, a Japanese
legal form, a newsletter's publisher line. Tables per language, not phrases from one email.
"""

from __future__ import annotations

import re
import unicodedata

# Lower-case words inside a company name: "Smith & Sons", "Casa do Porto", "Banco de Occidente".
NAME_JOINERS = frozenset({
    "&", "and", "und", "de", "del", "della", "delle", "dei", "degli", "da", "do", "dos", "das",
    "di", "du", "des", "van", "von", "der", "of", "y", "e", "et", "per", "für", "la", "le", "les",
    "el", "los", "las",
})  # fmt: skip
_ARTICLES = r"(?:the|l'|la|le|les|el|il|lo|a|o|die|der|das|het|de)"

# "we at X", "I manage front of house at X", "Sono Giulia della X", "Soy Jorge, de … en X":
# a first-person opening, then (within a clause) a preposition that introduces the employer.
# fmt: off
_SELF = (r"we|we're|we are|i|i'm|i am|wir|ich|nous|je|j'|nosotros|soy|somos|trabajo|noi|sono|"
         r"em dic|sóc|treballo|"
         r"siamo|lavoro|nós|sou|somos|trabalho|wij|ik|les escribo|le escribo|os escribo|"
         r"vi scrivo|le scrivo|vous écris|vous ecris|schreibe ihnen|schreibe|vi|"
         r"zwracam się|piszę|pracuję|pracuje|pracuji|pracuju|pracujem|jobbar|arbetar|jobber|"
         r"arbejder")
_EMPLOYER = (r"at|for|with|here at|on behalf of|bei|von|für|im namen von|chez|au|aux|à la|a la|"
             r"à l'|a l'|de la|du|pour|au nom de|en|de|del|desde|en nombre de|di|della|del|dello|"
             r"dalla|dal|presso|per conto di|na|no|da|do|em nome da|em nome do|bij|van|namens|hos|i|"
             r"w imieniu firmy|w imieniu|z firmy|w firmie|yrityksestä|edustan|på|w|v|ve|vo|"
             r"aquí a|aqui a|aquí en")  # Catalan "i aquí a Viatges X portem …"
_DIRECT = (r"nous sommes|we are|we're|we’re|wir sind|somos|siamo|sono|sou|wij zijn|vi er|vi är|"
           r"olemme|jesteśmy")  # "nous sommes l'Hôtel X"
# fmt: on
_INTRODUCTION = re.compile(
    rf"(?<!\w)(?:{_SELF})(?!\w)[^.!?\n()]{{0,70}}?(?<!\w)(?:{_EMPLOYER})\s+(?:{_ARTICLES}\s+|l'|d')?"
    rf"(?-i:(?=[A-ZÀ-Ý0-9]))",
    re.IGNORECASE,
)
# A sentence that opens on the place the sender works: "Chez X, …", "Aqui na X", "Hos X".
_OPENING = (r"chez|aqui na|aqui no|aquí en|aqui en|bei der|bei|hier bei|hier bij|bij|hos|her hos|"
            r"her på|här på|här hos|qui da|qui alla|qui in|at|here at|u nas w firmie|u nas w|"
            r"u nás ve firmě|u nás ve společnosti|u nás v|u nás vo firme|u nás v spoločnosti|"
            r"w firmie|ve firmě|ve společnosti|vo firme|v spoločnosti|"
            # Polish, Czech, Slovak "my w X" (we at X): only opening a sentence, where English
            # "my" cannot be followed by a preposition
            r"my w|my z|my ze|my ve|my v|my vo")
_OPENING_INTRODUCTION = re.compile(
    rf"(?:^|(?<=[.!?]\s))[ \t]*(?:{_OPENING})\s+(?:{_ARTICLES}\s+)?\(?(?-i:(?=[A-ZÀ-Ý]))",
    re.IGNORECASE | re.MULTILINE,
)
_DIRECT_INTRODUCTION = re.compile(
    rf"(?<!\w)(?:{_DIRECT})\s+(?:{_ARTICLES}\s+|l')?(?-i:(?=[A-ZÀ-Ý]))", re.IGNORECASE
)
# Words that start a capitalised run without naming a company.
_NOT_A_NAME = frozenset({
    "i", "we", "our", "my", "the", "this", "that", "it", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "june",
    "july", "august", "september", "october", "november", "december", "linkedin", "google",
    "email", "e-mail", "mail", "phone", "whatsapp", "zoom", "teams",
})  # fmt: skip


def introduced_name(text: str, people: tuple[str, ...], label: str = "") -> str | None:
    """The company the sender says they are from, in their own words."""
    for pattern in (_INTRODUCTION, _DIRECT_INTRODUCTION, _OPENING_INTRODUCTION):
        for match in pattern.finditer(text):
            name = capitalized_run(text[match.end() :])
            if name and not _is_person(name, people):
                return _domain_tail(name, label)
    return None


def _domain_tail(name: str, label: str) -> str:
    """ "Chamberí de Grupo Tapas Madrid" → "Grupo Tapas Madrid" when that part is the domain's."""
    words = name.split()
    for start, word in enumerate(words[:-1]):
        tail = " ".join(words[start + 1 :])
        if word.lower() in NAME_JOINERS and label and _squash(tail) == label:
            return tail
    return name


def capitalized_run(text: str) -> str | None:
    """The capitalised words a text opens with, joiners inside ("Casa do Porto")."""
    words: list[str] = []
    for raw in re.split(r"[ \t]+", text.split("\n", 1)[0]):
        word = raw.rstrip(",;:.!?)")
        if not word or not (is_capital(word) or (words and word.lower() in NAME_JOINERS)):
            break
        words.append(word)
        if word != raw or raw.startswith("("):  # punctuation ends the name
            break
    while words and words[-1].lower() in NAME_JOINERS:
        words.pop()
    if not words or words[0].lower() in _NOT_A_NAME:
        return None
    return " ".join(words)


def is_capital(word: str) -> bool:
    """ "Nonna", "HôtelPro", "l'Ospitalità", "3M": a word that can be part of a name."""
    bare = _unelided(word)
    if any(char in "$€£¥@" for char in bare) or bare.isupper() and bare in _CURRENCIES:
        return False
    return bare[:1].isupper() or (bare[:1].isdigit() and any(c.isalpha() for c in bare))


_CURRENCIES = frozenset({"USD", "EUR", "GBP", "CAD", "CHF", "AUD", "JPY", "MXN", "BRL", "SEK",
                         "NOK", "DKK", "PLN", "CZK", "INR", "CNY", "SGD", "NZD", "ZAR"})  # fmt: skip


def _is_person(name: str, people: tuple[str, ...]) -> bool:
    tokens = {token for person in people for token in _squash_words(person)}
    return bool(tokens) and all(word in tokens for word in _squash_words(name))


# A form's company field, inline ("Société : X") or stacked (the label alone, then its value).
# fmt: off
_COMPANY_LABELS = (
    "company", "company name", "organization", "organisation", "business", "business name",
    "firma", "unternehmen", "firmenname", "société", "entreprise", "établissement",
    "etablissement", "raison sociale", "empresa", "compañía", "nombre de la empresa",
    "establecimiento", "azienda", "società", "ragione sociale", "bedrijf", "bedrijfsnaam",
    "organização", "会社名", "企業名", "御社名", "貴社名", "företag", "företagsnamn", "yritys",
    "yrityksen nimi", "firmanavn", "virksomhed", "selskap", "bedrift", "nazwa firmy", "instituição",
)
# fmt: on
_FIELD_LABEL = "|".join(
    re.escape(label) for label in sorted(_COMPANY_LABELS, key=len, reverse=True)
)
_COMPANY_FIELD = re.compile(
    rf"^[ \t]*\*?(?:{_FIELD_LABEL})\*?[ \t]*(?:[:：][ \t]*|\n[ \t]*)(?P<value>[^\n]+?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def company_field(text: str) -> str | None:
    """The value of a company field, without a parenthesised aside ("X (Dijon)")."""
    for match in _COMPANY_FIELD.finditer(text):
        value = re.sub(r"\s*\([^)]*\)?\s*$", "", match.group("value")).strip(" *")
        if value and ":" not in value and "@" not in value:
            return value
    return None


# Japanese legal forms lead or trail the name: 株式会社ほしぞらマート, ほしぞらマート株式会社.
_JAPANESE_FORMS = r"株式会社|有限会社|合同会社|合資会社|合名会社"
# A name's characters: not spaces, punctuation or the particles that follow a name (の, と, は).
_JAPANESE_CHARS = r"[^\s、。，,（）()「」『』【】・：:/|のとはがをにでもへ]"
# After a leading form the name runs to the possessive の or punctuation: particle-like kana
# inside it are part of the name (株式会社みなと…).
_JAPANESE_AFTER_FORM = r"[^\s、。，,（）()「」『』【】・：:/|の]"
_JAPANESE_NAME = re.compile(
    rf"(?:{_JAPANESE_FORMS}){_JAPANESE_AFTER_FORM}{{1,24}}|"
    rf"{_JAPANESE_CHARS}{{1,24}}(?:{_JAPANESE_FORMS})"
)
_JAPANESE_NOT_NAME = re.compile(r"(?:様|さま|御中|部|課|室|担当|です|でございます|にて|より)$")


def japanese_name(text: str) -> str | None:
    for match in _JAPANESE_NAME.finditer(text):
        name = re.sub(r"^(?:発行|運営|提供|会社名|社名|企業名)[:：]?", "", match.group(0))
        if not _JAPANESE_NOT_NAME.search(name):
            return name
    return None


# "published by X", "Vous recevez cette lettre car vous êtes abonné(e) à X", "発行：X".
_PUBLISHED_BY = re.compile(
    r"(?:published by|a publication of|brought to you by|publisher:|herausgegeben von|"
    r"herausgeber:|verlag:|édité par|éditeur\s?:|une publication de|abonnée?\(?e?\)? à|"
    r"editado por|editor:|una publicación de|pubblicato da|editore:|publicado por|"
    r"uitgegeven door|uitgever:)\s*(?:l'|la |le |the |el |il |der |die |das )?",
    re.IGNORECASE,
)


# "Nyhetsbrev från Svenska Hamnföreningen": whose newsletter it is. Weaker than a publisher
# line or a legal name (a title reads the same way: "la newsletter de L DATO").
_NEWSLETTER_OF = re.compile(
    r"(?:newsletter from|a newsletter of|nyhetsbrev från|nyhetsbrev fra|nyhedsbrev fra|"
    r"nieuwsbrief van|newsletter von|newsletter der|newsletter de|lettre d'information de|"
    r"boletín de|newsletter di)\s*(?:l'|la |le |the |el |il |der |die |das |het )?",
    re.IGNORECASE,
)


def published_by(text: str) -> str | None:
    return _named_after(_PUBLISHED_BY, text)


def newsletter_of(text: str) -> str | None:
    return _named_after(_NEWSLETTER_OF, text)


def _named_after(pattern: re.Pattern[str], text: str) -> str | None:
    for match in pattern.finditer(text):
        name = capitalized_run(text[match.end() :])
        if name:
            return name
    return None


# "Associazione Italiana Tecnologie per l'Ospitalità (AITO)": words whose initials spell the
# acronym the domain is named after.
_ACRONYM = re.compile(r"\(([A-Z]{2,8})\)")


# "APSD – Associação Portuguesa de Saúde Digital": the acronym, a dash, the name it stands for.
_ACRONYM_DASH = re.compile(r"(?<!\w)([A-Z]{2,8})\s+[–—-]\s+")


def acronym_name(text: str, label: str) -> str | None:
    """The name an acronym of the domain stands for: "Full Name (ACR)" gives the name, "ACR –
    Full Name" the whole as written."""
    for line in text.split("\n"):
        for match in _ACRONYM.finditer(line):
            acronym = match.group(1).lower()
            if label and label.startswith(acronym):
                name = _spelled_before(line[: match.start()].split(), acronym)
                if name:
                    return name
        for match in _ACRONYM_DASH.finditer(line):
            acronym = match.group(1).lower()
            if label and label.startswith(acronym):
                name = _spelled_after(line[match.end() :].split(), acronym)
                if name:
                    return line[match.start() : match.end()] + name
    return None


def _spelled_after(words: list[str], acronym: str) -> str | None:
    """The shortest run of words from the first whose initials spell the acronym."""
    if not words or not is_capital(words[0]):
        return None
    for end in range(1, len(words) + 1):
        phrase = [word.rstrip(".,;:") for word in words[:end]]
        initials = "".join(_squash(_unelided(w))[:1] for w in phrase if w.lower() not in NAME_JOINERS)
        if initials == acronym:
            return " ".join(phrase)
        if len(initials) > len(acronym):
            return None
    return None


def _spelled_before(words: list[str], acronym: str) -> str | None:
    for start in range(len(words)):
        phrase = words[start:]
        initials = "".join(
            _squash(_unelided(w))[:1] for w in phrase if w.lower() not in NAME_JOINERS
        )
        if initials == acronym and is_capital(phrase[0]):
            return " ".join(phrase)
    return None


def _unelided(word: str) -> str:
    return word[2:] if word[:2].lower() in ("l'", "d'") else word


def _squash(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in folded if char.isalnum() and not unicodedata.combining(char))


def _squash_words(text: str) -> list[str]:
    return [squashed for word in text.split() if (squashed := _squash(word))]
