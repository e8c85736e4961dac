"""The evaluation harness: folds that never train on what they test, duty-statement F1, the supervised baseline."""

from __future__ import annotations

import dataclasses

import pytest

from roleclass.data import (
    SHARED_QUOTE_MIN_WORDS,
    duplicate_groups,
    load_labeled_postings,
    load_own_postings,
    normalised_quote,
    repo_root,
    splits,
)
from roleclass.evaluation.baselines import SupervisedBaseline
from roleclass.evaluation.metrics import Prediction, duty_statement_f1
from roleclass.train import ModelSettings, out_of_fold_masses

TINY_ONET = [
    ("Contact prospective customers to present products and negotiate sales contracts.", "sales"),
    ("Develop marketing strategies and plan advertising campaigns for products.", "marketing"),
    ("Maintain accounting records and reconcile financial statements.", "neither"),
]


@pytest.fixture(scope="module")
def own_postings():
    return load_own_postings(repo_root() / "corpus")


def assert_honest(postings, folds):
    """No fold trains on a test posting, a near-duplicate of one, or a long quoted duty of one."""
    group = duplicate_groups(postings)
    tested = []
    for train, test in folds:
        assert train and test, "a fold is empty"
        assert not set(train) & set(test)
        test_groups = {group[postings[i].id] for i in test}
        assert not any(group[postings[i].id] in test_groups for i in train)
        train_texts = {" ".join(postings[i].text.split()) for i in train}
        assert not any(" ".join(postings[i].text.split()) in train_texts for i in test)
        train_quotes = {normalised_quote(q) for i in train for q, _ in postings[i].duty_quotes}
        for i in test:
            for quote, _ in postings[i].duty_quotes:
                if len(quote.split()) >= SHARED_QUOTE_MIN_WORDS:
                    assert normalised_quote(quote) not in train_quotes, (postings[i].id, quote)
        tested.extend(test)
    assert sorted(tested) == list(range(len(postings))), "every posting is tested exactly once"


def reposted(posting, suffix: str, text: str | None = None):
    return dataclasses.replace(posting, id=posting.id + suffix, text=text if text is not None else posting.text)


def test_near_duplicates_share_a_group(own_postings):
    a, b = own_postings[0], own_postings[1]
    copies = [a, reposted(a, "-same", "  " + a.text.replace(" ", "  ") + "\n"),
              reposted(a, "-prefix", a.text[:420] + " Apply today, the pay is great."), b]
    group = duplicate_groups(copies)
    assert group[a.id] == group[a.id + "-same"] == group[a.id + "-prefix"]
    assert group[b.id] != group[a.id]


@pytest.mark.parametrize("by", ["source", "posting"])
def test_folds_on_own_postings_with_reposts_never_train_on_their_test_postings(own_postings, by):
    # Reposts of the same ad under another source and id: they must never be split across train and test.
    board = [dataclasses.replace(p, source="board") for p in own_postings[100:]]
    reposts = [dataclasses.replace(reposted(p, "-repost"), source="board") for p in own_postings[:30]]
    postings = list(own_postings[:100]) + board + reposts
    assert_honest(postings, splits(postings, by))


@pytest.mark.parametrize("by", ["source", "posting"])
def test_folds_on_the_real_corpus_never_train_on_their_test_postings(shared_dir, by):
    postings = load_labeled_postings(repo_root() / "corpus", shared_dir)
    folds = splits(postings, by)
    assert len(folds) >= 5
    assert_honest(postings, folds)


def test_source_folds_fall_back_to_posting_folds_with_one_source(own_postings):
    folds = splits(list(own_postings), "source")  # one source: "own"
    assert len(folds) == 5
    assert_honest(list(own_postings), folds)


def test_inner_stacking_folds_give_every_posting_an_out_of_fold_vector(own_postings):
    two_sources = [dataclasses.replace(p, source="a" if k % 2 else "b") for k, p in enumerate(own_postings[:40])]
    for settings in (ModelSettings(stacking="source"), ModelSettings(stacking="posting")):
        masses = out_of_fold_masses(TINY_ONET, two_sources, settings)
        assert len(masses) == len(two_sources)
        assert sum(m.sales + m.marketing + m.neither > 0 for m in masses) >= 35


def test_duty_statement_f1_per_function(own_postings):
    p = own_postings[0]
    predictions = [
        Prediction(p, "sales", False, duty_statements=[("sales", "sales"), ("sales", "neither"), ("marketing", "marketing")]),
        Prediction(p, "sales", False, duty_statements=[("neither", "neither"), ("marketing", "sales")]),
    ]
    result = duty_statement_f1(predictions)
    assert result["n"] == 5
    table = result["per_function"]
    assert table["sales"]["precision"] == 0.5 and table["sales"]["recall"] == 0.5
    assert table["marketing"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert table["neither"]["f1"] == pytest.approx(2 / 3)
    assert duty_statement_f1([Prediction(p, "sales", False)]) is None


def test_supervised_baseline_learns_from_the_training_folds_only(own_postings):
    train, test = own_postings[::2], own_postings[1::2]
    predictions = SupervisedBaseline().fit(train).predict(test)
    assert [p.posting.id for p in predictions] == [p.id for p in test]
    accuracy = sum(p.verdict == p.posting.verdict for p in predictions) / len(test)
    assert accuracy > 0.4  # above the 0.25 of guessing among four verdicts
    for prediction in predictions:
        assert sum(prediction.probabilities.values()) == pytest.approx(1.0, abs=1e-3)
        assert prediction.verdict in ("sales", "marketing", "hybrid", "other")


def test_act_features_read_the_opening_verb_and_its_object():
    from roleclass.duties import pipeline
    from roleclass.features import act_features

    def acts(text, language="en"):
        doc = pipeline(language).make_doc(text)
        return {(f.name, text[f.start : f.end]) for f in act_features(doc[:])}

    assert {("h:stock", "Stock"), ("ho:stock shelves", "Stock shelves")} <= acts("Stock shelves to drive sales")
    assert ("h:clos", "close") in acts("You will close orders with store buyers")
    assert ("ho:support customers", "support customers") in acts("You will support customers after go-live")
    assert ("h:manag", "managing") in acts("Responsible for managing key accounts")
    assert ("h:betreu", "betreuen") in acts("Sie betreuen unsere Bestandskunden", "de")
    assert ("h:gewinn", "gewinnen") in acts("Neue Kunden gewinnen", "de")
