"""The review flag: which results a person should read before acting on them.

A calibrated probability says how often a verdict like this one is right, but a
recruiter acting on thousands of results needs a yes/no: read this one. A result is
flagged when the model itself is unsure (a low top probability or two verdicts close
together), when there is little to go on (very few duty statements), or when a title
mismatch, the claim a recruiter acts on, rests on a single statement. The thresholds
are module constants, chosen on cross-validation so that few results are flagged and
the unflagged ones are nearly always right (``roleclass evaluate`` prints the
coverage-against-accuracy table that shows the trade-off).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from roleclass.labels import FUNCTIONS_OF_DUTIES

# Chosen by `roleclass evaluate --write-card --jobs 2` (cross-validation by source, all 989 postings, the shipped
# model with its duty detector; bench/results/evaluation.json, "review"): of 864 candidate policies, the most
# accurate one that flags at most 15% (the cap) is "the top verdict under 45%": 14.7% flagged, unflagged
# accuracy 0.814. Unflagged accuracy reaches 95% only when 62% are flagged, which makes the flag useless to a job
# board, so the cap wins; the 95% target is the model's accuracy to improve, not a threshold to move.
# Results with no duty statements are always flagged.
MIN_TOP_PROBABILITY = 0.45
MIN_MARGIN = 0.0
MIN_DUTY_STATEMENTS = 1
MIN_MISMATCH_SUPPORT = 1


@dataclass(frozen=True)
class ReviewPolicy:
    """Thresholds of the review flag (the defaults are the shipped policy)."""

    min_top_probability: float = MIN_TOP_PROBABILITY
    min_margin: float = MIN_MARGIN
    min_duty_statements: int = MIN_DUTY_STATEMENTS
    min_mismatch_support: int = MIN_MISMATCH_SUPPORT

    def reason(
        self,
        probabilities: Mapping[str, float] | None,
        duty_functions: Sequence[str],
        duties: str | None,
        mismatch: bool,
    ) -> str | None:
        """One line saying why a result needs review, or None when it does not.

        ``duty_functions`` holds the function of each counted duty statement.
        """
        if duties is None or probabilities is None:
            return None
        if not duty_functions:
            return "no duty statements found: the verdict rests on nothing in the posting"
        ranked = sorted(probabilities.values(), reverse=True)
        top = ranked[0]
        margin = top - (ranked[1] if len(ranked) > 1 else 0.0)
        if top < self.min_top_probability:
            return f"low confidence: the most probable verdict has {top:.0%}"
        if margin < self.min_margin:
            return f"close call: the top two verdicts are {margin:.0%} apart"
        if len(duty_functions) < self.min_duty_statements:
            return f"little to go on: {len(duty_functions)} duty statement found"
        support = sum(1 for f in duty_functions if f in FUNCTIONS_OF_DUTIES.get(duties, ()))
        if mismatch and support < self.min_mismatch_support:
            return f"the mismatch rests on {support} {duties} duty statement" + ("" if support == 1 else "s")
        return None


DEFAULT_POLICY = ReviewPolicy()
