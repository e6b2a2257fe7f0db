"""The review form <-> gold-format labels (shared docs/gold-format.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.domain.evaluation import GoldLabel
from triage_admin.labels import LabelError, form_from_extraction, gold_labels

ROOT = Path(__file__).resolve().parents[3]
FORM = {"intent": "lead", "person_name": " Jane Doe ", "person_email": "Jane.Doe@Globex.com",
        "company_name": "Globex Corporation", "company_domain": "https://www.Globex.com/",
        "products": "Pipeline Forecaster, , Revenue Radar", "budget_usd": "$120,000", "timeline": "quarter",
        "region": "us", "required_action": "schedule_demo", "notes": "fixed by hand"}


def test_a_form_becomes_a_gold_labels_line() -> None:
    assert gold_labels("e1", FORM) == {
        "id": "e1", "intent": "lead",
        "person": {"name": "Jane Doe", "email": "jane.doe@globex.com"},
        "company": {"name": "Globex Corporation", "domain": "globex.com"},
        "interest": {"products": ["Pipeline Forecaster", "Revenue Radar"]},
        "budget": {"annual_amount_usd": 120000}, "timeline": "quarter", "region": "US",
        "required_action": "schedule_demo", "notes": "fixed by hand",
    }


def test_it_has_exactly_the_keys_of_a_gold_set_line() -> None:
    line = json.loads((ROOT / "gold/heldout/labels.jsonl").read_text().splitlines()[0])
    assert set(gold_labels("e1", FORM)) == set(line)


def test_the_evaluation_harness_reads_it_back_unchanged() -> None:
    labels = gold_labels("e1", FORM)
    assert GoldLabel.model_validate(labels).model_dump(mode="json") == labels


def test_empty_fields_are_null_as_in_the_gold_set() -> None:
    labels = gold_labels("e2", {"intent": "spam", "required_action": "ignore"})
    assert labels["person"] == {"name": None, "email": None}
    assert labels["company"] == {"name": None, "domain": None}
    assert labels["budget"] == {"annual_amount_usd": None}
    assert (labels["timeline"], labels["region"], labels["interest"]) == ("unknown", None, {"products": []})


@pytest.mark.parametrize(("amount", "usd"), [("120000", 120000), ("120k", 120000), ("1,500.50", 1500.5),
                                              ("$ 9000", 9000)])
def test_budgets_are_annual_us_dollars(amount: str, usd: float) -> None:
    assert gold_labels("e", {**FORM, "budget_usd": amount})["budget"]["annual_amount_usd"] == usd


@pytest.mark.parametrize(("field", "value", "complaint"), [
    ("intent", "prospect", "intent"),
    ("intent", "", "intent"),
    ("required_action", "send_pricing", "required_action"),  # with intent support, below
    ("timeline", "next_year", "timeline"),
    ("person_email", "jane at globex", "person_email"),
    ("company_domain", "not a domain", "company_domain"),
    ("budget_usd", "lots", "budget_usd"),
    ("budget_usd", "-5", "budget_usd"),
    ("region", "Germany", "region"),
])
def test_a_bad_field_is_refused_with_its_name(field: str, value: str, complaint: str) -> None:
    form = {**FORM, "intent": "support", "required_action": "forward_support", "timeline": "unknown", field: value}
    with pytest.raises(LabelError, match=complaint):
        gold_labels("e", form)


def test_the_label_conventions_hold() -> None:
    with pytest.raises(LabelError, match="only a lead has a buying timeline"):
        gold_labels("e", {**FORM, "intent": "support", "required_action": "forward_support", "timeline": "now"})
    with pytest.raises(LabelError, match="vendor takes route_ops"):
        gold_labels("e", {**FORM, "intent": "vendor", "timeline": "unknown"})


def test_the_prefilled_form_of_an_extraction_round_trips() -> None:
    extraction = {"intent": "lead", "person": {"name": "Jane Doe", "email": "jane.doe@globex.com"},
                  "company": {"name": "Globex", "domain": "globex.com"},
                  "interest": {"products": ["Revenue Radar"]}, "budget": {"annual_amount_usd": 120000.0},
                  "timeline": "quarter", "region": "US", "summary": "s", "required_action": "send_pricing",
                  "confidence": 0.4}
    form = form_from_extraction(extraction)
    assert form["budget_usd"] == "120000" and form["products"] == "Revenue Radar"
    labels = gold_labels("e", form)
    for name in ("intent", "person", "company", "interest", "budget", "timeline", "region", "required_action"):
        assert labels[name] == extraction[name], name


def test_a_saved_label_prefills_the_form_with_its_notes_and_reads_back_unchanged() -> None:
    labels = gold_labels("e1", {**FORM, "budget_usd": "1500000"})
    form = form_from_extraction(labels)
    assert form["notes"] == "fixed by hand", "saving again keeps the notes"
    assert form["budget_usd"] == "1500000", "not 1.5e+06, which the form would refuse"
    assert gold_labels("e1", form) == labels
