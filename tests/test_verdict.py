import itertools

import pytest

from roleclass.labels import DUTY_LABELS, TITLE_CLAIMS
from roleclass.verdict import derive_verdict, is_mismatch, verdict_probabilities


@pytest.mark.parametrize(
    ("duties", "claim", "verdict", "mismatch"),
    [
        ("sales", "marketing", "hybrid", True),   # the case this exists for
        ("sales", "both", "hybrid", True),        # "Director of Sales and Marketing" who cold-calls
        ("sales", "sales", "sales", False),
        ("sales", "other", "sales", False),
        ("marketing", "sales", "hybrid", True),
        ("marketing", "marketing", "marketing", False),
        ("mixed", "both", "hybrid", False),
        ("mixed", "sales", "hybrid", False),
        ("other", "sales", "other", True),        # a "Retail Sales Representative" who stocks shelves
        ("other", "other", "other", False),
    ],
)
def test_derivation_matches_labeling_md(duties, claim, verdict, mismatch):
    assert derive_verdict(duties, claim) == verdict
    assert is_mismatch(duties, claim) is mismatch


def test_every_hybrid_from_the_title_is_a_mismatch():
    for duties, claim in itertools.product(("sales", "marketing"), TITLE_CLAIMS):
        if derive_verdict(duties, claim) == "hybrid":
            assert is_mismatch(duties, claim)


def test_verdict_probabilities_push_duty_probabilities_through_the_derivation():
    probabilities = verdict_probabilities([0.7, 0.1, 0.15, 0.05], "marketing")
    assert probabilities == {"sales": 0.0, "marketing": 0.1, "hybrid": 0.85, "other": 0.05}
    for claim in TITLE_CLAIMS:
        assert sum(verdict_probabilities([0.25] * len(DUTY_LABELS), claim).values()) == pytest.approx(1.0)
