"""The three baselines roleclass is measured against, in the same run and on the same folds.

1. Title keywords: the title claim alone decides (never a mismatch).
2. O*NET title lookup: the nearest O*NET alternate title (character n-gram TF-IDF) and
   its occupation's function.
3. Supervised TF-IDF + logistic regression on this repo's labels, no pipeline: posting
   text -> duties, title -> claim, then LABELING.md's derivation. Trained per fold.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from roleclass.data import LabeledPosting, onet_function
from roleclass.evaluation.metrics import Prediction
from roleclass.labels import DUTY_LABELS
from roleclass.title import normalise_title, title_claim
from roleclass.verdict import derive_verdict, is_mismatch, verdict_probabilities

TITLE_KEYWORDS = "title keywords"
ONET_LOOKUP = "O*NET title lookup"
SUPERVISED = "supervised TF-IDF + LR"
_CLAIM_TO_VERDICT = {"sales": "sales", "marketing": "marketing", "both": "hybrid", "other": "other"}


def title_keyword_baseline(postings: Sequence[LabeledPosting]) -> list[Prediction]:
    """Baseline 1: the title's keywords alone decide (never a mismatch)."""
    return [Prediction(p, _CLAIM_TO_VERDICT[title_claim(p.title)], False) for p in postings]


class OnetTitleLookup:
    """Baseline 2: find the nearest O*NET title (char n-gram TF-IDF) and use its occupation's function."""

    def __init__(self, shared_dir: Path) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.neighbors import NearestNeighbors

        titles, functions = [], []
        with (shared_dir / "onet" / "Alternate Titles.txt").open(encoding="utf-8") as handle:
            next(handle)
            for line in handle:
                parts = line.rstrip("\n").split("\t")
                titles.append(parts[1])
                functions.append(onet_function(parts[0]))
        self.functions = functions
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), lowercase=True)
        self.index = NearestNeighbors(n_neighbors=1, metric="cosine").fit(self.vectorizer.fit_transform(titles))

    def predict(self, postings: Sequence[LabeledPosting]) -> list[Prediction]:
        queries = self.vectorizer.transform([normalise_title(p.title) or "-" for p in postings])
        _, nearest = self.index.kneighbors(queries)
        verdict = {"sales": "sales", "marketing": "marketing", "neither": "other"}
        return [Prediction(p, verdict[self.functions[i[0]]], False) for p, i in zip(postings, nearest, strict=True)]


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
