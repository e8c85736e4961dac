"""``Scorer.score_many`` scores a chunk at once and gives, byte for byte, what ``score`` gives alone (issue 12)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from roleclass.errors import InputError
from roleclass.result import ScoreError, ScoreResult

ROOT = Path(__file__).resolve().parents[1]
REAL_SAMPLE = 300  # real postings compared (seeded); the whole corpus is compared in full


def _alone(scorer, text, title) -> str:
    try:
        return scorer.score(text, title).to_json()
    except InputError as exc:
        return f"input error: {exc}"


def _together(outcome: ScoreResult | ScoreError) -> str:
    if isinstance(outcome, ScoreError):
        assert outcome.kind == "input", outcome.message
        return f"input error: {outcome.message}"
    return outcome.to_json()


def _same(scorer, pairs: list[tuple[str, str | None]], batch_size: int) -> None:
    texts, titles = [t for t, _ in pairs], [t for _, t in pairs]
    together = [_together(o) for o in scorer.score_many(texts, titles, batch_size=batch_size)]
    assert len(together) == len(pairs)
    for i, ((text, title), got) in enumerate(zip(pairs, together, strict=True)):
        assert got == _alone(scorer, text, title), f"posting {i} differs when scored in a chunk"


def _corpus() -> list[tuple[str, str | None]]:
    pairs = []
    for path in sorted((ROOT / "corpus").glob("postings_*.jsonl")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                row = json.loads(line)
                pairs.append((row.get("text") or row.get("description") or "", row.get("title")))
    return pairs


def test_score_many_equals_score_over_the_whole_corpus(scorer) -> None:
    pairs = _corpus()
    assert len(pairs) > 100
    _same(scorer, pairs, batch_size=64)


def test_score_many_equals_score_over_real_postings(scorer, shared_dir: Path) -> None:
    files = sorted((shared_dir / "realdata").glob("*.jsonl"))
    if not files:
        pytest.skip("../shared/realdata is absent: the real postings can't be compared")
    rows = [json.loads(line) for path in files for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    sample = random.Random(12).sample(rows, min(REAL_SAMPLE, len(rows)))
    _same(scorer, [(r.get("description") or r.get("text") or "", r.get("title")) for r in sample], batch_size=37)


def test_chunks_mix_languages_errors_and_no_duty_postings(scorer) -> None:
    pairs = [
        ("Prospect new accounts by phone and close deals with store buyers each week.", "Sales Rep"),
        ("   ", None),
        ("Wir suchen dich! Deine Aufgaben:\n- Neue Kunden gewinnen\n- Angebote erstellen und verhandeln", None),
        ("Nous recherchons un commercial pour développer notre portefeuille de clients en France.", None),
        ("About us: we are a friendly company founded in 1999.", "Marketing Manager"),
        ("- Plan paid social campaigns\n- Manage the SEO budget\n- Write the newsletter", "Marketing Lead"),
    ]
    _same(scorer, pairs, batch_size=4)
    outcomes = list(scorer.score_many([t for t, _ in pairs], [t for _, t in pairs]))
    assert isinstance(outcomes[1], ScoreError) and outcomes[1].kind == "input"
    assert outcomes[3].status == "unsupported_language"


def test_when_the_chunks_language_pass_fails_each_posting_is_identified_alone(scorer, monkeypatch) -> None:
    """The chunk's languages are found in one pass; should it raise, each posting is
    identified alone, and only a posting whose own identification fails gets an error."""
    from roleclass import scorer as scorer_module

    pairs = [
        ("Prospect new accounts by phone and close deals with store buyers each week.", "Sales Rep"),
        ("Wir suchen dich! Deine Aufgaben:\n- Neue Kunden gewinnen\n- Angebote erstellen und verhandeln", None),
        ("BOOM - Plan paid social campaigns\n- Manage the SEO budget\n- Write the newsletter", "Marketing Lead"),
        ("- Plan paid social campaigns\n- Manage the SEO budget\n- Write the newsletter", "Marketing Lead"),
    ]
    expected = [_alone(scorer, text, title) for text, title in pairs]
    alone = scorer_module.detect_language

    def failing_pass(texts):
        raise RuntimeError("the chunk's language pass fell over")

    def one_bad_posting(text):
        if text.startswith("BOOM"):
            raise RuntimeError("language id fell over")
        return alone(text)

    monkeypatch.setattr(scorer_module, "detect_languages", failing_pass)
    monkeypatch.setattr(scorer_module, "detect_language", one_bad_posting)
    outcomes = list(scorer.score_many([t for t, _ in pairs], [t for _, t in pairs], batch_size=4))
    assert isinstance(outcomes[2], ScoreError) and outcomes[2].kind == "internal"
    assert outcomes[2].message == "internal error (RuntimeError): language id fell over"
    assert [o.to_json() for i, o in enumerate(outcomes) if i != 2] == [e for i, e in enumerate(expected) if i != 2]
    assert outcomes[1].language == "de" and outcomes[0].language == "en"


def test_a_posting_that_breaks_the_chunks_products_costs_only_its_own_result(scorer, monkeypatch) -> None:
    """When the chunk's shared step fails, each posting is finished alone, so the one at
    fault gets an internal error and the others their usual results."""
    from roleclass.scorer import Scorer

    pairs = [
        ("Prospect new accounts by phone and close deals with store buyers each week.", "Sales Rep"),
        ("- Plan paid social campaigns\n- Manage the SEO budget\n- Write the BOOM newsletter", "Marketing Lead"),
        ("- Plan paid social campaigns\n- Manage the SEO budget\n- Write the newsletter", "Marketing Lead"),
    ]
    expected = [_alone(scorer, text, title) for text, title in pairs]
    real = Scorer._result

    def flaky(self, cleaned, *args, **kwargs):
        if "BOOM" in cleaned:
            raise RuntimeError("the posting model fell over")
        return real(self, cleaned, *args, **kwargs)

    monkeypatch.setattr(Scorer, "_result", flaky)
    outcomes = list(scorer.score_many([t for t, _ in pairs], [t for _, t in pairs], batch_size=3))
    assert isinstance(outcomes[1], ScoreError) and outcomes[1].kind == "internal"
    assert outcomes[1].message == "internal error (RuntimeError): the posting model fell over"
    assert [outcomes[0].to_json(), outcomes[2].to_json()] == [expected[0], expected[2]]


def test_chunk_terms_are_the_duty_models_own_terms_per_statement(scorer) -> None:
    """Evidence reads each feature's strongest term from one product over the chunk; it must be
    the term ``DutyClassifier.feature_terms`` gives for that statement alone."""
    import numpy as np

    from roleclass.duties import statements
    from roleclass.features import counts, span_features
    from roleclass.scorer import classify_statements

    classifier = scorer.model.duty_classifier
    read = [statements(text, "en")[1] for text, _ in _corpus()[:12]]
    spans = [span for posting in read for span in posting]
    _, vectors, _, terms = classify_statements(classifier, read)
    assert terms is not None and vectors.shape[0] == len(spans) > 50
    for i in range(0, len(spans), 7):
        alone = classifier.feature_terms(classifier.transform([counts(span_features(spans[i], classifier.acts))])[0])
        strongest = terms.strongest(i)
        assert strongest.keys() == alone.keys()
        for name, vector in alone.items():
            k, value = strongest[name]
            assert k == int(np.argmax(vector)) and value == float(vector[k])


def test_statement_vectors_from_features_are_the_vectorizers_own(scorer) -> None:
    """``transform_features`` builds, from anchored features, and the scorer's chunk path
    (``classify_statements``, from the features read as model columns) build the exact matrix
    that ``transform`` builds from feature-count dicts (indices, order and float64 values)."""
    import numpy as np

    from roleclass.duties import statements
    from roleclass.features import counts, span_features
    from roleclass.scorer import classify_statements

    classifier = scorer.model.duty_classifier
    read = [statements(text, "en")[1] for text, _ in _corpus()[:40]]
    features: list = [span_features(span, True) for posting in read for span in posting]
    expected = classifier.transform([counts(f) for f in [[], *features]])  # a statement without a known feature too
    got = classifier.transform_features([[], *features])
    _, chunk, _, _ = classify_statements(classifier, read)
    expected_chunk = classifier.transform([counts(span_features(span, classifier.acts)) for posting in read for span in posting])
    assert got.shape == expected.shape and got.shape[0] > 200
    for matrix, reference in ((got, expected), (chunk, expected_chunk)):
        np.testing.assert_array_equal(matrix.indptr, reference.indptr)
        np.testing.assert_array_equal(matrix.indices, reference.indices)
        assert matrix.data.tobytes() == reference.data.tobytes()


def test_the_cycle_collector_is_paused_only_while_a_chunk_is_scored(scorer) -> None:
    import gc

    texts = [text for text, _ in _corpus()[:5]]
    seen = []
    for _ in scorer.score_many(texts, batch_size=2):
        seen.append(gc.isenabled())  # the caller's code between results runs with it on
    assert seen == [True] * 5 and gc.isenabled()
    gc.disable()
    try:
        list(scorer.score_many(texts, batch_size=2))
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()


def test_a_chunks_docs_are_freed_before_the_collector_resumes(scorer, monkeypatch) -> None:
    """A collection set off when the collector resumes would otherwise walk every object of the chunk."""
    import contextlib
    import weakref

    from roleclass import collector
    from roleclass import scorer as scorer_module

    docs: list[weakref.ref] = []
    alive_at_resume: list[int] = []
    read, paused = scorer_module.statements, collector.paused

    def recording(text: str, language: str = "en"):
        doc, spans = read(text, language)
        docs.append(weakref.ref(doc))
        return doc, spans

    @contextlib.contextmanager
    def checked():
        with paused():
            yield
            alive_at_resume.append(sum(ref() is not None for ref in docs))

    monkeypatch.setattr(scorer_module, "statements", recording)
    monkeypatch.setattr(scorer_module.collector, "paused", checked)
    texts = [text for text, _ in _corpus()[:6]]
    results = list(scorer.score_many(texts, batch_size=3))
    assert len(results) == 6 and len(docs) == 6
    assert alive_at_resume == [0, 0]
