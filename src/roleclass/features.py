"""Features of one duty statement, each anchored to the characters it came from.

The same function feeds training and explanation, so every weight the model applies
can be traced back to a phrase in the clean text: word unigrams, bigrams of content
words, a six-letter stem of long words (English inflections, German compounds), and
the duty cues of ``patterns.DUTY_CUES``. Counts become a single ``<num>`` token.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from spacy.lang.de.stop_words import STOP_WORDS as DE_STOP
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
from spacy.tokens import Span

from roleclass.patterns import DUTY_CUES

STOP_WORDS = frozenset(EN_STOP | DE_STOP) - {"call", "calls", "first", "own", "new", "top", "make"}
STEM_MIN_LENGTH = 8
STEM_LENGTH = 6


@dataclass(frozen=True)
class Feature:
    """A feature name and the character range of the phrase it was read from."""

    name: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _cue_regexes() -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile("|".join(patterns), re.I)) for name, patterns in DUTY_CUES.items()]


def _norm(token_text: str, like_num: bool) -> str:
    if like_num or token_text.isdigit():
        return "<num>"
    return token_text.lower()


def span_features(span: Span) -> list[Feature]:
    """All anchored features of a statement span, in text order."""
    features: list[Feature] = []
    content: list[tuple[str, int, int]] = []
    for token in span:
        if token.is_space or token.is_punct:
            continue
        word = _norm(token.text, token.like_num)
        start, end = token.idx, token.idx + len(token.text)
        if word in STOP_WORDS or (len(word) < 2 and word != "<num>"):
            continue
        features.append(Feature(f"w:{word}", start, end))
        if len(word) >= STEM_MIN_LENGTH and word.isalpha():
            features.append(Feature(f"s:{word[:STEM_LENGTH]}", start, end))
        content.append((word, start, end))
    for (w1, s1, _), (w2, _, e2) in itertools.pairwise(content):
        features.append(Feature(f"b:{w1} {w2}", s1, e2))
    text, offset = span.text, span.start_char
    for name, regex in _cue_regexes():
        for match in regex.finditer(text):
            features.append(Feature(f"cue:{name}", offset + match.start(), offset + match.end()))
    return features


def counts(features: Iterable[Feature]) -> dict[str, float]:
    """Bag-of-features counts for sklearn's DictVectorizer."""
    bag: dict[str, float] = {}
    for feature in features:
        bag[feature.name] = bag.get(feature.name, 0.0) + 1.0
    return bag
