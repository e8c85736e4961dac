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

# Chosen by `roleclass evaluate --no-faithfulness --jobs 1` (cross-validation by source, all 989 postings;
# bench/results/evaluation.json, "review"): of 864 candidate policies, none leaves the unflagged results right
# 95% of the time at any share flagged under 58%, so the rule in evaluation.metrics.choose_policy takes the most
# accurate policy that flags at most 15%: 14.8% flagged, unflagged accuracy 0.829 (0.888 on real English).
# The 95% target is not met: that is the model's accuracy, not a threshold, to fix.
MIN_TOP_PROBABILITY = 0.55
MIN_MARGIN = 0.15
MIN_DUTY_STATEMENTS = 2
MIN_MISMATCH_SUPPORT = 3


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
