"""The one row path and the one schema: what `batch`, `classify_frame`, Dask and the web
API share (issue 11), the review flag and evidence offsets into the input (issue 10 item 9)."""

from __future__ import annotations

import json
import math
import os
import warnings
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_batch import RUN, postings, read_table, write_table

from roleclass import rows, schema
from roleclass.batch import OUTPUT_COLUMNS, classify_file
from roleclass.errors import InputError
from roleclass.result import ScoreError
from roleclass.rows import Columns, score_rows

MODEL = os.environ.get("ROLECLASS_TEST_MODEL")
DIRECTOR = postings()[0]


def _html(text: str) -> str:
    """A job-board page of a plain posting: lines as list items, & as an entity, a style block."""
    items = "".join(f"<li>{line.replace('&', '&amp;')}</li>\n" for line in text.splitlines() if line.strip())
    return f"<html><head><style>li {{ color: red }}</style></head><body><h1>Jobs</h1><ul>\n{items}</ul></body></html>"


def _mojibake(text: str) -> str:
    """UTF-8 read as Windows-1252 (what a broken export does to ’ and é)."""
    text = text.replace("'", "’").replace("your own", "your own’s rolodex — résumé")
    return text.encode("utf-8").decode("cp1252", errors="replace")


def test_added_columns_come_from_the_schema() -> None:
    assert schema.output_columns() == OUTPUT_COLUMNS
    assert OUTPUT_COLUMNS[-3:] == ("error", "review", "review_reason")
    assert {c.name: c.kind for c in schema.ADDED}["review"] == "bool"
    assert all(c.nullable for c in schema.ADDED)


def test_a_column_added_to_the_schema_is_everywhere(
    scorer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One Column in schema.ADDED (and the line that fills it) reaches CSV, Parquet, the
    pandas/Dask meta and the web API's model, with nothing else edited."""
    import pandas as pd

    monkeypatch.setattr(
        schema, "ADDED", [*schema.ADDED, schema.Column("words", "float", "words in the text")]
    )
    real = rows.result_columns
    monkeypatch.setattr(
        rows, "result_columns", lambda result, raw: {**real(result, raw), "words": float(len(raw.split()))}
    )
    source = write_table(tmp_path / "in.csv", [*postings()[:2], {"id": "e", "title": "x", "description": ""}])
    for fmt in ("csv", "parquet"):
        classify_file(source, tmp_path / f"out.{fmt}", **RUN)
    table = read_table(tmp_path / "out.csv")
    assert list(table[0])[-1] == "words"
    assert [r["words"] for r in table] == [
        str(float(len(p["description"].split()))) for p in postings()[:2]
    ] + [""]
    parquet = pq.read_table(tmp_path / "out.parquet")
    assert str(parquet.schema.field("words").type) == "double"
    assert parquet.column("words").to_pylist()[2] is None

    from roleclass.frames import frame_with_columns

    meta = frame_with_columns(
        pd.DataFrame({"description": pd.Series([], dtype=object)}), Columns("description"), None
    )
    assert meta.dtypes["words"] == "float64" and list(meta.columns)[-1] == "words"

    pytest.importorskip("fastapi", reason="the web extra is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from roleclass.web import create_app

    client = TestClient(create_app(scorer))
    item = client.get("/openapi.json").json()["components"]["schemas"]["BatchItem"]["properties"]
    assert "words" in item and "review" in item
    answer = client.post("/api/batch", json=[{"text": DIRECTOR["description"]}]).json()["results"][0]
    assert answer["words"] == len(DIRECTOR["description"].split())

    dd = pytest.importorskip("dask.dataframe", reason="Dask is optional: pip install 'roleclass[dask]'")
    from roleclass.dask import classify

    classified = classify(dd.from_pandas(pd.DataFrame(postings()[:2]), npartitions=1), title_col="title")
    assert classified.dtypes["words"] == "float64" and list(classified.columns)[-1] == "words"  # the meta


def test_review_flag_and_null_numbers_in_every_format(tmp_path: Path) -> None:
    data = [
        DIRECTOR,
        {"id": "nothing", "title": "Sales Rep", "description": "Apply now!"},  # no duties: no numbers
        {"id": "fr-1", "title": "", "description": postings()[11]["description"]},  # French, no title
    ]
    source = write_table(tmp_path / "in.jsonl", data)
    for fmt in ("jsonl", "csv", "parquet"):
        classify_file(source, tmp_path / f"out.{fmt}", **RUN)
    typed = read_table(tmp_path / "out.jsonl")
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == typed
    assert typed[1]["verdict"] == "other" and typed[1]["review"] is True and typed[1]["review_reason"]
    for column in ("confidence", "prob_sales", "sales_share"):
        assert typed[1][column] is None and typed[2][column] is None
    assert typed[2]["verdict"] is None and typed[2]["title_claim"] is None and typed[2]["error"] is None
    assert typed[0]["review"] in (True, False) and (typed[0]["review_reason"] is None) == (
        not typed[0]["review"]
    )
    text = read_table(tmp_path / "out.csv")
    assert [r["review"] for r in text] == ["true" if r["review"] else "false" for r in typed]
    assert (
        text[1]["confidence"] == text[1]["sales_share"] == ""
        and text[1]["review_reason"] == typed[1]["review_reason"]
    )


def test_evidence_offsets_index_the_input_on_html_and_mojibake_rows(tmp_path: Path) -> None:
    plain = DIRECTOR["description"]
    data = [
        {"id": "plain", "title": DIRECTOR["title"], "description": plain},
        {"id": "html", "title": DIRECTOR["title"], "description": _html(plain)},
        {"id": "mojibake", "title": DIRECTOR["title"], "description": _mojibake(plain)},
    ]
    assert "â€™" in data[2]["description"]
    source = write_table(tmp_path / "in.csv", data)
    for fmt in ("csv", "jsonl"):
        out = tmp_path / f"out.{fmt}"
        classify_file(source, out, **RUN)
        for row in read_table(out):
            evidence = json.loads(row["evidence"]) if fmt == "csv" else row["evidence"]
            description = row["description"]
            exact = [e for e in evidence if e["input_exact"]]
            assert len(exact) >= len(evidence) // 2 > 0, row["id"]
            for e in exact:  # what the README promises
                assert description[e["input_start"] : e["input_end"]] == e["phrase"]
            for e in evidence:
                assert 0 <= e["input_start"] <= e["input_end"] <= len(description)
    html = next(r for r in read_table(tmp_path / "out.jsonl") if r["id"] == "html")
    assert any(html["description"][e["start"] : e["end"]] != e["phrase"] for e in html["evidence"])


def test_every_failure_is_its_rows_error(scorer, monkeypatch: pytest.MonkeyPatch) -> None:
    from roleclass.scorer import Scorer

    real = Scorer._clean  # the first per-posting step score and score_many share

    def flaky(self, text, title=None):
        if text.startswith("BUG"):
            raise KeyError("spaCy state")
        return real(self, text, title)

    monkeypatch.setattr(Scorer, "_clean", flaky)
    values = [
        {"text": DIRECTOR["description"], "title": DIRECTOR["title"]},
        {"text": "   "},
        {"text": "BUG " + DIRECTOR["description"]},
        {"text": b"\xff\xfe not utf-8"},
        {"title": "no text at all"},
        {"text": "x" * 1_000_001},
    ]
    scored = list(score_rows(scorer, values, Columns("text", "title"), batch_size=2))
    errors = [s.added["error"] for s in scored]
    assert [s.row.number for s in scored] == [1, 2, 3, 4, 5, 6]
    assert errors[0] is None and scored[0].added["verdict"] == "hybrid" and scored[0].result is not None
    assert errors[1] == "empty text: the posting is empty"
    assert errors[2] == "internal error (KeyError): 'spaCy state'"
    assert errors[3].startswith("undecodable bytes")
    assert errors[4] == "no value in the text column 'text'"
    assert "the limit is 1,000,000" in errors[5]
    assert all(set(s.added) == set(OUTPUT_COLUMNS) for s in scored)
    assert all(s.added["verdict"] is None for s in scored[1:])


def test_a_failure_in_the_chunk_step_costs_only_its_posting(scorer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A posting that breaks the chunk's shared step (results, evidence) is found and fails alone."""
    from roleclass.scorer import Scorer

    real = Scorer._result

    def flaky(self, cleaned, *args):
        if cleaned.startswith("BUG"):
            raise KeyError("evidence state")
        return real(self, cleaned, *args)

    monkeypatch.setattr(Scorer, "_result", flaky)
    texts = [DIRECTOR["description"], "BUG " + DIRECTOR["description"], DIRECTOR["description"]]
    out = list(scorer.score_many(texts, [DIRECTOR["title"], None, None], batch_size=3))
    assert isinstance(out[1], ScoreError) and out[1].message == "internal error (KeyError): 'evidence state'"
    assert out[0].verdict == "hybrid" and out[2].title_source != "given" and out[2].duties == out[0].duties


def test_classify_frame_gives_the_batch_columns(tmp_path: Path) -> None:
    import pandas as pd

    import roleclass

    data = [*postings(), {"id": "empty", "title": "Sales Rep", "description": None}]
    frame = pd.DataFrame(data).rename(columns={"description": "body"})
    out = roleclass.classify_frame(frame, text_col="body", id_col="id", model_path=MODEL, trust=bool(MODEL))
    assert list(out.columns) == ["id", "title", "body", *OUTPUT_COLUMNS]
    assert list(frame.columns) == ["id", "title", "body"]  # the input is not changed
    assert out["confidence"].dtype == "float64" and out["verdict"].dtype == object
    source = write_table(tmp_path / "in.jsonl", postings())
    classify_file(source, tmp_path / "out.jsonl", **RUN)
    for got, want in zip(out.to_dict("records"), read_table(tmp_path / "out.jsonl"), strict=False):
        for column in OUTPUT_COLUMNS:
            value = got[column]
            assert (None if isinstance(value, float) and math.isnan(value) else value) == want[column], column
    assert out.iloc[-1]["error"] == "no value in the text column 'body'"
    with pytest.raises(InputError, match="no text column"):
        roleclass.classify_frame(pd.DataFrame({"x": ["a"]}))
