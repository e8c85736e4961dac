"""The token table gives what spaCy's Token objects give, read once per Doc."""

import json
from pathlib import Path

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

    texts = [*_corpus_texts(60), "Σ ΟΔΟΣ İstanbul\n\n  - 50 calls/day!!  ", "x"]
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
        assert table.ends.tolist() == [t.idx + len(t.text) for t in doc]
        assert table.skipped.tolist() == [t.is_space or t.is_punct for t in doc]
