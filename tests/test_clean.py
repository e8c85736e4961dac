import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roleclass.clean import (
    _BULLET,
    _HTML_HINT,
    _LONG_RUN,
    _NON_ASCII_RUN,
    _SPACES,
    _break_run,
    _tidy_lines,
    clean_text,
    looks_like_html,
)
from roleclass.language import MIN_LETTERS, SAMPLE_CHARS, too_few_letters


def test_html_list_items_each_get_their_own_line_and_entities_are_decoded():
    raw = "<p>Fast&nbsp;growing &amp; fun.</p><ul><li>Call prospects</li><li>Close deals</li></ul>"
    cleaned = clean_text(raw)
    assert cleaned.splitlines() == ["Fast growing & fun.", "", "- Call prospects", "- Close deals"]


def test_script_and_style_content_never_reaches_the_text():
    cleaned = clean_text("<p>Plan campaigns</p><script>alert('x')</script><style>p{color:red}</style>")
    assert "alert" not in cleaned and "color" not in cleaned
    assert "Plan campaigns" in cleaned


def test_br_breaks_lines():
    assert clean_text("Line one<br>Line two<br/>Line three").splitlines() == ["Line one", "Line two", "Line three"]


def test_windows_1252_mojibake_is_repaired():
    assert clean_text("Youâ€™ll own the brand") == "You’ll own the brand"


def test_mac_roman_mojibake_from_scraped_monster_data_is_repaired():
    assert clean_text("the world‚Äôs leading provider") == "the world’s leading provider"


def test_plain_text_keeps_its_words_and_bullets_are_normalised():
    raw = "Duties:\r\n• Make calls\r\n* Send emails\r\n1) Book demos\n\n\n\nThanks"
    assert clean_text(raw).splitlines() == ["Duties:", "- Make calls", "- Send emails", "- Book demos", "", "Thanks"]


def test_german_umlauts_are_left_alone():
    text = "Außendienst: Neukundengewinnung und Öffentlichkeitsarbeit für größere Märkte"
    assert clean_text(text) == text


def test_markup_only_html_cleans_to_nothing():
    assert clean_text("<div><span></span><br/></div>") == ""


def test_html_detection_ignores_plain_angle_brackets():
    assert not looks_like_html("Revenue > $1M and margin < 10%")
    assert looks_like_html("<li>item</li>")


@pytest.mark.parametrize(
    "text",
    [
        "Sales & Marketing lead, 5 < 10 and no tags",
        "Plain start &amp; an entity",
        "a < b, then <p>a paragraph</p>",
        "R&D team &nbsp;and <br/>",
        "&",
        "<",
        "no markup at all",
        "x" * 50 + "<li>late item</li>",
        "&#8217; first, then < stray",
    ],
)
def test_html_detection_searching_from_the_first_tag_or_entity_start_finds_what_the_whole_search_finds(text):
    assert looks_like_html(text) == bool(_HTML_HINT.search(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n\x7f\x80\u00e4\u00df\u2019\u201c\U0001f600\ud7ff"), max_size=30))
def test_non_ascii_runs_are_the_negated_class_runs(text):
    assert _NON_ASCII_RUN.findall(text) == re.findall(r"[^\x00-\x7f]{2,}", text)


@pytest.mark.parametrize(
    "text",
    ["", "1234 5678 " * 30 + "few words here", "- - - - " * 20 + "Sales manager wanted now", "Account Executive, EMEA", "ü" * 25],
)
def test_too_few_letters_counts_the_sample_as_before(text):
    assert too_few_letters(text) == (sum(map(str.isalpha, text[:SAMPLE_CHARS])) < MIN_LETTERS)


def _tidy_line_by_line(text: str) -> list[str]:
    """What ``_tidy_lines`` gives, as it was written first: every step on every line."""
    out = []
    for line in text.split("\n"):
        line = _LONG_RUN.sub(_break_run, _SPACES.sub(" ", line).strip())
        out.append(_BULLET.sub("- ", line) if _BULLET.match(line) else line)
    return out


@pytest.mark.parametrize(
    "text",
    [
        "  - item\t\tone\u00a0 two  \n• bullet\u2003\u2003here\n1) first",
        "x" * 150 + "\u200b" + "y" * 150,  # a zero-width space is no \\s: it splits the run only once it is a space
        "a \u200b" * 150 + "z" * 300 + "\n" + "w" * 201,
        "short line\n\n\n" + "long line " * 40,
        "",
    ],
)
def test_tidy_lines_are_every_step_on_every_line(text):
    assert _tidy_lines(text) == _tidy_line_by_line(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab -*•1.)\n\t\u00a0\u200b\u3000\x0b"), max_size=60), st.integers(0, 260))
def test_tidy_lines_on_generated_text(text, run):
    text = text + "q" * run + text
    assert _tidy_lines(text) == _tidy_line_by_line(text)
