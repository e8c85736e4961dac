"""The cascade, top to bottom: clean -> language -> statements -> duty model ->
duty shares -> posting model -> title claim -> verdict -> evidence.

Each step is a small method so the flow reads like the pipeline it is. A Scorer holds
a loaded model and nothing else; it reads nothing from ../shared and trains nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from spacy.tokens import Span

from roleclass import explain
from roleclass.clean import clean_text
from roleclass.duties import MAX_DOC_CHARS, statements
from roleclass.duty_model import FUNCTIONS, DutyClassifier
from roleclass.errors import InputError
from roleclass.features import Feature, counts, span_features
from roleclass.language import detect_language, is_supported
from roleclass.model_io import MODEL_NAME, RoleclassModel, load_model
from roleclass.posting_model import DUTY_LABELS, DutyMass, duty_mass
from roleclass.result import (
    STATUS_NO_DUTIES,
    STATUS_OK,
    STATUS_UNSUPPORTED_LANGUAGE,
    VERDICTS,
    DutySpan,
    ModelInfo,
    ScoreResult,
)
from roleclass.title import title_claim
from roleclass.verdict import derive_verdict, is_mismatch, reason, verdict_probabilities

MAX_POSTING_CHARS = 1_000_000  # raw characters; longer input is refused, not truncated
MAX_TITLE_CHARS = 1_000
_SURROGATES = re.compile("[\ud800-\udfff]")
REASON_QUOTE_CHARS = 60
COUNTED_WEIGHT = 0.5  # statements at least this heavy are counted as duties in the reason


@dataclass
class Statements:
    """The statements of one posting with their features, vectors and probabilities."""

    spans: list[Span]
    features: list[list[Feature]]
    vectors: sparse.csr_matrix | None
    probabilities: np.ndarray
    weights: np.ndarray


def read_statements(classifier: DutyClassifier, cleaned: str, language: str) -> Statements:
    """Split clean text into statements and classify each (shared with training)."""
    _, spans = statements(cleaned, language)
    acts = getattr(classifier, "acts", False)  # act features only for a model that reads them
    features = [span_features(span, acts) for span in spans]
    if spans:
        vectors = classifier.transform([counts(f) for f in features])
        probabilities = classifier.proba_from_vectors(vectors)
    else:
        vectors, probabilities = None, np.zeros((0, len(FUNCTIONS)))
    weights = np.array([span._.weight for span in spans], dtype=float)
    return Statements(spans, features, vectors, probabilities, weights)


class Scorer:
    """Scores postings with one loaded model."""

    def __init__(self, model: RoleclassModel, sha256: str) -> None:
        self.model = model
        self.info = ModelInfo(MODEL_NAME, model.version, sha256)

    @classmethod
    def load(cls, path: Path | str | None = None, trust: bool = False) -> Scorer:
        model, digest = load_model(Path(path) if path else None, trust=trust)
        return cls(model, digest)

    def score(self, text: str, title: str | None = None) -> ScoreResult:
        """Score one posting; raises InputError for text that is not a posting."""
        raw, title = self._validate(text, title)
        cleaned = clean_text(raw)
        if not cleaned.strip():
            raise InputError("the posting has no text once markup and whitespace are removed")
        if len(cleaned) > MAX_DOC_CHARS:
            raise InputError(f"the posting grows to {len(cleaned):,} characters once cleaned; the limit is {MAX_DOC_CHARS:,}")
        language = detect_language(cleaned)
        claim = title_claim(title)
        if not is_supported(language):
            return self._unsupported(cleaned, language, claim, title)
        found = read_statements(self.model.duty_classifier, cleaned, language)
        mass = duty_mass(found.probabilities, found.weights)
        if found.weights.sum() <= 0:
            # No duty statement at all: S + M = 0, which LABELING.md defines as "other".
            duty_probabilities = np.array([float(label == "other") for label in DUTY_LABELS])
        else:
            classifier = self.model.posting_classifier
            duty_probabilities = classifier.predict_proba([classifier.features(mass, claim)])[0]
        return self._result(cleaned, language, title, claim, found, mass, duty_probabilities)

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
    def _choose(duty_probabilities: np.ndarray, claim: str) -> tuple[dict[str, float], str, str]:
        """Verdict = most probable verdict; duties = most probable label that derives it."""
        probabilities = verdict_probabilities(duty_probabilities, claim)
        verdict = max(VERDICTS, key=lambda v: (probabilities[v], -VERDICTS.index(v)))
        candidates = [k for k, label in enumerate(DUTY_LABELS) if derive_verdict(label, claim) == verdict]
        duties = DUTY_LABELS[max(candidates, key=lambda k: (duty_probabilities[k], -k))]
        return probabilities, verdict, duties

    def _duty_spans(self, found: Statements) -> list[DutySpan]:
        out = []
        for span, p, weight in zip(found.spans, found.probabilities, found.weights, strict=True):
            if weight <= 0:
                continue
            k = int(p.argmax())
            activities = [a.to_dict() for a in span._.activities]
            out.append(
                DutySpan(span.text, span.start_char, span.end_char, FUNCTIONS[k], round(float(p[k]), 4), span._.section, activities)
            )
        return out

    def _evidence(self, cleaned: str, found: Statements, duties: str) -> list:
        terms = []
        classifier = self.model.duty_classifier
        for i, (features, weight) in enumerate(zip(found.features, found.weights, strict=True)):
            if weight <= 0:
                continue
            row = found.vectors[i]
            terms.extend(explain.statement_terms(features, classifier.feature_terms(row), float(weight), i))
        return explain.evidence(cleaned, terms, duties)

    @staticmethod
    def _reason(claim: str, duties: str, spans: list[DutySpan]) -> str:
        counted = [s for s in spans if s.section in ("duties", "body")] or spans
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
        duty_probabilities: np.ndarray,
    ) -> ScoreResult:
        probabilities, verdict, duties = self._choose(duty_probabilities, claim)
        spans = self._duty_spans(found)
        return ScoreResult(
            verdict=verdict,
            confidence=probabilities[verdict],
            probabilities=probabilities,
            duties=duties,
            sales_share=round(mass.sales_share, 4),
            title_claim=claim,
            mismatch=is_mismatch(duties, claim),
            reason=self._reason(claim, duties, spans),
            evidence=self._evidence(cleaned, found, duties),
            duty_spans=spans,
            text=cleaned,
            language=language,
            status=STATUS_OK if found.weights.sum() > 0 else STATUS_NO_DUTIES,
            title=title,
            model=self.info,
        )

    def _unsupported(self, cleaned: str, language: str, claim: str, title: str | None) -> ScoreResult:
        uniform = {v: 0.25 for v in VERDICTS}
        return ScoreResult(
            verdict=None,
            confidence=0.25,
            probabilities=uniform,
            duties=None,
            sales_share=0.0,
            title_claim=claim,
            mismatch=False,
            reason=f"unsupported language '{language}': roleclass reads English and German; no verdict given",
            evidence=[],
            duty_spans=[],
            text=cleaned,
            language=language,
            status=STATUS_UNSUPPORTED_LANGUAGE,
            title=title,
            model=self.info,
        )


@lru_cache(maxsize=1)
def default_scorer() -> Scorer:
    """The scorer on the shipped model, loaded on first use (never at import)."""
    return Scorer.load()


def score(text: str, title: str | None = None) -> ScoreResult:
    """Score one posting with the shipped model: ``roleclass.score(text, title=None)``."""
    return default_scorer().score(text, title)
