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
from sklearn.utils.validation import check_is_fitted, validate_data

from roleclass.labels import DUTY_LABELS, TITLE_CLAIMS

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




def posting_features(mass: DutyMass, claim: str | None = None, title_prior: bool = False) -> list[float]:
    """The posting classifier's input: the duty shares, and the title claim only when asked.

    LABELING.md defines the duties label from the duties alone, so by default the title
    plays no part. ``title_prior=True`` appends the claim as four indicator columns (the
    claim then acts as a prior where the duty statements are few or vague); it is an
    explicit setting of ``PostingClassifier``, recorded in the model's metadata.
    """
    vector = mass.vector()
    if title_prior:
        vector += [float(claim == c) for c in TITLE_CLAIMS]
    return vector


def duty_mass(probabilities: np.ndarray, weights: np.ndarray) -> DutyMass:
    """Aggregate statement probabilities (n x 3: sales, marketing, neither) by weight."""
    if len(weights) == 0:
        return DutyMass(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    soft = (weights @ probabilities).tolist()
    hard = [0.0, 0.0, 0.0]  # each statement's weight added to its most probable function, in order (as np.add.at)
    for k, weight in zip(probabilities.argmax(axis=1).tolist(), weights.tolist(), strict=True):
        hard[k] += weight
    return DutyMass(*soft, *hard)


class PostingClassifier(ClassifierMixin, BaseEstimator):
    """Multinomial logistic regression over DutyMass vectors (optionally calibrated).

    Parameters
    ----------
    C: inverse regularisation strength.
    calibration: "none", "sigmoid" or "isotonic" (scikit-learn's CalibratedClassifierCV).
    cv: folds for that calibration.
    title_prior: read the title claim as well as the duty shares (off by default: the
        duties label ignores the title). ``features`` builds the input accordingly.

    ``classes_`` orders ``predict_proba``'s columns. When the labels are LABELING.md's
    duty labels, ``classes_`` is all of ``DUTY_LABELS`` in that order (a label absent
    from training gets probability 0), so the scorer can rely on four fixed columns.
    """

    def __init__(self, C: float = 1.0, calibration: str = "none", cv: int = 5, title_prior: bool = False) -> None:
        self.C = C
        self.calibration = calibration
        self.cv = cv
        self.title_prior = title_prior

    def __setstate__(self, state: dict) -> None:
        # Models pickled before ``title_prior`` existed were trained with the claim as input.
        state.setdefault("title_prior", True)
        super().__setstate__(state)

    def features(self, mass: DutyMass, claim: str | None = None) -> list[float]:
        """This classifier's input for one posting (the claim is read only with ``title_prior``)."""
        return posting_features(mass, claim, self.title_prior)

    def fit(self, X: Sequence[Sequence[float]], y: Sequence[str]) -> PostingClassifier:
        X, y = validate_data(self, X, y)
        base = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=2000))
        if self.calibration == "none":
            self.model_ = base.fit(X, y)
        else:
            smallest = min(np.unique(y, return_counts=True)[1])
            folds = max(2, min(self.cv, int(smallest)))
            self.model_ = CalibratedClassifierCV(base, method=self.calibration, cv=folds).fit(X, y)
        seen = list(self.model_.classes_)
        if set(seen) <= set(DUTY_LABELS):
            self.classes_ = np.array(DUTY_LABELS)
        else:
            self.classes_ = np.asarray(self.model_.classes_)
        self._order_ = [seen.index(label) if label in seen else -1 for label in self.classes_]
        return self

    def predict_proba(self, X: Sequence[Sequence[float]]) -> np.ndarray:
        """Probabilities, one column per entry of ``classes_`` in that order."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        raw = self.model_.predict_proba(X)
        out = np.zeros((raw.shape[0], len(self.classes_)))
        for k, index in enumerate(self._order_):
            if index >= 0:
                out[:, k] = raw[:, index]
        return out / out.sum(axis=1, keepdims=True)

    def predict(self, X: Sequence[Sequence[float]]) -> np.ndarray:
        check_is_fitted(self)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
