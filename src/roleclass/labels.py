"""The label vocabulary of ../shared/LABELING.md and its derivation rules, defined once.

Every other module (the models, the verdict stage, batch schemas, the web API,
``corpus/annotate.py``) imports these names, so a label can only be spelled one way
and the derivation that turns ``duties`` + ``title_claim`` into ``verdict`` and
``mismatch`` exists in exactly one place.
"""

from __future__ import annotations

# What one duty statement does (LABELING.md's table: sales duties, marketing duties, neither).
FUNCTIONS = ("sales", "marketing", "neither")
# Field 1, ``duties``: from the duty statements alone, never the title.
DUTY_LABELS = ("sales", "marketing", "mixed", "other")
# Field 2, ``title_claim``: from the title alone.
TITLE_CLAIMS = ("sales", "marketing", "both", "other")
# Field 3, ``verdict``: derived from the two above.
VERDICTS = ("sales", "marketing", "hybrid", "other")
# Languages whose postings roleclass reads; others get no verdict.
SUPPORTED_LANGUAGES = ("en", "de")
# The duty functions that carry each duties label (what evidence and review look at).
FUNCTIONS_OF_DUTIES = {
    "sales": ("sales",),
    "marketing": ("marketing",),
    "mixed": ("sales", "marketing"),
    "other": ("neither",),
}


def derive_verdict(duties: str, title_claim: str | None) -> str:
    """LABELING.md, field 3. A missing title claims nothing (as ``other``)."""
    if duties == "other":
        return "other"
    if duties == "mixed":
        return "hybrid"
    if duties == "sales":
        return "hybrid" if title_claim in ("marketing", "both") else "sales"
    return "hybrid" if title_claim in ("sales", "both") else "marketing"


def is_mismatch(duties: str, title_claim: str | None, has_duties: bool = True) -> bool:
    """LABELING.md, field 4: the title claims a function the duties don't carry.

    A posting with no duty statements at all never mismatches (v3): nothing in it
    contradicts the title.
    """
    if not has_duties:
        return False
    if title_claim == "sales":
        return duties in ("marketing", "other")
    if title_claim == "marketing":
        return duties in ("sales", "other")
    if title_claim == "both":
        return duties != "mixed"
    return False
