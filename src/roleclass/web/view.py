"""What the recruiter page shows, as plain data: pure functions over a ScoreResult.

The template only loops over these; every piece of posting text reaches the HTML through
Jinja's autoescaping (nothing here builds markup), so a posting holding ``<script>``
shows as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from roleclass.result import DutySpan, EvidenceItem, ScoreResult

FUNCTION_LABELS = {"sales": "Sales", "marketing": "Marketing", "neither": "Neither"}
COUNTED_SECTIONS = ("duties", "body")
VERDICT_LABELS = {
    "sales": "Sales",
    "marketing": "Marketing",
    "hybrid": "Hybrid (mislabeled)",
    "other": "Other",
}


@dataclass(frozen=True)
class Segment:
    """A piece of the posting: plain text, or a deciding phrase (``function`` set)."""

    text: str
    function: str | None = None
    weight: float = 0.0
    rank: int = 0  # 1 = the strongest phrase


def highlight(text: str, evidence: list[EvidenceItem]) -> list[Segment]:
    """Cut ``text`` into plain and highlighted segments by the evidence offsets.

    Phrases are placed by ``start``/``end`` only (never by searching for the words);
    where two overlap, the one that starts first keeps the shared characters and the
    other is clipped. Joining the segments gives ``text`` back exactly.
    """
    ranks = {id(item): k for k, item in enumerate(evidence, start=1)}
    segments: list[Segment] = []
    position = 0
    for item in sorted(evidence, key=lambda e: (e.start, -e.end)):
        start, end = max(item.start, position), min(item.end, len(text))
        if end <= start:
            continue
        if start > position:
            segments.append(Segment(text[position:start]))
        segments.append(Segment(text[start:end], item.function, item.weight, ranks[id(item)]))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:]))
    return segments


def is_duty(span: DutySpan) -> bool:
    """A statement from the duties or the body, as the reason counts them (not the
    requirements or the company blurb, which weigh little)."""
    return span.section in COUNTED_SECTIONS


def duty_groups(spans: list[DutySpan]) -> dict[str, list[DutySpan]]:
    """Statements by function (sales, marketing, neither): real duties first, then the
    lighter ones from other sections, each most certain first."""
    groups: dict[str, list[DutySpan]] = {function: [] for function in FUNCTION_LABELS}
    for span in spans:
        groups.setdefault(span.function, []).append(span)
    for members in groups.values():
        members.sort(key=lambda s: (not is_duty(s), -s.score, s.start))
    return groups


def activity_text(activity: dict[str, Any]) -> str:
    """'50 outbound calls a day' from a counted activity."""
    count, what, per = activity.get("count"), activity.get("activity", ""), activity.get("per")
    text = f"{count:g} {what}" if isinstance(count, (int, float)) else str(what)
    return f"{text} a {per}" if per else text


def mismatch_text(result: ScoreResult) -> str:
    """One line on what the title claims against what the duties are."""
    claim, duties = result.title_claim, result.duties or "not read"
    claimed = "sales and marketing" if claim == "both" else claim
    if result.mismatch:
        return f"Mismatch: the title claims {claimed}, but the duties are {duties}."
    if not result.title:
        return f"No title given; the duties are {duties}."
    if claim == "other":
        return f"The title claims neither sales nor marketing; the duties are {duties}."
    return f"The title claims {claimed}, and the duties carry it ({duties})."


def page_view(result: ScoreResult, suggested_title: str = "") -> dict[str, Any]:
    """Everything the result part of the page needs (``suggested_title``: for a mismatch,
    a title that carries the duties, as in the mismatch report)."""
    return {
        "suggested_title": suggested_title,
        "verdict": result.verdict,
        "verdict_label": VERDICT_LABELS.get(result.verdict or "", "No verdict"),
        "confidence": result.confidence,
        "probabilities": sorted((result.probabilities or {}).items(), key=lambda kv: -kv[1]),
        "review": result.review,
        "review_reason": result.review_reason,
        "mismatch_text": mismatch_text(result),
        "segments": highlight(result.text, result.evidence),
        "groups": duty_groups(result.duty_spans),
        "function_labels": FUNCTION_LABELS,
        "activity_text": activity_text,
        "is_duty": is_duty,
        "result": result,
    }
