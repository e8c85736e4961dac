"""Stage 2: tell the responsibilities from the blurb, requirements, benefits and EEO text.

LABELING.md counts duties, not requirements, company blurbs or benefits, so every
statement carries the kind of section it sits in and that kind sets its weight.
Headings come as short lines ("What you'll do", "Ihre Aufgaben:") or, in postings whose
line breaks were collapsed, as a label at the start of a sentence ("Responsibilities:").

The headings, keywords, weights and boilerplate cues are the section lexicon
(``lexicons/sections.toml``); a ``SectionReader`` compiles one. The module functions
use the package's; the spaCy component ``roleclass_statements`` builds its own from
its ``sections`` config.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from roleclass.cue_screen import GROUP_REFERENCE, CueScreen
from roleclass.lexicon import lexicons

MAX_HEADING_CHARS = 70
MAX_HEADING_WORDS = 9
_STRIP = " \t-*#:.!?|•–—"
HEADING_CACHE_SIZE = 10_000  # remembered lines per reader; the cache is emptied when full, so memory stays flat
_UNKNOWN = object()


def _any_match(regexes: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One regex that matches at a text's start exactly when one of ``regexes`` does there.

    An alternation tries its alternatives in order at the same position and succeeds when one
    does, so ``match`` finds one exactly when some regex's ``match`` does: one C call rules a
    line out instead of one call per heading pattern. None when the regexes' flags differ or a
    pattern refers to a group (numbers and names change when the patterns are joined).
    """
    flags = {regex.flags for regex in regexes}
    if len(flags) != 1 or any(GROUP_REFERENCE.search(regex.pattern) for regex in regexes):
        return None
    try:
        return re.compile("|".join(f"(?:{regex.pattern})" for regex in regexes), flags.pop())
    except re.error:  # e.g. a group name used by two patterns
        return None


def _looks_like_heading(stripped: str, core: str, words: int) -> bool:
    """Markdown, bold, colon or a short unpunctuated line (``words``: its core's): typed as a heading, not a duty."""
    if stripped.startswith(("#", "**")) or stripped.endswith((":", "**")) or stripped.isupper():
        return True
    return words <= 4 and not core.endswith((".", "!", "?"))


class SectionReader:
    """Section kinds of headings, and weights, from one (validated) section lexicon."""

    def __init__(self, lexicon: dict[str, Any]) -> None:
        self.headings = [
            (kind, re.compile(rf"^(?:{pattern})\b", re.I))
            for kind, patterns in lexicon["headings"].items()
            for pattern in patterns
        ]
        self.keywords = [
            (kind, re.compile(rf"\b(?:{'|'.join(words)})\b", re.I)) for kind, words in lexicon["keywords"].items()
        ]
        self._any_heading = _any_match([regex for _, regex in self.headings])  # most lines start none of them
        self.max_keyword_heading_words = lexicon["max_keyword_heading_words"]
        self.boilerplate = re.compile("|".join(lexicon["boilerplate"]), re.I)
        # every statement is asked; most hold none of the words a boilerplate phrase starts with
        self._boilerplate_screen = CueScreen([("boilerplate", self.boilerplate)])
        self.weights = dict(lexicon["weights"])
        self._kinds: dict[str, str | None] = {}  # heading_kind per line seen: lines repeat within and across postings

    def heading_kind(self, line: str) -> str | None:
        """The section kind a short heading line opens, or None if it is not a heading.

        A line counts as a heading when it is short and starts with a known heading
        phrase, and either is nearly nothing else or ends with a colon. Every line of
        every posting is asked (by the splitter and by the duty detector), so answers
        are remembered, up to ``HEADING_CACHE_SIZE`` lines.
        """
        kind = self._kinds.get(line, _UNKNOWN)
        if kind is _UNKNOWN:
            kind = self._heading_kind(line)
            if len(self._kinds) >= HEADING_CACHE_SIZE:
                self._kinds.clear()
            self._kinds[line] = kind
        return kind  # type: ignore[return-value]

    def _heading_kind(self, line: str) -> str | None:
        stripped = line.strip()
        if not stripped or len(stripped) > MAX_HEADING_CHARS or stripped.startswith("- "):
            return None
        core = stripped.strip(_STRIP)
        words = len(core.split())
        if not core or words > MAX_HEADING_WORDS:
            return None
        if self._any_heading is not None and self._any_heading.match(core) is None:
            headings: list[tuple[str, re.Pattern[str]]] = []  # no heading pattern matches: none to try
        else:
            headings = self.headings
        for kind, regex in headings:
            match = regex.match(core)
            if match and (stripped.endswith(":") or len(core) - match.end() <= 12):
                return kind
        if words <= self.max_keyword_heading_words and _looks_like_heading(stripped, core, words):
            for kind, regex in self.keywords:
                if regex.search(core):
                    return kind
        return None

    def inline_heading(self, sentence: str) -> tuple[str, int] | None:
        """A heading label at the start of a sentence ("Responsibilities: prospect ...").

        Returns the section kind and the number of characters the label occupies, so the
        statement that follows can start after it.
        """
        colon = sentence.find(":")
        if colon <= 0 or colon > MAX_HEADING_CHARS:
            return None
        kind = self.heading_kind(sentence[: colon + 1])
        return (kind, colon + 1) if kind else None

    def is_boilerplate(self, sentence: str) -> bool:
        """EEO, benefits and similar sentences carry no duty wherever they appear.

        The same answer as ``self.boilerplate.search``: the screen runs the regex on every
        sentence whose words could start a match (``cue_screen``).
        """
        return bool(self._boilerplate_screen.present(sentence))

    def section_weight(self, kind: str) -> float:
        """How much a statement in a section of this kind counts toward the duty shares."""
        return self.weights.get(kind, self.weights["body"])


@lru_cache(maxsize=1)
def default_reader() -> SectionReader:
    """The reader of the package's section lexicon."""
    return SectionReader(lexicons().sections)


def reader_for(lexicon: dict[str, Any]) -> SectionReader:
    """A reader of this (validated) section lexicon: the package's own reader when it is the
    package's lexicon, so the splitter and the duty detector, which both ask each line's
    heading kind, share one memory of the answers instead of working each out twice."""
    return default_reader() if lexicon == lexicons().sections else SectionReader(lexicon)


def heading_kind(line: str) -> str | None:
    return default_reader().heading_kind(line)


def inline_heading(sentence: str) -> tuple[str, int] | None:
    return default_reader().inline_heading(sentence)


def is_boilerplate(sentence: str) -> bool:
    return default_reader().is_boilerplate(sentence)


def section_weight(kind: str) -> float:
    return default_reader().section_weight(kind)
