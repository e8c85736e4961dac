import pytest

from roleclass.sections import heading_kind, inline_heading, is_boilerplate, section_weight


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("What you'll do", "duties"),
        ("Responsibilities:", "duties"),
        ("Key Duties", "duties"),
        ("Your role", "duties"),
        ("About the role", "duties"),
        ("Ihre Aufgaben:", "duties"),
        ("Das erwartet dich", "duties"),
        ("Requirements", "requirements"),
        ("What you bring:", "requirements"),
        ("Dein Profil", "requirements"),
        ("What we offer", "benefits"),
        ("Wir bieten", "benefits"),
        ("About us", "company"),
        ("About Brightline Packaging", "company"),
        ("Equal Opportunity Statement", "eeo"),
    ],
)
def test_headings_open_the_right_section(line, kind):
    assert heading_kind(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "Make at least 50 outbound calls a day to prospects in your territory.",
        "Plan and run integrated campaigns across paid social, SEO and email.",
        "",
    ],
)
def test_duty_sentences_are_not_headings(line):
    assert heading_kind(line) is None


def test_inline_heading_at_the_start_of_a_collapsed_sentence():
    assert inline_heading("Responsibilities: prospect new clients by phone") == ("duties", len("Responsibilities:"))
    assert inline_heading("Call prospects: fifty a day") is None


def test_boilerplate_and_weights():
    assert is_boilerplate("We are an equal opportunity employer and value diversity.")
    assert is_boilerplate("Health insurance, dental insurance and a 401(k) plan.")
    assert not is_boilerplate("Negotiate contracts with distributors.")
    assert section_weight("duties") > section_weight("body") > section_weight("requirements") > section_weight("benefits")


def test_the_screened_boilerplate_check_answers_as_the_regex_does():
    """``is_boilerplate`` runs its regex only where the screen allows; the answers are the regex's."""
    import json
    from pathlib import Path

    from roleclass.sections import default_reader

    reader = default_reader()
    lines = [
        "We are an Equal Opportunity employer and welcome all applicants.",
        "Medical, dental and vision insurance from day one; 401(k) with match.",
        "Wir freuen uns auf deine Bewerbung (m/w/d) und heißen alle willkommen.",
        "Own the pipeline and close new business in the DACH region.",
        "PTO: 25 days.",
        "Vision-driven team; healthy snacks.",  # words that only start like a cue
        "Equal opportunity at our İstanbul office",  # a character sre folds unlike str.lower
    ]
    for path in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("postings*.jsonl")):
        for row in map(json.loads, filter(str.strip, path.read_text(encoding="utf-8").split("\n"))):
            lines += (row.get("text") or "").split("\n")
    assert len(lines) > 3000
    found = [reader.is_boilerplate(line) for line in lines]
    assert found == [bool(reader.boilerplate.search(line)) for line in lines]
    assert found[:7] == [True, True, True, False, True, False, True]
