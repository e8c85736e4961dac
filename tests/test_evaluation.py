"""The evaluation package: metrics on hand-made cases with known values, the review coverage table,
and a run on tiny data through the same code ``roleclass evaluate`` uses."""

from __future__ import annotations

import dataclasses
import json

import pytest
from click.testing import CliRunner
from test_train_and_evaluate import TINY_ONET

from roleclass.cli import cli
from roleclass.data import load_own_postings, repo_root
from roleclass.evaluation import run_evaluation
from roleclass.evaluation.crossval import _fold, model_predictions, prediction
from roleclass.evaluation.metrics import (
    NO_VERDICT,
    Prediction,
    calibration,
    choose_policy,
    cohen_kappa,
    coverage,
    flagged,
    frontier,
    macro_f1,
    per_class,
    review_figures,
    summarise,
)
from roleclass.evaluation.report import markdown
from roleclass.review import DEFAULT_POLICY, ReviewPolicy
from roleclass.train import ModelSettings

LOPSIDED = {"sales": 0.8, "marketing": 0.2, "hybrid": 0.0, "other": 0.0}
MIDDLING = {"sales": 0.6, "marketing": 0.4, "hybrid": 0.0, "other": 0.0}


@pytest.fixture(scope="module")
def own_postings():
    return load_own_postings(repo_root() / "corpus")


@pytest.fixture(scope="module")
def sales_posting(own_postings):
    return next(p for p in own_postings if p.verdict == "sales" and not p.mismatch)


def said(posting, verdict, probabilities=None, functions=("sales",) * 4, review=False, mismatch=False):
    return Prediction(posting, verdict, mismatch, dict(probabilities or {}), duties=None if verdict == NO_VERDICT else "sales",
                      duty_functions=tuple(functions), review=review)


def test_ece_and_brier_on_a_hand_computed_case(sales_posting):
    # Two at confidence 0.8 (one right: gap 0.3), two at 0.6 (both right: gap 0.4): ECE = 0.5*0.3 + 0.5*0.4.
    predictions = [said(sales_posting, "sales", LOPSIDED), said(sales_posting, "marketing", LOPSIDED),
                   said(sales_posting, "sales", MIDDLING), said(sales_posting, "sales", MIDDLING)]
    result = calibration(predictions)
    assert result["ece"] == pytest.approx(0.35)
    # Brier against gold "sales": 0.2²+0.2² twice, 0.4²+0.4² twice.
    assert result["brier"] == pytest.approx((0.08 * 2 + 0.32 * 2) / 4)
    assert [b["n"] for b in result["bins"]] == [2, 2]
    assert result["left_out"] == 0


def test_results_without_probabilities_are_left_out_of_calibration_and_counted(sales_posting):
    predictions = [said(sales_posting, "sales", MIDDLING), said(sales_posting, "sales", None, (), review=True)]
    result = calibration(predictions)
    assert result["n"] == 1 and result["left_out"] == 1
    assert result["ece"] == pytest.approx(0.4)
    assert calibration([said(sales_posting, NO_VERDICT)])["ece"] is None


def test_kappa_and_macro_f1_on_known_values():
    assert cohen_kappa(["a", "a", "a", "b"], ["a", "a", "b", "b"]) == pytest.approx(0.5)
    assert cohen_kappa(["a", "b"], ["a", "b"]) == 1.0
    table = per_class(["sales", "sales", "other", "other"], ["sales", "other", "other", "other"])
    # sales P 1 R .5 F1 2/3; other P 2/3 R 1 F1 .8; marketing and hybrid have no support and are left out.
    assert macro_f1(table) == pytest.approx((2 / 3 + 0.8) / 2)


def test_coverage_table_counts_what_each_policy_flags(sales_posting):
    sure_right = said(sales_posting, "sales", {"sales": 0.9, "marketing": 0.1, "hybrid": 0.0, "other": 0.0})
    unsure_wrong = said(sales_posting, "marketing", MIDDLING)
    no_duties = said(sales_posting, "other", None, (), review=True)
    unreadable = said(sales_posting, NO_VERDICT)
    predictions = [sure_right, unsure_wrong, no_duties, unreadable]
    strict = coverage(predictions, ReviewPolicy(0.7, 0.0, 1, 1))
    assert strict["flagged"] == 0.75 and strict["n_unflagged"] == 1 and strict["unflagged_accuracy"] == 1.0
    lax = coverage(predictions, ReviewPolicy(0.0, 0.0, 1, 1))
    assert lax["flagged"] == 0.5 and lax["unflagged_accuracy"] == 0.5  # no duties and no verdict stay flagged
    thin = said(sales_posting, "sales", {"sales": 0.9, "marketing": 0.1, "hybrid": 0.0, "other": 0.0}, ("sales",))
    assert flagged(thin, ReviewPolicy(0.0, 0.0, 2, 1)) and not flagged(thin, ReviewPolicy(0.0, 0.0, 1, 1))


def test_the_rule_picks_the_fewest_flagged_policy_that_keeps_accuracy():
    def row(top, flagged_share, acc):
        return {"policy": {"min_top_probability": top, "min_margin": 0.0, "min_duty_statements": 1,
                           "min_mismatch_support": 1}, "flagged": flagged_share, "n_unflagged": 10,
                "unflagged_accuracy": acc, "unflagged_mismatch_f1": 0.0}

    rows = [row(0.0, 0.0, 0.90), row(0.5, 0.10, 0.95), row(0.6, 0.20, 0.97), row(0.7, 0.10, 0.93)]
    chosen = choose_policy(rows)
    assert chosen["policy"]["min_top_probability"] == 0.5 and chosen["meets_targets"]
    assert [r["policy"]["min_top_probability"] for r in frontier(rows)] == [0.0, 0.5, 0.6]
    unreachable = choose_policy([row(0.0, 0.0, 0.80), row(0.5, 0.10, 0.90), row(0.6, 0.30, 0.94)])
    assert unreachable["policy"]["min_top_probability"] == 0.5 and not unreachable["meets_targets"]


def test_the_shipped_policy_flags_exactly_what_the_product_flags(scorer, own_postings):
    postings = own_postings[:40]
    predictions = model_predictions(scorer, postings, with_faithfulness=False)
    for posting, predicted in zip(postings, predictions, strict=True):
        result = scorer.score(posting.text, posting.title)
        assert flagged(predicted, DEFAULT_POLICY) == result.review, posting.id
        assert predicted.duty_functions == tuple(s.function for s in result.duty_spans)
    no_duties = prediction(postings[0], scorer.score("Apply now!", "Sales Representative"))
    assert no_duties.probabilities == {} and no_duties.status == "no_duties" and flagged(no_duties)


def test_a_fold_trains_on_its_side_and_returns_product_results_for_the_other(own_postings):
    train, test = list(own_postings[:60:2]), list(own_postings[1:40:2])
    roleclass, supervised = _fold(TINY_ONET, train, test, False, ModelSettings(stacking="posting"))
    assert [p.posting.id for p in roleclass] == [p.id for p in test] == [p.posting.id for p in supervised]
    assert all(p.duties is not None for p in roleclass)
    # a detector fitted on 30 postings lists fewer duties, but it lists them for most postings
    assert sum(bool(p.duty_functions) for p in roleclass) >= len(roleclass) / 2
    figures = summarise(roleclass)
    assert figures["review"]["n"] == len(test) and 0.0 <= figures["review"]["flagged"] <= 1.0
    assert summarise(supervised)["review"] is None  # a baseline has no review flag
    review = review_figures(roleclass)
    assert review["shipped"]["policy"]["min_top_probability"] == DEFAULT_POLICY.min_top_probability
    text = markdown({"all": {"roleclass": figures}}, "test", None, review)
    assert "coverage against accuracy" in text and "Shipped policy" in text


def test_evaluate_on_a_data_file_writes_json_with_the_review_figures(own_postings, tmp_path):
    data = tmp_path / "tiny.jsonl"
    rows = [dataclasses.asdict(p) for p in own_postings[:12]]
    data.write_text("\n".join(json.dumps({k: r[k] for k in ("id", "title", "text", "duties", "title_claim", "verdict",
                                                            "mismatch")}) for r in rows), encoding="utf-8")
    text = run_evaluation(str(data), None, str(tmp_path / "no-shared"), tmp_path / "out", False, faithful=False)
    assert "Review flag (shipped policy)" in text and "title keywords" in text
    record = json.loads((tmp_path / "out" / "evaluation_data.json").read_text(encoding="utf-8"))
    assert record["figures"]["all"]["roleclass"]["n"] == 12
    assert {"shipped", "frontier", "chosen", "by_slice"} <= set(record["review"])


def test_evaluate_with_a_missing_data_file_is_one_line_and_non_zero(tmp_path):
    result = CliRunner().invoke(cli, ["evaluate", "--data", str(tmp_path / "absent.jsonl")])
    assert result.exit_code != 0
    assert "no such labeled file" in result.output and "Traceback" not in result.output


def test_evaluate_write_card_puts_the_review_table_in_the_card_beside_the_model(own_postings, tmp_path):
    import shutil

    from roleclass.model_io import default_model_path

    model = tmp_path / "roleclass.zip"
    shutil.copy(default_model_path(), model)
    shutil.copy(default_model_path().with_name("roleclass.zip.sha256"), tmp_path / "roleclass.zip.sha256")
    data = tmp_path / "tiny.jsonl"
    data.write_text("\n".join(json.dumps({"title": p.title, "text": p.text, "duties": p.duties, "title_claim": p.title_claim,
                                          "verdict": p.verdict, "mismatch": p.mismatch}) for p in own_postings[:8]),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", "--data", str(data), "--out", str(tmp_path / "out"), "--write-card",
                                      "--no-faithfulness", "--model", str(model)])
    assert result.exit_code == 0, result.output
    card = (tmp_path / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "<!-- eval:data:start -->" in card and "Review flag: coverage against accuracy" in card
    assert "Shipped policy (`review.DEFAULT_POLICY`" in card


def test_the_coverage_curve_gives_the_most_accurate_policy_under_each_cap():
    from roleclass.evaluation.metrics import coverage_curve

    def row(top, flagged_share, acc):
        return {"policy": {"min_top_probability": top, "min_margin": 0.0, "min_duty_statements": 1,
                           "min_mismatch_support": 1}, "flagged": flagged_share, "unflagged_accuracy": acc}

    rows = [row(0.0, 0.0, 0.80), row(0.4, 0.04, 0.85), row(0.5, 0.08, 0.83), row(0.6, 0.20, 0.90)]
    curve = coverage_curve(rows, (0.0, 0.05, 0.10, 0.15, 0.25))
    assert [(r["max_flagged"], r["policy"]["min_top_probability"]) for r in curve] == [
        (0.0, 0.0), (0.05, 0.4), (0.10, 0.4), (0.15, 0.4), (0.25, 0.6)]
