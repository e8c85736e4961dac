"""Stage 7: the verdict, its probabilities, the mismatch flag and a one-line reason.

The verdict is derived from the duties label and the title claim exactly as
LABELING.md says; its probabilities are the duty probabilities pushed through that
same derivation, so a calibrated duties model gives calibrated verdicts.
"""

from __future__ import annotations

from collections.abc import Sequence

from roleclass.labels import DUTY_LABELS, VERDICTS, derive_verdict, is_mismatch

__all__ = ["derive_verdict", "is_mismatch", "reason", "title_part", "verdict_probabilities"]


def verdict_probabilities(duty_probabilities: Sequence[float], title_claim: str | None) -> dict[str, float]:
    """Push P(duties) through the derivation for the given title claim."""
    out = dict.fromkeys(VERDICTS, 0.0)
    for label, p in zip(DUTY_LABELS, duty_probabilities, strict=True):
        out[derive_verdict(label, title_claim)] += float(p)
    return {k: round(v, 4) for k, v in out.items()}


def title_part(title_claim: str | None) -> str:
    """How the reason line names the title's claim."""
    if title_claim is None:
        return "no title given"
    if title_claim == "other":
        return "the title names no sales or marketing function"
    return f"title says {title_claim}"


def reason(title_claim: str | None, duties: str, counts: dict[str, int], examples: dict[str, list[str]]) -> str:
    """One line a recruiter can read: what the title says and what the duties are."""
    total = sum(counts.values())
    title = title_part(title_claim)
    if total == 0:
        return f"{title}; no duty statements found"
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
    return f"{title}; {body}" + (f": {tail}" if tail else "")
