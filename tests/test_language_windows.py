"""Language id reads two short windows and falls back to the whole sample when they disagree.

The windows only save time: a posting whose opening is in one language and whose body is
in another (an English company blurb over a German job) must still get the language the
whole sample gives it, and our corpus must read the same either way.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roleclass import language
from roleclass.clean import clean_text

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

ENGLISH_BLURB = (
    "At Northwind Diagnostics you can be yourself. Our culture values open dialogue, curiosity and "
    "respect, and we believe every voice matters as we build tests that help doctors find disease "
    "early. Join a company where people grow, learn and shape the future of healthcare together. "
    "We are proud of our people and of the difference our products make for patients every day. "
)
GERMAN_BODY = (
    "In dieser Position übernimmst du gemeinsam mit dem Team die Verantwortung für die Vermarktung "
    "unseres Portfolios. Du entwickelst Marketingkonzepte, planst Kampagnen für Labore und Kliniken, "
    "steuerst das Budget und wertest die Ergebnisse aus. Du arbeitest eng mit dem Vertrieb zusammen "
    "und koordinierst externe Agenturen sowie die Abstimmung mit der Region. "
)


def _whole_sample(text: str) -> str:
    return str(language._identifier().classify(text[: language.SAMPLE_CHARS])[0])


def test_an_english_opening_over_a_german_body_is_read_as_german():
    text = ENGLISH_BLURB + GERMAN_BODY * 4
    assert len(text) >= language.SECOND_WINDOW_AT + language.WINDOW_CHARS
    opening = language._identifier().classify(text[: language.WINDOW_CHARS])[0]
    assert opening == "en"  # the first window alone would be wrong
    assert _whole_sample(text) == "de"
    assert language.detect_language(text) == "de"


def test_agreeing_windows_decide_without_the_whole_sample(monkeypatch):
    text = GERMAN_BODY * 6
    read: list[list[int]] = []
    identifier = language._identifier()
    classify_many = identifier.classify_many
    monkeypatch.setattr(
        identifier, "classify_many", lambda samples: read.append([len(s) for s in samples]) or classify_many(samples)
    )
    assert language.detect_language(text) == "de"
    assert read == [[language.WINDOW_CHARS, language.WINDOW_CHARS]]


def test_a_chunk_of_texts_gets_what_each_gets_alone():
    texts = [
        ENGLISH_BLURB + GERMAN_BODY * 4,  # windows disagree: the whole sample decides
        GERMAN_BODY * 6,  # windows agree
        ENGLISH_BLURB * 5,
        GERMAN_BODY,  # short: read whole
        "Nous recherchons un responsable marketing pour piloter nos campagnes digitales et le budget média.",
        "12345 !!! ---",  # too few letters: English by default
        "",
        ENGLISH_BLURB + GERMAN_BODY * 4,
    ]
    alone = [language.detect_language(t) for t in texts]
    assert alone == ["de", "de", "en", "de", "fr", "en", "en", "de"]
    assert language.detect_languages(texts) == alone
    assert language.detect_languages(texts[::-1]) == alone[::-1]
    assert language.detect_languages([]) == []


def test_a_short_text_is_read_whole():
    text = GERMAN_BODY  # shorter than the second window's end
    assert len(text) < language.SECOND_WINDOW_AT + language.WINDOW_CHARS
    assert language.detect_language(text) == _whole_sample(text) == "de"


def test_every_corpus_posting_gets_the_language_the_whole_sample_gives():
    texts = [
        clean_text(json.loads(line)["text"])
        for path in sorted(CORPUS.glob("postings_*.jsonl"))
        for line in path.read_text(encoding="utf-8").split("\n")
        if line.strip()
    ]
    if not texts:
        pytest.skip("the corpus postings are not in this checkout")
    long_ones = [t for t in texts if len(t) >= language.SECOND_WINDOW_AT + language.WINDOW_CHARS]
    assert len(long_ones) > 20  # the windows are really exercised
    assert [language.detect_language(t) for t in texts] == [_whole_sample(t) for t in texts]
