"""The review flag and results with nothing to go on (issue 9 items 6-7, issue 10 item 11)."""

from __future__ import annotations

import json

from roleclass.labels import derive_verdict, is_mismatch
from roleclass.review import ReviewPolicy

POLICY = ReviewPolicy(min_top_probability=0.5, min_margin=0.2, min_duty_statements=2, min_mismatch_support=2)
SURE = {"sales": 0.9, "marketing": 0.04, "hybrid": 0.03, "other": 0.03}


def test_a_confident_result_with_enough_duties_is_not_flagged():
    assert POLICY.reason(SURE, ["sales", "sales", "neither"], "sales", mismatch=False) is None


def test_low_confidence_close_calls_and_thin_postings_are_flagged_with_a_reason():
    low = {"sales": 0.45, "marketing": 0.15, "hybrid": 0.3, "other": 0.1}
    close = {"sales": 0.55, "marketing": 0.0, "hybrid": 0.0, "other": 0.45}
    assert POLICY.reason(low, ["sales"] * 5, "sales", False).startswith("low confidence")
    assert POLICY.reason(close, ["sales"] * 5, "sales", False).startswith("close call")
    assert POLICY.reason(SURE, ["sales"], "sales", False).startswith("little to go on")
    assert POLICY.reason(SURE, [], "sales", False).startswith("no duty statements")


def test_a_mismatch_resting_on_one_statement_is_flagged():
    reason = POLICY.reason(SURE, ["sales", "neither", "neither"], "sales", mismatch=True)
    assert reason == "the mismatch rests on 1 sales duty statement"
    assert POLICY.reason(SURE, ["sales", "sales", "neither"], "sales", mismatch=True) is None


def test_no_duty_statements_never_mismatch_whatever_the_title():
    assert derive_verdict("other", "sales") == "other"
    assert is_mismatch("other", "sales") is True
    assert is_mismatch("other", "sales", has_duties=False) is False
    assert is_mismatch("sales", None) is False and derive_verdict("sales", None) == "sales"


def test_a_posting_with_no_duties_is_other_without_mismatch_or_confidence(scorer):
    result = scorer.score("Apply now!", title="Sales Representative")
    assert (result.verdict, result.duties, result.title_claim) == ("other", "other", "sales")
    assert result.mismatch is False
    assert result.confidence is None and result.probabilities is None and result.sales_share is None
    assert result.review is True and "no duty statements" in result.review_reason
    assert "no duty statements found" in result.reason


def test_no_title_claims_nothing_and_says_so(scorer, case_posting):
    result = scorer.score(case_posting)  # opens with "About Brightline Packaging": no job title there
    assert result.title is None and result.title_claim is None and result.title_source is None
    assert result.reason.startswith("no title given;")
    assert json.loads(result.to_json())["title_claim"] is None


def test_a_posting_pasted_whole_takes_its_title_from_the_first_line_and_says_so(scorer, case_posting):
    result = scorer.score("Marketing Director – Residential Solar (Phoenix Metro)\n\n" + case_posting)
    assert result.title == "Marketing Director – Residential Solar (Phoenix Metro)"
    assert result.title_source == "first line" and result.title_claim == "marketing"
    assert result.verdict == "hybrid" and result.mismatch
    given = scorer.score(case_posting, "Sales Representative")
    assert given.title_source == "given" and given.title_claim == "sales"


def test_an_html_posting_takes_its_title_from_the_title_element(scorer):
    page = (
        "<html><head><title>Inside Sales Representative &amp; Closer</title></head><body><ul>"
        "<li>Make 60 outbound calls a day to small business owners</li>"
        "<li>Qualify leads one by one and book demos</li>"
        "<li>Negotiate and close new accounts in your territory</li></ul></body></html>"
    )
    result = scorer.score(page)
    assert result.title == "Inside Sales Representative & Closer" and result.title_source == "html <title>"
    assert result.title_claim == "sales"


def test_an_unsupported_language_gets_no_number_that_looks_like_a_verdict(scorer):
    text = ("Vous prospecterez de nouveaux clients par téléphone, négocierez les contrats et conclurez les ventes "
            "avec les responsables achats de votre secteur. Vous suivrez votre portefeuille de clients.")
    result = scorer.score(text, title="Commercial")
    assert result.status == "unsupported_language" and result.verdict is None
    assert result.confidence is None and result.probabilities is None and result.sales_share is None
    assert result.review is False


def test_duties_found_leave_out_requirements_benefits_and_legal_text(scorer):
    text = (
        "Responsibilities\n"
        "- Make 40 cold calls a day to prospects in your territory\n"
        "- Negotiate contracts and close deals with new customers\n"
        "- Keep your pipeline and forecast current in the CRM\n\n"
        "Requirements\n"
        "- Five years of experience in B2B sales and a proven record of closing deals\n\n"
        "Benefits\n"
        "- Uncapped commission, health insurance and a company car\n\n"
        "We are an equal opportunity employer and value diversity."
    )
    result = scorer.score(text, title="Account Executive")
    listed = " ".join(span.text for span in result.duty_spans)
    assert "cold calls" in listed and "Negotiate contracts" in listed
    assert "Five years" not in listed and "Uncapped commission" not in listed and "equal opportunity" not in listed
    assert {span.section for span in result.duty_spans} <= {"duties", "body"}
    assert result.verdict == "sales" and result.review is False
