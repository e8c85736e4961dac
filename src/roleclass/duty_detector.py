"""Stage 3b: the duty detector, P(a statement is one of the job's duties).

LABELING.md counts substantive duty statements only: company blurb, requirements,
"about you", benefits, pay, legal text and application notes are not duties. Section
headings tell them apart when a posting has the usual ones, but career pages often have
none or unusual ones, and then "At Hopin, we're reimagining virtual events" reads as a
duty. The detector learns the difference from the duty spans that labelers marked in
real postings, from cues that carry across job boards and languages: the section and
the words of the heading a statement sits under, its position, whether it is a bullet,
who its subject is ("we/our" and "wir/unser" against "you'll" and "Sie/du", or a bare
verb), requirement, benefit, pay, legal and application cues, its length, and its words.

It is a logistic regression (exact and fast) fitted in ``roleclass train`` and stored in
the model as ``RoleclassModel.duty_detector``; a model without one keeps the section
weights of ``sections.py``. Its output replaces the hard section weight: a statement's
weight is P(duty) times its duty units, doubled for a counted sales or marketing
activity, and zero for boilerplate, as before.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import re
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, reduce
from typing import Any, NamedTuple, TypeVar

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from spacy.tokens import Span

from roleclass.attributes import StatementAttributes, attributes_of, lines_of, statement_attributes
from roleclass.cue_screen import BEYOND_LATIN1, CueScreen
from roleclass.sections import default_reader, heading_kind, is_boilerplate, section_weight
from roleclass.tokens import span_text

DUTY_THRESHOLD = 0.5  # P(duty) at or above which a statement is listed as a duty
# A posting has no duties at all (LABELING.md v3) only when no statement reaches this P(duty):
# at 0.5, a detector that never saw a job board's wording called 48 of 330 German postings
# with labeled duties duty-free (leave-one-source-out); at 0.1, 5 (see the report of this change).
NO_DUTY_THRESHOLD = 0.1
GOLD_OVERLAP = 0.5  # share of a statement's characters inside a gold duty span that makes it a duty
ACTIVITY_BOOST = 1.0  # as in duties.py: a counted sales/marketing activity doubles a weight
MAX_HEADING_LINE_WORDS = 8
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
# ``_WORD`` on lower-cased Latin-1 text with "’" read as "'": its letters spelled out as ranges,
# which ``re`` checks by a table, where "[^\W\d_]" asks three character categories of each
# character (bench/bench_regex_forms.py; tests/test_duty_detector.py compares the two)
_LATIN1_LOWER_WORD = re.compile(r"[a-zª²³µ¹º¼-¾ß-öø-ÿ]+(?:'[a-zª²³µ¹º¼-¾ß-öø-ÿ]+)?")

# Cues named by what they say about a statement; each is a binary feature "cue:<name>".
# Case-sensitive where German capitalisation carries the meaning (formal "Sie", "Ihr").
STATEMENT_CUES: dict[str, str] = {
    "we": r"(?i:\b(we|we're|we’re|we've|we’ve|we'll|we’ll|we'd|our|ours|us)\b)",
    "we_de": r"(?i:\b(wir|unser\w*|uns)\b)",
    "you": r"(?i:\b(you|you'll|you’ll|you're|you’re|your|yours|yourself)\b)",
    "you_will": r"(?i:\byou(['’]ll| will| would|['’]d)\b|\bin this role\b|\byou(['’]ll| will) be responsible\b)",
    "you_de": r"\b(Sie|Ihr|Ihre|Ihrer|Ihren|Ihnen|Ihrem)\b|(?i:\b(du|dich|dir|dein\w*)\b)",
    "you_are": r"(?i:\byou(['’]re| are| have|['’]ve)\b|\bdu (bist|hast|bringst|verfügst)\b|\bSie (sind|haben|bringen|verfügen)\b)",
    "ideal": r"(?i:\b(ideal|successful|right|perfect|great) (candidate|applicant|person|fit)\b|\bsomeone who\b|\bwe(['’]re| are) looking for\b|\blooking for (a|an|someone)\b)",
    "experience": r"(?i:\b\d+\+? ?(years?|yrs|jahre)\b|\byears? of\b|\bexperience (in|with|of)\b|\bproven (track record|experience)\b|\b(berufs)?erfahrung\b)",
    "qualification": r"(?i:\b(degree|bachelor['’]?s?|master['’]?s?|diploma|certification|mba|studium|ausbildung|abgeschlossen\w*|qualifikation\w*)\b)",
    "skill": r"(?i:\b(ability to|able to|proficien\w*|fluen\w*|knowledge of|familiar\w*|understanding of|skills?|must have|nice to have|strong|excellent|kenntnisse|sprachkenntnisse|sicher\w* umgang|ausgeprägt\w*|kommunikationsstärke|teamfähigkeit|affinität)\b)",
    "trait": r"(?i:\b(motivated|passionate|self[- ]starter|detail[- ]oriented|team player|driven|organi[sz]ed|curious|hungry|coachable|resilient|eigeninitiative|zuverlässig\w*|belastbar\w*|teamplayer)\b)",
    "benefit": r"(?i:\b(benefits?|perks?|insurance|vacation|holidays?|paid time off|pto|parental|pension|retirement|401k|equity|stock options?|wellness|gym|stipend|allowance|remote[- ]first|flexible (hours|working|schedule)|work from (home|anywhere)|urlaub\w*|homeoffice|home[- ]office|jobticket|zuschuss|weiterbildung\w*|obst\w*|kaffee|altersvorsorge|firmenwagen|dienstwagen)\b)",
    "pay": r"(?i:[$€£]\s?\d|\b\d+[.,]?\d*\s?(k|€|eur|usd|gbp)\b|\b(salary|compensation|wage|pay|paid|bonus|ote|gehalt|vergütung|entlohnung|lohn)\b)",
    "legal": r"(?i:\b(equal opportunit\w*|discriminat\w*|disabilit\w*|accommodation|veteran|gender|race|religion|national origin|sexual orientation|privacy|gdpr|data protection|background check|e-verify|datenschutz\w*|gleichbehandlung|schwerbehindert\w*|m/w/d|w/m/d)\b)",
    "apply": r"(?i:\b(apply|applying|application|applicants?|resume|cv|cover letter|please (note|send|submit)|submit|send us|recruit\w*|bewerb\w*|lebenslauf|anschreiben|unterlagen|ansprechpartner\w*)\b)",
    "company": r"(?i:\b(founded|headquarter\w*|funded|funding|investors?|series [a-e]|backed|employees|offices?|startup|start-up|scale-?up|mission|vision|values|culture|leading|leader|award|customers worldwide|gegründet|marktführer\w*|standort\w*|unternehmen|firma|mitarbeitende|mitarbeiter\w*|gruppe)\b)",
    "responsible": r"(?i:\b(responsib\w*|own|owning|lead|leading|manage|managing|drive|driving|verantwort\w*|zuständig\w*|betreu\w*|übernimmst|übernehmen)\b)",
    "work_with": r"(?i:\b(work(ing)? (closely )?with|collaborat\w*|partner with|report(ing)? to|zusammenarbeit|arbeitest|arbeiten eng)\b)",
}


@lru_cache(maxsize=1)
def _cue_regexes() -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(pattern)) for name, pattern in STATEMENT_CUES.items()]


def _words(text: str) -> list[str]:
    """The lower-cased words of a text, "’" read as "'" (the word features).

    Lower-casing the whole text is one C call instead of one per word. It gives the same
    words only where ``str.lower`` maps character to character without looking at the
    neighbours, which holds for Latin-1 text; elsewhere ("İ" lowers to two characters,
    "Σ" to "ς" or "σ" by what follows) each word is lowered alone, as it always was.
    """
    text = text.replace("’", "'")  # the word pattern reads both apostrophes alike
    if text.isascii() or BEYOND_LATIN1.search(text) is None:
        return _LATIN1_LOWER_WORD.findall(text.lower())
    return [w.lower() for w in _WORD.findall(text)]


_WORD_PREFIX = "w:"  # the word block's feature names (``_word_counts``)
_LEN_EDGES = (5, 9, 15, 25, 40)
_POS_EDGES = (0.1, 0.25, 0.5, 0.75, 0.9)
_LEN_KEYS = tuple(f"f:len={i}" for i in range(len(_LEN_EDGES) + 1))  # by _bin(length, _LEN_EDGES)
_POS_KEYS = tuple(f"f:pos={i}" for i in range(len(_POS_EDGES) + 1))
_WHOLE_LINE_KEYS = ("f:whole_line=False", "f:whole_line=True")


def _bin(value: float, edges: Sequence[float]) -> int:
    """How many of the (sorted) edges ``value`` reaches."""
    return bisect.bisect_right(edges, value)


class _Line(NamedTuple):
    """A non-empty line of clean text and what it says about the statements under it
    (a tuple: a posting has tens of lines, and a frozen dataclass is slow to make)."""

    start: int
    end: int
    text: str
    kind: str | None  # the section kind it opens as a heading (``sections.heading_kind``)
    heading: bool  # a heading line (known kind or heading-shaped), not a statement


def _is_heading_shaped(line: str) -> bool:
    """A short line typed as a heading: markdown, bold, a closing colon, or short and unpunctuated."""
    stripped = line.strip()
    if stripped.startswith("- ") or not stripped:
        return False
    # at most one piece past the limit: a long line is not split into all of its words
    words = stripped.strip(" #*:").split(None, MAX_HEADING_LINE_WORDS)
    if not words or len(words) > MAX_HEADING_LINE_WORDS:
        return False
    if stripped.startswith(("#", "**")) or stripped.endswith((":", "**")):
        return True
    return len(words) <= 6 and not stripped.endswith((".", "!", ",", ";")) and stripped[0].isupper()


def _lines(text: str, spans: Sequence[Span] = ()) -> list[_Line]:
    """The non-blank lines of the clean text, each with its heading kind and whether it is a
    heading: the kinds as the splitter of ``spans`` found them when it read this text with the
    package's section reader (``attributes.remember_lines``), else asked here."""
    known = lines_of(spans[0].doc, text, default_reader()) if spans else None
    if known is None:
        known, start = [], 0
        for raw in text.split("\n"):
            end = start + len(raw)
            if raw.strip():
                known.append((start, end, heading_kind(raw)))
            start = end + 1
    out = []
    for start, end, kind in known:
        raw = text[start:end]
        out.append(_Line(start, end, raw, kind, kind is not None or _is_heading_shaped(raw)))
    return out


@lru_cache(maxsize=1)
def _cue_screen() -> CueScreen:
    return CueScreen(_cue_regexes())


def _heading_keys(heading: _Line | None) -> list[str]:
    """The features a statement takes from the heading it sits under."""
    if heading is None:
        return ["f:heading=none"]
    kind = heading.kind
    return [f"f:heading_kind={kind or 'unknown'}", *(f"f:h:{word}" for word in dict.fromkeys(_words(heading.text)))]


_NEIGHBOUR_CUES = frozenset({"we", "we_de", "you", "you_de", "you_will", "skill", "benefit", "experience"})


def _neighbour_cues(cues: list[str]) -> list[str]:
    """The cues a statement shows its neighbours, in ``STATEMENT_CUES``' order."""
    return [cue for cue in cues if cue in _NEIGHBOUR_CUES]


class _Names(dict[str, str]):
    """Feature names by value, made on first use: a statement's name is then one C look-up,
    not a new string (for a few values only, such as the section kinds)."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def __missing__(self, value: str) -> str:
        name = self[value] = self.prefix + value
        return name


_SECTION_KEYS = _Names("f:section=")
_NOT_CAPITALISED = frozenset({"we", "our", "you", "your", "the", "a", "an", "this", "at"})
# the names of the cue features, made once: a statement shows its own cues and its neighbours'
_CUE_KEYS = {cue: f"f:cue:{cue}" for cue in STATEMENT_CUES}
_PREV_KEYS = {cue: f"f:prev:{cue}" for cue in STATEMENT_CUES}
_NEXT_KEYS = {cue: f"f:next:{cue}" for cue in STATEMENT_CUES}


def _statement_parts(text: str, spans: Sequence[Span]) -> list[tuple[list[str], list[str]]]:
    """Each statement's binary features (names, in row order, ``f:bullet_run`` last) and words.

    The one definition of the features: ``statement_features`` turns the parts into rows
    and the detector's scoring path reads them directly. What depends on a line (bullet,
    heading shape) or on its heading (kind, words) is worked out once per line.
    """
    lines = _lines(text, spans)
    line_starts = [line.start for line in lines]
    total = max(1, len(text))
    n = len(spans)
    span_texts = [span_text(span) for span in spans]
    cues = list(map(_cue_screen().present, span_texts))  # each statement's cues, in ``STATEMENT_CUES``' order
    neighbours = [_neighbour_cues(c) for c in cues]
    heading_by_line: list[_Line | None] = []
    current: _Line | None = None
    for line in lines:
        heading_by_line.append(current)
        if line.heading:
            current = line
    line_keys: dict[int, tuple[bool, str, str, list[str]]] = {}  # per line: bullet, its two keys, heading keys
    heading_keys: dict[int, list[str]] = {}  # per heading line (by start), shared by the lines under it
    parts: list[tuple[list[str], list[str]]] = []
    previous_bullet = False
    sections = [attributes.section for attributes in attributes_of(spans)]
    for i, span in enumerate(spans):
        start, end = span.start_char, span.end_char
        k = max(0, bisect.bisect_right(line_starts, start) - 1)
        line = lines[k] if lines else _Line(0, total, text, None, False)
        per_line = line_keys.get(k)
        if per_line is None:
            heading = heading_by_line[k] if lines else None
            key = -1 if heading is None else heading.start
            under = heading_keys.get(key)
            if under is None:
                under = heading_keys[key] = _heading_keys(heading)
            bullet = line.text.lstrip().startswith("- ")
            per_line = line_keys[k] = (bullet, f"f:bullet={bullet}", f"f:heading_shaped={line.heading}", under)
        bullet, bullet_key, shaped_key, under = per_line
        statement = span_texts[i]
        words = _words(statement)
        keys = [
            _SECTION_KEYS[sections[i]],
            bullet_key,
            _LEN_KEYS[_bin(len(words), _LEN_EDGES)],
            _POS_KEYS[_bin(start / total, _POS_EDGES)],
            _WHOLE_LINE_KEYS[start <= line.start + 2 and end >= line.end - 1],
            shaped_key,
        ]
        if i == 0:
            keys.append("f:first_statement")
        if i == n - 1:
            keys.append("f:last_statement")
        stripped = statement.rstrip()
        if stripped.endswith("?"):
            keys.append("f:question")
        if stripped.endswith("!"):
            keys.append("f:exclaim")
        if stripped.endswith(":"):
            keys.append("f:colon_end")
        keys += under
        if words:
            first = words[0]
            keys.append(f"f:first:{first}")
            if len(words) > 1:
                keys.append(f"f:first2:{first} {words[1]}")
            if first.endswith("ing"):
                keys.append("f:first_ing")
            elif first.endswith("s") and not first.endswith("ss") and len(first) > 3:
                keys.append("f:first_s")
            if statement[:1].isupper() and first not in _NOT_CAPITALISED:
                keys.append("f:first_cap")
            keys.append(f"f:last:{words[-1]}")
        keys += map(_CUE_KEYS.__getitem__, cues[i])
        if i > 0:
            keys += map(_PREV_KEYS.__getitem__, neighbours[i - 1])
        if i + 1 < n:
            keys += map(_NEXT_KEYS.__getitem__, neighbours[i + 1])
        if bullet and previous_bullet:  # runs of bullets: a list under a heading is the usual duty list
            keys.append("f:bullet_run")
        previous_bullet = bullet
        parts.append((keys, words))
    return parts


def _word_names(words: list[str]) -> tuple[list[str], list[str]]:
    """The word block's feature names of a statement's words: ``w:<word>`` for each word and
    ``w:<word> <next word>`` for each pair, in order (made in C, by ``map``)."""
    unigrams = list(map(_WORD_PREFIX.__add__, words))
    bigrams = list(map(_WORD_PREFIX.__add__, map(" ".join, itertools.pairwise(words))))
    return unigrams, bigrams


def _word_counts(words: list[str]) -> dict[str, float]:
    """``w:<word>`` and ``w:<word> <next word>`` counts, in order of first appearance."""
    unigrams, bigrams = _word_names(words)
    names = unigrams + bigrams
    counts = dict.fromkeys(names, 1.0)
    if len(counts) < len(names):  # a repeated word or pair
        for name, count in Counter(names).items():
            if count > 1:
                counts[name] = float(count)
    return counts


def statement_features(text: str, spans: Sequence[Span]) -> list[dict[str, float]]:
    """Features of each statement of one posting (``text`` is the clean text the spans index).

    Structural features are prefixed ``f:`` and word features ``w:``; the detector
    weighs the two blocks apart (binary against TF-IDF).
    """
    rows = []
    for keys, words in _statement_parts(text, spans):
        run = keys[-1] == "f:bullet_run"
        row = dict.fromkeys(keys[:-1] if run else keys, 1.0)
        row.update(_word_counts(words))
        if run:
            row["f:bullet_run"] = 1.0
        rows.append(row)
    return rows


_WordEntry = tuple[float, float, float, float]  # idf, coefficient, idf x coefficient, idf x idf
_T = TypeVar("_T")


class _WordBlock(NamedTuple):
    """The word block's entries as arrays, numbered: each word and word pair the model knows
    is an item (the words first, then the pairs), and a word of a statement is found by
    its number (``numbers``), a pair by its two numbers (``pair_keys``)."""

    numbers: dict[str, int]  # every word of the model's words and pairs -> its number
    unigram: np.ndarray  # per word number: the item of the word alone, or -1
    pair_keys: np.ndarray  # sorted: first word's number x width + second word's number, per pair
    pair_items: np.ndarray  # the item of each key
    width: int
    pairs_from: int  # items from this one on are pairs
    idf: np.ndarray  # per item: idf, coefficient, and the two products at count 1
    coef: np.ndarray
    idf_coef: np.ndarray
    idf_idf: np.ndarray

    @classmethod
    def build(cls, word_table: dict[str, tuple[float, float]]) -> _WordBlock:
        """The arrays of a fitted word table (``DutyDetector.word_table_``), built on the first
        posting: each word alone is item and word number ``i`` in the table's order, then the
        pairs, whose words not already numbered get the next numbers."""
        bodies = [name[len(_WORD_PREFIX) :] for name in word_table]
        entries = np.array(list(word_table.values()), dtype=float).reshape(-1, 2)
        paired = np.fromiter((" " in body for body in bodies), dtype=bool, count=len(bodies))
        single_at, pair_at = np.flatnonzero(~paired), np.flatnonzero(paired)
        numbers = {bodies[i]: n for n, i in enumerate(single_at.tolist())}
        pairs = [bodies[i].split(" ") for i in pair_at.tolist()]
        for first, second in pairs:
            numbers.setdefault(first, len(numbers))
            numbers.setdefault(second, len(numbers))
        width = max(1, len(numbers))
        unigram = np.full(width, -1, dtype=np.int64)
        unigram[: len(single_at)] = np.arange(len(single_at))
        keys = np.array([numbers[first] * width + numbers[second] for first, second in pairs], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        items = np.arange(len(single_at), len(bodies), dtype=np.int64)
        entries = entries[np.concatenate([single_at, pair_at])]
        idf, coef = entries[:, 0].copy(), entries[:, 1].copy()
        return cls(numbers, unigram, keys[order], items[order], width, len(single_at), idf, coef, idf * coef, idf * idf)

    def sums(self, words: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Per statement (its words, in order): the dot product and the squared norm of its
        word block before normalising, as ``logit`` adds them up for the row's word entries
        (``_plus_word_block``), to the last bit.

        The terms come in the same order (the words, then the pairs, each distinct one at
        its first appearance, at its count), and ``np.bincount`` adds each statement's
        weights one after the other from 0.0, in the order given, as ``reduce`` does.
        """
        n = len(words)
        flat = list(itertools.chain.from_iterable(words))
        number = np.fromiter(map(self.numbers.get, flat, itertools.repeat(-1)), dtype=np.int64, count=len(flat))
        statement = np.repeat(np.arange(n, dtype=np.int64), np.fromiter(map(len, words), dtype=np.int64, count=n))
        numbered = number >= 0
        item = np.where(numbered, self.unigram[np.maximum(number, 0)], -1)
        single = np.flatnonzero(item >= 0)
        pair = np.flatnonzero((statement[1:] == statement[:-1]) & numbered[:-1] & numbered[1:])
        keys = number[pair] * self.width + number[pair + 1]
        at = np.minimum(np.searchsorted(self.pair_keys, keys), max(len(self.pair_keys) - 1, 0))
        found = self.pair_keys[at] == keys if len(self.pair_keys) else np.zeros(len(keys), dtype=bool)
        position = np.concatenate([single, pair[found]])  # where each known word or pair starts
        item = np.concatenate([item[single], self.pair_items[at[found]]])
        owner = statement[position]
        # each distinct (statement, item) once, at its first appearance, with its count
        _, first, count = np.unique(owner * len(self.idf) + item, return_index=True, return_counts=True)
        owner, item, position = owner[first], item[first], position[first]
        order = np.lexsort((position, item >= self.pairs_from, owner))
        owner, item, count = owner[order], item[order], count[order]
        dot, square = self.idf_coef[item], self.idf_idf[item]
        repeated = np.flatnonzero(count > 1)
        if len(repeated):  # sublinear tf at the count, with math.log as ``_at_count``
            x = np.array([1.0 + math.log(c) for c in count[repeated].tolist()]) * self.idf[item[repeated]]
            dot[repeated] = x * self.coef[item[repeated]]
            square[repeated] = x * x
        dot_sums, square_sums = (np.bincount(owner, weights=w, minlength=n).astype(float, copy=False) for w in (dot, square))
        return dot_sums, square_sums


# What a detector's word table is read through, built on first use and kept beside the detector,
# not in it (the pickled model stays byte for byte the same): by name, the table it was built
# from (to tell when that is replaced) and the lookups (``DutyDetector._kept``).
_KEPT: weakref.WeakKeyDictionary[DutyDetector, dict[str, tuple[object, Any]]] = weakref.WeakKeyDictionary()


class DutyDetector(ClassifierMixin, BaseEstimator):
    """Logistic regression over binary structure/cue features and TF-IDF word features.

    Parameters
    ----------
    C: inverse regularisation strength.
    min_count: features seen in fewer training statements are dropped.
    word_scale: weight of the (L2-normalised) word block against the binary block.
    power: a statement's weight grows with P(duty) to this power.
    """

    def __init__(self, C: float = 0.5, min_count: int = 3, word_scale: float = 1.0, power: float = 2.0) -> None:
        self.C = C
        self.min_count = min_count
        self.word_scale = word_scale
        self.power = power

    def _split(self, X: Sequence[dict[str, float]]) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
        structure = [{k: v for k, v in row.items() if k.startswith("f:")} for row in X]
        words = [{k: v for k, v in row.items() if k.startswith("w:")} for row in X]
        return structure, words

    def fit(self, X: Sequence[dict[str, float]], y: Sequence[int], sample_weight: Sequence[float] | None = None) -> DutyDetector:
        structure, words = self._split(X)
        self.structure_ = _restricted(DictVectorizer(sort=True), structure, self.min_count)
        self.words_ = _restricted(DictVectorizer(sort=True), words, self.min_count)
        self.tfidf_ = TfidfTransformer(sublinear_tf=True).fit(self.words_.transform(words))
        self.model_ = LogisticRegression(C=self.C, max_iter=5000)
        self.model_.fit(self._matrix(structure, words), np.asarray(y, dtype=int), sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        self._build_tables()
        return self

    def _build_tables(self) -> None:
        """The fitted linear model as lookup tables: scoring a posting reads a few dozen
        dict entries per statement instead of building sparse matrices (about 3x faster)."""
        coef = self.model_.coef_[0]
        n_structure = len(self.structure_.feature_names_)
        self.structure_coef_ = {name: float(coef[j]) for j, name in enumerate(self.structure_.feature_names_) if coef[j]}
        self.word_table_ = {
            name: (float(idf), float(coef[n_structure + j]))
            for j, (name, idf) in enumerate(zip(self.words_.feature_names_, self.tfidf_.idf_, strict=True))
        }
        self.intercept_ = float(self.model_.intercept_[0])

    def _kept(self, name: str, build: Callable[[], _T]) -> _T:
        """The lookups ``build`` makes of ``word_table_``, made once and kept beside the detector."""
        kept = _KEPT.setdefault(self, {})
        found = kept.get(name)
        if found is None or found[0] is not self.word_table_:
            found = kept[name] = (self.word_table_, build())
        return found[1]

    def _row_words(self) -> dict[str, _WordEntry]:
        """Each word's terms at count 1, for ``logit``: (idf, coefficient, idf x coefficient, idf x
        idf), keyed by the feature names the model holds already, so the table adds no strings
        (one keyed by words and word pairs held copies of them all, and a worker's memory at
        100,000 rows went up by about 10 MB: README, "Speed and memory"). Rows are what
        training and evaluation read; scoring reads the arrays of ``_WordBlock`` instead."""
        return self._kept("rows", lambda: {name: (idf, coef, idf * coef, idf * idf) for name, (idf, coef) in self.word_table_.items()})

    def logit(self, row: dict[str, float]) -> float:
        """The log-odds of duty for one statement's features, computed as ``predict_proba`` does."""
        structure, words = self.structure_coef_, self._row_words()
        z = self.intercept_
        for name, value in row.items():
            if name.startswith("f:"):
                z += structure.get(name, 0.0) * value
        entries = ((words.get(name), value) for name, value in row.items() if not name.startswith("f:"))
        return self._plus_word_block(z, [_at_count(entry, value) for entry, value in entries if entry is not None and value > 0])

    def _plus_word_block(self, z: float, terms: list[_WordEntry]) -> float:
        """``z`` plus the word block's term: each known word's sublinear tf x idf, L2-normalised.

        ``terms`` holds the entry of each word the model knows, at its count
        (``_at_count``), in the row's order. The products are added up one after the
        other from 0.0 (``reduce``, not ``sum``, which compensates on newer Pythons).
        """
        dot = reduce(operator.add, map(operator.itemgetter(2), terms), 0.0)
        square = reduce(operator.add, map(operator.itemgetter(3), terms), 0.0)
        if square > 0:
            z += self.word_scale * dot / math.sqrt(square)  # the word block is L2-normalised
        return z

    def probabilities(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        """P(duty) of each row of features (fast path of ``predict_proba(rows)[:, 1]``)."""
        return _sigmoid([self.logit(row) for row in rows])

    def _matrix(self, structure: list[dict[str, float]], words: list[dict[str, float]]) -> sparse.csr_matrix:
        word_block = self.tfidf_.transform(self.words_.transform(words)) * self.word_scale
        return sparse.hstack([self.structure_.transform(structure), word_block]).tocsr()

    def predict_proba(self, X: Sequence[dict[str, float]]) -> np.ndarray:
        if not len(X):
            return np.zeros((0, 2))
        return self.model_.predict_proba(self._matrix(*self._split(X)))

    def duty_probabilities(self, text: str, spans: Sequence[Span]) -> np.ndarray:
        """P(duty) of each statement of a posting whose clean text is ``text``."""
        return self.chunk_probabilities([(text, spans)])[0]

    def chunk_probabilities(self, postings: Sequence[tuple[str, Sequence[Span]]]) -> list[np.ndarray]:
        """P(duty) of each statement of each posting (its clean text and statements), read
        from the features' parts without building rows, and the same to the last bit as
        ``probabilities`` of the rows ``statement_features`` makes: the log-odds add up the
        binary coefficients in row order (``_structure_logits``), then the word block, for
        all the postings' statements at once (``_WordBlock.sums``). Each statement's numbers
        are its own, so a posting gets the same in any chunk as alone.
        """
        block = self._kept("block", lambda: _WordBlock.build(self.word_table_))
        keys: list[list[str]] = []
        words: list[list[str]] = []
        sizes: list[int] = []
        for text, spans in postings:
            parts = _statement_parts(text, spans) if spans else []
            sizes.append(len(parts))
            for statement_keys, statement_words in parts:
                keys.append(statement_keys)
                words.append(statement_words)
        z = _structure_logits(self.intercept_, self.structure_coef_, keys)
        dot, square = block.sums(words)
        scored = square > 0
        z[scored] += self.word_scale * dot[scored] / np.sqrt(square[scored])  # the word block is L2-normalised
        probabilities = _sigmoid(z)
        return np.split(probabilities, np.cumsum(sizes[:-1]).astype(int)) if sizes else []

    def weights(self, text: str, spans: Sequence[Span]) -> tuple[np.ndarray, np.ndarray]:
        """(P(duty), weight) of each statement: weight = P(duty)^power x base weight (see ``base_weight``)."""
        return self.chunk_weights([(text, spans)])[0]

    def chunk_weights(self, postings: Sequence[tuple[str, Sequence[Span]]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """``weights`` of each posting (clean text, statements), P(duty) worked out for all at once."""
        probabilities = self.chunk_probabilities(postings)
        if not probabilities:
            return []
        # element by element, so the chunk's weights at once are each posting's alone
        base = np.array([w for _, spans in postings for w in base_weights(spans)], dtype=float)
        weights = self.combine(np.concatenate(probabilities), base)
        return list(zip(probabilities, np.split(weights, np.cumsum([len(p) for p in probabilities[:-1]])), strict=True))

    def combine(self, probabilities: np.ndarray, base: np.ndarray) -> np.ndarray:
        """A statement's weight from its P(duty) and its base weight.

        A power above 1 keeps many unsure statements (a long blurb at P 0.2 each) from
        outweighing the few sure duties; it is chosen in ``bench/duty_detector_cv.py``.
        """
        return np.power(probabilities, self.power) * base


def _at_count(entry: _WordEntry, count: float) -> _WordEntry:
    """A word's table entry with its two products at ``count`` (> 0): x = (1 + log count) x idf.

    A word seen once has x = idf exactly, and the table holds its products already.
    """
    if count == 1:
        return entry
    x = (1.0 + math.log(count)) * entry[0]  # sublinear tf x idf
    return (entry[0], entry[1], x * entry[1], x * x)


def _structure_logits(intercept: float, structure: dict[str, float], keys: Sequence[list[str]]) -> np.ndarray:
    """Per statement (its binary feature names, in row order): the intercept plus their
    coefficients, added one after the other as ``logit`` adds them (0.0 for a feature the
    model lacks), by ``np.bincount``, which adds each statement's weights in the order given."""
    n = len(keys)
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=n)
    coefs = np.fromiter(map(structure.get, itertools.chain.from_iterable(keys), itertools.repeat(0.0)), dtype=float, count=int(lengths.sum()))
    values = np.insert(coefs, np.cumsum(lengths) - lengths, intercept)  # each statement's own intercept first
    owners = np.repeat(np.arange(n, dtype=np.int64), lengths + 1)
    return np.bincount(owners, weights=values, minlength=n).astype(float, copy=False)  # float when empty too


def _sigmoid(logits: Sequence[float] | np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.array(logits, dtype=float)))


def _restricted(vectorizer: DictVectorizer, rows: list[dict[str, float]], min_count: int) -> DictVectorizer:
    matrix = vectorizer.fit_transform(rows)
    frequency = np.asarray((matrix > 0).sum(axis=0)).ravel()
    if frequency.size:
        vectorizer.restrict(frequency >= min_count)
    return vectorizer


def base_weights(spans: Sequence[Span]) -> list[float]:
    """``base_weight`` of each of one Doc's statements, their attributes read in one go."""
    return [_base_weight(span, attributes) for span, attributes in zip(spans, attributes_of(spans), strict=True)]


def base_weight(span: Span) -> float:
    """A statement's weight before P(duty): its duty units, doubled for a counted sales or
    marketing activity, and zero for boilerplate (as ``duties.py`` weighs, less the section)."""
    return _base_weight(span, statement_attributes(span))


def _base_weight(span: Span, attributes: StatementAttributes) -> float:
    """``base_weight`` of a statement whose attributes are read already."""
    if attributes.base_weight is not None:  # the statement splitter worked it out already, the same way
        return float(attributes.base_weight)
    # imported here, past the splitter's statements (nearly all): an import statement costs a
    # look-up per call, and duties.py is the caller's module, not ours
    from roleclass.duties import duty_units

    if is_boilerplate(span_text(span)):
        return 0.0
    weight = duty_units(span)
    if any(a.function in ("sales", "marketing") for a in attributes.activities or ()):
        weight *= 1.0 + ACTIVITY_BOOST
    return weight


def rule_is_duty(span: Span) -> bool:
    """Today's rule, for comparison: a statement counts as a duty when its section weight is >= 0.6."""
    return section_weight(span._.section) >= 0.6 and not is_boilerplate(span.text)


# --- training data ------------------------------------------------------------------------
def _alnum(text: str) -> tuple[str, list[int]]:
    """Lower-case letters and digits of ``text`` with each one's offset: a spacing-proof key."""
    chars, offsets = [], []
    for i, ch in enumerate(text):
        if ch.isalnum():
            chars.append(ch.lower())
            offsets.append(i)
    return "".join(chars), offsets


_TAG = re.compile(r"<[^<>]{0,200}>?|&[a-z]+;|&#\d+;")


def gold_mask(cleaned: str, quotes: Iterable[str]) -> tuple[np.ndarray, int]:
    """Which characters of clean text lie in a gold duty quote, and how many quotes were not found.

    Labels' offsets index the raw description while statements index the clean text,
    so quotes are matched on letters and digits only (markup, bullets, spacing and
    case removed), each after the previous one where possible.
    """
    from roleclass.clean import clean_text

    key, offsets = _alnum(cleaned)
    mask = np.zeros(len(cleaned), dtype=bool)
    missing, cursor = 0, 0
    for quote in quotes:
        needle, _ = _alnum(_TAG.sub(" ", clean_text(quote)))
        if not needle:
            continue
        at = key.find(needle, cursor)
        if at < 0:
            at = key.find(needle)
        if at < 0:
            missing += 1
            continue
        mask[offsets[at] : offsets[at + len(needle) - 1] + 1] = True
        cursor = at + len(needle)
    return mask, missing


def statement_labels(cleaned: str, spans: Sequence[Span], quotes: Iterable[str]) -> tuple[list[int], int]:
    """1 for a statement whose letters lie at least ``GOLD_OVERLAP`` inside gold duty quotes, else 0."""
    mask, missing = gold_mask(cleaned, quotes)
    labels = []
    for span in spans:
        inside = [mask[span.start_char + i] for i, ch in enumerate(span.text) if ch.isalnum()]
        labels.append(int(bool(inside) and sum(inside) / len(inside) >= GOLD_OVERLAP))
    return labels, missing


@dataclass(frozen=True)
class PostingStatements:
    """What the detector reads of one posting: statement features and base weights (no labels)."""

    cleaned: str
    spans: list[Span]
    rows: list[dict[str, float]]
    base: np.ndarray


@lru_cache(maxsize=4096)
def posting_statements(text: str) -> PostingStatements:
    """Clean and cut a raw posting exactly as training does (``train._posting_statements``); cached."""
    from roleclass.clean import clean_text
    from roleclass.duties import statements
    from roleclass.language import SUPPORTED, detect_language

    cleaned = clean_text(text)
    language = detect_language(cleaned) if cleaned.strip() else "en"
    _, spans = statements(cleaned, language if language in SUPPORTED else "en")
    return PostingStatements(cleaned, spans, statement_features(cleaned, spans), np.array([base_weight(s) for s in spans], dtype=float))


def posting_weights(detector: DutyDetector, text: str) -> np.ndarray:
    """Statement weights of a raw posting under a detector, in the order of its statements."""
    found = posting_statements(text)
    if not found.spans:
        return np.zeros(0)
    return detector.combine(detector.probabilities(found.rows), found.base)


@dataclass(frozen=True)
class DetectorExamples:
    """Statement features and gold labels of one posting."""

    rows: list[dict[str, float]]
    labels: list[int]
    texts: list[str]
    sections: list[str]
    rule: list[bool]
    base: np.ndarray
    missing_quotes: int


def posting_examples(text: str, quotes: tuple[str, ...]) -> DetectorExamples:
    """Every statement roleclass cuts from a labeled posting, with features and gold label."""
    found = posting_statements(text)
    labels, missing = statement_labels(found.cleaned, found.spans, quotes)
    return DetectorExamples(
        found.rows, labels, [s.text for s in found.spans], [s._.section for s in found.spans],
        [rule_is_duty(s) for s in found.spans], found.base, missing,
    )


def fit_duty_detector(postings: Sequence[object], **params: float) -> DutyDetector | None:
    """Fit the detector on labeled postings (``LabeledPosting``); None when the data hold one class only."""
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    for posting in postings:
        examples = posting_examples(posting.text, tuple(q for q, _ in posting.duty_quotes))  # type: ignore[attr-defined]
        rows.extend(examples.rows)
        labels.extend(examples.labels)
    if len(set(labels)) < 2:
        return None
    return DutyDetector(**params).fit(rows, labels)
