"""Running roleclass over labeled postings: per fold of a cross-validation, or with one model.

Source folds hold out one source at a time (no job board in both training and test:
the honest figure for a new board); posting folds are 5 folds of postings with
near-duplicates kept together (``data.splits``). Each fold trains the full model
(``train.fit_model``, inner stacking grouped the same way) and the supervised baseline
on its training side, then scores its test side through ``Scorer.score_many``: the
predictions carry what the product returns (the review flag, the counted duty
statements), so the evaluation measures exactly what a user gets.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from joblib import Parallel, delayed

from roleclass.data import LabeledPosting, splits
from roleclass.errors import InputError
from roleclass.evaluation.baselines import SUPERVISED, SupervisedBaseline
from roleclass.evaluation.metrics import NO_VERDICT, Prediction
from roleclass.result import ScoreError, ScoreResult
from roleclass.scorer import Scorer
from roleclass.train import ModelSettings, fit_model, statement_bag, training_statements

LOG = logging.getLogger(__name__)
CV_FOLDS = 5
ROLECLASS = "roleclass"


def prediction(posting: LabeledPosting, result: ScoreResult | ScoreError) -> Prediction:
    """What the product said about one posting, next to its gold labels."""
    if isinstance(result, ScoreError):
        return Prediction(posting, NO_VERDICT, False, status="error")
    return Prediction(
        posting,
        result.verdict or NO_VERDICT,
        result.mismatch,
        dict(result.probabilities or {}),
        duties=result.duties,
        duty_functions=tuple(span.function for span in result.duty_spans),
        review=result.review,
        status=result.status,
    )


def _without(text: str, spans: Sequence[tuple[int, int]]) -> str:
    out, cursor = [], 0
    for start, end in sorted(spans):
        out.append(text[cursor:start])
        cursor = max(cursor, end)
    out.append(text[cursor:])
    return "".join(out)


def faithfulness(scorer: Scorer, result: ScoreResult) -> tuple[float, float] | None:
    """ERASER comprehensiveness and sufficiency of one result's evidence."""
    if not result.evidence or result.verdict is None or not result.probabilities:
        return None
    p = result.probabilities[result.verdict]
    removed = _without(result.text, [(e.start, e.end) for e in result.evidence])
    kept = "\n".join(e.phrase for e in sorted(result.evidence, key=lambda e: e.start))

    def prob(text: str) -> float:
        try:
            return (scorer.score(text, result.title).probabilities or {}).get(result.verdict, 0.0)
        except InputError:
            return 0.0

    return p - prob(removed), p - prob(kept)


def model_predictions(scorer: Scorer, postings: Sequence[LabeledPosting], with_faithfulness: bool = True) -> list[Prediction]:
    """Score each posting as the product does; optionally measure its evidence's faithfulness."""
    out = []
    results = scorer.score_many([p.text for p in postings], [p.title for p in postings])
    for posting, result in zip(postings, results, strict=True):
        predicted = prediction(posting, result)
        if with_faithfulness and isinstance(result, ScoreResult):
            faith = faithfulness(scorer, result)
            if faith is not None:
                predicted.comprehensiveness, predicted.sufficiency = faith
        out.append(predicted)
    return out


def quoted_duty_predictions(scorer: Scorer, posting: LabeledPosting) -> list[tuple[str, str]]:
    """(gold, predicted) function of each quoted duty span, read as a standalone statement."""
    quotes = [(q, f) for q, f in posting.duty_quotes if statement_bag(q, posting.language)]
    if not quotes:
        return []
    predicted = scorer.model.duty_classifier.predict([statement_bag(q, posting.language) for q, _ in quotes])
    return [(f, str(p)) for (_, f), p in zip(quotes, predicted, strict=True)]


def with_duty_statements(scorer: Scorer, predictions: list[Prediction]) -> list[Prediction]:
    for predicted in predictions:
        predicted.duty_statements = quoted_duty_predictions(scorer, predicted.posting)
    return predictions


def _fold(
    onet: Sequence[tuple[str, str]],
    train: list[LabeledPosting],
    test: list[LabeledPosting],
    faithful: bool,
    settings: ModelSettings,
) -> tuple[list[Prediction], list[Prediction]]:
    scorer = Scorer(fit_model(onet, train, settings), "cross-validation")
    predictions = with_duty_statements(scorer, model_predictions(scorer, test, with_faithfulness=faithful))
    return predictions, SupervisedBaseline().fit(train).predict(test)


def cross_validation(
    postings: Sequence[LabeledPosting],
    shared_dir: Path,
    n_jobs: int = -1,
    by: str = "source",
    faithful: bool = True,
    settings: ModelSettings | None = None,
) -> dict[str, list[Prediction]]:
    """Score every posting with a model that never saw it; also the supervised baseline.

    The inner stacking folds are grouped like the outer ones (``by``). Returns
    {"roleclass": ..., "supervised TF-IDF + LR": ...}, each in ``postings`` order.
    """
    base = settings or ModelSettings()
    settings = ModelSettings(base.title_prior, base.acts, base.act_vocabulary, stacking=by)
    onet = training_statements(shared_dir, settings)
    postings = list(postings)
    jobs = [([postings[i] for i in train], [postings[i] for i in test]) for train, test in splits(postings, by, CV_FOLDS)]
    LOG.info("cross-validation by %s: %d folds over %d postings", by, len(jobs), len(postings))
    results = Parallel(n_jobs=n_jobs)(delayed(_fold)(onet, train, test, faithful, settings) for train, test in jobs)
    out = {}
    for name, index in ((ROLECLASS, 0), (SUPERVISED, 1)):
        by_id = {pred.posting.id: pred for fold in results for pred in fold[index]}
        out[name] = [by_id[p.id] for p in postings]
    return out
