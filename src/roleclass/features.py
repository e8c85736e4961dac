"""Features of one duty statement, each anchored to the characters it came from.

The same function feeds training and explanation, so every weight the model applies
can be traced back to a phrase in the clean text: word unigrams, bigrams of content
words, a six-letter stem of long words (English inflections, German compounds), and
the duty cues of ``patterns.DUTY_CUES``. Function words and bare numbers are no features.

It also reads the act: what the person does and to whom. A duty bullet opens with its
verb ("Stock shelves", "Close orders with store buyers", "You will support customers"),
so after the lead-in words ("you will", "Sie", "responsible for") the first word is the
head, ``h:<stem>``, and the next content words its objects, ``ho:<stem> <object>``. A
German infinitive bullet ("Neue Kunden gewinnen") ends with its verb instead. There is
no parser in the blank pipeline: these are rules, and the weights are learned, so a
statement that merely mentions "sales" is told apart from one whose act is selling.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from spacy.lang.de.stop_words import STOP_WORDS as DE_STOP
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
from spacy.tokens import Span

from roleclass.cue_screen import CueScreen
from roleclass.patterns import DUTY_CUES
from roleclass.tokens import doc_text, token_table

# spaCy's lists lack the inflected German possessives ("unseren", "ihrem"): function words all the same.
_DE_INFLECTED = {f"{stem}{end}" for stem in ("unser", "ihr", "dein", "euer", "eur", "sein", "mein") for end in ("e", "en", "em", "er", "es")}
STOP_WORDS = frozenset(EN_STOP | DE_STOP | _DE_INFLECTED) - {"call", "calls", "first", "own", "new", "top", "make"}
# Words before a statement's act that say nothing about it ("you will", "Sie werden", "responsible for").
_LEAD = """
you you'll ll will would shall can must should also and then be being help helping to we i our your the a an
this role position person candidate successful ideal key main primary core daily day-to-day responsibilities
responsibility duties duty tasks task include includes including involve involves is are as in of for
responsible accountable able ability expected expect looking need needs want wants who what where
sie du ihr ihre deine dein wir unser unsere bist sind wirst werden wird zu dabei hier aufgaben deiner ihrer
der die das den dem des ein eine einer und als mit für im in bei
"""
LEAD_WORDS = frozenset(_LEAD.split())
MAX_LEAD = 6  # lead-in words skipped at most, so a long noun opening is not taken for the act
MAX_OBJECTS = 2  # content words after the head read as its object
_EN_SUFFIXES = ("ing", "ed", "es", "s")
_DE_SUFFIXES = ("ung", "st", "en", "t", "e", "n")
STEM_MIN_LENGTH = 8
STEM_LENGTH = 6


class Feature(NamedTuple):
    """A feature name and the character range of the phrase it was read from.

    A named tuple, not a dataclass: a posting makes hundreds, and a tuple is built in a
    third of the time.
    """

    name: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _cue_regexes() -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile("|".join(patterns), re.I)) for name, patterns in DUTY_CUES.items()]


@lru_cache(maxsize=1)
def _cue_screen() -> CueScreen:
    """The cues' screen: most statements hold none, and the screen says so without the regexes."""
    return CueScreen(_cue_regexes())


def carries_meaning(word: str) -> bool:
    """A word that can say what a duty is: not a function word, not a bare number.

    Numbers, years and postal codes ("1955", "38118") say nothing about the act; a
    count that makes a duty heavier is read by ``quantities`` into the statement's
    weight instead, so it never becomes a feature with a weight of its own.
    """
    # ``isalpha`` of the whole word answers for most words in one C call
    return len(word) >= 2 and (word.isalpha() or any(ch.isalpha() for ch in word)) and word not in STOP_WORDS


def word_feature_names(word: str) -> tuple[str, str | None] | None:
    """A lower-cased word's unigram and stem feature names, or None if it carries no meaning."""
    if not carries_meaning(word):
        return None
    stem = f"s:{word[:STEM_LENGTH]}" if len(word) >= STEM_MIN_LENGTH and word.isalpha() else None
    return f"w:{word}", stem


# Remembered per word (bounded) where features are read by name (training): a corpus repeats
# the same few thousand words. Scoring keeps its own table of columns (``known_features``).
word_names = lru_cache(maxsize=1 << 15)(word_feature_names)


def span_features(span: Span, acts: bool = True) -> list[Feature]:
    """All anchored features of a statement span (``acts``: with the act features), in order:
    its words, the act, the cues. The definition the model is trained on; the scorer reads
    the same features as model columns (``known_features.FeatureColumns``, tested equal)."""
    features = word_features(span)
    if acts:
        features.extend(act_features(span))
    features.extend(cue_features(span))
    return features


def word_features(span: Span) -> list[Feature]:
    """Each content word's unigram and stem (``w:``, ``s:``) in order, then the bigrams of
    neighbouring content words (``b:``): function words, numbers and punctuation are skipped."""
    table = token_table(span.doc)
    texts, lower, idxs, space, punct = table.text, table.lower, table.idx, table.space, table.punct
    features: list[Feature] = []
    content: list[tuple[str, int, int]] = []
    for i in range(span.start, span.end):
        if space[i] or punct[i]:
            continue
        word = lower[i]
        names = word_names(word)
        if names is None:
            continue
        start = idxs[i]
        end = start + len(texts[i])
        features.append(Feature(names[0], start, end))
        if names[1] is not None:
            features.append(Feature(names[1], start, end))
        content.append((word, start, end))
    for (w1, s1, _), (w2, _, e2) in itertools.pairwise(content):
        features.append(Feature(bigram_name(w1, w2), s1, e2))
    return features


BIGRAM_PREFIX = "b:"  # a bigram's name: the prefix, the first word, a space, the second word


def bigram_name(first: str, second: str) -> str:
    """The feature name of two neighbouring content words (``known_features`` reads it back)."""
    return f"{BIGRAM_PREFIX}{first} {second}"


CUE_PREFIX = "cue:"


def cue_features(span: Span) -> list[Feature]:
    """Every match of every duty cue (``cue:<name>``) in the statement, cue by cue."""
    return [Feature(CUE_PREFIX + name, start, end) for name, start, end in cue_matches(span)]


def cue_matches(span: Span) -> Iterator[tuple[str, int, int]]:
    """(cue name, start, end) of every match of every duty cue in the statement, cue by cue, with
    offsets into the Doc's text: what ``cue_features`` names ``cue:<name>``."""
    offset = span.start_char
    for name, start, end in _cue_screen().matches(doc_text(span.doc)[offset : span.end_char]):
        yield name, offset + start, offset + end


def act_stem(word: str, language: str = "en") -> str:
    """A crude stem that folds a verb's inflections together (manages, managing, manage -> manag)."""
    word = word.lower()
    for suffix in _DE_SUFFIXES if language == "de" else _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if language != "de" and word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def act_features(span: Span) -> list[Feature]:
    """The statement's act: its head verb (``h:``) and verb + object pairs (``ho:``), anchored."""
    table = token_table(span.doc)
    texts, idxs, alpha, lower = table.text, table.idx, table.alpha, table.lower
    words = [i for i in range(span.start, span.end) if alpha[i] or texts[i] == "'ll"]
    if not words:
        return []
    language = span.doc.lang_
    head_index = 0
    while head_index < min(len(words), MAX_LEAD) and lower[words[head_index]] in LEAD_WORDS:
        head_index += 1
    if head_index >= len(words):
        return []
    head = words[head_index]
    candidates = words[head_index + 1 :]
    last = words[-1]
    if language == "de" and texts[head][:1].isupper() and last != head and texts[last][:1].islower() and lower[last].endswith("en"):
        # "Neue Kunden gewinnen": a German infinitive bullet ends with its verb
        candidates = words[head_index:-1]
        head = last
    # only the first MAX_OBJECTS objects are read: the search stops there
    objects = itertools.islice((i for i in candidates if lower[i] not in STOP_WORDS and len(texts[i]) > 1), MAX_OBJECTS)
    stem = act_stem(texts[head], language)
    head_start, head_end = idxs[head], idxs[head] + len(texts[head])
    out = [Feature(f"h:{stem}", head_start, head_end)]
    for obj in objects:
        start, end = min(head_start, idxs[obj]), max(head_end, idxs[obj] + len(texts[obj]))
        out.append(Feature(f"ho:{stem} {lower[obj]}", start, end))
    return out


def counts(features: Iterable[Feature]) -> dict[str, float]:
    """Bag-of-features counts for sklearn's DictVectorizer."""
    bag: dict[str, float] = {}
    for feature in features:
        bag[feature.name] = bag.get(feature.name, 0.0) + 1.0
    return bag
