"""Where the person or company is: a form's country, the signature's places, US address
and phone prefix, a country-code domain, then places named in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from triage.domain.extraction.about import About
from triage.domain.extraction.domains import email_domain
from triage.domain.extraction.quotes import Found
from triage.domain.models import CleanEmail, EvidenceSource, Intent

# fmt: off
_COUNTRIES = {
    "united states": "US", "usa": "US", "u.s.a.": "US", "united kingdom": "GB", "uk": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB", "germany": "DE",
    "deutschland": "DE", "allemagne": "DE", "alemania": "DE", "france": "FR", "frankreich": "FR",
    "francia": "FR", "spain": "ES", "españa": "ES", "spanien": "ES", "espagne": "ES",
    "italy": "IT", "italia": "IT", "italien": "IT", "netherlands": "NL", "nederland": "NL",
    "niederlande": "NL", "belgium": "BE", "belgique": "BE", "belgien": "BE",
    "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "austria": "AT", "österreich": "AT",
    "ireland": "IE", "portugal": "PT", "sweden": "SE", "sverige": "SE", "norway": "NO",
    "denmark": "DK", "finland": "FI", "poland": "PL", "polska": "PL", "czech republic": "CZ",
    "canada": "CA", "mexico": "MX", "méxico": "MX", "brazil": "BR", "brasil": "BR",
    "argentina": "AR", "chile": "CL", "colombia": "CO", "peru": "PE", "perú": "PE",
    "australia": "AU", "new zealand": "NZ", "india": "IN", "japan": "JP", "china": "CN",
    "singapore": "SG", "south africa": "ZA", "israel": "IL", "united arab emirates": "AE",
    "uae": "AE", "luxembourg": "LU", "luxemburg": "LU",
}
_CITIES = {
    "london": "GB", "manchester": "GB", "edinburgh": "GB", "berlin": "DE", "munich": "DE",
    "münchen": "DE", "hamburg": "DE", "frankfurt": "DE", "köln": "DE", "cologne": "DE",
    "stuttgart": "DE", "düsseldorf": "DE", "paris": "FR", "lyon": "FR", "marseille": "FR",
    "toulouse": "FR", "madrid": "ES", "barcelona": "ES", "valencia": "ES", "sevilla": "ES",
    "bilbao": "ES", "new york": "US", "san francisco": "US", "boston": "US", "chicago": "US",
    "austin": "US", "seattle": "US", "los angeles": "US", "denver": "US", "atlanta": "US",
    "dallas": "US", "toronto": "CA", "vancouver": "CA", "montreal": "CA", "calgary": "CA",
    "sydney": "AU", "melbourne": "AU", "amsterdam": "NL", "rotterdam": "NL", "dublin": "IE",
    "zurich": "CH", "zürich": "CH", "geneva": "CH", "genève": "CH", "vienna": "AT", "wien": "AT",
    "brussels": "BE", "bruxelles": "BE", "stockholm": "SE", "copenhagen": "DK", "oslo": "NO",
    "helsinki": "FI", "lisbon": "PT", "lisboa": "PT", "milan": "IT", "milano": "IT",
    "rome": "IT", "roma": "IT", "warsaw": "PL", "mexico city": "MX", "buenos aires": "AR",
    "são paulo": "BR", "rio de janeiro": "BR", "bogotá": "CO", "tokyo": "JP", "bangalore": "IN",
    "bengaluru": "IN", "mumbai": "IN", "chennai": "IN", "pune": "IN", "tel aviv": "IL",
    "dubai": "AE",
}
_PHONE_PREFIXES = {
    "1": "US", "44": "GB", "49": "DE", "33": "FR", "34": "ES", "39": "IT", "31": "NL",
    "32": "BE", "41": "CH", "43": "AT", "353": "IE", "351": "PT", "46": "SE", "47": "NO",
    "45": "DK", "358": "FI", "48": "PL", "420": "CZ", "52": "MX", "55": "BR", "54": "AR",
    "56": "CL", "57": "CO", "51": "PE", "61": "AU", "64": "NZ", "91": "IN", "81": "JP",
    "86": "CN", "65": "SG", "27": "ZA", "972": "IL", "971": "AE", "352": "LU",
}
# Country-code domains sold as generic ones (and .eu) say nothing about a country.
_GENERIC_CCTLDS = frozenset({"io", "ai", "co", "me", "tv", "ly", "fm", "am", "to", "gg", "sh",
                             "cc", "ws", "eu"})
# fmt: on
_US_STATE_ZIP = re.compile(
    r"\b(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
    r"NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)\s+\d{5}(?:-\d{4})?\b"
)
_PHONE = re.compile(r"(?:\+|\b00)\s?(\d{1,3})[\s.\-()]")
_PLACE_WORDS = re.compile(
    r"(?<!\w)("
    + "|".join(re.escape(name) for name in sorted({**_COUNTRIES, **_CITIES}, key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)
_UPPERCASE_ONLY = frozenset({"uk", "usa", "uae"})  # "uk" in prose is rarely the country


def region_of(intent: Intent, about: About, clean: CleanEmail) -> str | None:
    found = located_region(intent, about, clean)
    return None if found is None else str(found.value)


def located_region(intent: Intent, about: About, clean: CleanEmail) -> Found[str] | None:
    """Where the person or company is: their address, phone, country-code domain, then prose."""
    contact = "\n".join(
        (about.form.get("country", ""), about.form.get("location", ""), about.signature)
    )
    contact_sources = about.sources_of("signature", "text")  # a form's fields are in its text
    newsletter_footer = f"{clean.footer or ''}\n{clean.text}" if intent == "newsletter" else ""
    cctld = cctld_country(about.email)
    candidates: tuple[tuple[tuple[str, str] | None, tuple[EvidenceSource, ...]], ...] = (
        (_first(_place_cues(contact)), contact_sources),
        (_first(_us_address_cues(contact)), contact_sources),
        (_first(_phone_cues(f"{contact}\n{about.form.get('phone', '')}")), contact_sources),
        (_first(_place_cues(newsletter_footer)), ("footer", "text")),
        ((cctld, about.email or "") if cctld else None, about.sources_of("email")),
        (_first(_place_cues(about.text)), about.sources_of("text")),
    )
    return next(
        (Found(cue[0], (cue[1],), sources) for cue, sources in candidates if cue is not None), None
    )


def _first(cues: Iterator[tuple[str, str]]) -> tuple[str, str] | None:
    return next(cues, None)


def region_cues(text: str) -> Iterator[tuple[str, str]]:
    """Every (country, phrase) a text shows: places, US addresses, phone prefixes."""
    yield from _place_cues(text)
    yield from _us_address_cues(text)
    yield from _phone_cues(text)


def _place_cues(text: str) -> Iterator[tuple[str, str]]:
    for match in _PLACE_WORDS.finditer(text):
        word = match.group(1)
        if word.lower() in _UPPERCASE_ONLY and not word.isupper():
            continue
        country = _COUNTRIES.get(word.lower()) or _CITIES.get(word.lower())
        if country:
            yield country, word


def _us_address_cues(text: str) -> Iterator[tuple[str, str]]:
    for match in _US_STATE_ZIP.finditer(text):
        yield "US", match.group(0)


def _phone_cues(text: str) -> Iterator[tuple[str, str]]:
    for match in _PHONE.finditer(text):
        digits = match.group(1)
        for length in (3, 2, 1):
            if digits[:length] in _PHONE_PREFIXES:  # the phrase is "+44" or "0044"
                yield (
                    _PHONE_PREFIXES[digits[:length]],
                    text[match.start() : match.start(1) + length],
                )
                break


def cctld_country(address: str | None) -> str | None:
    """The country of an address's country-code domain (not generic ccTLDs such as .io). A
    national free-mail provider's counts too: seznam.cz, wp.pl and hotmail.fr are their
    countries' mailboxes."""
    domain = email_domain(address)
    if domain is None:
        return None
    tld = domain.rsplit(".", 1)[-1]
    if len(tld) != 2 or tld in _GENERIC_CCTLDS:
        return None
    return "GB" if tld == "uk" else tld.upper()


#: Countries whose seasons are six months from the northern ones (most of their people live
#: south of the equator).
SOUTHERN_HEMISPHERE = frozenset(
    {"AR", "AU", "BO", "BR", "CL", "LS", "NA", "NZ", "PE", "PY", "UY", "ZA"}
)
