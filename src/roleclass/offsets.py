"""Offsets into the input as given: map clean-text offsets back through cleaning.

Every offset roleclass reports indexes the *clean* text (``ScoreResult.text``), which
``score --json`` carries but a batch output does not. This module maps a clean-text
range back to the raw input (the cell, file or request body as given), so batch output
can give spans a user can find in their own data.

How: cleaning (``clean.py``) renders HTML (inscriptis), repairs mojibake (ftfy and a
Mac-Roman fix), drops control characters, normalises Unicode, collapses spaces and
bullets, and breaks overlong runs. Instrumenting inscriptis and ftfy character by
character is not possible, so the map aligns *words* instead: the clean text's words
(runs of non-space characters) against the raw text's words (in HTML, the text between
tags, with entity references as words of their own), in order (``_align``).

- A clean word matched to an identical raw word maps character by character.
- Clean words that cleaning changed (mojibake repaired, ``R&amp;D`` decoded, a long run
  broken, a bullet rewritten) map to the raw span of the words they replaced; words
  cleaning added (an HTML bullet) map to an empty span where they were added.

``OffsetMap.to_input(start, end)`` returns an ``InputSpan``: ``start``/``end`` into the raw
input and ``exact``, which is True exactly when ``raw[start:end]`` equals the clean text's
``[start:end]``. When it is False the span is still where the phrase came from (across
markup, or the mojibake that was repaired into it), but its text differs.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from roleclass.clean import clean_text, looks_like_html

_WORD = re.compile(r"\S+")
_MAX_TRIES = 32  # later occurrences of a word tried as its match (bounds the time on repetitive text)
_SHORT_SKIP = 8  # raw words a match may skip on the word after's say-so (more need three words)
# a tag, or an entity reference: the pieces HTML text is split at
_MARKUP = re.compile(r"<[^<>]*>|&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True)
class InputSpan:
    """Where a clean-text range came from in the raw input; ``exact``: ``raw[start:end]`` is the same text."""

    start: int
    end: int
    exact: bool


def _raw_words(raw: str, is_html: bool) -> list[tuple[str, int, int, bool]]:
    """(text, start, end, verbatim) of each raw word; in HTML, tags split words and entities are words."""
    if not is_html:
        return [(m.group(), m.start(), m.end(), True) for m in _WORD.finditer(raw)]
    words: list[tuple[str, int, int, bool]] = []
    position = 0
    for markup in [*_MARKUP.finditer(raw), None]:
        stop = markup.start() if markup else len(raw)
        words.extend((m.group(), position + m.start(), position + m.end(), True) for m in _WORD.finditer(raw[position:stop]))
        if markup is None:
            break
        if markup.group().startswith("&"):
            decoded = html.unescape(markup.group())
            if decoded.strip():
                words.append((decoded, markup.start(), markup.end(), decoded == markup.group()))
        position = markup.end()
    return words


class OffsetMap:
    """Maps ranges of the clean text to the raw input it was cleaned from."""

    def __init__(self, raw: str, cleaned: str, is_html: bool | None = None) -> None:
        self.raw, self.cleaned = raw, cleaned
        raw_words = _raw_words(raw, looks_like_html(raw) if is_html is None else is_html)
        clean_words = [(m.start(), m.end()) for m in _WORD.finditer(cleaned)]
        self._starts = [start for start, _ in clean_words]
        self._words = clean_words
        # per clean word: the raw span it maps to, and how many of its first and last characters
        # are the raw span's own (all of them for an unchanged word; "world" of "world‚Äôs" -> "world’s")
        self._spans: list[tuple[int, int, int, int]] = [(0, 0, 0, 0)] * len(clean_words)
        texts = [cleaned[s:e] for s, e in clean_words]
        for tag, i1, i2, j1, j2 in _align([w[0] for w in raw_words], texts):
            if tag == "delete":
                continue
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):  # word for word
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                    _, start, end, verbatim = raw_words[i]
                    same = _shared_ends(raw[start:end], texts[j]) if verbatim else (0, 0)
                    self._spans[j] = (start, end, *same)
                continue
            if i2 > i1:  # replace: the clean words came from these raw words together
                span = (raw_words[i1][1], raw_words[i2 - 1][2], 0, 0)
            else:  # insert: added by cleaning, at the point between raw words
                at = raw_words[i1 - 1][2] if i1 > 0 else (raw_words[0][1] if raw_words else 0)
                span = (at, at, 0, 0)
            for j in range(j1, j2):
                self._spans[j] = span

    def _point(self, offset: int, is_end: bool) -> int:
        """The raw offset of a clean offset at a phrase's start (or end)."""
        words = self._words
        if not words:
            return 0
        if is_end:
            j = max(0, bisect.bisect_left(self._starts, offset) - 1)  # the word the phrase ends in (or after)
        else:
            j = min(len(words) - 1, max(0, bisect.bisect_right(self._starts, offset) - 1))
            if offset >= words[j][1] and j + 1 < len(words):
                j += 1  # the offset is in the space after word j: the phrase starts at the next word
        start, end = words[j]
        raw_start, raw_end, prefix, suffix = self._spans[j]
        if start <= offset <= end:
            by_prefix = raw_start + (offset - start) if offset - start <= prefix else None
            by_suffix = raw_end - (end - offset) if end - offset <= suffix else None
            # a phrase starting in a word is placed by the word's unchanged tail when it can be
            # ("\ufeffBetreuung" -> "Betreuung"), and one ending in it by the unchanged head
            found = (by_prefix, by_suffix) if is_end else (by_suffix, by_prefix)
            if found[0] is not None or found[1] is not None:
                return found[0] if found[0] is not None else found[1]
        if is_end:
            return raw_end if offset > start else raw_start
        return raw_start if offset < end else raw_end

    def to_input(self, start: int, end: int) -> InputSpan:
        """The raw input span a clean-text range ``[start, end)`` came from."""
        if not 0 <= start <= end <= len(self.cleaned):
            raise ValueError(f"range {start}:{end} is outside the clean text (length {len(self.cleaned)})")
        raw_start = self._point(start, is_end=False)
        raw_end = max(raw_start, self._point(end, is_end=True)) if end > start else raw_start
        return InputSpan(raw_start, raw_end, self.raw[raw_start:raw_end] == self.cleaned[start:end])


def _align(raw: list[str], clean: list[str]) -> list[tuple[str, int, int, int, int]]:
    """``SequenceMatcher.get_opcodes()``-style alignment of two word lists, in about linear time.

    Walks the clean words in order and matches each to the next equal raw word, found
    through an index of raw word positions. A match that skips raw words must be
    confirmed by the words after it (one for a short skip, three for a long one: a word
    cleaning inserted, like an HTML bullet, must not pull the alignment far ahead), and
    unmatched stretches between matches become replace/insert/delete opcodes. (difflib's
    SequenceMatcher gives the same answer on postings but took minutes on a long HTML list.)
    """
    positions: dict[str, list[int]] = {}
    for index, word in enumerate(raw):
        positions.setdefault(word, []).append(index)

    def confirmed(i: int, j: int, skip: int) -> bool:
        need = 0 if skip == 0 else (1 if skip <= _SHORT_SKIP else 3)
        return all(i + k >= len(raw) or j + k >= len(clean) or raw[i + k] == clean[j + k] for k in range(1, need + 1))

    ops: list[tuple[str, int, int, int, int]] = []

    def gap(i1: int, i2: int, j1: int, j2: int) -> None:
        if i1 < i2 or j1 < j2:
            ops.append(("replace" if i1 < i2 and j1 < j2 else "delete" if i1 < i2 else "insert", i1, i2, j1, j2))

    i = last_i = last_j = 0
    for j, word in enumerate(clean):
        found = positions.get(word, ())
        k = first = bisect.bisect_left(found, i)
        while k < len(found) and k - first < _MAX_TRIES and not confirmed(found[k], j, found[k] - i):
            k += 1
        if k == len(found) or k - first == _MAX_TRIES:
            continue  # changed or added by cleaning: part of the gap before the next match
        match = found[k]
        gap(last_i, match, last_j, j)
        ops.append(("equal", match, match + 1, j, j + 1))
        i = last_i = match + 1
        last_j = j + 1
    gap(last_i, len(raw), last_j, len(clean))
    return ops


def _shared_ends(raw_word: str, clean_word: str) -> tuple[int, int]:
    """Lengths of the common prefix and suffix of two words (each the whole word when they are equal)."""
    if raw_word == clean_word:
        return len(clean_word), len(clean_word)
    limit = min(len(raw_word), len(clean_word))
    prefix = next((k for k in range(limit) if raw_word[k] != clean_word[k]), limit)
    suffix = next((k for k in range(limit - prefix) if raw_word[-1 - k] != clean_word[-1 - k]), limit - prefix)
    return prefix, suffix


def clean_with_offsets(raw: str) -> tuple[str, OffsetMap]:
    """Clean text (exactly ``clean_text(raw)``) and the map from its offsets to ``raw``'s."""
    cleaned = clean_text(raw)
    return cleaned, OffsetMap(raw, cleaned)


def input_evidence(raw: str, cleaned: str, evidence: Iterable[Any]) -> list[dict[str, object]]:
    """Evidence items (``EvidenceItem`` or dicts with phrase/start/end) with input offsets added.

    Each dict keeps the item's fields and adds ``input_start``, ``input_end`` and
    ``input_exact`` (``raw[input_start:input_end] == phrase``); ``cleaned`` is the text the
    items index (``ScoreResult.text``).
    """
    mapping = OffsetMap(raw, cleaned)
    out = []
    for item in evidence:
        fields = dict(item) if isinstance(item, dict) else dict(vars(item))
        span = mapping.to_input(int(fields["start"]), int(fields["end"]))
        out.append({**fields, "input_start": span.start, "input_end": span.end, "input_exact": span.exact})
    return out
