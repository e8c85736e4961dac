"""Training and evaluation code paths, on our own postings (no ../shared needed) and tiny data."""

from __future__ import annotations

import pytest

from roleclass.data import load_labeled_postings, load_own_postings, repo_root
from roleclass.evaluation.baselines import title_keyword_baseline
from roleclass.evaluation.metrics import Prediction, binary_f1, calibration, cohen_kappa, macro_f1, per_class
from roleclass.model_io import load_model, save_model
from roleclass.scorer import Scorer
from roleclass.train import fit_model

# A few task statements in O*NET's formal wording, written for this test.
TINY_ONET = [
    ("Contact prospective customers to present products and negotiate sales contracts.", "sales"),
    ("Prepare sales quotes and follow up with clients to close orders.", "sales"),
    ("Develop marketing strategies and plan advertising campaigns for products.", "marketing"),
    ("Conduct market research and analyze customer segments for product positioning.", "marketing"),
    ("Maintain accounting records and reconcile financial statements.", "neither"),
    ("Repair and maintain mechanical equipment in production facilities.", "neither"),
]


@pytest.fixture(scope="module")
def own_postings():
    postings = load_own_postings(repo_root() / "corpus")
    assert len(postings) >= 150
    return postings


@pytest.fixture(scope="module")
def small_model(own_postings):
    return fit_model(TINY_ONET, own_postings[::2])


def test_own_corpus_labels_follow_the_derivation(own_postings):
    from roleclass.verdict import derive_verdict, is_mismatch

    for posting in own_postings:
        assert posting.verdict == derive_verdict(posting.duties, posting.title_claim), posting.id
        assert posting.mismatch == is_mismatch(posting.duties, posting.title_claim), posting.id
        for quote, function in posting.duty_quotes:
            assert quote and quote in posting.text and function in ("sales", "marketing", "neither")


def test_a_model_trained_on_half_the_own_postings_scores_the_other_half(small_model, own_postings):
    scorer = Scorer(small_model, "test")
    held_out = own_postings[1::2]
    correct = sum(scorer.score(p.text, p.title).verdict == p.verdict for p in held_out)
    assert correct / len(held_out) > 0.6  # far above the 0.25 of guessing among four verdicts


def test_saved_model_round_trips_with_its_checksum(small_model, tmp_path, case_posting):
    path = tmp_path / "model.joblib"
    digest = save_model(small_model, path)
    loaded, loaded_digest = load_model(path)
    assert loaded_digest == digest
    before = Scorer(small_model, digest).score(case_posting, "Marketing Director").to_json()
    after = Scorer(loaded, loaded_digest).score(case_posting, "Marketing Director").to_json()
    assert before == after


def test_training_is_deterministic(own_postings, case_posting):
    first = Scorer(fit_model(TINY_ONET, own_postings[:60]), "x").score(case_posting).to_json()
    second = Scorer(fit_model(TINY_ONET, own_postings[:60]), "x").score(case_posting).to_json()
    assert first == second


def test_metrics_on_hand_computed_examples():
    gold = ["sales", "sales", "marketing", "other"]
    predicted = ["sales", "marketing", "marketing", "other"]
    table = per_class(gold, predicted)
    assert table["sales"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert table["marketing"]["precision"] == 0.5
    assert macro_f1(table) == pytest.approx((2 / 3 + 2 / 3 + 1.0) / 3)  # hybrid has no support: left out
    assert binary_f1([True, False, True], [True, True, False]) == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == 1.0
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == 0.0


def test_ece_is_zero_when_confidence_equals_accuracy(own_postings):
    posting = own_postings[0]
    right = Prediction(posting, posting.verdict, posting.mismatch, {v: 0.25 for v in ("sales", "marketing", "hybrid", "other")})
    wrong = Prediction(posting, "none", False, {v: 0.25 for v in ("sales", "marketing", "hybrid", "other")})
    result = calibration([right, wrong, wrong, wrong])
    assert result["ece"] == pytest.approx(0.0)


def test_title_keyword_baseline_reads_only_the_title(own_postings):
    predictions = title_keyword_baseline(own_postings[:10])
    assert all(p.mismatch is False for p in predictions)
    assert {p.verdict for p in predictions} <= {"sales", "marketing", "hybrid", "other"}


def test_real_labels_resolve_against_shared_realdata(shared_dir):
    postings = load_labeled_postings(repo_root() / "corpus", shared_dir)
    real = [p for p in postings if p.source != "own"]
    assert len(real) >= 400
    for posting in real:
        for quote, _ in posting.duty_quotes:
            assert quote.strip(), posting.id
