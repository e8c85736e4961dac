"""The cascade, top to bottom: clean -> language -> statements -> duty model ->
duty shares -> posting model -> title claim -> verdict -> evidence.

Each step is a small method so the flow reads like the pipeline it is. A Scorer holds
a loaded model and nothing else; it reads nothing from ../shared and trains nothing.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import sklearn
from scipy import sparse
from spacy.tokens import Span

from roleclass import collector, explain
from roleclass.attributes import attributes_of, statement_attributes
from roleclass.clean import clean_text
from roleclass.duties import MAX_DOC_CHARS, statements
from roleclass.duty_detector import DUTY_THRESHOLD, NO_DUTY_THRESHOLD, DutyDetector
from roleclass.duty_model import DutyClassifier, FeatureCounts
from roleclass.errors import InputError
from roleclass.known_features import KnownFeatures, feature_columns
from roleclass.labels import DUTY_LABELS, FUNCTIONS, FUNCTIONS_OF_DUTIES, VERDICTS
from roleclass.language import detect_language, detect_languages, is_supported
from roleclass.model_io import MODEL_NAME, RoleclassModel, load_model
from roleclass.posting_model import DutyMass, duty_mass
from roleclass.result import (
    STATUS_NO_DUTIES,
    STATUS_OK,
    STATUS_UNSUPPORTED_LANGUAGE,
    DutySpan,
    ModelInfo,
    ScoreError,
    ScoreResult,
)
from roleclass.review import DEFAULT_POLICY
from roleclass.rows import SCORE_BATCH
from roleclass.title import guess_title, title_claim
from roleclass.tokens import span_text
from roleclass.verdict import derive_verdict, is_mismatch, reason, title_part, verdict_probabilities

LOG = logging.getLogger(__name__)
_T = TypeVar("_T")
# How probable the duties that contradict the title must be, together, before a mismatch is
# flagged (``Scorer._choose``); chosen on cross-validation grouped by source:
# `.venv/bin/python bench/mismatch_threshold.py` (README, "Accuracy").
MIN_MISMATCH_PROBABILITY = 0.8
MAX_POSTING_CHARS = 1_000_000  # raw characters; longer input is refused, not truncated
MAX_TITLE_CHARS = 1_000
_SURROGATES = re.compile("[\ud800-\udfff]")
REASON_QUOTE_CHARS = 60
# Sections whose statements are the job's duties; company, requirements, benefits and legal text are not.
DUTY_SECTIONS = ("duties", "body")


@dataclass
class Statements:
    """The statements of one posting with their features, vectors and probabilities.

    ``vectors`` holds the TF-IDF rows of the whole chunk the posting was scored in, and
    statement ``i`` of this posting is row ``first + i`` of it (and of ``terms``).
    """

    spans: list[Span]
    features: KnownFeatures
    vectors: sparse.csr_matrix | None
    probabilities: np.ndarray
    weights: np.ndarray
    duty_probabilities: np.ndarray | None = None  # P(duty) per statement, when the model has a detector
    terms: StatementTerms | None = None
    first: int = 0

    def strongest_terms(self, i: int) -> dict[str, tuple[int, float]]:
        """Statement ``i``'s features, each with the function its term pushes most and that term."""
        if self.terms is None:
            raise ValueError("these statements were read without their terms")
        return self.terms.strongest(self.first + i)


class StatementTerms:
    """Every statement's centred per-feature logit terms from one product over a chunk.

    The same numbers ``DutyClassifier.feature_terms`` gives for one row (each column is
    ``coef[:, j] * value`` less its mean over the classes), computed for all non-zeros
    of the chunk's matrix at once instead of slicing it row by row; and, for each
    anchored feature of the chunk, its strongest term and how often its statement holds
    it, so the evidence of a posting is a few array operations (``posting_terms``).
    """

    def __init__(self, classifier: DutyClassifier, vectors: sparse.csr_matrix, counts: FeatureCounts) -> None:
        self.names = classifier.vectorizer_.feature_names_
        columns = classifier.coef_[:, vectors.indices] * vectors.data
        centred = np.ascontiguousarray((columns - columns.mean(axis=0)).T)
        self.indptr = vectors.indptr
        self.indices = vectors.indices
        # evidence wants each term's largest function: found for the whole chunk at once
        self.best = centred.argmax(axis=1) if len(centred) else np.zeros(0, dtype=int)
        self.best_value = centred[np.arange(len(centred)), self.best]
        # each anchored feature's non-zero of ``vectors``: the count matrix's entries, found by
        # (row, column) in case the TF-IDF step had kept its entries in another order
        width = vectors.shape[1]
        rows = np.repeat(np.arange(vectors.shape[0], dtype=np.int64), np.diff(vectors.indptr))
        keys = rows * width + vectors.indices
        order = np.argsort(keys, kind="stable")
        known = np.flatnonzero(counts.entry >= 0)
        count_rows = np.repeat(np.arange(counts.matrix.shape[0], dtype=np.int64), np.diff(counts.matrix.indptr))
        wanted = (count_rows * width + counts.matrix.indices)[counts.entry[known]]
        self.known = known  # features the model knows, by number in the chunk
        self.statement = counts.statement[known]
        self.first = counts.first
        nonzero = order[np.searchsorted(keys, wanted, sorter=order)]
        self.function = self.best[nonzero]
        self.term = self.best_value[nonzero]
        self.count = counts.matrix.data[counts.entry[known]]  # occurrences of the feature in its statement

    def strongest(self, row: int) -> dict[str, tuple[int, float]]:
        """Per feature of the row: (index of its largest centred term, that term).

        The terms are ``DutyClassifier.feature_terms`` of that row (a test checks it).
        """
        start, end = int(self.indptr[row]), int(self.indptr[row + 1])
        names = self.names
        return {
            names[j]: (k, v)
            for j, k, v in zip(
                self.indices[start:end].tolist(), self.best[start:end].tolist(), self.best_value[start:end].tolist(), strict=True
            )
        }

    def posting_terms(
        self, first: int, features: KnownFeatures, weights: np.ndarray, functions: Collection[str]
    ) -> list[tuple[int, int, str, float, int]]:
        """``explain.statement_terms`` of each weighted statement of one posting, in order.

        Statement ``i`` of the posting is row ``first + i``. The terms are the same, in
        the same order, to the last bit (a test compares them): each known feature's
        strongest term x the statement's weight / the feature's count in the statement,
        kept when positive and toward one of ``functions``.
        """
        return self.chunk_terms([(first, features, weights, functions)])[0]

    def chunk_terms(
        self, postings: Sequence[tuple[int, KnownFeatures, np.ndarray, Collection[str]]]
    ) -> list[list[tuple[int, int, str, float, int]]]:
        """``posting_terms`` of several postings of the chunk (first row, features, weights,
        functions), worked out in one run of array operations for them all: the same
        products, element by element, so each posting's terms are the same to the last bit.
        Per posting, the few dozen small array calls cost more than their arithmetic."""
        if not postings:
            return []
        firsts = np.array([first for first, _, _, _ in postings], dtype=np.int64)
        sizes = np.array([features.statements for _, features, _, _ in postings], dtype=np.int64)
        lo, hi = np.searchsorted(self.known, self.first[np.concatenate([firsts, firsts + sizes])]).reshape(2, -1)
        lengths = hi - lo
        owner = np.repeat(np.arange(len(postings), dtype=np.int64), lengths)  # each feature's posting
        at = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(lo - (np.cumsum(lengths) - lengths), lengths)
        statement = self.statement[at] - firsts[owner]  # in its posting
        weight = np.concatenate([w for _, _, w, _ in postings])[statement + (np.cumsum(sizes) - sizes)[owner]]
        function = self.function[at]
        value = self.term[at] * weight / self.count[at]
        allowed = np.zeros((len(postings), len(FUNCTIONS)), dtype=bool)  # per posting, the functions it shows
        for row, (_, _, _, functions) in enumerate(postings):
            allowed[row, [FUNCTIONS.index(f) for f in functions]] = True
        keep = np.flatnonzero((weight > 0) & allowed[owner, function] & (value > 0))
        kept_owner = owner[keep]
        # each posting's features, numbered from 0 (``KnownFeatures``), then through the asked postings
        number = self.known[at[keep]] - self.first[firsts[kept_owner]]
        feature_offsets = np.cumsum([0, *(len(features.start) for _, features, _, _ in postings[:-1])])
        number += np.asarray(feature_offsets, dtype=np.int64)[kept_owner]
        starts = np.concatenate([features.start for _, features, _, _ in postings])[number].tolist()
        ends = np.concatenate([features.end for _, features, _, _ in postings])[number].tolist()
        names = [FUNCTIONS[k] for k in function[keep].tolist()]
        values, statements = value[keep].tolist(), statement[keep].tolist()
        cuts = np.cumsum([0, *np.bincount(kept_owner, minlength=len(postings)).tolist()]).tolist()
        return [
            list(zip(  # (start, end, function, weight, statement): an ``explain.Term``'s fields, as plain tuples
                starts[a:b], ends[a:b], names[a:b], values[a:b], statements[a:b], strict=True,
            ))
            for a, b in itertools.pairwise(cuts)
        ]


def classify_statements(
    classifier: DutyClassifier, postings: Sequence[Sequence[Span]]
) -> tuple[list[KnownFeatures], sparse.csr_matrix | None, np.ndarray, StatementTerms | None]:
    """The statements of a whole chunk of postings, read and classified together: each
    posting's known features, then one count matrix and one sparse product for all the
    statements: vectors, P(function), terms.

    Every step is row by row (features, counts, TF-IDF, L2 norm, linear logits, softmax),
    so a statement gets the same numbers in any chunk as alone.
    """
    features = feature_columns(classifier).read_many(postings, getattr(classifier, "acts", False))
    n = sum(f.statements for f in features)
    if not n:
        return features, None, np.zeros((0, len(FUNCTIONS))), None
    offsets = np.cumsum([0, *(f.statements for f in features[:-1])])
    rows = np.concatenate([f.statement + offset for f, offset in zip(features, offsets.tolist(), strict=True)])
    counts = classifier.counts_from_columns(rows, np.concatenate([f.column for f in features]), n)
    vectors = classifier.vectors_from_counts(counts.matrix)
    return features, vectors, classifier.proba_from_vectors(vectors), StatementTerms(classifier, vectors, counts)


def weigh_statements(
    spans: list[Span], cleaned: str, detector: DutyDetector | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Statement weights (section weights, or P(duty) x base weight with a detector)."""
    return weigh_chunk([(cleaned, spans)], detector)[0]


def weigh_chunk(
    postings: Sequence[tuple[str, list[Span]]], detector: DutyDetector | None
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """``weigh_statements`` of each posting (clean text, statements), the detector's word
    blocks worked out for all of them at once; ``span._.weight`` says the weight too."""
    if detector is None:
        return [(np.array([a.weight for a in attributes_of(spans)], dtype=float), None) for _, spans in postings]
    out: list[tuple[np.ndarray, np.ndarray | None]] = []
    for (_, spans), (duty_probabilities, weights) in zip(postings, detector.chunk_weights(postings), strict=True):
        for attributes, weight in zip(attributes_of(spans), weights.tolist(), strict=True):
            attributes.weight = weight  # span._.weight
        out.append((weights, duty_probabilities))
    return out


def read_statements(
    classifier: DutyClassifier, cleaned: str, language: str, detector: DutyDetector | None = None
) -> Statements:
    """Split clean text into statements and classify each (shared with training).

    With a duty detector, a statement's weight is P(duty) x its base weight instead of
    its section's weight, and ``span._.weight`` says so too.
    """
    _, spans = statements(cleaned, language)
    features, vectors, probabilities, terms = classify_statements(classifier, [spans])
    weights, duty_probabilities = weigh_statements(spans, cleaned, detector)
    return Statements(spans, features[0], vectors, probabilities, weights, duty_probabilities, terms)


@dataclass
class _Posting:
    """A posting after its own steps (clean, language, statements), waiting for its chunk's products."""

    cleaned: str
    language: str
    title: str | None
    claim: str | None
    title_source: str | None = None  # "given", or where a title was found when none was given
    spans: list[Span] = field(default_factory=list)
    weights: np.ndarray | None = None
    duty_probabilities: np.ndarray | None = None
    done: ScoreResult | None = None  # decided without the models (unsupported language)


class Scorer:
    """Scores postings with one loaded model."""

    def __init__(
        self, model: RoleclassModel, sha256: str, min_mismatch_probability: float = MIN_MISMATCH_PROBABILITY
    ) -> None:
        self.model = model
        self.info = ModelInfo(MODEL_NAME, model.version, sha256)
        self.min_mismatch_probability = min_mismatch_probability

    @classmethod
    def load(cls, path: Path | str | None = None, trust: bool = False) -> Scorer:
        model, digest = load_model(Path(path) if path else None, trust=trust)
        return cls(model, digest)

    def score(self, text: str, title: str | None = None) -> ScoreResult:
        """Score one posting; raises InputError for text that is not a posting.

        The collector is paused as for a chunk (``score_many``): a library's first call
        builds the models' scoring tables, and the collection that set off cost a third
        of that call.
        """
        with collector.paused():
            posting = self._clean(text, title)
            posting.language = detect_language(posting.cleaned)
            return self._finish([self._read(posting)])[0]

    def score_many(
        self, texts: Iterable[object], titles: Iterable[object] | None = None, batch_size: int = SCORE_BATCH
    ) -> Iterator[ScoreResult | ScoreError]:
        """Score postings in input order; a posting that can't be scored yields a ScoreError.

        The stream never stops on one bad posting: an ``InputError`` becomes a
        ``ScoreError`` of kind "input", anything else one of kind "internal". Results
        are the same, byte for byte, as ``score`` called on each posting alone.
        ``batch_size`` postings are read ahead and worked on together: each is cleaned,
        identified and cut into statements on its own, then the chunk's statements go
        through one vectorizer call and one sparse product, and the posting model runs
        once per chunk. Sixteen postings a chunk are as fast as 64 and hold a quarter
        of the Docs at once (17 MB less at the peak of a batch, issue 12).
        """
        pairs = ((text, None) for text in texts) if titles is None else zip(texts, titles, strict=True)
        for chunk in iter(lambda: list(itertools.islice(pairs, max(1, batch_size))), []):
            with collector.paused():  # a seventh of the time went to collections
                outcomes = self._score_chunk(chunk)
            yield from outcomes

    def _score_chunk(self, chunk: list[tuple[object, object]]) -> list[ScoreResult | ScoreError]:
        """One chunk's outcomes, in order.

        Each posting is cleaned on its own, the chunk's languages are identified in one
        pass, then each posting is cut into statements and weighed on its own, and the
        chunk's products follow (``_finish``). A function of its own so that the chunk's
        Docs, spans and features are freed when it returns, while the collector is still
        paused: a collection set off when it resumes then finds the few results alive,
        not the whole chunk's objects.
        """
        cleaned = [_guarded(self._clean, text, title) for text, title in chunk]
        identified = iter(self._identify([p for p in cleaned if isinstance(p, _Posting)]))
        prepared = [next(identified) if isinstance(p, _Posting) else p for p in cleaned]
        prepared = [_guarded(self._read, p) if isinstance(p, _Posting) else p for p in prepared]
        todo = [p for p in prepared if isinstance(p, _Posting)]
        # scikit-learn checks every input for NaN and every call's parameters; ours come from the
        # model and the feature arrays made above, so the checks are skipped for the chunk's calls
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            try:
                finished = self._finish(todo)
            except Exception:  # find the posting at fault: finish each alone
                finished = [_guarded(self._finish_one, p) for p in todo]
        results = iter(finished)
        return [next(results) if isinstance(item, _Posting) else item for item in prepared]

    def _identify(self, postings: list[_Posting]) -> list[_Posting | ScoreError]:
        """Each posting with its language, all identified in one pass (each as it would be
        alone); should that pass fail, each posting is identified alone, and one that
        fails then gives its error in its place."""
        try:
            languages: list[str | ScoreError] = list(detect_languages([p.cleaned for p in postings]))
        except Exception:
            languages = [_guarded(detect_language, p.cleaned) for p in postings]
        out: list[_Posting | ScoreError] = []
        for posting, language in zip(postings, languages, strict=True):
            if isinstance(language, ScoreError):
                out.append(language)
            else:
                posting.language = language
                out.append(posting)
        return out

    def _finish_one(self, posting: _Posting) -> ScoreResult:
        return self._finish([posting])[0]

    def _clean(self, text: object, title: object) -> _Posting:
        """A posting's first steps: validate, clean, and the title and its claim."""
        raw, title = self._validate(text, title)
        cleaned = clean_text(raw)
        if not cleaned.strip():
            raise InputError("the posting has no text once markup and whitespace are removed")
        if len(cleaned) > MAX_DOC_CHARS:
            raise InputError(f"the posting grows to {len(cleaned):,} characters once cleaned; the limit is {MAX_DOC_CHARS:,}")
        title_source = "given" if title else None
        if not title:
            title, title_source = guess_title(raw, cleaned)
        claim = title_claim(title) if title else None
        return _Posting(cleaned, "", title, claim, title_source)

    def _read(self, posting: _Posting) -> _Posting:
        """A posting's own steps once its language is known: its statements (``_finish`` weighs them)."""
        cleaned, language = posting.cleaned, posting.language
        if not is_supported(language):
            posting.done = self._unsupported(cleaned, language, posting.claim, posting.title)
            return posting
        _, posting.spans = statements(cleaned, language)
        return posting

    def _finish(self, postings: list[_Posting]) -> list[ScoreResult]:
        """The chunk's products: P(duty) of all statements together, one duty-model product for
        all statements, one posting-model call."""
        active = [p for p in postings if p.done is None]
        detector = getattr(self.model, "duty_detector", None)
        for posting, weighed in zip(active, weigh_chunk([(p.cleaned, p.spans) for p in active], detector), strict=True):
            posting.weights, posting.duty_probabilities = weighed
        classifier = self.model.duty_classifier
        features, vectors, probabilities, terms = classify_statements(classifier, [p.spans for p in active])
        found: dict[int, Statements] = {}
        masses: dict[int, DutyMass] = {}
        first = 0
        for posting, posting_features in zip(active, features, strict=True):
            n = len(posting.spans)
            statements_ = Statements(
                posting.spans, posting_features, vectors, probabilities[first : first + n],
                posting.weights, posting.duty_probabilities, terms, first,
            )
            first += n
            found[id(posting)] = statements_
            masses[id(posting)] = duty_mass(statements_.probabilities, statements_.weights)
        with_duties = [p for p in active if _has_duties(found[id(p)])]
        posting_classifier = self.model.posting_classifier
        rows = [posting_classifier.features(masses[id(p)], p.claim or "other") for p in with_duties]
        # as lists: the verdict reads each posting's few probabilities one by one
        duty_probabilities = dict(zip(map(id, with_duties), posting_classifier.predict_proba(rows).tolist(), strict=True)) if rows else {}
        choices = {id(p): self._choose(duty_probabilities[id(p)], p.claim, self.min_mismatch_probability) for p in with_duties}
        evidence_terms = self._evidence_terms(terms, [(found[id(p)], choices[id(p)][2]) for p in with_duties])
        terms_of = dict(zip(map(id, with_duties), evidence_terms, strict=True))
        out: list[ScoreResult] = []
        for p in postings:
            if p.done is not None:
                result = p.done
            elif id(p) not in duty_probabilities:
                result = self._no_duties(p.cleaned, p.language, p.title, p.claim)
            else:
                result = self._result(p.cleaned, p.language, p.title, p.claim, found[id(p)], masses[id(p)], choices[id(p)], terms_of[id(p)])
            out.append(replace(result, title_source=p.title_source))
        return out

    @staticmethod
    def _evidence_terms(terms: StatementTerms | None, postings: list[tuple[Statements, str]]) -> list[list[tuple[int, int, str, float, int]]]:
        """The evidence terms of each posting (its statements, its duties label): only toward the
        functions behind the label, since evidence shows no other; for the chunk at once."""
        if not postings:
            return []
        if terms is None:
            raise ValueError("these statements were read without their terms")
        return terms.chunk_terms(
            [(found.first, found.features, found.weights, FUNCTIONS_OF_DUTIES.get(duties, ())) for found, duties in postings]
        )

    # -- steps ---------------------------------------------------------------------
    @staticmethod
    def _validate(text: object, title: object) -> tuple[str, str | None]:
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"the posting is not valid UTF-8 (byte {exc.start})") from exc
        if not isinstance(text, str):
            raise InputError(f"the posting must be text, not {type(text).__name__}")
        if len(text) > MAX_POSTING_CHARS:
            raise InputError(f"the posting has {len(text):,} characters; the limit is {MAX_POSTING_CHARS:,}")
        if not text.strip():
            raise InputError("the posting is empty")
        if title is not None and not isinstance(title, str):
            raise InputError(f"the title must be text, not {type(title).__name__}")
        if title is not None and len(title) > MAX_TITLE_CHARS:
            raise InputError(f"the title has {len(title):,} characters; the limit is {MAX_TITLE_CHARS:,}")
        if title:
            # lone surrogates (undecodable bytes in argv) cannot be written out as UTF-8
            title = _SURROGATES.sub("\ufffd", title)
        return text, (title.strip() or None) if title else None

    @staticmethod
    def _choose(
        duty_probabilities: Sequence[float], claim: str | None, min_mismatch: float = MIN_MISMATCH_PROBABILITY
    ) -> tuple[dict[str, float], str, str]:
        """Verdict = most probable verdict; duties = most probable label that derives it.

        A title mismatch is what a recruiter acts on, and a false one costs more than a
        missed one: the duties labels that would contradict the title are only chosen
        when together they are at least ``min_mismatch`` probable. Below that, the most
        probable verdict among the labels that carry the title is given, with its own
        (lower) probability as the confidence. ``min_mismatch`` 0 is the plain argmax.
        """
        probabilities = verdict_probabilities(duty_probabilities, claim)
        contradicting = [is_mismatch(label, claim) for label in DUTY_LABELS]
        p_mismatch = float(sum(p for p, c in zip(duty_probabilities, contradicting, strict=True) if c))
        allowed = [k for k, c in enumerate(contradicting) if not c or p_mismatch >= min_mismatch]
        verdicts = {derive_verdict(DUTY_LABELS[k], claim) for k in allowed}
        verdict = max(verdicts, key=lambda v: (probabilities[v], -VERDICTS.index(v)))
        candidates = [k for k in allowed if derive_verdict(DUTY_LABELS[k], claim) == verdict]
        duties = DUTY_LABELS[max(candidates, key=lambda k: (duty_probabilities[k], -k))]
        return probabilities, verdict, duties

    def _duty_spans(self, found: Statements) -> list[DutySpan]:
        """The listed duty statements, each with its most probable function (the first of equals,
        as ``argmax``; the probabilities are a softmax, never NaN). The arrays are read as lists
        once: a posting's tens of statements made as many small array reads each."""
        out = []
        rows, listed = found.probabilities.tolist(), _duty_flags(found, listing=True)
        for span, row, is_listed in zip(found.spans, rows, listed, strict=True):
            if not is_listed:
                continue
            k = max(range(len(row)), key=row.__getitem__)
            attributes = statement_attributes(span)
            activities = [a.to_dict() for a in attributes.activities or ()]
            out.append(
                DutySpan(span_text(span), span.start_char, span.end_char, FUNCTIONS[k], round(row[k], 4), attributes.section, activities)
            )
        return out

    @staticmethod
    def _reason(claim: str | None, duties: str, spans: list[DutySpan]) -> str:
        counted = spans
        tally = {f: sum(1 for s in counted if s.function == f) for f in FUNCTIONS}
        examples: dict[str, list[str]] = {f: [] for f in FUNCTIONS}
        for span in sorted(counted, key=lambda s: -s.score):
            quote = span.text if len(span.text) <= REASON_QUOTE_CHARS else span.text[: REASON_QUOTE_CHARS - 1] + "…"
            examples[span.function].append(quote)
        return reason(claim, duties, tally, examples)

    def _result(
        self,
        cleaned: str,
        language: str,
        title: str | None,
        claim: str,
        found: Statements,
        mass: DutyMass,
        choice: tuple[dict[str, float], str, str],
        terms: list[tuple[int, int, str, float, int]],
    ) -> ScoreResult:
        """A posting's result from its chosen verdict and duties (``_choose``) and its evidence terms."""
        probabilities, verdict, duties = choice
        spans = self._duty_spans(found)
        mismatch = is_mismatch(duties, claim)
        review = DEFAULT_POLICY.reason(probabilities, [s.function for s in spans], duties, mismatch)
        return ScoreResult(
            verdict=verdict,
            confidence=probabilities[verdict],
            probabilities=probabilities,
            duties=duties,
            # S / (S + M) only means something when the job is mostly sales or marketing work
            sales_share=None if duties == "other" else round(mass.sales_share, 4),
            title_claim=claim,
            mismatch=mismatch,
            reason=self._reason(claim, duties, spans),
            evidence=explain.evidence(cleaned, terms, duties),
            duty_spans=spans,
            text=cleaned,
            language=language,
            status=STATUS_OK,
            title=title,
            model=self.info,
            review=review is not None,
            review_reason=review,
        )

    def _no_duties(self, cleaned: str, language: str, title: str | None, claim: str | None) -> ScoreResult:
        """No duty statement at all: LABELING.md v3 says duties ``other``, no mismatch.

        The label holds by definition, but nothing in the posting supports it, so no
        probability is given and the result is flagged for review.
        """
        note = "no duty statements found: the posting holds no statement of what the job does"
        return self._without_numbers(
            cleaned, language, title, claim, STATUS_NO_DUTIES, f"{title_part(claim)}; {note}", "other", note
        )

    def _unsupported(self, cleaned: str, language: str, claim: str | None, title: str | None) -> ScoreResult:
        """A language the model cannot read: no verdict, and no number that looks like one."""
        reason = f"unsupported language '{language}': roleclass reads English and German; no verdict given"
        return self._without_numbers(cleaned, language, title, claim, STATUS_UNSUPPORTED_LANGUAGE, reason)

    def _without_numbers(
        self,
        cleaned: str,
        language: str,
        title: str | None,
        claim: str | None,
        status: str,
        reason: str,
        label: str | None = None,
        review_reason: str | None = None,
    ) -> ScoreResult:
        """A result with nothing to base a probability on: ``label`` (or no verdict), never a mismatch."""
        return ScoreResult(
            verdict=label,
            confidence=None,
            probabilities=None,
            duties=label,
            sales_share=None,
            title_claim=claim,
            mismatch=False,
            reason=reason,
            evidence=[],
            duty_spans=[],
            text=cleaned,
            language=language,
            status=status,
            title=title,
            model=self.info,
            review=review_reason is not None,
            review_reason=review_reason,
        )


def _has_duties(found: Statements) -> bool:
    """Any weighted duty statement at all (else the posting's duties are ``other`` by definition)."""
    return any(_duty_flags(found))


def _guarded(function: Callable[..., _T], *args: object) -> _T | ScoreError:
    """``function(*args)``, or the ScoreError that stands for its failure: an ``InputError``
    is the posting's fault ("input"), anything else ours ("internal"); either way the
    stream goes on."""
    try:
        return function(*args)
    except InputError as exc:
        return ScoreError(str(exc), "input")
    except Exception as exc:  # one posting must never stop the stream
        return _internal(exc)


def _internal(exc: Exception) -> ScoreError:
    LOG.error("internal error scoring a posting", exc_info=exc)
    return ScoreError(f"internal error ({type(exc).__name__}): {exc}", "internal")


def _duty_flags(found: Statements, listing: bool = False) -> list[bool]:
    """Per statement: weighted (weight > 0) and a duty, by the detector's call when the model has one.

    Listed as a duty (``listing``) at P(duty) >= DUTY_THRESHOLD; counted toward "any
    duties at all?" at the lower NO_DUTY_THRESHOLD. Without a detector every weighted
    statement counts (as before) and only those of duty sections are listed.
    """
    weights = found.weights.tolist()
    if found.duty_probabilities is not None:
        threshold = DUTY_THRESHOLD if listing else NO_DUTY_THRESHOLD
        return [w > 0 and p >= threshold for w, p in zip(weights, found.duty_probabilities.tolist(), strict=True)]
    if not listing:
        return [w > 0 for w in weights]
    return [w > 0 and statement_attributes(span).section in DUTY_SECTIONS for w, span in zip(weights, found.spans, strict=True)]


@lru_cache(maxsize=1)
def default_scorer() -> Scorer:
    """The scorer on the shipped model, loaded on first use (never at import)."""
    return Scorer.load()


def score(text: str, title: str | None = None) -> ScoreResult:
    """Score one posting with the shipped model: ``roleclass.score(text, title=None)``."""
    return default_scorer().score(text, title)
