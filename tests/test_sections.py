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


def _corpus_lines() -> list[str]:
    import json
    from pathlib import Path

    lines: list[str] = []
    for path in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("postings*.jsonl")):
        for row in map(json.loads, filter(str.strip, path.read_text(encoding="utf-8").split("\n"))):
            lines += (row.get("text") or "").split("\n")
    return lines


def test_the_joined_heading_patterns_rule_out_exactly_the_lines_no_pattern_starts():
    """``_heading_kind`` tries the heading patterns one by one only when their alternation matches:
    the kinds are those of trying every pattern on every line."""
    from roleclass.lexicon import lexicons
    from roleclass.sections import SectionReader

    joined = SectionReader(lexicons().sections)
    apart = SectionReader(lexicons().sections)
    apart._any_heading = None  # every pattern tried on every line, as before the alternation
    lines = [*_corpus_lines(), "About Brightline Packaging", "What you'll do:", "### Zu Deinen Aufgaben gehören:", "Perks"]
    lines += [line[:colon + 1] for line in lines if 0 < (colon := line.find(":")) <= 70]  # inline labels
    assert len(lines) > 3000
    kinds = [joined._heading_kind(line) for line in lines]
    assert kinds == [apart._heading_kind(line) for line in lines]
    assert sum(kind is not None for kind in kinds) > 100  # headings of every kind are among them
    assert {"duties", "requirements", "benefits", "company"} <= set(kinds)


def test_patterns_that_refer_to_groups_or_differ_in_flags_are_not_joined():
    import re

    from roleclass.sections import _any_match

    assert _any_match([re.compile(r"^(a)\1", re.I), re.compile(r"^b", re.I)]) is None  # \1 would change meaning
    assert _any_match([re.compile(r"^(?P<x>a)(?P=x)", re.I)]) is None
    assert _any_match([re.compile(r"^a", re.I), re.compile(r"^b")]) is None
    joined = _any_match([re.compile(r"^(?:sales)\b", re.I), re.compile(r"^(?:about \w+( \w+){0,4}$)\b", re.I)])
    assert joined is not None
    assert joined.match("Sales team") and joined.match("About Acme Corp") and not joined.match("About a b c d e f g")


def test_the_splitter_shares_the_package_reader_only_for_the_package_lexicon():
    """Both the splitter and the duty detector ask each line's heading kind: with the package's
    lexicon they share one reader (one memory of the answers); another lexicon gets its own."""
    import copy

    from roleclass.lexicon import lexicons
    from roleclass.sections import default_reader, reader_for

    own = copy.deepcopy(lexicons().sections)
    assert reader_for(own) is default_reader()
    own["headings"]["duties"] = [*own["headings"]["duties"], "deine spielwiese"]
    other = reader_for(own)
    assert other is not default_reader()
    assert other.heading_kind("Deine Spielwiese:") == "duties"
    assert default_reader().heading_kind("Deine Spielwiese:") is None
