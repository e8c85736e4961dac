"""ftfy runs only on text it would change (issue 12): the cheap check never skips a repair."""

from __future__ import annotations

import json
from pathlib import Path

import ftfy
import pytest

from roleclass.clean import _repair_mac_roman, clean_text, fix_with_ftfy, ftfy_would_change

ROOT = Path(__file__).resolve().parents[1]


def _prepared(text: str) -> str:
    """The text as clean_text hands it to ftfy."""
    return _repair_mac_roman(text.replace("\r\n", "\n").replace("\r", "\n"))


def _texts(paths: list[Path]) -> list[str]:
    rows = [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    return [r.get("text") or r.get("description") or "" for r in rows]


def _check(texts: list[str]) -> None:
    for i, raw in enumerate(texts):
        text = _prepared(raw)
        fixed = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
        if not ftfy_would_change(text):
            assert fixed == text, f"text {i}: ftfy skipped but needed"
        assert fix_with_ftfy(text) == fixed, f"text {i}: ftfy line by line differs"


@pytest.mark.parametrize(
    "text",
    [
        "Sales &amp; Marketing\nplain line\nR&amp;D &#128; &#x2019;",  # entities on two lines, one a C1 control
        "R&amp;D\n<p>Sales</p>\nmore &amp; after the tag line",  # unescaping stops at the first line with "<"
        "plain\n\nWe\u00e2\u20ac\u2122re hiring\n\ufb01nance\n",  # mojibake and a ligature on their own lines
        "Great team\n\u00c2 Join us today\nok",  # mojibake only a line start reveals
        "decomposed a\u0308\nand composed \u00e4",
        "&lt;p&gt;escaped markup&lt;/p&gt;\n&amp;amp; twice",
        "no newline at the end &amp;",
        "",
    ],
)
def test_ftfy_line_by_line_is_ftfy(text: str) -> None:
    assert fix_with_ftfy(text) == ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")


@pytest.mark.parametrize(
    "text",
    [
        "We\u00e2\u0080\u0099re hiring",  # UTF-8 read as Latin-1
        "We\u00e2\u20ac\u2122re hiring",  # UTF-8 read as Windows-1252
        "Sales &amp; Marketing",  # an entity ftfy unescapes
        "\ufb01nance team",  # a ligature
        "\uff33ales",  # full width
        "line\u2028break",
        "decomposed a\u0308",  # not NFC
        "colour \x1b[31mred\x1b[0m",
    ],
)
def test_text_ftfy_changes_is_sent_to_it(text: str) -> None:
    assert ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC") != text
    assert ftfy_would_change(text)


def test_plain_text_skips_ftfy_and_cleans_the_same() -> None:
    text = "Wir suchen dich – „Vertrieb“ für Köln.\n- Neue Kunden gewinnen\n- You’ll own the pipeline…"
    assert not ftfy_would_change(text)
    assert clean_text(text) == text == ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")


def test_an_entity_after_the_first_tag_line_is_left_to_the_html_renderer() -> None:
    text = "<p>Sales</p>\nR&amp;D"
    assert ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC") == text
    assert not ftfy_would_change(text)


def test_the_check_never_skips_a_repair_on_the_corpus() -> None:
    _check(_texts(sorted((ROOT / "corpus").glob("postings_*.jsonl"))))


def test_the_check_never_skips_a_repair_on_real_postings(shared_dir: Path) -> None:
    paths = sorted((shared_dir / "realdata").glob("*.jsonl"))
    if not paths:
        pytest.skip("../shared/realdata is absent")
    _check(_texts(paths))


def test_plain_characters_are_never_changed_by_ftfy() -> None:
    """The no-import shortcut: any mix of ASCII, curly quotes, dashes and ellipses is left alone."""
    import random

    rng = random.Random(7)
    alphabet = "aZ09 .,;-'\"\n\t&<>" + "\u2018\u2019\u201c\u201d\u2013\u2014\u2026"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        if "&" in text:
            continue
        assert not ftfy_would_change(text)
        assert ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC") == text, repr(text)


@pytest.mark.parametrize("text", ["Great team\nÂ Join us today", "Great team\nÃ Join", "Ã bientôt\nok"])
def test_mojibake_that_only_a_line_start_reveals_is_sent_to_ftfy(text: str) -> None:
    """ftfy's badness regex has one "^" alternative; the whole-text check must see it on any line."""
    assert ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC") != text
    assert ftfy_would_change(text)


def _whole_search(text: str) -> bool:
    from ftfy.badness import BADNESS_RE

    return bool(BADNESS_RE.search(text))


def test_ftfys_mojibake_regex_still_has_the_shape_the_windowed_search_needs() -> None:
    """Each alternative needs a non-ASCII character, and matches are short: else the search is whole."""
    from re import _parser as sre_parse

    from ftfy.badness import BADNESS_RE

    from roleclass.clean import _mojibake_search, _mojibake_triggers

    parsed = sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    triggers = _mojibake_triggers(parsed)
    assert triggers is not None

    def triggered(text: str) -> bool:
        return any(trigger.search(text) for trigger in triggers)

    assert triggered("Ã") and triggered("ü’") and triggered("\x85")
    assert not triggered("Köln, für “growth” – café • 50 €")  # lone non-ASCII: nothing to search
    assert parsed.getwidth()[1] <= 8
    assert _mojibake_search().__name__ == "search"  # the windowed one is in use
    assert _mojibake_triggers(sre_parse.parse("[a-z]é|x[\\w]")) is None  # "x\w" can be all ASCII
    made_up = _mojibake_triggers(sre_parse.parse("a[éè]b|[ÃÂ][€™]|[Œœ][^a-z]"))  # pairless alternatives give their characters
    assert made_up is not None
    assert [any(r.search(t) for r in made_up) for t in ("è", "Œ", "Ã", "Ã€", "é x")] == [True, True, False, True, True]


@pytest.mark.parametrize(
    "text",
    [
        "We\u00e2\u20ac\u2122re hiring",  # a match in the middle
        "\u00c3\u00a9quipe commerciale",  # at the very start
        "commerciale \u00c3\u00a9",  # at the very end
        "Sales\u00c3\u00a9" + "x" * 40 + "caf\u00e9 \u00c3\u00a9t\u00e9",  # two stretches
        "Caf\u00e9 team \u2013 \u201cgrowth\u201d \u2022 K\u00f6ln",  # non-ASCII but no mojibake
        "a" * 30 + "\u00d8\u00a7\u00d9\u201e" + "b" * 30,  # the four-character Arabic mojibake alternative
        "x" * 11 + "\u00e9" + "y" * 12 + "\u00c3" + "\u00a9",  # a gap of twelve ASCII characters
        "\u00fc\u00fc\u00c3\u00a9 team",  # a match that starts with the second character of a run of three
        "Gr\u00f6\u00dfe \u00e4\u00f6\u00fc\u00e2\u20ac\u2122s",  # a match at the end of a longer run
        "caf\u0153, b\u0153uf \u0152!",  # \u0153 (\u0152) before a non-letter, alone
        "price\u00c2 \u00a3",  # \u00c2 alone before a space
    ],
)
def test_the_windowed_mojibake_search_finds_what_the_whole_search_finds(text: str) -> None:
    from roleclass.clean import _mojibake_search

    assert _mojibake_search()(text) == _whole_search(text)


def test_the_windowed_mojibake_search_agrees_on_every_posting_we_have() -> None:
    """Our corpus, and the real postings of ../shared when it is there."""
    from roleclass.clean import _mojibake_search
    from roleclass.data import default_shared_dir

    paths = sorted((ROOT / "corpus").glob("postings*.jsonl")) + sorted((default_shared_dir() / "realdata").glob("*.jsonl"))
    texts = _texts(paths)
    assert len(texts) > 200
    search = _mojibake_search()
    assert [search(t) for t in texts] == [_whole_search(t) for t in texts]
