"""One place per rule (ADR 0030): the deal window and its arithmetic live in the domain, the
decision in the writer; an adapter only reads and writes its CRM."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "libs/crm/src/triage_crm"  # the writer and adapters (ADR 0039)
ADAPTERS = sorted((PACKAGE / "adapters").rglob("*.py"))

#: What an adapter would write to apply the window itself: the constant, date arithmetic in
#: Python or SQL, the window's number of days, or the decision's own helpers.
WINDOW = {
    "the window's constant": re.compile(r"OPEN_DEAL_WINDOW"),
    "Python date arithmetic": re.compile(r"\btimedelta\b|\brelativedelta\b"),
    "SQL date arithmetic": re.compile(r"make_interval|\binterval\s*'|now\(\)\s*[-+]|CURRENT_DATE\s*[-+]", re.I),
    "SOQL date literals": re.compile(r"LAST_N_DAYS|NEXT_N_DAYS"),
    "the window's days": re.compile(r"\b45\b"),
    "the decision itself": re.compile(r"\bdecide_deal\b|\bblocks_a_new_deal\b|\bdeal_window_start\b"),
}


def test_there_are_three_adapters_to_check() -> None:
    assert {p.parent.name for p in ADAPTERS} >= {"local", "hubspot", "salesforce"}
    assert len(ADAPTERS) >= 10


@pytest.mark.parametrize("path", ADAPTERS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_adapter_applies_the_deal_window_itself(path: Path) -> None:
    source = path.read_text()
    found = {what: pattern.findall(source) for what, pattern in WINDOW.items()}
    assert not {what: hits for what, hits in found.items() if hits}, f"{path.name}: the rule belongs to the domain"


def test_the_check_catches_each_way_of_repeating_the_rule() -> None:
    repeats = ["since = now - timedelta(days=OPEN_DEAL_WINDOW_DAYS)", "created_at > now() - make_interval(days => 45)",
               "WHERE CreatedDate = LAST_N_DAYS:45", "young = decide_deal(deals, now)"]
    for line in repeats:
        assert any(pattern.search(line) for pattern in WINDOW.values()), line


def test_the_deal_decision_is_made_in_the_writer_only() -> None:
    deciders = sorted(p.name for p in PACKAGE.rglob("*.py") if "decide_deal(" in p.read_text())
    assert deciders == ["writer.py"]


def test_no_module_dispatches_on_an_action_name_with_getattr() -> None:
    dispatch = re.compile(r"getattr\(\s*self\s*,\s*action")
    offenders = [p.name for p in PACKAGE.rglob("*.py") if dispatch.search(p.read_text())]
    assert not offenders
