"""The scorer reads the duty model's features as model columns (``known_features``); they must
be exactly the features ``span_features`` defines (the ones training reads), less those the
model does not know, in the same order and anchored to the same characters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from roleclass import known_features
from roleclass.clean import clean_text
from roleclass.duties import statements
from roleclass.features import span_features
from roleclass.known_features import FeatureColumns, KnownFeatures, feature_columns
from roleclass.language import detect_language, is_supported

REPO = Path(__file__).resolve().parents[1]


GERMAN = [  # our corpus is English; German postings read by the German pipeline, written for this test
    "Vertriebsmitarbeiter (m/w/d) im Außendienst\n\nIhre Aufgaben:\n- Neue Kunden gewinnen und Bestandskunden betreuen\n"
    "- Sie führen täglich 40 Telefonate mit Interessenten\n- Angebote erstellen und Verträge abschließen\n\n"
    "Ihr Profil:\n- Erfahrung im Vertrieb\n- Sie sind kommunikationsstark\n\nWir bieten: 30 Tage Urlaub, Firmenwagen.",
    "Das erwartet dich\n- Du planst Kampagnen für Social Media und Newsletter\n- Du analysierst Zielgruppen und Marktdaten\n"
    "- Du steuerst das Marketingbudget und Agenturen\n\nDas bringst du mit\n- Studium im Bereich Marketing",
]


def corpus_statements() -> list[list]:
    """The statements of every posting we wrote, cleaned and read in its own language (English, German)."""
    read = []
    for path in sorted((REPO / "corpus").glob("postings*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                cleaned = clean_text(json.loads(line)["text"])
                language = detect_language(cleaned)
                read.append(statements(cleaned, language if is_supported(language) else "en")[1])
    return read + [statements(clean_text(text), "de")[1] for text in GERMAN]


def reference(spans, acts: bool, vocabulary) -> np.ndarray:
    """(statement, column, start, end) of each known feature, from the definition."""
    rows = [
        (k, vocabulary[f.name], f.start, f.end)
        for k, span in enumerate(spans)
        for f in span_features(span, acts)
        if f.name in vocabulary
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


def as_rows(found: KnownFeatures) -> np.ndarray:
    return np.stack([found.statement, found.column, found.start, found.end], axis=1)


@pytest.mark.parametrize("acts", [True, False])
def test_the_models_columns_are_span_features_known_ones_on_the_whole_corpus(scorer, acts) -> None:
    vocabulary = scorer.model.duty_classifier.vectorizer_.vocabulary_
    columns = FeatureColumns(vocabulary)
    read = corpus_statements()
    assert len(read) > 200 and any(spans and spans[0].doc.lang_ == "de" for spans in read)
    compared = 0
    for first in range(0, len(read), 16):
        chunk = [*read[first : first + 16], []]  # a posting without statements too
        found = columns.read_many(chunk, acts)
        assert len(found) == len(chunk) and found[-1].statements == 0 and len(found[-1].column) == 0
        for spans, features in zip(chunk, found, strict=True):
            assert features.statements == len(spans)
            np.testing.assert_array_equal(as_rows(features), reference(spans, acts, vocabulary))
            compared += len(features.column)
    assert compared > 20_000


def test_words_stems_pairs_and_cues_by_hand() -> None:
    """A small vocabulary: word pairs only within a statement, repeats counted, unknown words left out."""
    vocabulary = {
        "w:prospects": 0, "b:call prospects": 1, "s:relati": 2, "w:relationships": 3,
        "cue:outbound": 4, "b:prospects build": 5, "w:call": 6,
    }
    columns = FeatureColumns(vocabulary)
    spans = statements("- Call prospects and call prospects again\n- Build relationships with outbound calls", "en")[1]
    assert len(spans) == 2
    got = columns.read(spans, acts=True)
    np.testing.assert_array_equal(as_rows(got), reference(spans, True, vocabulary))
    names = {v: k for k, v in vocabulary.items()}
    first = [names[c] for s, c in zip(got.statement.tolist(), got.column.tolist(), strict=True) if s == 0]
    assert first == ["w:call", "w:prospects", "w:call", "w:prospects", "b:call prospects", "b:call prospects"]
    assert 5 not in got.column  # "prospects" ends one statement and "build" opens the next: no pair
    text = spans[0].doc.text
    assert {text[a:b] for a, b in zip(got.start.tolist(), got.end.tolist(), strict=True)} >= {"relationships", "call prospects"}


def test_the_word_table_starts_afresh_past_its_limit_and_reads_the_same(scorer, monkeypatch) -> None:
    """Words beyond the model's own are forgotten past ``MAX_NEW_WORDS``: memory stays flat, answers stay put."""
    monkeypatch.setattr(known_features, "MAX_NEW_WORDS", 50)
    vocabulary = scorer.model.duty_classifier.vectorizer_.vocabulary_
    columns = FeatureColumns(vocabulary)
    model_words = len(columns._numbers)
    read = corpus_statements()[:60]
    for spans in read:
        np.testing.assert_array_equal(as_rows(columns.read(spans, False)), reference(spans, False, vocabulary))
        most = max(len(table_words(spans)), 0)
        assert len(columns._numbers) <= model_words + 50 + most


def table_words(spans) -> set[str]:
    from roleclass.tokens import token_table

    return set(token_table(spans[0].doc).lower) if spans else set()


def test_the_lookups_are_built_once_per_model_and_again_for_a_new_vocabulary(scorer) -> None:
    classifier = scorer.model.duty_classifier
    assert feature_columns(classifier) is feature_columns(classifier)
    assert feature_columns(classifier).vocabulary is classifier.vectorizer_.vocabulary_


def test_the_models_columns_are_span_features_known_ones_on_the_real_postings(scorer, shared_dir) -> None:
    """Every description of ../shared/realdata (English and German job boards and career pages)."""
    vocabulary = scorer.model.duty_classifier.vectorizer_.vocabulary_
    columns = FeatureColumns(vocabulary)
    read = []
    for path in sorted((shared_dir / "realdata").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").split("\n"):  # not splitlines: texts hold U+2028
            if line.strip() and (text := json.loads(line).get("description")):
                cleaned = clean_text(text)
                language = detect_language(cleaned)
                if is_supported(language):
                    read.append(statements(cleaned, language)[1])
    assert len(read) > 1000
    for first in range(0, len(read), 16):
        chunk = read[first : first + 16]
        for spans, features in zip(chunk, columns.read_many(chunk, True), strict=True):
            np.testing.assert_array_equal(as_rows(features), reference(spans, True, vocabulary))
