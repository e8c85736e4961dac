"""roleclass: read a job posting and say whether it is really sales, marketing or a mislabeled hybrid.

    >>> import roleclass
    >>> result = roleclass.score(text, title="Marketing Director")
    >>> result.verdict, result.confidence, result.evidence[0].phrase

Importing does no work: the scoring stack (spaCy, scikit-learn) is imported on first
use of a public name, and the model loads on the first call to ``score``. That keeps
``roleclass --help`` and a batch run's reading/writing parent process light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "DutySpan": "roleclass.result",
    "EvidenceItem": "roleclass.result",
    "ScoreResult": "roleclass.result",
    "Scorer": "roleclass.scorer",
    "classify_frame": "roleclass.frames",
    "score": "roleclass.scorer",
}
__all__ = ["DutySpan", "EvidenceItem", "ScoreResult", "Scorer", "__version__", "classify_frame", "score"]

if TYPE_CHECKING:
    from roleclass.frames import classify_frame
    from roleclass.result import DutySpan, EvidenceItem, ScoreResult
    from roleclass.scorer import Scorer, score


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'roleclass' has no attribute {name!r}")
