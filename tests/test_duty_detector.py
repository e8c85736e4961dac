"""The duty detector: P(duty) of each statement, its training labels and how scoring uses it.

The detector is fitted here on the repo's own written postings only (no ../shared), so
these tests run on a fresh clone; the postings below were written for these tests and
are in no training data.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roleclass import duty_detector
from roleclass.clean import clean_text
from roleclass.data import load_own_postings, repo_root
from roleclass.duties import statements
from roleclass.duty_detector import (
    DUTY_THRESHOLD,
    DutyDetector,
    base_weight,
    fit_duty_detector,
    gold_mask,
    statement_features,
    statement_labels,
)
from roleclass.result import STATUS_NO_DUTIES, STATUS_OK
from roleclass.scorer import Scorer, read_statements

CAREER_PAGE_EN = """Account Executive, EMEA

At Brightloop, we're reimagining how teams run virtual events. We've recently been funded by Accel and Index Ventures, and our platform is used by 2,000 companies worldwide.

We're excited to be working with someone who is highly motivated, coachable and loves to win.

What you'll do
- Prospect into mid-market accounts and book discovery meetings with decision makers
- Run tailored product demos and negotiate contracts through to close
- Own a quarterly revenue target and keep your pipeline in Salesforce up to date
- Work with marketing on account-based campaigns for your territory

What we're looking for
- 3+ years of experience in B2B SaaS sales
- Bachelor's degree or equivalent experience
- Fluent English; German is a plus

Benefits
- Competitive salary and equity
- 30 days of paid vacation and a home office budget

Please note: all applications should be in English.
Brightloop is an equal opportunity employer and does not discriminate on the basis of race, religion or gender.
"""

BLURB_EN = [
    "At Brightloop, we're reimagining how teams run virtual events.",
    "We've recently been funded by Accel and Index Ventures, and our platform is used by 2,000 companies worldwide.",
]
DUTIES_EN = [
    "Prospect into mid-market accounts and book discovery meetings with decision makers",
    "Run tailored product demos and negotiate contracts through to close",
    "Own a quarterly revenue target and keep your pipeline in Salesforce up to date",
]
NOT_DUTIES_EN = [
    "3+ years of experience in B2B SaaS sales",
    "Bachelor's degree or equivalent experience",
    "Competitive salary and equity",
    "30 days of paid vacation and a home office budget",
    "Please note: all applications should be in English.",
]

STELLE_DE = """Vertriebsmitarbeiter im Außendienst (m/w/d)

Wir sind ein familiengeführtes Unternehmen mit über 300 Mitarbeitenden und seit 1955 einer der führenden Anbieter von Befestigungstechnik in Norddeutschland.

Ihre Aufgaben:
- Sie betreuen und erweitern Ihren Kundenstamm im Verkaufsgebiet Niedersachsen
- Sie gewinnen Neukunden durch aktive Akquise und führen Preisverhandlungen
- Erstellung von Angeboten und Nachverfolgung bis zum Abschluss

Ihr Profil:
- Abgeschlossene kaufmännische Ausbildung und mindestens 3 Jahre Berufserfahrung im Vertrieb
- Sicheres Auftreten und Führerschein Klasse B

Wir bieten:
- Ein unbefristetes Arbeitsverhältnis mit attraktivem Gehalt und Firmenwagen
- 30 Tage Urlaub und betriebliche Altersvorsorge

Wir freuen uns auf Ihre Bewerbung per E-Mail an jobs@example.de.
"""
DUTIES_DE = [
    "Sie betreuen und erweitern Ihren Kundenstamm im Verkaufsgebiet Niedersachsen",
    "Sie gewinnen Neukunden durch aktive Akquise und führen Preisverhandlungen",
    "Erstellung von Angeboten und Nachverfolgung bis zum Abschluss",
]
NOT_DUTIES_DE = [
    "Wir sind ein familiengeführtes Unternehmen mit über 300 Mitarbeitenden und seit 1955 einer der führenden Anbieter "
    "von Befestigungstechnik in Norddeutschland.",
    "Abgeschlossene kaufmännische Ausbildung und mindestens 3 Jahre Berufserfahrung im Vertrieb",
    "Ein unbefristetes Arbeitsverhältnis mit attraktivem Gehalt und Firmenwagen",
    "30 Tage Urlaub und betriebliche Altersvorsorge",
]

ONLY_BLURB = """Join Brightloop!

At Brightloop, we're reimagining how teams run virtual events. We've recently been funded by Accel and Index Ventures.
Our team is spread across twelve countries and we're proud of the culture we have built together.
We offer a competitive salary, equity, 30 days of paid vacation and a home office budget.
Brightloop is an equal opportunity employer and does not discriminate on the basis of race, religion or gender.
"""


@pytest.fixture(scope="module")
def detector() -> DutyDetector:
    """A detector fitted on the repo's own written postings (text included, no ../shared)."""
    postings = load_own_postings(repo_root() / "corpus")
    if not postings:
        pytest.skip("corpus/postings*.jsonl not found")
    fitted = fit_duty_detector(postings)
    assert fitted is not None
    return fitted


def p_duty(detector: DutyDetector, text: str, language: str = "en") -> dict[str, float]:
    cleaned = clean_text(text)
    _, spans = statements(cleaned, language)
    return {span.text: float(p) for span, p in zip(spans, detector.duty_probabilities(cleaned, spans), strict=True)}


def test_english_duty_bullets_score_high_and_blurb_requirements_benefits_low(detector):
    p = p_duty(detector, CAREER_PAGE_EN)
    for sentence in DUTIES_EN:
        assert p[sentence] >= DUTY_THRESHOLD, sentence
    for sentence in BLURB_EN + NOT_DUTIES_EN:
        assert p[sentence] < DUTY_THRESHOLD, sentence
    assert min(p[s] for s in DUTIES_EN) > max(p[s] for s in BLURB_EN + NOT_DUTIES_EN)


def test_you_will_and_imperative_duties_outrank_we_and_about_you_sentences_without_headings(detector):
    text = (
        "At Brightloop, we're reimagining how teams run virtual events and we have grown fivefold since 2019.\n"
        "We're excited to be working with someone who is highly motivated and curious.\n"
        "You will plan and run our paid social campaigns and report on their results every week.\n"
        "- Write the monthly customer newsletter and manage the content calendar\n"
        "- Prospect into new accounts and book meetings for the sales team\n"
    )
    p = p_duty(detector, text)
    duties = [
        "You will plan and run our paid social campaigns and report on their results every week.",
        "Write the monthly customer newsletter and manage the content calendar",
        "Prospect into new accounts and book meetings for the sales team",
    ]
    others = [
        "At Brightloop, we're reimagining how teams run virtual events and we have grown fivefold since 2019.",
        "We're excited to be working with someone who is highly motivated and curious.",
    ]
    assert min(p[s] for s in duties) > max(p[s] for s in others)
    assert all(p[s] < DUTY_THRESHOLD for s in others)


def test_german_duties_score_high_and_company_profile_benefits_low(detector):
    p = p_duty(detector, STELLE_DE, "de")
    for sentence in DUTIES_DE:
        assert p[sentence] >= DUTY_THRESHOLD, sentence
    for sentence in NOT_DUTIES_DE:
        assert p[sentence] < DUTY_THRESHOLD, sentence


def test_gold_quotes_from_raw_html_label_the_clean_statements():
    raw = (
        "<p>We are a <b>fast-growing</b> fintech.</p><ul><li>Manage the   partner\n pipeline and close new resellers</li>"
        "<li>3+ years of experience</li></ul>"
    )
    start = raw.index("Manage")
    quote = raw[start : raw.index("</li>", start)]
    cleaned = clean_text(raw)
    mask, missing = gold_mask(cleaned, [quote])
    assert missing == 0
    assert "".join(c for c, inside in zip(cleaned, mask, strict=True) if inside) == "Manage the partner pipeline and close new resellers"
    _, spans = statements(cleaned)
    labels, _ = statement_labels(cleaned, spans, [quote])
    assert dict(zip([s.text for s in spans], labels, strict=True)) == {
        "We are a fast-growing fintech.": 0,
        "Manage the partner pipeline and close new resellers": 1,
        "3+ years of experience": 0,
    }


def test_a_quote_covering_less_than_half_a_statement_does_not_make_it_a_duty():
    cleaned = "We are a leading retailer of outdoor gear with stores in six countries, and you will support our sales team."
    _, spans = statements(cleaned)
    labels, missing = statement_labels(cleaned, spans, ["you will support our sales team"])
    assert missing == 0 and labels == [0]
    assert statement_labels(cleaned, spans, ["a quote that is not there"])[1] == 1


@pytest.fixture(scope="module")
def scorers(scorer, detector) -> tuple[Scorer, Scorer]:
    """The shipped model with the test detector, and the same model without one (an old model)."""
    with_detector = Scorer(dataclasses.replace(scorer.model, duty_detector=detector), "test")
    without = Scorer(dataclasses.replace(scorer.model, duty_detector=None), "test")
    return with_detector, without


def test_scoring_weights_are_p_duty_times_base_weight_and_spans_carry_them(scorers, detector):
    with_detector, _ = scorers
    cleaned = clean_text(CAREER_PAGE_EN)
    found = read_statements(with_detector.model.duty_classifier, cleaned, "en", detector)
    assert found.duty_probabilities is not None
    expected = np.power(found.duty_probabilities, detector.power) * np.array([base_weight(s) for s in found.spans])
    np.testing.assert_allclose(found.weights, expected)
    assert [s._.weight for s in found.spans] == pytest.approx(list(found.weights))


def test_duties_found_lists_only_what_the_detector_calls_duties(scorers):
    with_detector, _ = scorers
    result = with_detector.score(CAREER_PAGE_EN, title="Account Executive")
    listed = [span.text for span in result.duty_spans]
    assert set(DUTIES_EN) <= set(listed)
    assert not set(BLURB_EN + NOT_DUTIES_EN) & set(listed)
    assert "Account Executive, EMEA" not in listed
    assert all(result.text[s.start : s.end] == s.text for s in result.duty_spans)


def test_a_posting_of_blurb_and_benefits_only_has_no_duties(scorers):
    with_detector, _ = scorers
    result = with_detector.score(ONLY_BLURB, title="Account Executive")
    assert result.status == STATUS_NO_DUTIES
    assert (result.duties, result.mismatch, result.duty_spans) == ("other", False, [])


def test_a_model_without_a_detector_keeps_the_section_weights(scorers):
    _, without = scorers
    cleaned = clean_text(CAREER_PAGE_EN)
    found = read_statements(without.model.duty_classifier, cleaned, "en")
    assert found.duty_probabilities is None
    _, spans = statements(cleaned)
    np.testing.assert_allclose(found.weights, [s._.weight for s in spans])
    result = without.score(CAREER_PAGE_EN, title="Account Executive")
    assert result.status == STATUS_OK
    assert {s.section for s in result.duty_spans} <= {"duties", "body"}
    # the blurb sits in unheaded body text, which the section rule lists as duties
    assert set(BLURB_EN) <= {s.text for s in result.duty_spans}


def test_an_old_model_object_without_the_attribute_still_scores(scorer):
    model = dataclasses.replace(scorer.model)
    model.__dict__.pop("duty_detector", None)  # as unpickled from a file written before the detector existed
    result = Scorer(model, "old").score(CAREER_PAGE_EN, title="Account Executive")
    assert result.status == STATUS_OK


def test_the_fast_scoring_path_equals_the_fitted_logistic_regression(detector):
    cleaned = clean_text(CAREER_PAGE_EN + "\n" + STELLE_DE)
    _, spans = statements(cleaned)
    rows = statement_features(cleaned, spans)
    np.testing.assert_allclose(detector.probabilities(rows), detector.predict_proba(rows)[:, 1], rtol=1e-9, atol=1e-12)
    # scoring reads the features without building the rows: the same P(duty) to the last bit
    assert detector.duty_probabilities(cleaned, spans).tobytes() == detector.probabilities(rows).tobytes()


def test_scoring_without_rows_gives_every_statement_of_our_postings_the_rows_p_duty_bit_for_bit(detector):
    """Word counts above one, bullet runs, headings of every kind, German and typographic
    apostrophes: the fast path adds up the same terms in the same order as ``logit(row)``."""
    postings = load_own_postings(repo_root() / "corpus")
    checked = repeated = 0
    for posting in postings[:60]:
        cleaned = clean_text(posting.text)
        _, spans = statements(cleaned)
        if not spans:
            continue
        rows = statement_features(cleaned, spans)
        assert detector.duty_probabilities(cleaned, spans).tobytes() == detector.probabilities(rows).tobytes()
        checked += len(rows)
        repeated += sum(any(k.startswith("w:") and v > 1 for k, v in row.items()) for row in rows)
    assert checked > 500 and repeated > 20


def test_a_chunk_of_postings_gets_each_posting_its_own_p_duty_bit_for_bit(detector):
    """The word blocks of a chunk are added up together (``_WordBlock.sums``): each posting
    still gets the numbers of its own rows, a posting without statements an empty array,
    and a statement with no word the model knows its binary features' log-odds alone."""
    postings = []
    for posting in load_own_postings(repo_root() / "corpus")[60:90]:
        cleaned = clean_text(posting.text)
        postings.append((cleaned, statements(cleaned)[1]))
    unknown = "Zqxv plorbt wumfle grax."
    postings[3:3] = [("", []), (unknown, statements(unknown)[1])]
    chunk = detector.chunk_probabilities(postings)
    assert len(chunk) == len(postings) and chunk[3].shape == (0,) and len(chunk[4]) == 1
    for (cleaned, spans), together in zip(postings, chunk, strict=True):
        assert together.tobytes() == detector.duty_probabilities(cleaned, spans).tobytes()
        if spans:
            assert together.tobytes() == detector.probabilities(statement_features(cleaned, spans)).tobytes()
    assert not any(k.startswith("w:") and k in detector.word_table_ for k in statement_features(unknown, postings[4][1])[0])


def test_word_block_sums_equal_the_row_terms_added_in_order_for_a_hand_made_table():
    """Repeated words and pairs, a pair whose words the table does not hold alone, words it lacks,
    and a statement without words: each statement's two sums are the row's, to the last bit."""
    table = {"w:own": (1.3, 0.7), "w:the": (0.2, -0.05), "w:pipeline": (2.1, 1.9), "w:own the": (1.7, 0.3),
             "w:sell to": (2.5, 0.11), "w:the pipeline": (1.9, -0.4)}
    block = duty_detector._WordBlock.build(table)
    entries = {name: (idf, coef, idf * coef, idf * idf) for name, (idf, coef) in table.items()}
    statements_words = [["own", "the", "the", "pipeline", "own", "the"], ["sell", "to", "them", "sell", "to"], [], ["zzz"]]
    dot, square = block.sums(statements_words)
    for words, d, q in zip(statements_words, dot.tolist(), square.tolist(), strict=True):
        terms = [duty_detector._at_count(entries[name], count) for name, count in duty_detector._word_counts(words).items() if name in entries]
        assert d == functools.reduce(operator.add, (t[2] for t in terms), 0.0)
        assert q == functools.reduce(operator.add, (t[3] for t in terms), 0.0)
    assert dot[0] != 0 and dot[1] != 0 and dot[2] == dot[3] == 0.0


def test_rows_keep_their_features_in_order_with_word_counts_and_bullet_runs_last():
    text = "What you'll do\n- Own the pipeline and the the forecast\n- Run demos for new accounts\n"
    _, spans = statements(text)
    rows = statement_features(text, spans)
    assert [s.text for s in spans] == ["Own the pipeline and the the forecast", "Run demos for new accounts"]
    first, second = rows
    keys = list(first)
    assert keys[:6] == ["f:section=duties", "f:bullet=True", "f:len=1", f"f:pos={first_pos(text, spans[0])}",
                        "f:whole_line=True", "f:heading_shaped=False"]
    assert keys.index("f:first_statement") < keys.index("f:heading_kind=duties") < keys.index("f:first:own")
    assert first["w:the"] == 3.0 and first["w:the the"] == 1.0 and type(first["w:the"]) is float
    assert [k for k in keys if k.startswith("w:")][:3] == ["w:own", "w:the", "w:pipeline"]
    assert "f:bullet_run" not in first and list(second)[-1] == "f:bullet_run"
    assert "f:next:you" not in first and all(v == 1.0 for k, v in second.items() if k.startswith("f:"))


def first_pos(text: str, span) -> int:
    return sum(span.start_char / len(text) >= edge for edge in (0.1, 0.25, 0.5, 0.75, 0.9))


@pytest.mark.parametrize(
    "text",
    [
        "Manage the Sales Team’s pipeline",
        "Größe, Außendienst und STRASSE",
        "İstanbul office, Σ-index ΟΔΟΣ.Α and Ⅻ plans",
        "café’s owner, ÀÉÎ and ÿ",
        "Fläche² von 3½ m³, µm¹ and ª/º × ÷ ¼-¾ x_y 2nd",
        "",
    ],
)
def test_words_lower_case_each_word_as_it_is_read(text):
    expected = [w.lower().replace("’", "'") for w in duty_detector._WORD.findall(text)]
    assert duty_detector._words(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x3FF) | st.sampled_from("’'İΣςσ Ⅻ\u0307"), max_size=40))
def test_words_on_generated_text(text):
    assert duty_detector._words(text) == [w.lower().replace("’", "'") for w in duty_detector._WORD.findall(text)]


def test_the_latin1_word_letters_are_the_word_patterns_on_every_lower_case_latin1_character():
    letters = re.compile(r"[^\W\d_]")
    for character in map(chr, range(256)):
        if character.lower() == character:  # what lower-cased Latin-1 text holds
            found = duty_detector._LATIN1_LOWER_WORD.fullmatch(character) is not None
            assert found == (letters.fullmatch(character) is not None), repr(character)


def test_heading_shape_reads_no_further_than_the_word_limit():
    """``_is_heading_shaped`` splits a line into at most one word past the limit; the answers
    are those of splitting it whole, on every line of our postings and on edge cases."""
    import json
    from pathlib import Path

    from roleclass.duty_detector import MAX_HEADING_LINE_WORDS, _is_heading_shaped

    def whole_split(line: str) -> bool:
        stripped = line.strip()
        if stripped.startswith("- ") or not stripped:
            return False
        words = stripped.strip(" #*:").split()
        if not words or len(words) > MAX_HEADING_LINE_WORDS:
            return False
        if stripped.startswith(("#", "**")) or stripped.endswith((":", "**")):
            return True
        return len(words) <= 6 and not stripped.endswith((".", "!", ",", ";")) and stripped[0].isupper()

    edge = [" ".join(["Word"] * n) + end for n in range(1, 12) for end in ("", ":", " ", "  \u2003", "**")]
    lines = [*edge, "# " + " ".join(["a"] * 8), "#" + " x" * 9, "Our Team\xa0 ", "  :  "]
    for path in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("postings*.jsonl")):
        for row in map(json.loads, filter(str.strip, path.read_text(encoding="utf-8").split("\n"))):
            lines += (row.get("text") or "").split("\n")
    shaped = [_is_heading_shaped(line) for line in lines]
    assert shaped == [whole_split(line) for line in lines]
    assert 100 < sum(shaped) < len(lines) // 2


def test_lines_and_heading_kinds_from_the_splitter_are_those_the_detector_reads_itself():
    """The detector takes each line's heading kind from the splitter's reading when the splitter
    read it with the package's section reader, and asks again otherwise: the same lines, kinds
    and heading flags either way, on written postings in both languages and on the corpus."""
    import json
    from pathlib import Path

    from roleclass.attributes import lines_of
    from roleclass.sections import default_reader

    texts = [clean_text(CAREER_PAGE_EN), clean_text(STELLE_DE), clean_text(ONLY_BLURB)]
    for path in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("postings*.jsonl")):
        for row in map(json.loads, filter(str.strip, path.read_text(encoding="utf-8").split("\n"))):
            if row.get("text"):
                texts.append(clean_text(row["text"]))
    headings = 0
    for text in texts:
        language = "de" if "(m/w/d)" in text else "en"
        doc, spans = statements(text, language)
        if not spans:
            continue
        assert lines_of(doc, text, default_reader()) is not None
        assert lines_of(doc, text + " ", default_reader()) is None  # not the text the splitter read
        shared, asked = duty_detector._lines(text, spans), duty_detector._lines(text)
        assert shared == asked
        headings += sum(line.kind is not None for line in shared)
    assert headings > 20  # the postings have headings of known kinds


def test_a_splitter_with_its_own_section_lexicon_leaves_the_detector_asking_the_package_reader():
    """A splitter configured with another section lexicon reads other kinds; the detector's
    features use the package's, so it does not take that splitter's kinds."""
    import spacy

    from roleclass.attributes import lines_of
    from roleclass.lexicon import lexicons
    from roleclass.sections import default_reader

    sections = {**lexicons().sections, "headings": {"duties": ["Was dich erwartet"]}}
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("roleclass_statements", config={"sections": sections})
    text = clean_text(CAREER_PAGE_EN)
    doc = nlp(text)
    spans = list(doc.spans["statements"])
    assert spans and lines_of(doc, text, default_reader()) is None
    assert duty_detector._lines(text, spans) == duty_detector._lines(text)
