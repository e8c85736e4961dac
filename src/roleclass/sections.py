"""Stage 2: tell the responsibilities from the blurb, requirements, benefits and EEO text.

LABELING.md counts duties, not requirements, company blurbs or benefits, so every
statement carries the kind of section it sits in and that kind sets its weight.
Headings come as short lines ("What you'll do", "Ihre Aufgaben:") or, in postings whose
line breaks were collapsed, as a label at the start of a sentence ("Responsibilities:").
"""

from __future__ import annotations

import re
from functools import lru_cache

from roleclass.patterns import (
    BOILERPLATE_CUES,
    MAX_KEYWORD_HEADING_WORDS,
    SECTION_HEADINGS,
    SECTION_KEYWORDS,
    SECTION_WEIGHTS,
)

MAX_HEADING_CHARS = 70
MAX_HEADING_WORDS = 9
_STRIP = " \t-*#:.!?|•–—"


@lru_cache(maxsize=1)
def _heading_regexes() -> list[tuple[str, re.Pattern[str]]]:
    compiled = []
    for kind, patterns in SECTION_HEADINGS.items():
        for pattern in patterns:
            compiled.append((kind, re.compile(rf"^(?:{pattern})\b", re.I)))
    return compiled


@lru_cache(maxsize=1)
def _keyword_regexes() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (kind, re.compile(rf"\b(?:{'|'.join(words)})\b", re.I)) for kind, words in SECTION_KEYWORDS.items()
    ]


def _looks_like_heading(stripped: str, core: str) -> bool:
    """Markdown, bold, colon or a short unpunctuated line: typed as a heading, not a duty."""
    if stripped.startswith(("#", "**")) or stripped.endswith((":", "**")) or stripped.isupper():
        return True
    return len(core.split()) <= 4 and not core.endswith((".", "!", "?"))


@lru_cache(maxsize=1)
def _boilerplate_regex() -> re.Pattern[str]:
    return re.compile("|".join(BOILERPLATE_CUES), re.I)


def heading_kind(line: str) -> str | None:
    """The section kind a short heading line opens, or None if it is not a heading.

    A line counts as a heading when it is short and starts with a known heading
    phrase, and either is nearly nothing else or ends with a colon.
    """
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_HEADING_CHARS or stripped.startswith("- "):
        return None
    core = stripped.strip(_STRIP)
    if not core or len(core.split()) > MAX_HEADING_WORDS:
        return None
    for kind, regex in _heading_regexes():
        match = regex.match(core)
        if match and (stripped.endswith(":") or len(core) - match.end() <= 12):
            return kind
    if len(core.split()) <= MAX_KEYWORD_HEADING_WORDS and _looks_like_heading(stripped, core):
        for kind, regex in _keyword_regexes():
            if regex.search(core):
                return kind
    return None


def inline_heading(sentence: str) -> tuple[str, int] | None:
    """A heading label at the start of a sentence ("Responsibilities: prospect ...").

    Returns the section kind and the number of characters the label occupies, so the
    statement that follows can start after it.
    """
    colon = sentence.find(":")
    if colon <= 0 or colon > MAX_HEADING_CHARS:
        return None
    kind = heading_kind(sentence[: colon + 1])
    return (kind, colon + 1) if kind else None


def is_boilerplate(sentence: str) -> bool:
    """EEO, benefits and similar sentences carry no duty wherever they appear."""
    return bool(_boilerplate_regex().search(sentence))


def section_weight(kind: str) -> float:
    """How much a statement in a section of this kind counts toward the duty shares."""
    return SECTION_WEIGHTS.get(kind, SECTION_WEIGHTS["body"])
