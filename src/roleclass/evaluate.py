"""``roleclass evaluate``: honest figures for the model and two baselines.

By default the labeled corpus is evaluated with cross-validation grouped by source:
each source (a job board dump, or our own postings) is scored by a model trained
without any posting from it, so no source is in both training and test (and no
near-duplicate of a test posting: ``data.splits``). ``--data`` instead scores a labeled
file with the shipped model. The same table is computed for three baselines in the
same run: the title's keywords alone, an O*NET title lookup, and a supervised TF-IDF +
logistic regression trained on the same folds. Duty statements are scored too: each
quoted duty span's gold function against the duty classifier's reading of its text.
Faithfulness of the evidence is measured as ERASER does: comprehensiveness (drop in
the verdict's probability when the evidence phrases are removed) and sufficiency
(drop when only they are kept).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

from roleclass.data import LabeledPosting, splits
from roleclass.errors import InputError
from roleclass.labels import FUNCTIONS, VERDICTS
from roleclass.result import ScoreResult
from roleclass.scorer import Scorer
from roleclass.title import normalise_title, title_claim
from roleclass.train import ModelSettings, fit_model, statement_bag, training_statements
from roleclass.verdict import derive_verdict, is_mismatch, verdict_probabilities

LOG = logging.getLogger(__name__)
ECE_BINS = 10
NO_VERDICT = "none"


@dataclass
class Prediction:
    """One posting's gold labels next to what a system said."""

    posting: LabeledPosting
    verdict: str
    mismatch: bool
    probabilities: dict[str, float] = field(default_factory=dict)
    comprehensiveness: float | None = None
    sufficiency: float | None = None
    duty_statements: list[tuple[str, str]] = field(default_factory=list)  # (gold, predicted) per quoted span


# --- metrics ---------------------------------------------------------------------------
def per_class(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = VERDICTS) -> dict[str, dict[str, float]]:
    out = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return out


def macro_f1(table: dict[str, dict[str, float]]) -> float:
    """Mean F1 over the classes that occur in the gold labels."""
    present = [row["f1"] for row in table.values() if row["support"] > 0]
    return float(np.mean(present)) if present else 0.0


def binary_f1(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    fp = sum((not g) and p for g, p in zip(gold, predicted, strict=True))
    fn = sum(g and not p for g, p in zip(gold, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    columns = [*VERDICTS, NO_VERDICT]
    return {g: {p: sum(a == g and b == p for a, b in zip(gold, predicted, strict=True)) for p in columns} for g in VERDICTS}


def calibration(predictions: Sequence[Prediction]) -> dict[str, object]:
    """ECE over 10 equal-width confidence bins and the multi-class Brier score."""
    scored = [p for p in predictions if p.probabilities]
    if not scored:
        return {"ece": None, "brier": None, "bins": []}
    confidence = np.array([max(p.probabilities.values()) for p in scored])
    correct = np.array([p.verdict == p.posting.verdict for p in scored], dtype=float)
    edges = np.linspace(0, 1, ECE_BINS + 1)
    ece, bins = 0.0, []
    for lo, hi in itertools.pairwise(edges):
        inside = (confidence > lo) & (confidence <= hi) if lo > 0 else (confidence >= lo) & (confidence <= hi)
        if inside.any():
            gap = abs(confidence[inside].mean() - correct[inside].mean())
            ece += inside.mean() * gap
            bins.append({"lo": lo, "hi": hi, "n": int(inside.sum()), "confidence": float(confidence[inside].mean()),
                         "accuracy": float(correct[inside].mean())})
    brier = float(np.mean([
        sum((p.probabilities.get(v, 0.0) - (p.posting.verdict == v)) ** 2 for v in VERDICTS) for p in scored
    ]))
    return {"ece": float(ece), "brier": brier, "bins": bins}


def summarise(predictions: Sequence[Prediction]) -> dict[str, object]:
    gold = [p.posting.verdict for p in predictions]
    predicted = [p.verdict for p in predictions]
    table = per_class(gold, predicted)
    faith = [p for p in predictions if p.comprehensiveness is not None]
    return {
        "n": len(predictions),
        "macro_f1": macro_f1(table),
        "accuracy": float(np.mean([g == p for g, p in zip(gold, predicted, strict=True)])) if gold else 0.0,
        "per_class": table,
        "confusion": confusion(gold, predicted),
        "mismatch": binary_f1([p.posting.mismatch for p in predictions], [p.mismatch for p in predictions]),
        "calibration": calibration(predictions),
        "comprehensiveness": float(np.mean([p.comprehensiveness for p in faith])) if faith else None,
        "sufficiency": float(np.mean([p.sufficiency for p in faith])) if faith else None,
        "coverage": float(np.mean([p.verdict != NO_VERDICT for p in predictions])) if predictions else 0.0,
        "duty_statements": duty_statement_f1(predictions),
    }




def duty_statement_f1(predictions: Sequence[Prediction]) -> dict[str, object] | None:
    """Per-function P/R/F1 of the duty classifier on the quoted duty spans (None if none were scored)."""
    pairs = [pair for p in predictions for pair in p.duty_statements]
    if not pairs:
        return None
    table = per_class([g for g, _ in pairs], [q for _, q in pairs], FUNCTIONS)
    return {"n": len(pairs), "per_function": table, "macro_f1": macro_f1(table)}


# --- systems ---------------------------------------------------------------------------
def _without(text: str, spans: Sequence[tuple[int, int]]) -> str:
    out, cursor = [], 0
    for start, end in sorted(spans):
        out.append(text[cursor:start])
        cursor = max(cursor, end)
    out.append(text[cursor:])
    return "".join(out)


def faithfulness(scorer: Scorer, result: ScoreResult) -> tuple[float, float] | None:
    """ERASER comprehensiveness and sufficiency of one result's evidence."""
    if not result.evidence or result.verdict is None:
        return None
    p = result.probabilities[result.verdict]
    spans = [(e.start, e.end) for e in result.evidence]
    removed = _without(result.text, spans)
    kept = "\n".join(e.phrase for e in sorted(result.evidence, key=lambda e: e.start))

    def prob(text: str) -> float:
        try:
            return scorer.score(text, result.title).probabilities.get(result.verdict, 0.0)
        except InputError:
            return 0.0

    return p - prob(removed), p - prob(kept)


def model_predictions(scorer: Scorer, postings: Sequence[LabeledPosting], with_faithfulness: bool = True) -> list[Prediction]:
    out = []
    for posting in postings:
        try:
            result = scorer.score(posting.text, posting.title)
        except InputError:
            out.append(Prediction(posting, NO_VERDICT, False))
            continue
        prediction = Prediction(posting, result.verdict or NO_VERDICT, result.mismatch,
                                result.probabilities if result.verdict else {})
        if with_faithfulness:
            faith = faithfulness(scorer, result)
            if faith is not None:
                prediction.comprehensiveness, prediction.sufficiency = faith
        out.append(prediction)
    return out


_CLAIM_TO_VERDICT = {"sales": "sales", "marketing": "marketing", "both": "hybrid", "other": "other"}


def title_keyword_baseline(postings: Sequence[LabeledPosting]) -> list[Prediction]:
    """Baseline 1: the title's keywords alone decide (never a mismatch)."""
    return [Prediction(p, _CLAIM_TO_VERDICT[title_claim(p.title)], False) for p in postings]


class OnetTitleLookup:
    """Baseline 2: find the nearest O*NET title (char n-gram TF-IDF) and use its occupation's function."""

    def __init__(self, shared_dir: Path) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.neighbors import NearestNeighbors

        from roleclass.data import onet_function

        titles, functions = [], []
        with (shared_dir / "onet" / "Alternate Titles.txt").open(encoding="utf-8") as handle:
            next(handle)
            for line in handle:
                parts = line.rstrip("\n").split("\t")
                titles.append(parts[1])
                functions.append(onet_function(parts[0]))
        self.functions = functions
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), lowercase=True)
        matrix = self.vectorizer.fit_transform(titles)
        self.index = NearestNeighbors(n_neighbors=1, metric="cosine").fit(matrix)

    def predict(self, postings: Sequence[LabeledPosting]) -> list[Prediction]:
        queries = self.vectorizer.transform([normalise_title(p.title) or "-" for p in postings])
        _, nearest = self.index.kneighbors(queries)
        verdict = {"sales": "sales", "marketing": "marketing", "neither": "other"}
        return [Prediction(p, verdict[self.functions[i[0]]], False) for p, i in zip(postings, nearest, strict=True)]


# --- supervised baseline ----------------------------------------------------------------
class SupervisedBaseline:
    """Baseline 3: TF-IDF + logistic regression, no pipeline: posting text -> duties, title -> claim.

    Trained on the same folds as roleclass; the verdict and mismatch follow LABELING.md's
    derivation from the two predicted fields, and the verdict probabilities push the
    duties probabilities through it for the predicted claim.
    """

    def fit(self, postings: Sequence[LabeledPosting]) -> SupervisedBaseline:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        def model(analyzer: str, ngrams: tuple[int, int]) -> object:
            return make_pipeline(
                TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, min_df=1),
                LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced"),
            )

        self.duties_ = model("word", (1, 2)).fit([p.text for p in postings], [p.duties for p in postings])
        claims = [p.title_claim for p in postings]
        self.claim_ = model("char_wb", (2, 5)).fit([p.title or "-" for p in postings], claims) if len(set(claims)) > 1 else None
        self.only_claim_ = claims[0]
        return self

    def predict(self, postings: Sequence[LabeledPosting]) -> list[Prediction]:
        from roleclass.labels import DUTY_LABELS

        raw = self.duties_.predict_proba([p.text for p in postings])
        seen = list(self.duties_.classes_)
        claims = self.claim_.predict([p.title or "-" for p in postings]) if self.claim_ is not None else [self.only_claim_] * len(postings)
        out = []
        for posting, row, claim in zip(postings, raw, claims, strict=True):
            duty_p = np.array([row[seen.index(label)] if label in seen else 0.0 for label in DUTY_LABELS])
            duties = DUTY_LABELS[int(duty_p.argmax())]
            probabilities = verdict_probabilities(duty_p, str(claim))
            out.append(Prediction(posting, derive_verdict(duties, str(claim)), is_mismatch(duties, str(claim)), probabilities))
        return out


# --- drivers ---------------------------------------------------------------------------
def quoted_duty_predictions(scorer: Scorer, posting: LabeledPosting) -> list[tuple[str, str]]:
    """(gold, predicted) function of each quoted duty span, read as a standalone statement."""
    quotes = [(q, f) for q, f in posting.duty_quotes if statement_bag(q, posting.language)]
    if not quotes:
        return []
    predicted = scorer.model.duty_classifier.predict([statement_bag(q, posting.language) for q, _ in quotes])
    return [(f, str(p)) for (_, f), p in zip(quotes, predicted, strict=True)]


def _fold(
    onet: Sequence[tuple[str, str]],
    train: list[LabeledPosting],
    test: list[LabeledPosting],
    faithful: bool,
    settings: ModelSettings,
) -> tuple[list[Prediction], list[Prediction]]:
    model = fit_model(onet, train, settings)
    scorer = Scorer(model, "cross-validation")
    predictions = model_predictions(scorer, test, with_faithfulness=faithful)
    for prediction in predictions:
        prediction.duty_statements = quoted_duty_predictions(scorer, prediction.posting)
    return predictions, SupervisedBaseline().fit(train).predict(test)


CV_FOLDS = 5


def cross_validation(
    postings: Sequence[LabeledPosting],
    shared_dir: Path,
    n_jobs: int = -1,
    by: str = "source",
    faithful: bool = True,
    settings: ModelSettings | None = None,
) -> dict[str, list[Prediction]]:
    """Score every posting with a model that never saw it; also the supervised baseline.

    ``by="source"`` holds out one source at a time (no source in both training and
    test: the honest figure for a new job board); ``by="posting"`` uses 5 folds of
    postings (sources shared: the figure for more postings like the ones we have),
    near-duplicates kept in one fold. The inner stacking folds are grouped the same way.
    Returns {"roleclass": ..., "supervised TF-IDF + LR": ...}, each in ``postings`` order.
    """
    base = settings or ModelSettings()
    settings = ModelSettings(base.title_prior, base.acts, base.act_vocabulary, stacking=by)
    onet = training_statements(shared_dir, settings)
    postings = list(postings)
    jobs = [([postings[i] for i in train], [postings[i] for i in test]) for train, test in splits(postings, by, CV_FOLDS)]
    results = Parallel(n_jobs=n_jobs)(delayed(_fold)(onet, train, test, faithful, settings) for train, test in jobs)
    out = {}
    for name, index in (("roleclass", 0), (SUPERVISED, 1)):
        by_id = {pred.posting.id: pred for fold in results for pred in fold[index]}
        out[name] = [by_id[p.id] for p in postings]
    return out


SUPERVISED = "supervised TF-IDF + LR"


def slices() -> dict[str, Callable[[LabeledPosting], bool]]:
    return {
        "real English": lambda p: p.source != "own" and p.language == "en",
        "real German": lambda p: p.source != "own" and p.language == "de",
        "own postings": lambda p: p.source == "own",
        "all": lambda p: True,
    }


def report(systems: dict[str, list[Prediction]]) -> dict[str, dict[str, dict[str, object]]]:
    """Per slice, per system: the summary metrics."""
    out: dict[str, dict[str, dict[str, object]]] = {}
    for name, keep in slices().items():
        out[name] = {system: summarise([p for p in preds if keep(p.posting)]) for system, preds in systems.items()}
    return out
