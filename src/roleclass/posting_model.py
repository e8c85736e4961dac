"""Stage 5: from statement probabilities to the posting's duties (sales/marketing/mixed/other).

LABELING.md defines the duties label by shares of duty statements: S and M over all
duties, and S against M. This stage computes those shares softly (each statement's
probabilities times its section weight) and a small classifier maps them to the four
duty labels, so the thresholds (about 30%) are learned from labeled postings rather
than hard-coded.

Calibration: the classifier is fitted on out-of-fold inputs (duty classifiers that
never saw the posting), so a plain multinomial logistic regression, which minimises
log-loss on labeled postings, is itself the calibration step. ``calibration`` can add
scikit-learn's sigmoid or isotonic calibration on top; on our grouped CV both made
ECE worse (bench figures in the README), so the default is "none".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from roleclass.title import TITLE_CLAIMS

DUTY_LABELS = ("sales", "marketing", "mixed", "other")
_EPS = 1e-6
# The most duty mass (sum of statement weights) the posting classifier reads. Every labeled
# posting is below it (the largest has about 74), so training is unaffected; a longer posting
# (thousands of duty lines) is read at this size with its shares kept, instead of pushing the
# log-mass features far outside anything the classifier was fitted on.
MAX_DUTY_MASS = 100.0


@dataclass(frozen=True)
class DutyMass:
    """Weighted sums of statement probabilities: the soft duty counts of LABELING.md."""

    sales: float
    marketing: float
    neither: float
    hard_sales: float
    hard_marketing: float
    hard_neither: float

    @property
    def sales_share(self) -> float:
        """S / (S + M): how much of the sales-and-marketing work is selling."""
        return self.sales / (self.sales + self.marketing) if self.sales + self.marketing > _EPS else 0.0

    def vector(self) -> list[float]:
        s, m, n = self.sales, self.marketing, self.neither
        total = s + m + n + _EPS
        sm = s + m + _EPS
        scale = min(1.0, MAX_DUTY_MASS / total)
        hard_total = self.hard_sales + self.hard_marketing + self.hard_neither + _EPS
        return [
            s / total,
            m / total,
            (s + m) / total,
            s / sm,
            np.log1p(s * scale),
            np.log1p(m * scale),
            np.log1p(n * scale),
            self.hard_sales / hard_total,
            self.hard_marketing / hard_total,
            float(total < 0.05),
        ]


def posting_features(mass: DutyMass, claim: str) -> list[float]:
    """The posting classifier's input: the duty shares, plus the title claim as a prior.

    The duties label ignores the title by definition, but a title is real evidence of
    what the duties are when the duty statements are few or vague; the classifier
    learns how far to trust it, and the shares still overrule it when they are clear.
    """
    return mass.vector() + [float(claim == c) for c in TITLE_CLAIMS]


def duty_mass(probabilities: np.ndarray, weights: np.ndarray) -> DutyMass:
    """Aggregate statement probabilities (n x 3: sales, marketing, neither) by weight."""
    if len(weights) == 0:
        return DutyMass(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    soft = weights @ probabilities
    hard = np.zeros(3)
    np.add.at(hard, probabilities.argmax(axis=1), weights)
    return DutyMass(*(float(v) for v in soft), *(float(v) for v in hard))


class PostingClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated multinomial logistic regression over DutyMass vectors."""

    def __init__(self, C: float = 1.0, calibration: str = "none", cv: int = 5) -> None:
        self.C = C
        self.calibration = calibration
        self.cv = cv

    def fit(self, X: Sequence[Sequence[float]], y: Sequence[str]) -> PostingClassifier:
        X = np.asarray(X, dtype=float)
        base = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=2000))
        if self.calibration == "none":
            self.model_ = base.fit(X, list(y))
        else:
            smallest = min(np.unique(np.asarray(y), return_counts=True)[1])
            folds = max(2, min(self.cv, int(smallest)))
            self.model_ = CalibratedClassifierCV(base, method=self.calibration, cv=folds).fit(X, list(y))
        self.classes_ = self.model_.classes_
        self._order_ = [
            list(self.classes_).index(label) if label in self.classes_ else -1 for label in DUTY_LABELS
        ]
        return self

    def predict_proba(self, X: Sequence[Sequence[float]]) -> np.ndarray:
        """Probabilities in the fixed order of ``DUTY_LABELS``."""
        raw = self.model_.predict_proba(np.asarray(X, dtype=float))
        out = np.zeros((raw.shape[0], len(DUTY_LABELS)))
        for k, index in enumerate(self._order_):
            if index >= 0:
                out[:, k] = raw[:, index]
        return out / out.sum(axis=1, keepdims=True)

    def predict(self, X: Sequence[Sequence[float]]) -> np.ndarray:
        return np.array(DUTY_LABELS)[self.predict_proba(X).argmax(axis=1)]
