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
    rf"|(?<![\w.,])(?P<b>{_DIGITS})(?:\s?(?P<bm>k|m|million|thousand|mil))?\s?"
    r"(?:USD|US[- ]dollars?|US-Dollar|dollars?(?: US| am[ée]ricains)?|d[óo]lares(?: estadounidenses)?|"
    r"dollari(?: statunitensi)?)(?!\w)",
    re.IGNORECASE,
)
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "mil": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6}
_PER_MONTH = re.compile(
    r"\s*(?:/\s?(?:month|mo|mes|mois|monat)\b|(?:per|a|each|every) month|monthly|pro monat|"
    r"im monat|par mois|au mois|al mes|por mes|mensual(?:es)?|al mese|por m[eê]s|ao m[eê]s|"
    r"per maand|/\s?maand|mensili?|mensais?)",
    re.IGNORECASE,
)
_PER_QUARTER = re.compile(r"\s*(?:/\s?quarter\b|(?:per|a) quarter|quarterly)", re.IGNORECASE)
_MONTHLY_BEFORE = re.compile(
    r"(?:monthly|per month|a month|monatlich\w*|mensuel\w*|mensual\w*)\W+(?:\w+\W+){0,4}$", re.I
)
# "$49 per seat" is a list price, not what the buyer means to spend.
_PER_UNIT = re.compile(r"\s*(?:/\s?(?:user|seat|licen[cs]e)|per (?:user|seat|licen[cs]e))", re.I)
_BUDGET_WORD = re.compile(r"budget|presupuesto|spend|invest|approved", re.IGNORECASE)


def annual_usd(text: str) -> float | None:
    """The budget the sender states in US dollars, annualised; None unless dollars are said."""
    found = stated_budget(text)
    return None if found is None else float(found.value)


def stated_budget(text: str) -> Found[float] | None:
    """The annualised budget and the phrase it was read from ("$5k per month", amount first)."""
    amounts = [m for m in _USD_AMOUNT.finditer(text) if not _PER_UNIT.match(text, m.end())]
    if not amounts:
        return None
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
    digits = re.sub(r"[ \u00a0\u202f]", ",", (match.group("a") or match.group("b")).rstrip(".,"))
    multiplier = _MULTIPLIERS.get((match.group("am") or match.group("bm") or "").lower(), 1.0)
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
