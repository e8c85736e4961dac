"""End-to-end behaviour of the shipped model on postings we wrote (LABELING.md's cases)."""

from __future__ import annotations

import json

import pytest

from roleclass.errors import InputError
from roleclass.labels import VERDICTS


def check_offsets(result) -> None:
    for item in result.evidence:
        assert result.text[item.start : item.end] == item.phrase
    for span in result.duty_spans:
        assert result.text[span.start : span.end] == span.text


def test_the_case_this_exists_for_is_a_hybrid_with_a_mismatch(scorer, case_posting):
    result = scorer.score(case_posting, title="Marketing Director")
    assert result.verdict == "hybrid"
    assert result.duties == "sales"
    assert result.title_claim == "marketing"
    assert result.mismatch is True
    assert any("outbound calls" in e.phrase for e in result.evidence)
    assert all(e.function == "sales" and e.weight > 0 for e in result.evidence)
    assert result.reason.startswith("title says marketing;")
    check_offsets(result)


def test_the_same_duties_under_an_sdr_title_are_sales(scorer, case_posting):
    result = scorer.score(case_posting, title="Sales Development Representative")
    assert (result.verdict, result.mismatch, result.title_claim) == ("sales", False, "sales")


def test_a_real_marketing_posting_under_marketing_director_is_marketing(scorer, fixture_text):
    result = scorer.score(fixture_text("marketing_director_real.txt"), title="Marketing Director")
    assert result.verdict == "marketing"
    assert result.mismatch is False
    assert result.sales_share < 0.3
    assert {e.function for e in result.evidence} == {"marketing"}
    check_offsets(result)


def test_marketing_duties_under_a_sales_title_are_a_mismatch_the_other_way(scorer, fixture_text):
    result = scorer.score(fixture_text("sales_title_marketing_duties.txt"), title="Sales Manager")
    assert (result.verdict, result.duties, result.mismatch) == ("hybrid", "marketing", True)


def test_quantities_in_words_drive_a_sales_verdict(scorer, fixture_text):
    result = scorer.score(fixture_text("sdr_words.txt"), title="Sales Development Representative")
    assert result.verdict == "sales"
    activities = [a for span in result.duty_spans for a in span.activities]
    assert {"activity": "cold calls", "count": 50, "per": "day"} in activities
    assert {"activity": "discovery meetings", "count": 3, "per": "week"} in activities


def test_html_engineering_posting_that_mentions_a_sales_call_is_other(scorer, fixture_text):
    result = scorer.score(fixture_text("software_engineer.html"), title="Senior Software Engineer")
    assert result.verdict == "other"
    assert result.mismatch is False
    assert "<li>" not in result.text and "&amp;" not in result.text
    check_offsets(result)


def test_mixed_duties_under_a_both_title_are_hybrid(scorer, fixture_text):
    result = scorer.score(fixture_text("mixed_small_company.txt"), title="Sales & Marketing Coordinator")
    assert result.verdict == "hybrid"
    functions = {span.function for span in result.duty_spans}
    assert {"sales", "marketing"} <= functions


def test_probabilities_cover_all_four_verdicts_and_sum_to_one(scorer, case_posting):
    result = scorer.score(case_posting)
    assert set(result.probabilities) == set(VERDICTS)
    assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-3)
    assert result.confidence == result.probabilities[result.verdict]


def test_json_has_the_documented_keys_and_round_trips(scorer, case_posting):
    data = json.loads(scorer.score(case_posting, title="Marketing Director").to_json())
    for key in ("verdict", "confidence", "probabilities", "duties", "sales_share", "title_claim", "mismatch",
                "reason", "evidence", "duty_spans", "text", "model"):
        assert key in data
    assert set(data["model"]) == {"name", "version", "sha256"}
    assert len(data["model"]["sha256"]) == 64
    item = data["evidence"][0]
    assert set(item) == {"phrase", "start", "end", "function", "weight"}
    assert data["text"][item["start"] : item["end"]] == item["phrase"]


def test_scoring_is_deterministic(scorer, case_posting):
    first = scorer.score(case_posting, title="Marketing Director").to_json()
    second = scorer.score(case_posting, title="Marketing Director").to_json()
    assert first == second


def test_evidence_is_faithful_removing_it_lowers_the_verdict_probability(scorer, case_posting):
    result = scorer.score(case_posting, title="Marketing Director")
    text = result.text
    for item in sorted(result.evidence, key=lambda e: -e.start):
        text = text[: item.start] + text[item.end :]
    after = scorer.score(text, title="Marketing Director")
    assert after.probabilities["hybrid"] < result.probabilities["hybrid"]


def test_a_german_posting_is_read(scorer):
    posting = (
        "Ihre Aufgaben:\n- Aktive Neukundengewinnung und Kaltakquise per Telefon\n"
        "- Erstellung von Angeboten und Führen von Verkaufsgesprächen\n- Erreichen der monatlichen Umsatzziele\n"
        "Ihr Profil:\n- Erfahrung im Vertrieb"
    )
    result = scorer.score(posting, title="Vertriebsmitarbeiter Außendienst (m/w/d)")
    assert result.language == "de"
    assert result.verdict == "sales"


def test_an_unsupported_language_gets_no_verdict(scorer):
    posting = (
        "Nous recherchons un responsable commercial pour développer notre portefeuille de clients. "
        "Vous prospectez de nouveaux clients, négociez les contrats et atteignez vos objectifs de vente."
    )
    result = scorer.score(posting, title="Responsable commercial")
    assert result.verdict is None
    assert result.status == "unsupported_language"
    assert result.language == "fr"
    assert result.evidence == []


def test_text_without_duties_is_other_with_a_status(scorer):
    result = scorer.score("Apply now!")
    assert result.verdict == "other"
    assert result.status == "no_duties"


@pytest.mark.parametrize("bad", ["", "   \n\t ", "<div><br/></div>"])
def test_empty_postings_raise_input_error(scorer, bad):
    with pytest.raises(InputError):
        scorer.score(bad)


def test_invalid_utf8_bytes_raise_input_error(scorer):
    with pytest.raises(InputError, match="UTF-8"):
        scorer.score(b"\xff\xfe\x00broken")


def test_score_many_keeps_order_and_turns_bad_postings_into_errors(scorer, case_posting):
    from roleclass.result import ScoreError, ScoreResult

    texts = [case_posting, "", "Apply now!", 42, case_posting]
    titles = ["Marketing Director", None, "Sales Rep", None, None]
    out = list(scorer.score_many(texts, titles, batch_size=2))
    assert [type(r) for r in out] == [ScoreResult, ScoreError, ScoreResult, ScoreError, ScoreResult]
    assert out[0].to_json() == scorer.score(case_posting, "Marketing Director").to_json()
    assert out[1].kind == "input" and "empty" in out[1].message
    assert out[4].to_json() == scorer.score(case_posting).to_json()
