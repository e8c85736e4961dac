"""The token table gives what spaCy's Token objects give, read once per Doc."""

import json
from pathlib import Path

from spacy.strings import get_string_id

from roleclass.duties import statements


def _corpus_texts(limit: int) -> list[str]:
    texts: list[str] = []
    for path in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("postings*.jsonl")):
        for row in map(json.loads, filter(str.strip, path.read_text(encoding="utf-8").split("\n"))):
            if row.get("text"):
                texts.append(row["text"])
    return texts[:limit]


def test_the_table_holds_each_tokens_text_offset_flags_and_lower_case() -> None:
    from roleclass.tokens import token_table

    texts = [*_corpus_texts(60), "Σ ΟΔΟΣ İstanbul\n\n  - 50 calls/day!!  ", "x", "5", "", "   ", "\n\n"]
    for text in texts:
        doc, _ = statements(text, "en")
        table = token_table(doc)
        assert table.text == [t.text for t in doc]
        assert table.idx == [t.idx for t in doc]
        assert table.lower == [t.text.lower() for t in doc]
        for flags, name in ((table.alpha, "is_alpha"), (table.punct, "is_punct"), (table.space, "is_space")):
            assert flags == [getattr(t, name) for t in doc]
            assert all(type(flag) is bool for flag in flags)  # Python bools, as the Token attributes
        assert table.starts.tolist() == table.idx
        assert table.ends.tolist() == table.end == [t.idx + len(t.text) for t in doc]
        assert table.skipped.tolist() == [t.is_space or t.is_punct for t in doc]
        assert table.lower_hash == [get_string_id(t.text.lower()) for t in doc]
        assert [table.token_lower(i) for i in range(len(doc))] == table.lower


def test_the_strings_are_made_on_first_use_only() -> None:
    """Scoring reads tokens by offset and hash; the text and lower-case lists wait for a reader."""
    from roleclass.tokens import token_table

    doc, _ = statements("Make 50 outbound calls a day.\n- Own the pipeline.", "en")
    table = token_table(doc)
    assert "text" not in vars(table) and "lower" not in vars(table)  # nothing read them while splitting
    assert table.text[:3] == ["Make", "50", "outbound"] and "text" in vars(table)


def test_a_vocabulary_that_lower_cases_its_own_way_still_gets_hashes_of_str_lower() -> None:
    """``lower_hash`` is the hash of ``str.lower()`` of each token, whatever the Doc's vocabulary calls LOWER."""
    import spacy
    from spacy.attrs import LOWER

    from roleclass.tokens import token_table

    nlp = spacy.blank("en")
    nlp.vocab.lex_attr_getters[LOWER] = str.upper
    doc = nlp.make_doc("Sell MORE Widgets")
    assert doc.to_array(LOWER).tolist() != [get_string_id(w) for w in ("sell", "more", "widgets")]
    assert token_table(doc).lower_hash == [get_string_id(w) for w in ("sell", "more", "widgets")]
