"""Quantified activities: "at least 50 outbound calls and 50 outbound emails a day".

LABELING.md weighs a duty more when it carries a number, so each statement's
activities are parsed into (activity, count, period). Counts may be digits ("50",
"1,000") or words ("fifty", "twenty-five"; text2num does the arithmetic); a period
that closes a coordination ("... calls and ... emails a day") applies to every
activity before it that has none of its own.

The words (activity nouns, modifiers, period words, number words) are the activity
lexicon (``lexicons/activities.toml``); an ``ActivityWords`` holds one. The functions
use the package's unless given another (the spaCy component passes its own config).
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from roleclass.lexicon import lexicons
from roleclass.tokens import token_table

_DIGITS = re.compile(r"^\d{1,3}(?:[,.]\d{3})*(?:\+)?$|^\d+\+?$")
_MAX_MODIFIERS = 3
WORD_CACHE_SIZE = 1 << 15
_MAX_COUNT_WORDS = 8  # "one hundred and twenty-five thousand" is 5; a longer run of number words is no count


@dataclass(frozen=True)
class ActivityWords:
    """One (validated) activity lexicon, as lookups."""

    nouns: dict[str, str]
    modifiers: frozenset[str]
    periods: dict[str, str]
    period_leads: frozenset[str]
    number_words_extra: dict[str, int]
    number_word_parts: frozenset[str]
    # may_start_count's answers per word: every token of every statement is asked
    _starts: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)

    def may_start_count(self, lower: str) -> bool:
        """Whether a lower-cased token can open a count (the test ``_count_at`` starts with)."""
        known = self._starts.get(lower)
        if known is None:
            known = bool(_DIGITS.match(lower)) or lower.split("-")[0] in self.number_word_parts or lower in self.number_words_extra
            if len(self._starts) >= WORD_CACHE_SIZE:
                self._starts.clear()  # bounded: a catalogue's numbers and names never end
            self._starts[lower] = known
        return known

    @cached_property
    def count_word_hashes(self) -> frozenset[int]:
        """The hashes (``get_string_id``) of the number words and number-word parts: a token whose
        lower case is one of them may open a count (``possible_openers``)."""
        return frozenset(map(get_string_id, (*self.number_word_parts, *self.number_words_extra)))

    @classmethod
    def from_lexicon(cls, lexicon: dict[str, Any]) -> ActivityWords:
        return cls(
            dict(lexicon["nouns"]), frozenset(lexicon["modifiers"]), dict(lexicon["periods"]),
            frozenset(lexicon["period_leads"]), dict(lexicon["number_words_extra"]), frozenset(lexicon["number_word_parts"]),
        )


@lru_cache(maxsize=1)
def default_words() -> ActivityWords:
    """The package's activity lexicon."""
    return ActivityWords.from_lexicon(lexicons().activities)


@dataclass(frozen=True)
class Activity:
    """One counted activity, e.g. ("outbound calls", 50, "day") and the function it signals."""

    activity: str
    count: int
    per: str | None
    function: str
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {"activity": self.activity, "count": self.count, "per": self.per}


def _parse_count(words: list[str], lex: ActivityWords) -> int | None:
    """Parse a count from digit or number-word tokens; None if they are not a number."""
    if not words:
        return None
    text = " ".join(words).lower()
    if _DIGITS.match(words[0]) and len(words) == 1:
        return int(re.sub(r"[^\d]", "", words[0]))
    if text in lex.number_words_extra:
        return lex.number_words_extra[text]
    if not all(w.lower().replace("-", " ").split()[0] in lex.number_word_parts | {"and"} for w in words):
        return None
    from text_to_num import text2num  # imported only when a statement spells a count out

    try:
        return int(text2num(text.replace("-", " "), "en"))
    except (ValueError, TypeError):
        return None


def _count_at(tokens: list[str], i: int, lex: ActivityWords | None = None) -> tuple[int, int] | None:
    """If a count starts at token i, return (count, index after it)."""
    lex = lex or default_words()
    parts = lex.number_word_parts
    first = tokens[i].lower()
    if _DIGITS.match(first):
        value = _parse_count([tokens[i]], lex)
        return (value, i + 1) if value is not None else None
    if first.split("-")[0] not in parts and first not in lex.number_words_extra:
        return None
    j = i
    while j < len(tokens) and j - i < _MAX_COUNT_WORDS and (tokens[j].lower().split("-")[0] in parts or (
        tokens[j].lower() in ("and", "-") and j + 1 < len(tokens) and tokens[j + 1].lower() in parts
    )):
        j += 1
    value = _parse_count([t for t in tokens[i:j] if t != "-"], lex)
    if value is None or (value <= 1 and first == "one"):
        return None
    return value, j


def _activity_at(tokens: list[str], i: int, lex: ActivityWords) -> tuple[str, str, int] | None:
    """The activity noun phrase starting at token i: (phrase, function, index after)."""
    j = i
    while j < len(tokens) and j - i < _MAX_MODIFIERS and tokens[j].lower() in lex.modifiers:
        j += 1
    for end in range(min(len(tokens), j + 1), i, -1):
        # the longest phrase from i whose last words are a known activity noun
        for k in range(i, end):
            phrase = " ".join(t.lower() for t in tokens[k:end])
            if phrase in lex.nouns:
                full = " ".join(t.lower() for t in tokens[i:end])
                return full, lex.nouns[phrase], end
    return None


def _period_at(tokens: list[str], i: int, lex: ActivityWords) -> tuple[str, int] | None:
    """A period expression at token i: "a day", "per week", "daily", "each month"."""
    if i >= len(tokens):
        return None
    word = tokens[i].lower()
    periods = lex.periods
    if (word in periods and word.endswith(("ly", "lich"))) or word == "daily":
        return periods[word], i + 1
    if word in lex.period_leads and i + 1 < len(tokens) and tokens[i + 1].lower() in periods:
        return periods[tokens[i + 1].lower()], i + 2
    return None


def count_starts(doc: Doc, lex: ActivityWords) -> list[int]:
    """The positions of a Doc's tokens that may open a count, in order (read once per Doc)."""
    table = token_table(doc)
    return [i for i in possible_openers(doc, lex) if lex.may_start_count(table.token_lower(i))]


def possible_openers(doc: Doc, lex: ActivityWords) -> list[int]:
    """The tokens that ``may_start_count`` could answer yes for, found by a few passes that
    iterate in C and a search for hyphens: every other token is ruled out without a call of
    its own.

    A token opens a count when it matches ``_DIGITS`` (it starts with a decimal digit, which
    ``str.lower`` keeps), when its lower case is a number word or part, or when the part before
    its first hyphen is a number-word part ("twenty-five"; a token that starts with a hyphen
    has an empty first part, and a hyphen after a space starts its token). Every token with
    one of these marks is returned, in order; the caller asks them. (Array operations did the
    same at twice the cost: in a scoring run each array call costs several times what it
    costs in a tight loop.)
    """
    table = token_table(doc)
    idx, end = table.idx, table.end
    positions = range(len(idx))
    found = list(itertools.compress(positions, map(lex.count_word_hashes.__contains__, table.lower_hash)))
    found += itertools.compress(positions, map(str.isdecimal, table.characters_at(idx)))  # each token's first
    every_hyphen = "" in lex.number_word_parts  # then a token that starts with one may open a count too
    for match in (_HYPHEN if every_hyphen else _INNER_HYPHEN).finditer(table.source):
        at = match.start()
        token = bisect_right(idx, at) - 1
        if at < end[token] and (every_hyphen or at > idx[token]):
            found.append(token)
    return sorted(set(found))


_HYPHEN = re.compile("-")
_INNER_HYPHEN = re.compile(r"-(?<=\S-)")  # a hyphen after a space starts its token; the literal first, so re skips to each hyphen


def may_count(starts: Sequence[int], start: int, end: int) -> bool:
    """Whether tokens ``start:end`` hold one that may open a count (``starts``: the Doc's ``count_starts``).

    Without one a statement has no counted activity; most statements have none, and the
    splitter asks this before making the call to ``parse_activities``."""
    first = bisect_left(starts, start)
    return first < len(starts) and starts[first] < end


def parse_activities(span: Span, lex: ActivityWords | None = None, starts: Sequence[int] | None = None) -> list[Activity]:
    """Find every counted activity in a statement, with its period if one is given.

    ``starts``: the Doc's ``count_starts`` (with the same ``lex``), when the caller reads many
    statements of it.

    The walk goes token by token only while an activity waits for its period; otherwise
    nothing can happen before the next token that may open a count, and it jumps there.
    """
    lex = lex or default_words()
    table = token_table(span.doc)
    if starts is None:
        starts = count_starts(span.doc, lex)
    inside = starts[bisect_left(starts, span.start) : bisect_left(starts, span.end)]
    if not inside:
        return []  # no count, so no counted activity (most statements): skip the walk below
    words = [i for i in range(span.start, span.end) if not table.space[i]]
    texts = list(map(table.token_text, words))
    openers = [bisect_left(words, t) for t in inside]  # where counts may open, in ``words`` (no space token opens one)
    found: list[Activity] = []
    pending: list[int] = []
    i = 0
    while i < len(words):
        if not pending:  # no period to wait for: nothing happens before the next opener
            k = bisect_left(openers, i)
            if k == len(openers):
                break
            i = openers[k]
        period = _period_at(texts, i, lex)
        if period is not None and pending:
            for index in pending:
                found[index] = _with_period(found[index], period[0])
            pending = []
            i = period[1]
            continue
        count = _count_at(texts, i, lex)
        if count is not None:
            activity = _activity_at(texts, count[1], lex)
            if activity is not None:
                phrase, function, after = activity
                end_token = words[after - 1]
                end = table.end[end_token]
                found.append(Activity(phrase, count[0], None, function, table.idx[words[i]], end))
                pending.append(len(found) - 1)
                i = after
                continue
        if texts[i] in {".", ";", "!", "?"}:
            pending = []
        i += 1
    return found


def _with_period(activity: Activity, per: str) -> Activity:
    return Activity(activity.activity, activity.count, per, activity.function, activity.start, activity.end)
