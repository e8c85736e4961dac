"""Deciding phrases a recruiter can read (issue 9 item 8): no function words, bare numbers or repeats."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from roleclass import explain
from roleclass.features import STOP_WORDS, carries_meaning

REPO = Path(__file__).resolve().parents[1]
TOP = 5


def own_postings() -> list[dict]:
    rows = []
    for path in sorted((REPO / "corpus").glob("postings*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def readable(phrase: str) -> bool:
    words = phrase.casefold().split()
    return not (len(words) == 1 and words[0].strip(".,;:!?()") in STOP_WORDS) and any(ch.isalpha() for ch in phrase)


def test_numbers_years_postal_codes_and_function_words_are_not_features():
    assert not carries_meaning("1955") and not carries_meaning("38118") and not carries_meaning("650")
    assert not carries_meaning("unseren") and not carries_meaning("the")
    assert carries_meaning("kampagnen") and carries_meaning("prospects") and carries_meaning("b2b")


def test_top_phrases_of_every_own_posting_are_readable_and_distinct(scorer):
    postings = own_postings()
    assert len(postings) > 200
    for posting in postings:
        result = scorer.score(posting["text"], posting.get("title"))
        top = [e.phrase for e in result.evidence[:TOP]]
        assert all(readable(p) for p in top), (posting["id"], top)
        keys = [" ".join(p.casefold().split()) for p in top]
        assert len(keys) == len(set(keys)), (posting["id"], top)


@pytest.mark.parametrize("source", ["arbeitsagentur_de_marketing"])
def test_top_phrases_of_real_german_postings_are_readable_and_distinct(scorer, shared_dir, source):
    path = shared_dir / "realdata" / f"{source}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:150]]
    for row in rows:
        try:
            result = scorer.score(row["description"], row.get("title"))
        except Exception as exc:  # an unreadable posting is another test's business
            pytest.fail(f"{row['id']}: {exc}")
        top = [e.phrase for e in result.evidence[:TOP]]
        assert all(readable(p) for p in top), (row["id"], top)
        keys = [" ".join(p.casefold().split()) for p in top]
        assert len(keys) == len(set(keys)), (row["id"], top)


def test_evidence_is_the_same_when_only_the_shown_functions_terms_are_built(scorer):
    """``Scorer._evidence_terms`` builds terms toward the duties label's functions only; every term gives the same list."""
    from roleclass import explain
    from roleclass.features import span_features
    from roleclass.labels import FUNCTIONS_OF_DUTIES
    from roleclass.scorer import read_statements

    model = scorer.model
    compared = 0
    for posting in own_postings()[:60]:
        result = scorer.score(posting["text"], posting.get("title"))
        if result.duties is None:
            continue
        found = read_statements(model.duty_classifier, result.text, result.language, model.duty_detector)
        every = []
        for i, (span, weight) in enumerate(zip(found.spans, found.weights, strict=True)):
            if weight > 0:
                features = span_features(span, model.duty_classifier.acts)  # the features' definition
                every.extend(explain.statement_terms(features, found.strongest_terms(i), float(weight), i))
        shown = {t.function for t in every}
        assert explain.evidence(result.text, every, result.duties) == result.evidence, posting["id"]
        compared += bool(shown - set(FUNCTIONS_OF_DUTIES[result.duties]))  # terms of other functions were there
    assert compared > 20


def test_a_chunks_posting_terms_are_each_statements_own_terms_bit_for_bit(scorer):
    """``StatementTerms.posting_terms`` (arrays over a chunk, from the features read as model
    columns) gives what ``explain.statement_terms`` gives statement by statement from each
    statement's ``span_features``: the same phrases, functions and weights, in the same order."""
    from roleclass.duties import statements
    from roleclass.features import span_features
    from roleclass.labels import FUNCTIONS
    from roleclass.scorer import classify_statements

    model = scorer.model
    postings = [p for p in own_postings()[:48] if p.get("language", "en") == "en"]
    read = [statements(p["text"], "en")[1] for p in postings]
    every, _, _, terms = classify_statements(model.duty_classifier, read)
    assert terms is not None
    first, compared = 0, 0
    asked = []
    for k, (spans, features) in enumerate(zip(read, every, strict=True)):
        weights = np.linspace(-0.5, 2.0, len(spans))  # zero and negative weights drop a statement's terms
        for functions in (FUNCTIONS[: 1 + k % 3], ()):
            expected = [  # from the features' definition, statement by statement
                term
                for i, (span, weight) in enumerate(zip(spans, weights, strict=True))
                if weight > 0 and functions
                for term in explain.statement_terms(
                    span_features(span, model.duty_classifier.acts), terms.strongest(first + i), float(weight), i, functions
                )
            ]
            got = terms.posting_terms(first, features, weights, functions)
            assert got == expected
            compared += len(got)
            asked.append((first, features, weights, functions))
        first += len(spans)
    assert compared > 500
    # the chunk's postings asked together, in another order and some twice: each gets its own terms
    together = [*asked[::-1], *asked[:5]]
    assert terms.chunk_terms(together) == [terms.posting_terms(*posting) for posting in together]
