"""Stage 6: what the title alone claims: sales, marketing, both or other.

LABELING.md lists the title words for each function and two structural rules: a
title naming both functions ("Sales and Marketing Manager") claims both, and a title
where the function word only qualifies another job ("Sales Research Analyst",
"Marketing Technology Engineer") claims neither. Job-board noise (" Job in City",
"(m/w/d)", reference codes) is stripped first.
"""

from __future__ import annotations

import re
from functools import lru_cache

from roleclass.patterns import (
    TITLE_MARKETING,
    TITLE_OTHER_HEADS,
    TITLE_SALES,
    TITLE_SALES_OVERRIDES,
)

TITLE_CLAIMS = ("sales", "marketing", "both", "other")
_NOISE = [
    r"\bjob in\b.*$",
    r"\(\s*[mwfdix]\s*/\s*[mwfdix]\s*(/\s*[mwfdix]\s*)?\)",
    r"\b[mwfd]/[mwfd](/[mwfd])?\b",
    r"\(all genders?\)|\(gn\)|\(w/m/d\)|\(m/f/x\)",
    r"^\s*[A-Z]\d{2,}[-\w]*\s+",
]


@lru_cache(maxsize=1)
def _compiled() -> dict[str, re.Pattern[str]]:
    def join(patterns: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)

    return {
        "sales": join(TITLE_SALES),
        "marketing": join(TITLE_MARKETING),
        "other_head": join(TITLE_OTHER_HEADS),
        "sales_override": join(TITLE_SALES_OVERRIDES),
        "noise": re.compile("|".join(_NOISE), re.I),
    }


def normalise_title(title: str) -> str:
    """Strip job-board noise and collapse whitespace."""
    cleaned = _compiled()["noise"].sub(" ", title)
    return re.sub(r"\s+", " ", cleaned).strip(" -–|,")


def title_claim(title: str | None) -> str:
    """The function the title claims, by LABELING.md's rules; "other" for no title."""
    if not title or not title.strip():
        return "other"
    text = normalise_title(title)
    patterns = _compiled()
    says_sales = bool(patterns["sales"].search(text)) or bool(patterns["sales_override"].search(text))
    says_marketing = bool(patterns["marketing"].search(text))
    if says_sales and says_marketing:
        return "both"
    if patterns["sales_override"].search(text):
        return "sales"
    if (says_sales or says_marketing) and patterns["other_head"].search(text):
        return "other"
    if says_sales:
        return "sales"
    if says_marketing:
        return "marketing"
    return "other"
