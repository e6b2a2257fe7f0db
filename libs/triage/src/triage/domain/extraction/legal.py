"""Legal forms in the languages mail arrives in, as one regex alternation (case-sensitive,
several words first: "GmbH & Co. KG", "sp. z o.o.", "Unipessoal, Lda"). A company name ends
in one; the name keeps it as written."""

from __future__ import annotations

import re

# fmt: off
_MULTI_WORD = (
    r"GmbH & Co\.? KG(?:aA)?|S\.A\. de C\.V|S\. de R\.L|de C\.V|Co\., Ltd|Pty\.? Ltd|Pte\.? Ltd|"
    r"Pvt\.? Ltd|[Ss]p\. z ?o\.o|[Ss]p\. k|[Ss]p\. j|S\.à r\.l|Unipessoal,? Lda|Oy Ab|"
    r"Co\.,? Ltd"
)
_ENGLISH = r"Inc|Incorporated|Corp|Corporation|Co|Company|LLC|LLP|LP|Ltd|Limited|Pty|Pte|Pvt|plc|DAC"
_GERMAN = r"GmbH|gGmbH|mbH|AG|KG|KGaA|OHG|UG|e\.K|e\.V|GbR|SE"
_ROMANCE = (
    r"SA|SAS|SASU|SARL|Sàrl|EURL|SNC|SL|SLU|SRL|Srl|SpA|S\.p\.A|S\.r\.l|S\.a\.s|S\.n\.c|S\.A|"
    r"S\.A\.S|S\.L|S\.L\.U|S\.A\.U|Ltda|Lda|Sagl"
)
_DUTCH_NORDIC = r"BV|B\.V|NV|N\.V|VOF|AB|Abp|AS|ASA|A/S|ApS|K/S|I/S|Oy|Oyj|HB|KB"
_EASTERN = r"s\.r\.o|a\.s|Kft|Zrt|SIA|UAB|OÜ|d\.o\.o"
_JAPANESE = r"KK|K\.K"
# fmt: on
LEGAL_FORMS = "|".join(
    (_MULTI_WORD, _ENGLISH, _GERMAN, _ROMANCE, _DUTCH_NORDIC, _EASTERN, _JAPANESE)
)

# A name's legal form at its end, and the form with what separates it from the name.
LEGAL_SUFFIX = re.compile(rf"\b(?:{LEGAL_FORMS})\.?$")
TRAILING_FORM = re.compile(rf",?\s+(?:{LEGAL_FORMS})\.?$")


def ends_in_legal_form(name: str) -> bool:
    """ "Nordisk Lisens AS" in a From header is the company writing, not a person."""
    return bool(TRAILING_FORM.search(name.strip(" \"'")))
