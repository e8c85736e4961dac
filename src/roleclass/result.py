"""The typed result of scoring one posting, and its JSON form (``score --json``)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

__all__ = ["DutySpan", "EvidenceItem", "ModelInfo", "ScoreError", "ScoreResult"]
STATUS_OK = "ok"
STATUS_UNSUPPORTED_LANGUAGE = "unsupported_language"
STATUS_NO_DUTIES = "no_duties"


@dataclass(frozen=True)
class EvidenceItem:
    """A phrase whose model weights moved the verdict; ``text[start:end] == phrase``."""

    phrase: str
    start: int
    end: int
    function: str
    weight: float


@dataclass(frozen=True)
class DutySpan:
    """One duty statement with its function, the model's probability for it, and counted activities."""

    text: str
    start: int
    end: int
    function: str
    score: float
    section: str
    activities: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str
    sha256: str


@dataclass(frozen=True)
class ScoreResult:
    """Everything ``roleclass score`` reports for one posting.

    ``verdict`` is None only when the status says the text could not be read
    (an unsupported language): the tool never guesses on text its model cannot read.
    ``confidence``, ``probabilities`` and ``sales_share`` are None when there is nothing
    to base a number on (no verdict, or no duty statement); ``title_claim`` is None
    when no title was given or found. ``title_source`` says where ``title`` came from:
    "given", "html <title>" or "first line" (a posting pasted whole), or None. ``review`` says a person should read this result first,
    and ``review_reason`` why (``roleclass.review``).
    """

    verdict: str | None
    confidence: float | None
    probabilities: dict[str, float] | None
    duties: str | None
    sales_share: float | None
    title_claim: str | None
    mismatch: bool
    reason: str
    evidence: list[EvidenceItem]
    duty_spans: list[DutySpan]
    text: str
    language: str
    status: str
    title: str | None
    model: ModelInfo
    review: bool = False
    review_reason: str | None = None
    title_source: str | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def to_json(self, indent: int | None = None) -> str:
        """Deterministic JSON: same input and model give the same bytes."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, sort_keys=False)


@dataclass(frozen=True)
class ScoreError:
    """What ``Scorer.score_many`` yields in place of a posting it could not score.

    ``kind`` is "input" for a posting that is not a readable posting (the message says
    why, as ``InputError`` would) and "internal" for a bug, so one posting never stops
    a stream of thousands.
    """

    message: str
    kind: str = "input"
