"""The recruiters' mismatch report and the title suggester behind its suggested titles."""

from __future__ import annotations

import csv
import json
import os
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner
from sklearn.base import clone

from roleclass.batch import mismatch_report
from roleclass.cli import cli
from roleclass.data import default_shared_dir
from roleclass.rows import Columns, score_rows
from roleclass.suggest import FALLBACK_TITLES, TitleSuggester, fit_title_suggester, suggest_title
from roleclass.title import title_claim

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
MODEL = os.environ.get("ROLECLASS_TEST_MODEL")
RUN = {"scorer_path": MODEL, "trust": bool(MODEL), "workers": 1}
MODEL_ARGS = ["--model", MODEL, "--trust-model"] if MODEL else []

# A tiny O*NET-like training set: tasks of an occupation, and a title it reports.
SALES_TASKS = "Contact prospective customers by phone. Negotiate prices and close sales. Meet sales quotas in a territory."
SDR_TASKS = (
    "Call and email prospects to qualify leads. Book meetings for account executives. Follow up on leads."
)
MARKETING_TASKS = (
    "Plan advertising campaigns and marketing budgets. Conduct market research. Develop brand positioning."
)
SOCIAL_TASKS = "Publish content on social media channels. Run paid social campaigns. Report on engagement."
BOTH_TASKS = (
    "Direct the sales team and the marketing plan. Set sales quotas and approve advertising campaigns."
)
EXAMPLES = [
    (SALES_TASKS, "Outside Sales Representative"),
    (SDR_TASKS, "Sales Development Representative"),
    (MARKETING_TASKS, "Marketing Manager"),
    (SOCIAL_TASKS, "Social Media Specialist"),
    (BOTH_TASKS, "Sales and Marketing Manager"),
]


@pytest.fixture(scope="module")
def suggester() -> TitleSuggester:
    return TitleSuggester().fit([x for x, _ in EXAMPLES], [y for _, y in EXAMPLES])


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("report") / "report.csv"
    _, entries = mismatch_report(FIXTURES / "postings.jsonl", out, **RUN)
    return out, entries


def test_report_lists_the_cold_calling_marketing_director_not_real_marketers(
    report: tuple[Path, list[dict]],
) -> None:
    out, entries = report
    ids = [e["id"] for e in entries]
    assert "mkt-dir-cold" in ids
    assert not {"mkt-mgr-real", "content-1", "social-1", "sdr-1", "ae-1"} & set(ids)
    director = entries[ids.index("mkt-dir-cold")]
    assert director["title"] == "Marketing Director"
    assert director["title_claim"] == "marketing" and director["duties"] == "sales"
    assert director["verdict"] == "hybrid"
    assert any("outbound" in phrase or "quota" in phrase for phrase in director["phrases"])
    assert title_claim(director["suggested_title"]) == "sales"  # a title that carries these duties
    confidences = [e["confidence"] for e in entries]
    assert confidences == sorted(confidences, reverse=True)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "row", "id", "title", "title_claim", "duties", "verdict", "confidence", "phrases", "suggested_title", "reason",
        "review", "review_reason",
    ]  # fmt: skip
    assert all(r["review"] in ("true", "false") for r in rows)
    assert all((r["review"] == "true") == bool(r["review_reason"]) for r in rows)
    assert [r["id"] for r in rows] == ids


def test_cli_mismatches_markdown_and_jsonl(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["mismatches", str(FIXTURES / "postings.jsonl"), "-o", "-", "--workers", "1", *MODEL_ARGS]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("| row | id | title |")
    assert "| mkt-dir-cold | Marketing Director | marketing | sales | hybrid |" in result.stdout
    assert "mkt-mgr-real" not in result.stdout
    out = tmp_path / "report.jsonl"
    result = runner.invoke(
        cli, ["mismatches", str(FIXTURES / "postings.jsonl"), "-o", str(out), "--workers", "1", *MODEL_ARGS]
    )
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert "mkt-dir-cold" in [e["id"] for e in entries]
    assert all(isinstance(e["phrases"], list) for e in entries)


def test_suggester_picks_the_nearest_title_that_claims_the_duties(suggester: TitleSuggester) -> None:
    cold_calls = "Make 50 outbound calls a day to prospects, qualify leads and book meetings."
    assert suggester.suggest(cold_calls, "sales") == "Sales Development Representative"
    assert suggester.suggest("Run paid social campaigns and publish content on Instagram.", "marketing") == (
        "Social Media Specialist"
    )
    assert suggester.suggest(cold_calls, "marketing") in ("Marketing Manager", "Social Media Specialist")
    assert (
        suggester.suggest("Set quotas and run advertising campaigns", "mixed")
        == "Sales and Marketing Manager"
    )
    assert suggester.suggest(cold_calls, "other") == ""
    assert suggester.predict([cold_calls]) == ["Sales Development Representative"]


def test_suggester_follows_sklearn_conventions(suggester: TitleSuggester) -> None:
    fresh = clone(suggester)
    assert fresh.get_params() == {"title_weight": 0.35, "min_df": 1}
    assert not hasattr(fresh, "titles_")
    restored = pickle.loads(pickle.dumps(suggester))
    assert restored.suggest("close sales in a territory", "sales") == suggester.suggest(
        "close sales in a territory", "sales"
    )
    with pytest.raises(ValueError):
        TitleSuggester().fit([], [])


def test_scoring_uses_the_model_suggester_or_the_fallback(suggester: TitleSuggester) -> None:
    from roleclass.scorer import Scorer

    scorer = Scorer.load(MODEL, trust=bool(MODEL))
    director = json.loads((FIXTURES / "postings.jsonl").read_text(encoding="utf-8").splitlines()[0])
    result = scorer.score(director["description"], director["title"])
    assert suggest_title(None, result) == FALLBACK_TITLES["sales"] == "Sales Representative"
    scorer.model.title_suggester = suggester
    (scored,) = score_rows(scorer, [director], Columns("description", "title"), suggest=True)
    assert scored.added["mismatch"] is True
    assert title_claim(scored.extra["suggested_title"]) == "sales"
    assert scored.extra["suggested_title"] in {"Outside Sales Representative", "Sales Development Representative"}


@pytest.mark.skipif(
    not (default_shared_dir() / "onet").is_dir(), reason="needs ../shared/onet (training data)"
)
def test_suggester_built_from_onet() -> None:
    onet = fit_title_suggester(default_shared_dir())
    assert len(onet.titles_) > 100
    cold_calls = "Make at least 50 outbound calls and 50 outbound emails a day. Negotiate and close the sale."
    campaigns = "Plan email marketing campaigns, manage the SEO and SEM budget and define brand positioning."
    assert title_claim(onet.suggest(cold_calls, "sales")) == "sales"
    assert title_claim(onet.suggest(campaigns, "marketing")) == "marketing"
    assert title_claim(onet.suggest(cold_calls + " " + campaigns, "mixed")) == "both"
