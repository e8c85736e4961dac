"""Duties without the title: the shipped model's duties label never reads the title (LABELING.md, field 1)."""

from __future__ import annotations

import pytest

TITLES = [None, "Marketing Director", "Sales Representative", "Sales and Marketing Manager", "Software Engineer"]


def test_shipped_model_records_that_it_reads_no_title(scorer):
    assert scorer.model.posting_classifier.title_prior is False
    assert scorer.model.metadata["settings"]["title_prior"] is False


@pytest.mark.parametrize("name", ["marketing_director_sales_duties.txt"])
def test_duties_are_the_same_whatever_the_title(scorer, case_posting, name):
    results = [scorer.score(case_posting, title) for title in TITLES]
    assert {r.duties for r in results} == {"sales"}
    assert len({r.sales_share for r in results}) == 1
    # the title changes only what is derived from it: the claim, the verdict, the mismatch flag
    assert {r.title_claim for r in results} == {None, "other", "marketing", "sales", "both"}
    assert results[1].verdict == "hybrid" and results[1].mismatch
    assert results[2].verdict == "sales" and not results[2].mismatch


def test_duty_probabilities_do_not_move_with_the_title(scorer, case_posting):
    untitled = scorer.score(case_posting, None)  # claim "other": verdict probabilities are the duty probabilities
    for title in TITLES[1:]:
        titled = scorer.score(case_posting, title)
        # duties "other" gives verdict "other" whatever the title, so P(other) is P(duties other) for every title
        assert titled.probabilities["other"] == untitled.probabilities["other"]
        assert sum(titled.probabilities.values()) == pytest.approx(sum(untitled.probabilities.values()), abs=1e-3)
        assert titled.evidence == untitled.evidence
    marketing = scorer.score(case_posting, "Marketing Director")
    assert marketing.probabilities["marketing"] == untitled.probabilities["marketing"]
    assert marketing.probabilities["hybrid"] == pytest.approx(
        untitled.probabilities["sales"] + untitled.probabilities["hybrid"], abs=2e-4)
