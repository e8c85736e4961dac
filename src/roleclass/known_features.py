"""Stage 4a: a posting's duty-model features as the model's columns, read from its tokens.

``features.span_features`` defines a statement's features by name ("w:prospect",
"b:cold calls", "h:sell", "cue:quota") and training reads them so. Scoring needs less:
only the features the model knows, as its columns, each with the characters it came
from (for the evidence). Most of a statement's features are its words, so each distinct
word is looked up once (a table of model columns by word, filled as words are first
seen) and the word block of all of a posting's statements is read from arrays: each
content token's unigram and stem column, and each pair of neighbouring content tokens'
bigram column through a sorted table of the model's word pairs. The act and cue features,
a few per statement, are read by name as before.

The features come out in ``span_features``' order, statement by statement, with the
features the model does not know left out: that is all the count matrix and the
evidence read, so a posting's vectors and evidence are the same to the last bit
(``tests/test_known_features.py`` compares the two on the corpus).
"""

from __future__ import annotations

import itertools
import operator
import threading
import weakref
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from spacy.strings import get_string_id
from spacy.tokens import Span

from roleclass.duty_model import DutyClassifier
from roleclass.features import BIGRAM_PREFIX, CUE_PREFIX, act_features, cue_matches, word_feature_names
from roleclass.tokens import TokenTable, token_table

# Words remembered beyond the model's own (those of its word pairs); past this many the
# table starts afresh from the model's, so a long batch's vocabulary cannot grow it without end.
MAX_NEW_WORDS = 100_000  # about 10 MB; a stream of distinct postings brings some 17 new words a posting
_PAIR_SHIFT = 32  # a word pair's key: first word's number << 32 | second word's number
_WORDS, _PAIRS, _ACTS, _CUES = range(4)  # the blocks of a statement's features, in order


@dataclass(frozen=True)
class KnownFeatures:
    """The known features of one posting's statements, in order, as parallel arrays."""

    statement: np.ndarray  # int64, ascending: the feature's statement (0-based in the posting)
    column: np.ndarray  # int64: its column in the duty model
    start: np.ndarray  # int64: the characters it was read from, in the clean text
    end: np.ndarray
    statements: int  # the posting's statements, those without a known feature included

    @classmethod
    def empty(cls) -> KnownFeatures:
        """A posting without statements."""
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none, none, 0)


class FeatureColumns:
    """The duty model's vocabulary as lookups by word, and a posting's features read with them."""

    def __init__(self, vocabulary: Mapping[str, int]) -> None:
        self.vocabulary = vocabulary
        self._lock = threading.Lock()  # new words are added under it (the web API scores on threads)
        self._numbers: dict[int, int] = {}  # by the hash of the word (``get_string_id``, as ``TokenTable.lower_hash``)
        self._columns = np.full((1024, 2), -1, dtype=np.int64)  # per word number: unigram and stem column
        self._content = np.zeros(1024, dtype=bool)  # per word number: a word that carries meaning
        pairs = []
        self._cue_columns: dict[str, int] = {}  # the model's column of each cue, by the cue's name
        for name, column in vocabulary.items():
            if name.startswith(CUE_PREFIX):
                self._cue_columns[name[len(CUE_PREFIX) :]] = column
            elif name.startswith(BIGRAM_PREFIX):  # ``features.bigram_name``: words hold no space
                first, _, second = name[len(BIGRAM_PREFIX) :].partition(" ")
                pairs.append((self._number(first) << _PAIR_SHIFT | self._number(second), column))
        pairs.sort()
        self._pair_keys = np.array([key for key, _ in pairs], dtype=np.int64)
        self._pair_columns = np.array([column for _, column in pairs], dtype=np.int64)
        self._model_words = dict(self._numbers)  # kept when the table starts afresh (the pairs use them)

    def _number(self, word: str) -> int:
        """The word's number in the table, adding it (and its columns) when new."""
        key = get_string_id(word)
        self._add([(key, word)])
        return self._numbers[key]

    def _add(self, words: Sequence[tuple[int, str]]) -> None:
        """Number the new ones of these words (hash, word) in the order given, each once, and write
        their columns in one go: a posting brings a few dozen words the table has not seen."""
        first = len(self._numbers)
        rows: list[tuple[int, int]] = []
        content: list[bool] = []
        for key, word in words:
            if key in self._numbers:
                continue
            self._numbers[key] = first + len(rows)
            names = word_feature_names(word)  # not the training path's cache: this table remembers it
            rows.append((-1, -1) if names is None else (self.vocabulary.get(names[0], -1), self.vocabulary.get(names[1] or "", -1)))
            content.append(names is not None)
        if not rows:
            return
        while first + len(rows) > len(self._content):
            self._columns = np.concatenate([self._columns, np.full_like(self._columns, -1)])
            self._content = np.concatenate([self._content, np.zeros_like(self._content)])
        self._columns[first : first + len(rows)] = rows
        self._content[first : first + len(rows)] = content

    def _word_numbers(self, tables: Sequence[TokenTable]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each token's word number, the Docs' tokens one after the other, with the column and
        content tables they index (read together). Words are looked up by the hash of their lower
        case, which spaCy has for every token; only a word the table has not seen is made as a string."""
        keys = list(itertools.chain.from_iterable(table.lower_hash for table in tables))
        with self._lock:
            if len(self._numbers) > len(self._model_words) + MAX_NEW_WORDS:
                # afresh, in new tables: a reader holding the old ones still reads what it looked up
                self._numbers = dict(self._model_words)
                self._columns, self._content = self._columns.copy(), self._content.copy()
            numbers = list(map(self._numbers.get, keys))
            if None in numbers:  # words not seen before, numbered in the order they come
                missing = list(itertools.compress(range(len(keys)), map(operator.is_, numbers, itertools.repeat(None))))
                firsts = list(itertools.accumulate((len(table.idx) for table in tables), initial=0))
                owners = [bisect_right(firsts, k) - 1 for k in missing]
                self._add([(keys[k], tables[t].token_lower(k - firsts[t])) for k, t in zip(missing, owners, strict=True)])
                for k in missing:
                    numbers[k] = self._numbers[keys[k]]
            return np.array(numbers, dtype=np.int64), self._columns, self._content

    def read(self, spans: Sequence[Span], acts: bool) -> KnownFeatures:
        """The known features of one posting's statements (spans of one Doc), in ``span_features``' order."""
        return self.read_many([spans], acts)[0]

    def read_many(self, postings: Sequence[Sequence[Span]], acts: bool) -> list[KnownFeatures]:
        """``read`` of each posting, worked out together: the array steps, a few microseconds
        each whatever their length, run once for a chunk of postings instead of once each."""
        read = [spans for spans in postings if spans]
        if not read:
            return [KnownFeatures.empty() for _ in postings]
        tables = [token_table(spans[0].doc) for spans in read]
        numbers, columns, content = self._word_numbers(tables)
        starts, ends = np.concatenate([t.starts for t in tables]), np.concatenate([t.ends for t in tables])
        offsets = np.cumsum([0, *(len(t.idx) for t in tables[:-1])])  # each Doc's first token in the chunk
        bounds = np.array(
            [(span.start + offset, span.end + offset) for spans, offset in zip(read, offsets.tolist(), strict=True) for span in spans],
            dtype=np.int64,
        )
        lengths = bounds[:, 1] - bounds[:, 0]
        statement = np.repeat(np.arange(len(bounds), dtype=np.int64), lengths)  # numbered through the chunk
        token = np.arange(len(statement), dtype=np.int64) + np.repeat(bounds[:, 0] - (np.cumsum(lengths) - lengths), lengths)
        keep = content[numbers[token]] & ~np.concatenate([t.skipped for t in tables])[token]
        token, statement = token[keep], statement[keep]
        parts = [
            self._block(statement, columns[numbers[token], 0], starts[token], ends[token], _WORDS, 2 * token),
            self._block(statement, columns[numbers[token], 1], starts[token], ends[token], _WORDS, 2 * token + 1),
            self._pairs(statement, token, numbers, starts, ends),
            self._named([span for spans in read for span in spans], acts),
        ]
        statement, column, start, end, block, position = (np.concatenate(parts) for parts in zip(*parts, strict=True))
        order = np.lexsort((position, block, statement))
        statement, column, start, end = statement[order], column[order], start[order], end[order]
        counts = [len(spans) for spans in postings]
        firsts = np.cumsum([0, *counts]).tolist()  # each posting's first statement in the chunk
        cuts = np.searchsorted(statement, firsts).tolist()
        return [
            KnownFeatures(statement[a:b] - first, column[a:b], start[a:b], end[a:b], n)
            for a, b, first, n in zip(cuts[:-1], cuts[1:], firsts[:-1], counts, strict=True)
        ]

    @staticmethod
    def _block(
        statement: np.ndarray, column: np.ndarray, start: np.ndarray, end: np.ndarray, block: int, position: np.ndarray
    ) -> tuple[np.ndarray, ...]:
        """Features of one kind with their place in the order, those the model knows only."""
        known = column >= 0
        return statement[known], column[known], start[known], end[known], np.full(int(known.sum()), block), position[known]

    def _pairs(
        self, statement: np.ndarray, token: np.ndarray, numbers: np.ndarray, starts: np.ndarray, ends: np.ndarray
    ) -> tuple[np.ndarray, ...]:
        """The bigrams: each content token and the next one of the same statement."""
        same = statement[1:] == statement[:-1]
        first, second = token[:-1][same], token[1:][same]
        keys = numbers[first] << _PAIR_SHIFT | numbers[second]
        at = np.minimum(np.searchsorted(self._pair_keys, keys), max(len(self._pair_keys) - 1, 0))
        found = self._pair_keys[at] == keys if len(self._pair_keys) else np.zeros(len(keys), dtype=bool)
        column = np.where(found, self._pair_columns[at] if len(self._pair_keys) else -1, -1)
        return self._block(statement[1:][same], column, starts[first], ends[second], _PAIRS, first)

    def _named(self, spans: Sequence[Span], acts: bool) -> tuple[np.ndarray, ...]:
        """The act and cue features, read by name statement by statement (a cue's column by its
        name, ``cue_features``' name less its prefix: one look-up, no feature made)."""
        get = self.vocabulary.get
        cue_column = self._cue_columns
        rows = []
        for k, span in enumerate(spans):
            if acts:
                features = act_features(span)
                rows.extend((k, column, f.start, f.end, _ACTS, j) for j, f in enumerate(features) if (column := get(f.name)) is not None)
            rows.extend(
                (k, column, start, end, _CUES, j)
                for j, (name, start, end) in enumerate(cue_matches(span))
                if (column := cue_column.get(name)) is not None
            )
        array = np.array(rows, dtype=np.int64).reshape(-1, 6)
        return tuple(array[:, i] for i in range(6))


_COLUMNS: weakref.WeakKeyDictionary[DutyClassifier, tuple[object, FeatureColumns]] = weakref.WeakKeyDictionary()


def feature_columns(classifier: DutyClassifier) -> FeatureColumns:
    """The lookups of a fitted duty classifier, built on first use and kept beside it (the
    pickled model stays byte for byte the same); rebuilt if its vocabulary is replaced."""
    vocabulary = classifier.vectorizer_.vocabulary_
    cached = _COLUMNS.get(classifier)
    if cached is None or cached[0] is not vocabulary:
        cached = _COLUMNS[classifier] = (vocabulary, FeatureColumns(vocabulary))
    return cached[1]

