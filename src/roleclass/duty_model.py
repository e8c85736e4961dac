"""Stage 4: the learned duty classifier: one statement -> sales / marketing / neither.

A linear model over anchored features (``features.py``), so each statement's logit is
an exact sum of per-phrase terms: that sum is what the explanations report. It follows
scikit-learn's conventions (parameters in ``__init__``, learning in ``fit``, fitted
attributes ending in ``_``) so it pickles with joblib and slots into CV.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression

from roleclass.labels import FUNCTIONS

ACT_PREFIXES = ("h:", "ho:")  # the act features of ``features.act_features``


@dataclass(frozen=True)
class FeatureCounts:
    """The count matrix of a list of statements, and each anchored feature's place in it.

    The features of all statements are numbered in one run (statement by statement, each
    in its own order); statement ``i``'s are ``first[i]`` to ``first[i + 1]``.
    """

    matrix: sparse.csr_array  # statements x vectorizer columns, raw counts
    statement: np.ndarray  # per feature: its statement
    entry: np.ndarray  # per feature: the index into ``matrix.data`` it counts toward, -1 when unknown
    first: np.ndarray  # per statement (and one past the last): its first feature


class DutyClassifier(ClassifierMixin, BaseEstimator):
    """TF-IDF weighted bag of anchored features + multinomial logistic regression.

    Parameters
    ----------
    C: inverse regularisation strength of the logistic regression.
    min_count: features seen in fewer training statements are dropped (noise, memory).
    acts: read the act features (head verb ``h:``, verb + object ``ho:``); False reads the
        bag of words and cues only (the model before acts, kept for comparison).

    ``X`` is a sequence of feature-count dicts (``features.counts``). ``classes_`` orders
    ``predict_proba``'s columns: ``FUNCTIONS`` (sales, marketing, neither) when those are
    the labels. Fitting needs three classes (the softmax-centred terms assume it).
    """

    def __init__(self, C: float = 2.0, min_count: int = 2, acts: bool = True) -> None:
        self.C = C
        self.min_count = min_count
        self.acts = acts

    def __setstate__(self, state: dict) -> None:
        # Models pickled before ``classes_`` followed FUNCTIONS (their coef_ already did).
        state.setdefault("acts", True)
        if "coef_" in state:
            state["classes_"] = np.array(FUNCTIONS)
        super().__setstate__(state)

    def __sklearn_tags__(self) -> object:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.dict = True
        return tags

    def _select(self, X: Sequence[dict[str, float]]) -> Sequence[dict[str, float]]:
        if getattr(self, "acts", True):
            return X
        return [{k: v for k, v in bag.items() if not k.startswith(ACT_PREFIXES)} for bag in X]

    def fit(
        self, X: Sequence[dict[str, float]], y: Sequence[str], sample_weight: Sequence[float] | None = None
    ) -> DutyClassifier:
        X = self._select(X)
        y = np.asarray(y)
        vectorizer = DictVectorizer(sort=True)
        counts = vectorizer.fit_transform(X)
        document_frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
        keep = document_frequency >= self.min_count
        vectorizer.restrict(keep)
        self.vectorizer_ = vectorizer
        counts = vectorizer.transform(X)
        self.tfidf_ = TfidfTransformer(sublinear_tf=True).fit(counts)
        self.model_ = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")
        self.model_.fit(self.tfidf_.transform(counts), y, sample_weight=sample_weight)
        seen = list(self.model_.classes_)
        if len(seen) < 3:
            raise ValueError(f"DutyClassifier needs statements of three classes; got {seen}")
        # LABELING.md's functions keep their fixed order (the scorer and explanations rely on
        # it); any other labels (scikit-learn's tools encode them as integers) stay sorted.
        self.classes_ = np.array(FUNCTIONS) if set(seen) == set(FUNCTIONS) else np.asarray(seen)
        order = [seen.index(c) for c in self.classes_]
        self.coef_ = self.model_.coef_[order]
        self.intercept_ = self.model_.intercept_[order]
        return self

    def transform(self, X: Sequence[dict[str, float]]) -> sparse.csr_matrix:
        """The TF-IDF vectors the linear model reads."""
        # features unseen in fit (the act features of a model fitted without them) are ignored
        return self.tfidf_.transform(self.vectorizer_.transform(X)).tocsr()

    def count_matrix(self, statements: Sequence[Sequence[tuple[str, int, int]]]) -> FeatureCounts:
        """Each statement's feature counts from its anchored features, and where each feature counts.

        The scoring path: the same count matrix ``DictVectorizer.transform`` builds (the
        known features' counts, indices sorted within each row, float64), from one
        vocabulary look-up per feature and a sort of (statement, column) keys, instead of
        a counts dict per statement and the vectorizer's per-item type checks.
        """
        get = self.vectorizer_.vocabulary_.get
        columns = np.array([get(feature[0], -1) for features in statements for feature in features], dtype=np.int64)
        lengths = np.array([len(features) for features in statements], dtype=np.int64)
        return self.counts_from_columns(np.repeat(np.arange(len(lengths), dtype=np.int64), lengths), columns, len(lengths))

    def counts_from_columns(self, rows: np.ndarray, columns: np.ndarray, n: int) -> FeatureCounts:
        """The count matrix of ``n`` statements from each feature's statement (``rows``, in
        ascending order) and column (-1: a feature the model does not know)."""
        width = len(self.vectorizer_.feature_names_)
        known = np.flatnonzero(columns >= 0)
        keys, inverse, counts = np.unique(rows[known] * width + columns[known], return_inverse=True, return_counts=True)
        indptr = np.zeros(n + 1, dtype=np.intc)
        np.cumsum(np.bincount(keys // width, minlength=n), out=indptr[1:])
        matrix = sparse.csr_array(
            (counts.astype(np.float64), (keys % width).astype(np.intc), indptr), shape=(n, width)
        )
        entry = np.full(len(columns), -1, dtype=np.int64)
        entry[known] = inverse.ravel()
        return FeatureCounts(matrix, rows, entry, np.searchsorted(rows, np.arange(n + 1)))

    def transform_features(self, statements: Sequence[Sequence[tuple[str, int, int]]]) -> sparse.csr_matrix:
        """``transform`` of each statement's feature counts, from its anchored features directly."""
        return self.vectors_from_counts(self.count_matrix(statements).matrix)

    def vectors_from_counts(self, counts: sparse.csr_array) -> sparse.csr_matrix:
        """The TF-IDF vectors of a count matrix (``count_matrix``), as ``transform`` makes them."""
        return self.tfidf_.transform(counts).tocsr()

    def predict_proba(self, X: Sequence[dict[str, float]]) -> np.ndarray:
        """Probabilities in the fixed order of ``FUNCTIONS`` (sales, marketing, neither)."""
        if len(X) == 0:
            return np.zeros((0, len(FUNCTIONS)))
        return self.proba_from_vectors(self.transform(X))

    def proba_from_vectors(self, vectors: sparse.csr_matrix) -> np.ndarray:
        """Softmax of the exact linear logits for already-transformed statements."""
        logits = np.asarray(vectors @ self.coef_.T) + self.intercept_
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, X: Sequence[dict[str, float]]) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def feature_terms(self, row: sparse.csr_matrix) -> dict[str, np.ndarray]:
        """Each feature's exact additive term in the three logits, softmax-centred.

        Centring (subtracting the mean over classes) keeps the sum exact while making
        a term's sign say which function it pushes toward.
        """
        names = self.vectorizer_.feature_names_
        terms: dict[str, np.ndarray] = {}
        for index, value in zip(row.indices, row.data, strict=True):
            column = self.coef_[:, index] * value
            terms[names[index]] = column - column.mean()
        return terms

    def top_features(self, function: str, n: int = 25) -> list[tuple[str, float]]:
        """The features with the largest centred weight toward a function (model card)."""
        k = FUNCTIONS.index(function)
        centred = self.coef_ - self.coef_.mean(axis=0, keepdims=True)
        order = np.argsort(-centred[k])[:n]
        names = self.vectorizer_.feature_names_
        return [(names[i], round(float(centred[k, i]), 3)) for i in order]
