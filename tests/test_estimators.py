"""scikit-learn conventions: classes_ orders predict_proba's columns; the estimator checks where they apply."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import log_loss
from sklearn.model_selection import cross_val_predict
from sklearn.utils.estimator_checks import check_estimator

from roleclass.duties import pipeline
from roleclass.duty_model import DutyClassifier
from roleclass.features import counts, span_features
from roleclass.labels import DUTY_LABELS, FUNCTIONS
from roleclass.posting_model import PostingClassifier

STATEMENTS = [
    ("Make 50 cold calls a day to prospects in your territory", "sales"),
    ("Negotiate contracts and close deals with new customers", "sales"),
    ("Own a quota and build your pipeline of prospects", "sales"),
    ("Qualify inbound leads and book demos with buyers", "sales"),
    ("Plan and run paid social campaigns and newsletters", "marketing"),
    ("Write blog content and manage our SEO strategy", "marketing"),
    ("Run market research and segment our customer base", "marketing"),
    ("Create brand guidelines, messaging and positioning", "marketing"),
    ("Reconcile invoices and prepare monthly financial reports", "neither"),
    ("Maintain the office and order supplies for the team", "neither"),
    ("Write backend services in Python and review code", "neither"),
    ("Stock shelves and keep the store clean and tidy", "neither"),
]


def bags(texts):
    return [counts(span_features(pipeline("en").make_doc(t)[:])) for t in texts]


@pytest.fixture(scope="module")
def duty_data():
    texts, labels = zip(*STATEMENTS, strict=True)
    return bags(texts) * 2, list(labels) * 2


def test_duty_classifier_classes_order_predict_proba(duty_data):
    X, y = duty_data
    model = DutyClassifier(min_count=1).fit(X, y)
    assert list(model.classes_) == list(FUNCTIONS)
    proba = model.predict_proba(X)
    # the column that classes_ names is the one the label's own statements score highest on
    for k, label in enumerate(model.classes_):
        rows = [i for i, g in enumerate(y) if g == label]
        assert proba[rows, k].mean() > 0.5
    assert list(model.predict(X)) == [model.classes_[k] for k in proba.argmax(axis=1)]
    # log_loss assumes lexicographic columns: reorder by classes_ to hand it ours
    order = np.argsort(model.classes_)
    assert log_loss(y, proba[:, order]) < log_loss(y, proba[:, ::-1][:, order])


def test_duty_classifier_works_with_sklearn_tools(duty_data):
    X, y = duty_data
    model = DutyClassifier(min_count=1, C=3.0)
    assert clone(model).get_params() == {"C": 3.0, "min_count": 1, "acts": True}
    proba = cross_val_predict(model, X, y, cv=2, method="predict_proba")
    assert proba.shape == (len(y), 3)
    # dict input: scikit-learn's estimator checks need 2-D arrays and skip it; the tags say so
    assert model.__sklearn_tags__().input_tags.dict and not model.__sklearn_tags__().input_tags.two_d_array


def test_duty_classifier_without_acts_reads_no_act_features(duty_data):
    X, y = duty_data
    with_acts = DutyClassifier(min_count=1).fit(X, y)
    without = DutyClassifier(min_count=1, acts=False).fit(X, y)
    assert any(name.startswith("h:") for name in with_acts.vectorizer_.feature_names_)
    assert not any(name.startswith(("h:", "ho:")) for name in without.vectorizer_.feature_names_)


def test_duty_classifier_needs_three_classes(duty_data):
    X, y = duty_data
    with pytest.raises(ValueError, match="three classes"):
        DutyClassifier(min_count=1).fit(X, ["sales" if g == "sales" else "marketing" for g in y])


def test_posting_classifier_classes_order_predict_proba():
    rng = np.random.default_rng(0)
    centres = {"sales": [3, 0, 0], "marketing": [0, 3, 0], "mixed": [2, 2, 0], "other": [0, 0, 3]}
    y = [label for label in ("other", "mixed", "marketing", "sales") for _ in range(20)]
    X = np.array([centres[label] for label in y], dtype=float) + rng.normal(0, 0.3, (len(y), 3))
    model = PostingClassifier().fit(X, y)
    assert list(model.classes_) == list(DUTY_LABELS)
    proba = model.predict_proba(X)
    for k, label in enumerate(model.classes_):
        assert proba[[i for i, g in enumerate(y) if g == label], k].mean() > 0.6
    # a label absent from training keeps its column, with probability 0
    partial = PostingClassifier().fit(X[:60], y[:60])  # no "sales"
    assert list(partial.classes_) == list(DUTY_LABELS)
    assert np.all(partial.predict_proba(X)[:, DUTY_LABELS.index("sales")] == 0)


def test_posting_classifier_title_prior_is_an_explicit_setting():
    from roleclass.posting_model import DutyMass

    mass = DutyMass(3.0, 1.0, 2.0, 3.0, 1.0, 2.0)
    assert PostingClassifier().title_prior is False
    assert PostingClassifier().features(mass, "marketing") == PostingClassifier().features(mass, "sales")
    with_prior = PostingClassifier(title_prior=True)
    assert len(with_prior.features(mass, "sales")) == len(PostingClassifier().features(mass)) + 4
    assert with_prior.features(mass, "marketing") != with_prior.features(mass, "sales")


def test_posting_classifier_passes_sklearn_estimator_checks():
    check_estimator(PostingClassifier())  # every check applies and passes: no expected failures
    check_estimator(PostingClassifier(calibration="sigmoid", title_prior=True))


def test_duty_classifier_is_skipped_by_the_array_checks_as_its_tags_say():
    # X is a list of feature dicts, so the 2-D array checks cannot apply; scikit-learn skips them.
    with pytest.warns(UserWarning, match="Can't test estimator DutyClassifier"):
        check_estimator(DutyClassifier())
