"""roleclass: read a job posting and say whether it is really sales, marketing or a mislabeled hybrid.

    >>> import roleclass
    >>> result = roleclass.score(text, title="Marketing Director")
    >>> result.verdict, result.confidence, result.evidence[0].phrase

Importing does no work: the model loads on the first call to ``score``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from roleclass.result import DutySpan, EvidenceItem, ScoreResult
from roleclass.scorer import Scorer, score

__all__ = ["DutySpan", "EvidenceItem", "ScoreResult", "Scorer", "__version__", "score"]
