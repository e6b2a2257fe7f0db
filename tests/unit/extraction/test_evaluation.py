"""The gold-set metrics (gold-format.md), checked on cases small enough to count by hand."""

from __future__ import annotations

import pytest

from triage.domain.evaluation import (
    GoldLabel,
    below_ratchet,
    f1,
    normalize_company,
    parse_labels,
    score,
)
from triage.domain.models import Budget, Company, Extraction, Person


def gold(id_: str, intent: str = "lead", **fields: object) -> GoldLabel:
    action = {"lead": "schedule_demo", "spam": "ignore", "support": "forward_support"}[intent]
    return GoldLabel.model_validate(
        {"id": id_, "intent": intent, "required_action": action, **fields}
    )


def predicted(intent: str = "lead", **fields: object) -> Extraction:
    action = {"lead": "schedule_demo", "spam": "ignore", "support": "forward_support"}[intent]
    return Extraction.model_validate(
        {"intent": intent, "required_action": action, "confidence": 0.9, **fields}
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Acme Pty Ltd.", "acme"),
        ("  ACME, Inc. ", "acme"),
        ("Kranich Logistik GmbH & Co. KG", "kranich logistik"),
        ("Ferraresi S.r.l.", "ferraresi"),
        ("Tulpstra B.V.", "tulpstra"),
        ("Acme Company", "acme"),
        ("Ltd", "ltd"),  # a name that is nothing but a suffix keeps it
        ("Cantábrica Logística", "cantábrica logística"),
        ("", None),
        (None, None),
    ],
)
def test_company_names_ignore_case_punctuation_and_legal_suffixes(
    name: str | None, expected: str | None
) -> None:
    assert normalize_company(name) == expected


def test_f1_counts_a_wrong_value_as_both_a_false_positive_and_a_false_negative() -> None:
    pairs = [("a", "a"), ("b", "x"), ("c", None), (None, "d"), (None, None)]
    # TP 1; FP 2 (x, d); FN 2 (b missed as x, c) -> 2 / (2 + 2 + 2)
    assert f1(pairs) == pytest.approx(2 / 6)


def test_f1_with_nothing_to_find_and_nothing_found_is_perfect() -> None:
    assert f1([(None, None), (None, None)]) == 1.0


def test_a_small_set_scores_as_counted_by_hand() -> None:
    labels = [
        gold(
            "1",
            person={"email": "Jane@Globex.com"},
            company={"name": "Globex Corporation"},
            budget={"annual_amount_usd": 54000},
            timeline="quarter",
            region="US",
        ),
        gold(
            "2",
            person={"email": "raj@hooli.com"},
            company={"name": "Hooli"},
            budget={"annual_amount_usd": None},
            timeline="unknown",
            region="GB",
        ),
        gold("3", intent="spam"),
        gold(
            "4",
            intent="support",
            person={"email": "ann@initech.com"},
            company={"name": "Initech"},
            region="US",
        ),
    ]
    predictions = {
        "1": predicted(
            person=Person(email="jane@globex.com"),
            company=Company(name="Globex Corp."),
            budget=Budget(annual_amount_usd=54000.0),
            timeline="quarter",
            region="US",
        ),
        "2": predicted(
            person=Person(email="raj@hooli.com"),
            company=Company(name="Hooli Labs"),
            budget=Budget(annual_amount_usd=12000),
            timeline="unknown",
            region=None,
        ),
        "3": predicted(intent="lead", person=Person(email="x@junk.biz")),
        "4": predicted(intent="support", person=Person(email="ann@initech.com"), region="us"),
    }

    report = score(labels, predictions)

    assert report.n == 4 and report.n_leads == 2
    assert report.intent_accuracy == pytest.approx(3 / 4)
    # emails: TP 3 (1, 2, 4), FP 1 (3) -> 6 / 7
    assert report.person_email_f1 == pytest.approx(6 / 7)
    # companies: TP 1 (Globex), wrong 1 (Hooli Labs: FP+FN), missed 1 (Initech: FN) -> 2 / 5
    assert report.company_name_f1 == pytest.approx(2 / 5)
    assert report.lead_budget_exact == pytest.approx(1 / 2)
    assert report.lead_timeline_exact == 1.0
    assert report.region_accuracy == pytest.approx(3 / 4)  # 1, 3 (null = null), 4 (case-folded)
    assert report.required_action_accuracy == pytest.approx(3 / 4)
    assert report.confusion["spam"]["lead"] == 1 and report.confusion["lead"]["lead"] == 2
    assert {(miss.id, miss.field) for miss in report.misses} == {
        ("2", "company.name"),
        ("2", "budget.annual_amount_usd"),
        ("2", "region"),
        ("3", "intent"),
        ("3", "person.email"),
        ("3", "required_action"),
        ("4", "company.name"),
    }


def test_no_leads_means_no_lead_scores() -> None:
    report = score([gold("1", intent="spam")], {"1": predicted(intent="spam")})

    assert report.lead_budget_exact is None and report.lead_timeline_exact is None


def test_a_bad_labels_line_is_named() -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse_labels(['{"id": "1", "intent": "lead", "required_action": "ignore"}', "{oops"])


def test_the_ratchet_names_only_the_scores_that_fell() -> None:
    report = score([gold("1", intent="spam")], {"1": predicted(intent="lead")})

    fallen = below_ratchet(report, {"intent_accuracy": 0.9, "region_accuracy": 1.0, "n": 5})

    assert fallen == {"intent_accuracy": (0.9, 0.0)}
