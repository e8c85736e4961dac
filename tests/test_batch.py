"""roleclass batch: every row out, in order; bad rows flagged; resume; formats; the CLI.

The postings are our own (tests/fixtures/batch/postings.jsonl). Most tests score in
this process (workers=1, the model loaded once); one spawns two workers to check the
output is byte-identical. Set ROLECLASS_TEST_MODEL to run them on another model file.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from roleclass import runner, writers
from roleclass.batch import OUTPUT_COLUMNS, classify_file, detect_format
from roleclass.cli import cli
from roleclass.errors import EXIT_INPUT, EXIT_ROWS_FAILED, InputError
from roleclass.labels import VERDICTS

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
MODEL = os.environ.get("ROLECLASS_TEST_MODEL")
RUN = {"scorer_path": MODEL, "trust": bool(MODEL), "workers": 1, "progress": False}
MODEL_ARGS = ["--model", MODEL, "--trust-model"] if MODEL else []


def postings() -> list[dict[str, str]]:
    with (FIXTURES / "postings.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def write_table(path: Path, rows: list[dict[str, str]], fmt: str | None = None) -> Path:
    fmt = fmt or detect_format(path)
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif fmt == "parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, list(rows[0]), delimiter="\t" if fmt == "tsv" else ",")
            writer.writeheader()
            writer.writerows(rows)
    return path
def interrupt_at_chunk(monkeypatch: pytest.MonkeyPatch, n: int) -> Callable[..., list]:
    """Make the n-th scored chunk raise KeyboardInterrupt, as Ctrl-C would mid-run; returns the real scorer."""
    real = runner.score_chunk
    calls = {"n": 0}

    def interrupted(jobs: list, suggest: bool = False) -> list:
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt
        return real(jobs, suggest)

    monkeypatch.setattr(runner, "score_chunk", interrupted)
    return real




def read_table(path: Path) -> list[dict]:
    fmt = detect_format(path)
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t" if fmt == "tsv" else ","))


@pytest.fixture(scope="module")
def clean_csv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """The fixture postings as CSV and the bytes of one clean single-worker run."""
    folder = tmp_path_factory.mktemp("clean")
    source = write_table(folder / "postings.csv", postings())
    out = folder / "out.csv"
    classify_file(source, out, **RUN)
    return source, out.read_bytes()


def test_every_row_comes_out_in_order_with_its_columns(clean_csv: tuple[Path, bytes]) -> None:
    rows = list(csv.DictReader(io.StringIO(clean_csv[1].decode("utf-8"))))
    expected = postings()
    assert [r["id"] for r in rows] == [p["id"] for p in expected]
    assert list(rows[0]) == ["id", "title", "description", *OUTPUT_COLUMNS]
    assert [r["description"] for r in rows] == [p["description"] for p in expected]
    by_id = {r["id"]: r for r in rows}
    assert all(r["error"] == "" for r in rows)
    assert by_id["mkt-dir-cold"]["verdict"] == "hybrid"
    assert by_id["mkt-dir-cold"]["mismatch"] == "true"
    assert by_id["mkt-dir-cold"]["title_claim"] == "marketing"
    assert by_id["fr-1"]["verdict"] == ""  # French: no verdict, and not an error either
    for row in rows:
        if row["verdict"]:
            assert row["verdict"] in VERDICTS
            probabilities = [float(row[f"prob_{v}"]) for v in VERDICTS]
            assert abs(sum(probabilities) - 1) < 1e-3
            assert float(row["confidence"]) == float(row[f"prob_{row['verdict']}"])
            evidence = json.loads(row["evidence"])
            assert isinstance(evidence, list)
            assert all({"phrase", "start", "end", "function", "weight"} <= set(e) for e in evidence)


def test_one_and_two_workers_write_the_same_bytes(clean_csv: tuple[Path, bytes], tmp_path: Path) -> None:
    source, one_worker = clean_csv
    out = tmp_path / "two.csv"
    summary = classify_file(source, out, **{**RUN, "workers": 2}, chunk_size=3)
    assert summary.workers == 2
    assert out.read_bytes() == one_worker


BAD_CSV = (
    "id,title,description\r\n"
    'good-1,Account Executive,"Run the full sales cycle, negotiate contracts and close new business against a quota."\r\n'
    "empty-1,Marketing Manager,\r\n"
    "blank-1,Marketing Manager,   \r\n"
    "ragged-1,Sales Manager,Lead the sales team,and an extra field\r\n"
    'quote-1,Sales Rep,"Cold call prospects and never close this quote\r\n'
    "good-2,Social Media Coordinator,Plan and publish daily content on Instagram and run paid social campaigns.\r\n"
    "short-1,Only two fields\r\n"
)


def test_bad_rows_get_an_error_and_the_run_goes_on(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    data = BAD_CSV.encode("utf-8")
    latin = "bytes-1,Vendedor,Negociaci\xf3n con clientes y cierre de ventas en su territorio\r\n".encode(
        "latin-1"
    )
    source.write_bytes(b"\xef\xbb\xbf" + data + latin)  # a BOM, CRLF, and one row that is not UTF-8
    out = tmp_path / "out.csv"
    summary = classify_file(source, out, **RUN)
    rows = read_table(out)
    assert next(iter(rows[0])) == "id"  # the BOM is not part of the first column's name
    assert [r["id"] for r in rows] == [
        "good-1", "empty-1", "blank-1", "ragged-1", "quote-1", "good-2", "short-1", "bytes-1"
    ]  # fmt: skip
    errors = {r["id"]: r["error"] for r in rows}
    assert errors["good-1"] == errors["good-2"] == ""
    assert "empty" in errors["empty-1"] and "empty" in errors["blank-1"]
    assert "ragged row: 4 fields" in errors["ragged-1"]
    assert "malformed CSV record" in errors["quote-1"]
    assert "ragged row: 2 fields" in errors["short-1"]
    assert "undecodable" in errors["bytes-1"]
    for row in rows:
        assert (row["verdict"] == "") == bool(row["error"])
        if row["error"]:
            assert all(row[c] == "" for c in OUTPUT_COLUMNS if c != "error")
    assert rows[0]["verdict"] == "sales"
    assert rows[5]["verdict"] == "marketing"
    assert summary.rows == 8 and summary.errors == 6
    assert summary.failed[0][0] == 2  # row numbers count data rows from 1


def test_crlf_inside_quoted_text_is_kept(tmp_path: Path) -> None:
    text = postings()[0]["description"].replace("\n", "\r\n")
    source = tmp_path / "crlf.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(
            [["id", "title", "description"], ["a", "Marketing Director", text]]
        )
    out = tmp_path / "out.jsonl"
    classify_file(source, out, **RUN)
    (row,) = read_table(out)
    assert row["description"] == text
    assert row["verdict"] == "hybrid" and row["error"] is None


def test_bad_json_lines_get_an_error(tmp_path: Path) -> None:
    good = postings()[2]
    lines = [
        json.dumps(good),
        '{"id": "broken", "description": "Cold call prospects',
        "",  # a blank line is not a row
        '["a", "list"]',
        json.dumps({"id": "no-text", "title": "Sales Rep"}),
        json.dumps({**good, "id": "last"}),
    ]
    latin = '{"id": "latin", "description": "Negociaci\xf3n y cierre de ventas"}'.encode("latin-1")
    source = tmp_path / "in.jsonl"
    source.write_bytes("\n".join(lines).encode("utf-8") + b"\n" + latin + b"\n")
    out = tmp_path / "out.jsonl"
    summary = classify_file(source, out, **RUN)
    rows = read_table(out)
    assert len(rows) == 6 and summary.errors == 4
    assert rows[0]["id"] == good["id"] and rows[0]["verdict"] == "sales"
    assert "malformed JSON at line 2" in rows[1]["error"] and rows[1]["verdict"] is None
    assert "not an object" in rows[2]["error"]
    assert rows[3]["id"] == "no-text" and "no value in the text column 'description'" in rows[3]["error"]
    assert rows[4]["id"] == "last" and rows[4]["error"] is None
    assert rows[5]["id"] == "latin" and "undecodable" in rows[5]["error"]  # the row keeps its columns


def test_a_field_too_large_is_a_row_error(tmp_path: Path) -> None:
    rows = [postings()[0], {"id": "huge", "title": "Sales Rep", "description": "Call prospects. " * 70_000}]
    source = write_table(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    summary = classify_file(source, out, **RUN)
    result = read_table(out)
    assert [r["id"] for r in result] == ["mkt-dir-cold", "huge"]
    assert "limit" in result[1]["error"] and result[1]["verdict"] == ""
    assert summary.errors == 1


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "parquet"])
def test_each_format_round_trips(fmt: str, tmp_path: Path, clean_csv: tuple[Path, bytes]) -> None:
    source = write_table(tmp_path / f"in.{fmt}", postings())
    out = tmp_path / f"out.{fmt}"
    classify_file(source, out, **RUN)
    rows = read_table(out)
    reference = list(csv.DictReader(io.StringIO(clean_csv[1].decode("utf-8"))))
    assert [r["id"] for r in rows] == [p["id"] for p in postings()]
    assert [r["description"] for r in rows] == [p["description"] for p in postings()]
    assert [r["verdict"] or "" for r in rows] == [r["verdict"] for r in reference]
    if fmt in ("jsonl", "parquet"):  # typed: a list of evidence structs, a real boolean
        assert isinstance(rows[0]["evidence"], list) and rows[0]["evidence"][0]["phrase"]
        assert rows[0]["mismatch"] is True and isinstance(rows[0]["confidence"], float)
    else:
        assert json.loads(rows[0]["evidence"])[0]["phrase"]


def test_csv_in_parquet_out_and_named_columns(tmp_path: Path) -> None:
    rows = [
        {"ref": p["id"], "job": p["title"], "body": p["description"], "verdict": "gold"}
        for p in postings()[:3]
    ]
    source = write_table(tmp_path / "in.csv", rows)
    out = tmp_path / "out.parquet"
    classify_file(source, out, text_col="body", title_col="job", id_col="ref", **RUN)
    table = pq.read_table(out)
    assert table.column_names[:4] == [
        "ref",
        "job",
        "body",
        "input_verdict",
    ]  # a clashing input column is kept
    assert table.column("input_verdict").to_pylist() == ["gold"] * 3
    assert table.column("verdict").to_pylist()[0] == "hybrid"
    struct = table.schema.field("evidence").type.value_type
    assert [struct.field(k).name for k in range(struct.num_fields)] == [
        "phrase", "start", "end", "function", "weight", "input_start", "input_end", "input_exact"
    ]  # fmt: skip
    assert table.schema.field("review").type == pa.bool_()


def test_resume_after_an_interruption_gives_the_clean_file(
    clean_csv: tuple[Path, bytes], tmp_path: Path
) -> None:
    source, clean = clean_csv
    out = tmp_path / "out.csv"
    cut = clean.index(b"sdr-1") + 300  # torn inside the third row's quoted description
    out.write_bytes(clean[:cut])
    record = "out.csv.roleclass-run.json"  # what the clean run was: the same input and options
    (tmp_path / record).write_bytes((source.parent / record).read_bytes())
    summary = classify_file(source, out, resume=True, **RUN)
    assert out.read_bytes() == clean
    assert summary.resumed == 2 and summary.rows == len(postings()) - 2
    # resuming a finished file adds nothing; a torn header starts afresh
    assert classify_file(source, out, resume=True, **RUN).rows == 0
    assert out.read_bytes() == clean
    out.write_bytes(clean[:5])
    classify_file(source, out, resume=True, **RUN)
    assert out.read_bytes() == clean


def test_resume_jsonl_cuts_a_torn_line(tmp_path: Path) -> None:
    source = write_table(tmp_path / "in.jsonl", postings()[:4])
    clean = tmp_path / "clean.jsonl"
    classify_file(source, clean, **RUN)
    lines = clean.read_bytes().splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"".join(lines[:2]) + lines[2][:40])
    (tmp_path / "out.jsonl.roleclass-run.json").write_bytes(
        (tmp_path / "clean.jsonl.roleclass-run.json").read_bytes()
    )
    summary = classify_file(source, out, resume=True, **RUN)
    assert summary.resumed == 2
    assert out.read_bytes() == clean.read_bytes()


def test_resume_parquet_after_an_interruption(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writers, "PARQUET_PART_ROWS", 4)
    source = write_table(tmp_path / "in.jsonl", postings())
    clean = tmp_path / "clean.parquet"
    classify_file(source, clean, chunk_size=2, **RUN)
    out = tmp_path / "out.parquet"
    real = interrupt_at_chunk(monkeypatch, 5)
    with pytest.raises(KeyboardInterrupt):
        classify_file(source, out, chunk_size=2, **RUN)
    parts = tmp_path / "out.parquet.parts"
    assert not out.exists() and sorted(p.name for p in parts.iterdir()) == [
        "000000.parquet",
        "000001.parquet",
    ]
    monkeypatch.setattr(runner, "score_chunk", real)
    summary = classify_file(source, out, chunk_size=2, resume=True, **RUN)
    assert summary.resumed == 8 and summary.rows == 4
    assert not parts.exists()
    assert pq.read_table(out).equals(pq.read_table(clean))
    assert out.read_bytes() == clean.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file"),
        ("folder.csv", "dir", "is a directory"),
        ("postings.xls", "id,description\n1,x\n", "cannot tell the format"),
        ("postings.xlsx", "id,description\n1,x\n", "not a readable .xlsx workbook"),
        ("no_text.csv", "id,title,body\n1,Sales Rep,Cold calls\n", "no text column"),
        ("empty.csv", "", "is empty"),
        ("blank.jsonl", "\n\n", "is empty"),
        ("empty.parquet", "", "is empty"),
    ],
)
def test_whole_file_problems_raise_input_error(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    source = tmp_path / name
    if content == "dir":
        source.mkdir()
    elif content is not None:
        source.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        classify_file(source, tmp_path / "out.csv", **RUN)
    assert not (tmp_path / "out.csv").exists()


def test_an_explicit_column_must_exist(tmp_path: Path) -> None:
    source = write_table(tmp_path / "in.csv", postings()[:1])
    with pytest.raises(InputError, match="no title column 'job'"):
        classify_file(source, tmp_path / "out.csv", title_col="job", **RUN)
    with pytest.raises(InputError, match="needs --format"):
        classify_file("-", tmp_path / "out.csv", **RUN)


def test_cli_batch_stdin_to_stdout(tmp_path: Path) -> None:
    data = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in postings()[:3])
    result = CliRunner().invoke(
        cli, ["batch", "-", "-o", "-", "--format", "jsonl", "--workers", "1", *MODEL_ARGS], input=data
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in lines] == ["mkt-dir-cold", "mkt-mgr-real", "sdr-1"]
    assert "3 rows" in result.stderr and "errors 0" in result.stderr


def test_cli_batch_exit_codes(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(BAD_CSV, encoding="utf-8")
    out = tmp_path / "out.tsv"
    runner = CliRunner()
    result = runner.invoke(cli, ["batch", str(source), "-o", str(out), "--workers", "1", *MODEL_ARGS])
    assert result.exit_code == EXIT_ROWS_FAILED
    assert "errors 5" in result.stderr and "Traceback" not in result.output
    assert len(read_table(out)) == 7
    missing = runner.invoke(cli, ["batch", str(source), "-o", str(out), "--text-col", "body", *MODEL_ARGS])
    assert missing.exit_code == EXIT_INPUT
    assert missing.stderr.startswith("roleclass: error: no text column 'body'")
