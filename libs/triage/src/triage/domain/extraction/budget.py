"""The budget a lead states in US dollars, annualised (per month and per quarter amounts
times their periods; a per-seat list price is not a budget).
"""

from __future__ import annotations

import re

from triage.domain.extraction.quotes import Found

# Digits with thousands grouped by commas, dots or (French) spaces: "3 000", "120,000".
_DIGITS = r"\d(?:[\d,.]|[ \u00a0\u202f](?=\d{3}(?!\d)))*"
_USD_AMOUNT = re.compile(
    rf"(?<![A-Za-z])(?:US\$|USD\s?\$?|\$)\s?(?P<a>{_DIGITS})(?:\s?(?P<am>k|m|mm|million|thousand))?(?![A-Za-z])"
    rf"|(?<![A-Za-z\d.,])(?P<b>{_DIGITS})(?:\s?(?P<bm>k|m|million|thousand|mil|tys\.?|tysięcy|tisíc|"
    r"tis\.|ezer))?\s?"
    r"(?:USD|US[- ]dollars?|US-Dollar|dollars?(?: US| am[ée]ricains)?|d[óo]lares(?: estadounidenses)?|"
    r"dollari(?: statunitensi)?|dolar(?:ów|y|ach)|dolarů|dolárov|dollár\w*)(?!\w)|"
    rf"(?<![A-Za-z\d.,])(?P<c>{_DIGITS})(?P<cm>万)?米?ドル",  # Japanese: no spaces, 万 = 10,000
    re.IGNORECASE,
)
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "mil": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6,
                "tys": 1e3, "tys.": 1e3, "tysięcy": 1e3, "tisíc": 1e3, "tis.": 1e3, "ezer": 1e3,
                "万": 1e4}  # fmt: skip
_PER_MONTH = re.compile(
    r"\s*(?:/\s?(?:month|mo|mes|mois|monat)\b|(?:per|a|each|every) month|monthly|pro monat|"
    r"im monat|par mois|au mois|al mes|por mes|mensual(?:es)?|al mese|por m[eê]s|ao m[eê]s|"
    r"per maand|/\s?maand|mensili?|mensais?|miesięcznie|na miesiąc|/\s?mies\.?|měsíčně|za měsíc|"
    r"mesačne|za mesiac|havonta|i månaden|per månad|/\s?mån|i måneden|per måned|om måneden|/月)",
    re.IGNORECASE,
)
_PER_QUARTER = re.compile(r"\s*(?:/\s?quarter\b|(?:per|a) quarter|quarterly)", re.IGNORECASE)
_MONTHLY_BEFORE = re.compile(
    r"(?:monthly|per month|a month|monatlich\w*|mensuel\w*|mensual\w*|miesięczn\w*|měsíční\w*|"
    r"mesačn\w*|havi|havonta|månatlig\w*|månadsvis)\W+(?:\w+\W+){0,4}$|(?:月額|月々)\W*\w{0,8}$", re.I
)
# "$49 per seat" is a list price, not what the buyer means to spend, unless they say for how
# many: "$7 per user per month for ~300 users".
_PER_UNIT = re.compile(r"\s*(?:/\s?(?:user|seat|licen[cs]e)|per (?:user|seat|licen[cs]e))", re.I)
_UNIT_COUNT = re.compile(
    r"[^.\n]{0,30}?\b(?:for|across|x|×)\s*(?:~|about|around|roughly|ca\.?)?\s*(?P<n>\d[\d,.]*)\s*"
    r"(?:users|seats|licen[cs]es|employees|people|staff)\b",
    re.I,
)
_BUDGET_WORD = re.compile(r"budget|presupuesto|spend|invest|approved", re.IGNORECASE)


def annual_usd(text: str) -> float | None:
    """The budget the sender states in US dollars, annualised; None unless dollars are said."""
    found = stated_budget(text)
    return None if found is None else float(found.value)


def stated_budget(text: str) -> Found[float] | None:
    """The annualised budget and the phrase it was read from ("$5k per month", amount first)."""
    all_amounts = list(_USD_AMOUNT.finditer(text))
    amounts = [m for m in all_amounts if not _PER_UNIT.match(text, m.end())]
    if not amounts:
        return _per_unit_budget(text, all_amounts)
    near_budget = [
        m for m in amounts if _BUDGET_WORD.search(text[max(0, m.start() - 60) : m.start()])
    ]
    chosen = (near_budget or amounts)[0]
    amount = _amount(chosen)
    if amount is None:
        return None
    periods, start, end = _period(text, chosen)
    return Found(round(amount * periods, 2), (text[start:end], chosen.group(0)))


def _amount(match: re.Match[str]) -> float | None:
    number = match.group("a") or match.group("b") or match.group("c")
    digits = re.sub(r"[ \u00a0\u202f]", ",", number.rstrip(".,"))
    unit = match.group("am") or match.group("bm") or match.group("cm") or ""
    multiplier = _MULTIPLIERS.get(unit.lower(), 1.0)
    value = parse_number(digits)
    return None if value is None else value * multiplier


def parse_number(digits: str) -> float | None:
    """120,000 and 120.000 are thousands; 1.5 and 1,5 are decimals."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", digits):
        return float(re.sub(r"[.,]", "", digits))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d{1,2}", digits):
        return float(digits.replace(",", ""))
    if re.fullmatch(r"\d+[.,]\d{1,2}", digits):
        return float(digits.replace(",", "."))
    return float(digits) if digits.isdigit() else None


def _period(text: str, match: re.Match[str]) -> tuple[int, int, int]:
    """Periods per year, and the phrase that says so around the amount (start, end)."""
    window = max(0, match.start() - 40)
    monthly_before = _MONTHLY_BEFORE.search(text[window : match.start()])
    per_month = _PER_MONTH.match(text, match.end())
    if per_month or monthly_before:
        start = window + monthly_before.start() if monthly_before else match.start()
        return 12, start, per_month.end() if per_month else match.end()
    per_quarter = _PER_QUARTER.match(text, match.end())
    return (4, match.start(), per_quarter.end()) if per_quarter else (1, match.start(), match.end())


def _per_unit_budget(text: str, amounts: list[re.Match[str]]) -> Found[float] | None:
    """A rate per user with the count it is for: rate x users x periods."""
    for match in amounts:
        unit = _PER_UNIT.match(text, match.end())
        count = _UNIT_COUNT.match(text, unit.end()) if unit else None
        rate, users = _amount(match), parse_number(count.group("n").rstrip(".,")) if count else None
        if unit and count and rate is not None and users:
            per_month = _PER_MONTH.search(text, unit.end(), count.start("n"))
            periods = 12 if per_month else 1
            return Found(round(rate * users * periods, 2), (text[match.start() : count.end()], match.group(0)))
    return None

