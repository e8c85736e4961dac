"""Stage 7: the verdict, its probabilities, the mismatch flag and a one-line reason.

The verdict is derived from the duties label and the title claim exactly as
LABELING.md says; its probabilities are the duty probabilities pushed through that
same derivation, so a calibrated duties model gives calibrated verdicts.
"""

from __future__ import annotations

from collections.abc import Sequence

from roleclass.posting_model import DUTY_LABELS
from roleclass.result import VERDICTS


def derive_verdict(duties: str, title_claim: str) -> str:
    """LABELING.md, field 3."""
    if duties == "other":
        return "other"
    if duties == "mixed":
        return "hybrid"
    if duties == "sales":
        return "hybrid" if title_claim in ("marketing", "both") else "sales"
    return "hybrid" if title_claim in ("sales", "both") else "marketing"


def is_mismatch(duties: str, title_claim: str) -> bool:
    """LABELING.md, field 4: the title claims a function the duties don't carry."""
    if title_claim == "sales":
        return duties in ("marketing", "other")
    if title_claim == "marketing":
        return duties in ("sales", "other")
    if title_claim == "both":
        return duties != "mixed"
    return False


def verdict_probabilities(duty_probabilities: Sequence[float], title_claim: str) -> dict[str, float]:
    """Push P(duties) through the derivation for the given title claim."""
    out = dict.fromkeys(VERDICTS, 0.0)
    for label, p in zip(DUTY_LABELS, duty_probabilities, strict=True):
        out[derive_verdict(label, title_claim)] += float(p)
    return {k: round(v, 4) for k, v in out.items()}


def reason(title_claim: str, duties: str, counts: dict[str, int], examples: dict[str, list[str]]) -> str:
    """One line a recruiter can read: what the title says and what the duties are."""
    total = sum(counts.values())
    title_part = "no title claim" if title_claim == "other" else f"title says {title_claim}"
    if total == 0:
        return f"{title_part}; no duty statements found"
    if duties == "mixed":
        body = f"{counts['sales']} of {total} duties are sales and {counts['marketing']} marketing"
        quoted = examples["sales"][:1] + examples["marketing"][:1]
    elif duties in ("sales", "marketing"):
        body = f"{counts[duties]} of {total} duties are {duties}"
        quoted = examples[duties][:2]
    else:
        body = f"only {counts['sales'] + counts['marketing']} of {total} duties are sales or marketing"
        quoted = []
    tail = "; ".join(f'"{q}"' for q in quoted)
    return f"{title_part}; {body}" + (f": {tail}" if tail else "")
