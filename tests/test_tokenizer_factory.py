"""The posting pipelines give spaCy's default tokenizer's tokens, first read and from their cache,
and the lexical attributes the token table reads as spaCy's vocabulary gives them."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy import util
from spacy.attrs import IDX, ORTH, SPACY

from roleclass.clean import clean_text
from roleclass.duties import _pipeline
from roleclass.tokenizer_factory import (
    CACHE_CHUNKS,
    exact_suffix_search,
    screened_infix_finditer,
    screened_match,
    without_whitespace_cases,
)
from roleclass.tokens import LEXEME_ATTRS

ROOT = Path(__file__).resolve().parents[1]
REAL_SAMPLE = 400

# Written for this test: line breaks before and after special cases ("we're", "e.g.", "don't"),
# blank lines, tabs, doubled spaces, non-breaking spaces, bullets, links and numbers.
TEXTS = [
    "Account Executive\n\nWhat you'll do:\n- Make 60 outbound calls a day\n- Close deals, e.g. renewals.\n",
    "We're hiring!\nYou'll own the pipeline.\n\n\nDon't apply if you can't travel.\tThanks\t\tagain",
    "Plan campaigns  (paid,  organic)\n  - Report to the CMO\n\xa0Budget: $250k/yr, see https://example.com/jobs?id=7.",
    "Wir suchen dich!\nDu betreust Kunden z.B. im Außendienst.\nBewirb dich bis 30.06.2026 – wir freuen uns.",
    "\n\nLeading line breaks\n\n",
    " ",
    "\t\n \n",
]


def _tokens(nlp, text: str) -> np.ndarray:
    return nlp.make_doc(text).to_array([ORTH, SPACY, IDX, *LEXEME_ATTRS])


def _same_as_spacy(language: str, texts: list[str]) -> None:
    default = spacy.blank(language)
    ours = _pipeline(language)
    for rounds in range(2):  # the second round reads what the first cached
        for i, text in enumerate(texts):
            assert np.array_equal(_tokens(ours, text), _tokens(default, text)), (language, rounds, i)


def test_whitespace_special_cases_are_dropped_and_no_other() -> None:
    rules = spacy.blank("en").Defaults.tokenizer_exceptions
    kept = without_whitespace_cases(rules)
    assert set(rules) - set(kept) == {"\n", "\t", " "}
    assert kept["\xa0"] == rules["\xa0"]  # whitespace with a NORM of its own stays a special case
    assert kept["we're"] == rules["we're"]


def test_the_pipelines_tokenizer_keeps_more_and_no_whitespace_cases() -> None:
    tokenizer = _pipeline("en").tokenizer
    assert tokenizer.max_cache_size == CACHE_CHUNKS > spacy.blank("en").tokenizer.max_cache_size
    assert "\n" not in tokenizer.rules and "we're" in tokenizer.rules


def test_new_words_get_the_tables_attributes_and_the_vocabulary_its_language() -> None:
    for language in ("en", "de"):
        nlp = _pipeline(language)
        assert set(nlp.vocab.lex_attr_getters) == {*LEXEME_ATTRS, spacy.attrs.LANG}
        assert nlp.vocab.lang == language
        words = nlp.make_doc("Zyxwq-Umsatzplanung: 42 NEUKUNDEN, „Außendienst“ & you'll…")
        reference = spacy.blank(language).make_doc(words.text)
        assert np.array_equal(words.to_array(list(LEXEME_ATTRS)), reference.to_array(list(LEXEME_ATTRS)))


@pytest.mark.parametrize("language", ["en", "de"])
def test_tokens_are_spacys_on_written_texts(language: str) -> None:
    _same_as_spacy(language, TEXTS + [clean_text(text) for text in TEXTS])


def test_tokens_are_spacys_on_the_corpus() -> None:
    texts = []
    for path in sorted((ROOT / "corpus").glob("postings*.jsonl")):
        texts += [clean_text(json.loads(line)["text"]) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    assert len(texts) > 100
    _same_as_spacy("en", texts)


def test_tokens_are_spacys_on_real_postings(shared_dir: Path) -> None:
    files = sorted((shared_dir / "realdata").glob("*.jsonl"))
    if not files:
        pytest.skip("../shared/realdata is absent: the real postings can't be compared")
    rows = [json.loads(line) for path in files for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    texts = [row["description"] for row in rows if row.get("description")]
    sample = random.Random(12).sample(texts, min(REAL_SAMPLE, len(texts)))
    for language in ("en", "de"):
        _same_as_spacy(language, [clean_text(text) for text in sample])


def _suffix_strings() -> list[str]:
    """Words as the tokenizer hands them to the suffix search: the corpus's runs of non-space
    characters, each less its first and last characters in turn, and random strings of the
    characters spaCy's suffixes are made of (dots, units after digits, quotes, a final line break)."""
    words: set[str] = set()
    for path in sorted((ROOT / "corpus").glob("postings*.jsonl")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                for word in json.loads(line)["text"].split():
                    words.update(word[i:j] for i in range(3) for j in range(len(word), max(i, len(word) - 4), -1))
    rng = random.Random(7)
    alphabet = list(".…,:;!?)]}'\"%²³kmgb0123456789aZ-\n€$ü’”°C/+*^~–—<>=é")
    generated = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(20_000)]
    return sorted(words) + generated + ["." * 70, "x" + "." * 9, "12km", "12km\n", "(U.S.", "word\n"]


@pytest.mark.parametrize("language", ["en", "de"])
def test_suffix_search_finds_spacys_match(language: str) -> None:
    suffixes = spacy.blank(language).Defaults.suffixes
    spacys = util.compile_suffix_regex(suffixes)
    ours = exact_suffix_search(suffixes)
    assert ours.__self__.pattern == spacys.pattern  # what spaCy's serializer writes
    for string in _suffix_strings():
        expected, found = spacys.search(string), ours(string)
        assert (found is None) == (expected is None), string
        assert found is None or found.span() == expected.span(), string


@pytest.mark.parametrize("language", ["en", "de"])
def test_infix_search_finds_spacys_matches(language: str) -> None:
    infixes = spacy.blank(language).Defaults.infixes
    spacys = util.compile_infix_regex(infixes)
    ours = screened_infix_finditer(infixes)
    assert ours.__self__.pattern == spacys.pattern
    for string in _suffix_strings():
        assert [m.span() for m in ours(string)] == [m.span() for m in spacys.finditer(string)], string


def test_infix_search_is_spacys_own_where_a_pattern_may_start_with_any_character() -> None:
    assert screened_infix_finditer([r"\w-", ","]) == re.compile(r"\w-|,").finditer  # a category: not screened
    assert screened_infix_finditer(["(?i:x)"]) == re.compile("(?i:x)").finditer  # ignored case
    assert screened_infix_finditer([r"(?=[A-Z])"]) == re.compile("(?=[A-Z])").finditer  # an empty match
    screened = screened_infix_finditer([r"(?<=[0-9])[+\-](?=[0-9])", r"é+"])
    assert [m.span() for m in screened("1+2-3")] == [(1, 2), (3, 4)]
    assert [m.span() for m in screened("xéé")] == [(1, 3)] and list(screened("plain")) == []


@pytest.mark.parametrize("language", ["en", "de"])
def test_prefix_search_and_url_match_answer_as_spacys(language: str) -> None:
    defaults = spacy.blank(language).Defaults
    prefix = util.compile_prefix_regex(defaults.prefixes)
    ours_prefix = screened_match(prefix.search, anchored=True)
    ours_url = screened_match(defaults.url_match)
    assert ours_prefix.__self__ is prefix and ours_url.__self__ is defaults.url_match.__self__
    urls = ["www.example.com", "https://jobs.example.de/apply?id=7", "bewerbung@firma.de", "192.168.0.1", "localhost"]
    strings = _suffix_strings() + urls + ["(" + url for url in urls]
    for string in strings:
        for ours, spacys in ((ours_prefix, prefix.search), (ours_url, defaults.url_match)):
            expected, found = spacys(string), ours(string)
            assert (found is None) == (expected is None), string
            assert found is None or found.span() == expected.span(), string
    assert ours_url(urls[1]) is not None and ours_prefix("(x") is not None


def test_screened_match_is_the_regexs_own_where_nothing_can_be_read_out() -> None:
    assert screened_match(re.compile("(?i)x.y").match) == re.compile("(?i)x.y").match
    assert screened_match(re.compile(r"\w+").search) == re.compile(r"\w+").search
    # an alternative that need not start at the string's start: no first-character screen
    loose = screened_match(re.compile(r"^a|b").search, anchored=True)
    assert loose("xb").span() == (1, 2)
    # a dot in both alternatives is required; "@" in one only is not
    required = screened_match(re.compile(r"\w+\.\w+|\w*@\w+\.\w+").match)
    assert required("a@b") is None and required("a@b.c").span() == (0, 5) and required("x.y").span() == (0, 3)


def test_suffix_search_is_spacys_own_where_a_pattern_may_end_before_the_word() -> None:
    # "a|b" joins as "a|b$": "a" matches anywhere, so no start can be ruled out
    loose = exact_suffix_search(["a|b", ","])
    assert loose.__self__.pattern == "a|b$|,$"
    assert loose("banana,").span() == (1, 2)
    bounded = exact_suffix_search(["(?:a|b)", ","])
    assert bounded("banana,").span() == (6, 7)
    assert bounded("xyzb").span() == (3, 4)


def test_the_pipelines_tokenizers_serialize_and_read_back_alike() -> None:
    text = TEXTS[0] + TEXTS[2]
    nlp = _pipeline("en")
    restored = spacy.blank("en").tokenizer.from_bytes(nlp.tokenizer.to_bytes())
    assert [t.text for t in restored(text)] == [t.text for t in nlp.make_doc(text)]
