"""Properties of `Scorer.score` on any input (issue 5), checked with hypothesis.

For any Unicode string and any title: scoring returns a result or raises InputError,
nothing else; every evidence phrase and duty span indexes the returned text exactly;
the four probabilities sum to 1; the verdict is one of the four labels, or None with
status unsupported_language; and the JSON form is valid UTF-8.

Besides arbitrary text, a second strategy builds posting-like text (duty phrases, HTML,
bullets, headings, numbers, emoji, right-to-left and control characters) so that the
statement, evidence and activity paths are reached, not only the early refusals.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roleclass.errors import InputError
from roleclass.labels import VERDICTS
from roleclass.result import STATUS_OK, STATUS_UNSUPPORTED_LANGUAGE
from roleclass.scorer import Scorer

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

PIECES = [
    "Make 50 outbound calls a day", "cold calls to prospects", "close deals", "negotiate contracts", "quota",
    "your own rolodex", "territory", "book meetings and demos", "run paid social campaigns", "SEO", "brand",
    "write blog posts and newsletters", "market research", "trade shows", "collateral for the sales team",
    "answer support tickets", "maintain the office", "fifty", "twenty-five emails per week", "a day", "per week",
    "Responsibilities:", "What you'll do", "Requirements", "About us", "Benefits:", "401(k)", "m/w/d",
    "Ihre Aufgaben:", "Kaltakquise", "Neukundengewinnung", "Kampagnen planen", "Bewerbung",
    "<p>", "</p>", "<li>", "</li>", "<ul>", "<br>", "<script>x=1</script>", "<table><tr><td>", "&amp;", "&nbsp;",
    "- ", "• ", "1. ", "\n", "\n\n", "\r\n", "\t", " ", ". ", ": ", "; ", "!", "?", "(", ")", "/", "–",
    "🚀", "📞", "👩🏽‍💼", "مبيعات", "מכירות", "\u202e", "\u200b", "\ufeff", "\x00", "\x0b", "é", "e\u0301",
    "\U0001d160", "‚Äôs", "â€™", "ß", "İ", "ﬁ", "\ud800",
]
posting_like = st.lists(st.sampled_from(PIECES) | st.text(max_size=12), min_size=1, max_size=40).map("".join)
any_text = st.text() | st.text(alphabet=st.characters(exclude_categories=()), max_size=300)  # surrogates too
titles = st.none() | st.text(max_size=60) | st.sampled_from(["Marketing Director", "Sales and Marketing Manager", "SDR"])


def check(scorer: Scorer, text: str, title: str | None) -> None:
    try:
        result = scorer.score(text, title)
    except InputError:
        return
    for item in result.evidence:
        assert result.text[item.start : item.end] == item.phrase
    for span in result.duty_spans:
        assert result.text[span.start : span.end] == span.text
        assert 0 <= span.start < span.end <= len(result.text)
    if result.status == STATUS_OK:
        assert set(result.probabilities) == set(VERDICTS)
        assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-3)
        assert all(0.0 <= p <= 1.0 for p in result.probabilities.values())
        assert result.confidence == result.probabilities[result.verdict]
    else:  # nothing to base a number on: no number that looks like one
        assert result.probabilities is None and result.confidence is None and result.sales_share is None
        assert not result.mismatch
    if result.verdict is None:
        assert result.status == STATUS_UNSUPPORTED_LANGUAGE
    else:
        assert result.verdict in VERDICTS
    encoded = result.to_json().encode("utf-8")  # no lone surrogates: the CLI can write it
    assert json.loads(encoded)["verdict"] == result.verdict


@SETTINGS
@given(text=any_text, title=titles)
def test_any_unicode_string_is_scored_or_refused_with_input_error(scorer, text, title):
    check(scorer, text, title)


@SETTINGS
@given(text=posting_like, title=titles)
def test_posting_like_text_keeps_every_invariant(scorer, text, title):
    check(scorer, text, title)


@SETTINGS
@given(text=posting_like, title=st.text(min_size=1))
def test_any_title_is_accepted_or_refused_with_input_error(scorer, text, title):
    check(scorer, "Make cold calls to prospects and close deals. " + text, title)
