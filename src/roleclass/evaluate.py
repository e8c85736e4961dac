"""``roleclass evaluate``: honest figures for the model and two baselines.

By default the labeled corpus is evaluated with cross-validation grouped by source:
each source (a job board dump, or our own postings) is scored by a model trained
without any posting from it, so no source is in both training and test. ``--data``
instead scores a labeled file with the shipped model. The same table is computed for
two baselines in the same run: the title's keywords alone, and an O*NET title lookup.
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

from roleclass.data import LabeledPosting, load_onet_tasks
from roleclass.errors import InputError
from roleclass.result import VERDICTS, ScoreResult
from roleclass.scorer import Scorer
from roleclass.title import normalise_title, title_claim
from roleclass.train import fit_model

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


# --- metrics ---------------------------------------------------------------------------
def per_class(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = VERDICTS
) -> dict[str, dict[str, float]]:
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
    return {
        g: {p: sum(a == g and b == p for a, b in zip(gold, predicted, strict=True)) for p in columns}
        for g in VERDICTS
    }


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
            bins.append(
                {
                    "lo": lo,
                    "hi": hi,
                    "n": int(inside.sum()),
                    "confidence": float(confidence[inside].mean()),
                    "accuracy": float(correct[inside].mean()),
                }
            )
    brier = float(
        np.mean(
            [
                sum((p.probabilities.get(v, 0.0) - (p.posting.verdict == v)) ** 2 for v in VERDICTS)
                for p in scored
            ]
        )
    )
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
    }


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


def model_predictions(
    scorer: Scorer, postings: Sequence[LabeledPosting], with_faithfulness: bool = True
) -> list[Prediction]:
    out = []
    for posting in postings:
        try:
            result = scorer.score(posting.text, posting.title)
        except InputError:
            out.append(Prediction(posting, NO_VERDICT, False))
            continue
        prediction = Prediction(
            posting,
            result.verdict or NO_VERDICT,
            result.mismatch,
            result.probabilities if result.verdict else {},
        )
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
        return [
            Prediction(p, verdict[self.functions[i[0]]], False)
            for p, i in zip(postings, nearest, strict=True)
        ]


# --- drivers ---------------------------------------------------------------------------
def _fold(
    onet: Sequence[tuple[str, str]], train: list[LabeledPosting], test: list[LabeledPosting], faithful: bool
) -> list[Prediction]:
    model = fit_model(onet, train)
    return model_predictions(Scorer(model, "cross-validation"), test, with_faithfulness=faithful)


CV_FOLDS = 5


def cross_validation(
    postings: Sequence[LabeledPosting],
    shared_dir: Path,
    n_jobs: int = -1,
    by: str = "source",
    faithful: bool = True,
) -> list[Prediction]:
    """Score every posting with a model that never saw it.

    ``by="source"`` holds out one source at a time (no source in both training and
    test: the honest figure for a new job board); ``by="posting"`` uses 5 folds of
    postings (sources shared: the figure for more postings like the ones we have).
    """
    onet = load_onet_tasks(shared_dir)
    if by == "source":
        groups = sorted({p.source for p in postings})
        member = {p.id: p.source for p in postings}
    else:
        groups = list(range(CV_FOLDS))
        member = {p.id: p.fold_key % CV_FOLDS for p in postings}
    jobs = [
        ([p for p in postings if member[p.id] != g], [p for p in postings if member[p.id] == g])
        for g in groups
    ]
    results = Parallel(n_jobs=n_jobs)(delayed(_fold)(onet, train, test, faithful) for train, test in jobs)
    by_id = {pred.posting.id: pred for fold in results for pred in fold}
    return [by_id[p.id] for p in postings]


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
        out[name] = {
            system: summarise([p for p in preds if keep(p.posting)]) for system, preds in systems.items()
        }
    return out
