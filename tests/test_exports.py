"""Real exports and what users see: ';'-separated and latin-1 CSV, .xlsx, reports safe to open
in a spreadsheet, `mismatches` over a finished batch output, suggested titles in `score` and
on the page, and the smaller CLI contracts (usage errors, -v, summaries after --resume)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from cli_assertions import assert_one_line_error
from click.testing import CliRunner
from test_batch import MODEL_ARGS, RUN, postings, read_table, write_table

from roleclass import batch, readers, runner
from roleclass.batch import classify_file, mismatch_report
from roleclass.cli import cli
from roleclass.errors import EXIT_INPUT, EXIT_USAGE

FIXTURES = Path(__file__).parent / "fixtures" / "batch"
GERMAN = [
    {
        "id": "de-1",
        "title": "Vertriebsmitarbeiter",
        "description": "Kaltakquise am Telefon; Verträge abschließen.",
    },
    {
        "id": "de-2",
        "title": "Marketing Manager",
        "description": "Kampagnen planen, Budgets für Werbung führen.",
    },
]


def _german_csv(path: Path, encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, ["id", "title", "description"], delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(GERMAN)
    return path


# -- item 12: exports ------------------------------------------------------------------------
def test_a_semicolon_export_is_sniffed(tmp_path: Path) -> None:
    source = _german_csv(tmp_path / "export.csv", "utf-8")
    out = tmp_path / "out.csv"
    summary = classify_file(source, out, **RUN)
    rows = read_table(out)
    assert [r["id"] for r in rows] == ["de-1", "de-2"]
    assert rows[0]["description"] == GERMAN[0]["description"]  # the ';' inside the text stays in it
    assert summary.errors == 0 and all(r["error"] == "" for r in rows)
    record = json.loads((tmp_path / "out.csv.roleclass-run.json").read_text(encoding="utf-8"))
    assert record["delimiter"] == ";"


def test_an_explicit_encoding_reads_every_latin1_row(tmp_path: Path) -> None:
    source = _german_csv(tmp_path / "export.csv", "cp1252")
    out = tmp_path / "out.jsonl"
    without = classify_file(source, out, **RUN)
    assert without.errors == 2  # UTF-8 by default: each row says it is not UTF-8
    with_encoding = classify_file(source, out, encoding="cp1252", **RUN)
    assert with_encoding.errors == 0
    rows = read_table(out)
    assert rows[0]["description"] == GERMAN[0]["description"] and rows[0]["verdict"]


def test_an_explicit_delimiter_and_bad_options(tmp_path: Path) -> None:
    source = tmp_path / "pipes.txt"
    source.write_text(
        "id|description\n1|Cold call prospects, book meetings, close deals.\n", encoding="utf-8"
    )
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        cli,
        [
            "batch",
            str(source),
            "-o",
            str(out),
            "--format",
            "csv",
            "--delimiter",
            "|",
            "--workers",
            "1",
            *MODEL_ARGS,
        ],
    )
    assert result.exit_code == 0, result.output
    assert read_table(out)[0]["description"].startswith("Cold call prospects, book")
    bad = CliRunner().invoke(
        cli, ["batch", str(source), "-o", str(out), "--format", "csv", "--encoding", "klingon"]
    )
    assert_one_line_error(bad, EXIT_INPUT, "unknown --encoding")


def test_xlsx_is_read_streaming(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "title", "description"])
    sheet.append(
        [101, "Account Executive", "Run the full sales cycle and close new business against a quota."]
    )
    sheet.append([None, None, None])  # a blank row is not a row
    sheet.append([102, '=HYPERLINK("http://x")', "Plan and publish social media content and paid campaigns."])
    source = tmp_path / "export.xlsx"
    book.save(source)
    out = tmp_path / "out.csv"
    summary = classify_file(source, out, **RUN)
    rows = read_table(out)
    assert [r["id"] for r in rows] == ["101", "102"]
    assert rows[0]["verdict"] and summary.errors == 0
    with pytest.raises(batch.InputError, match="xlsx is read, not written"):
        classify_file(out, tmp_path / "out.xlsx", **RUN)


# -- item 8: formula injection ----------------------------------------------------------------
HOSTILE = [
    {
        "id": '=HYPERLINK("http://evil","x")',
        "title": "Marketing Director <img src=x onerror=alert(1)> [click](http://evil)",
        "description": postings()[0]["description"],
    }
]


@pytest.fixture(scope="module")
def hostile_scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    source = write_table(folder / "in.jsonl", HOSTILE)
    out = folder / "scored.jsonl"
    classify_file(source, out, **RUN)
    assert read_table(out)[0]["mismatch"] is True
    return out


def test_report_csv_cells_cannot_run_as_formulas(hostile_scored: Path, tmp_path: Path) -> None:
    for fmt in ("csv", "tsv"):
        report = tmp_path / f"report.{fmt}"
        mismatch_report(hostile_scored, report, **RUN)
        with report.open(encoding="utf-8", newline="") as handle:
            row = next(csv.DictReader(handle, delimiter="\t" if fmt == "tsv" else ","))
        assert row["id"] == "'" + HOSTILE[0]["id"]
        assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())


def test_markdown_report_escapes_html_and_markup(hostile_scored: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    mismatch_report(hostile_scored, report, **RUN)
    text = report.read_text(encoding="utf-8")
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "\\[click\\](http://evil)" in text


def test_jsonl_and_parquet_reports_stay_exact(hostile_scored: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    report = tmp_path / "report.jsonl"
    mismatch_report(hostile_scored, report, **RUN)
    entry = json.loads(report.read_text(encoding="utf-8").splitlines()[0])
    assert (entry["id"], entry["title"]) == (HOSTILE[0]["id"], HOSTILE[0]["title"])
    mismatch_report(hostile_scored, tmp_path / "report.parquet", **RUN)
    assert pq.read_table(tmp_path / "report.parquet").to_pylist()[0]["id"] == HOSTILE[0]["id"]


# -- item 13: mismatches over a batch output, suggested titles ---------------------------------
def test_mismatches_reads_a_batch_output_without_scoring_all_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = FIXTURES / "postings.jsonl"
    direct_summary, direct = mismatch_report(source, tmp_path / "direct.jsonl", **RUN)
    scored = tmp_path / "scored.csv"
    classify_file(source, scored, **RUN)
    calls = []
    real = runner.scored_chunks

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "scored_chunks", counting)
    summary, entries = mismatch_report(scored, tmp_path / "from_batch.jsonl", **RUN)
    assert not calls  # nothing scored in chunks: only the mismatched rows, for their suggestion
    assert [e["id"] for e in entries] == [e["id"] for e in direct]
    assert [e["suggested_title"] for e in entries] == [e["suggested_title"] for e in direct]
    assert [e["phrases"] for e in entries] == [e["phrases"] for e in direct]
    assert [round(e["confidence"], 9) for e in entries] == [round(e["confidence"], 9) for e in direct]
    assert summary.rows == direct_summary.rows and summary.verdicts == direct_summary.verdicts


def test_score_prints_the_suggested_title(tmp_path: Path, case_posting: str) -> None:
    posting = tmp_path / "posting.txt"
    posting.write_text(case_posting, encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", str(posting), "--title", "Marketing Director", *MODEL_ARGS])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if line.startswith("Suggested title: "))
    assert "sales" in line.lower() or "account" in line.lower()


def test_the_page_shows_the_suggested_title(scorer, case_posting: str) -> None:
    pytest.importorskip("fastapi", reason="the web extra is not installed")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from roleclass.web import create_app

    page = TestClient(create_app(scorer)).post(
        "/", data={"text": case_posting, "title": "Marketing Director"}
    )
    assert page.status_code == 200
    assert 'id="suggested-title"' in page.text


# -- item 15: smaller contracts -----------------------------------------------------------------
def test_score_file_and_text_together_is_a_usage_error(tmp_path: Path) -> None:
    posting = tmp_path / "p.txt"
    posting.write_text("Cold call prospects.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", str(posting), "--text", "Plan campaigns."])
    assert_one_line_error(result, EXIT_USAGE, "not both")


def test_click_usage_errors_are_one_line() -> None:
    result = CliRunner().invoke(cli, ["batch", "--no-such-option"])
    assert_one_line_error(result, EXIT_USAGE, "--no-such-option")
    result = CliRunner().invoke(cli, ["batch", "in.csv"])
    assert_one_line_error(result, EXIT_USAGE, "--output")
    bare = CliRunner().invoke(cli, [])  # no command: the help, as click gives it
    assert bare.exit_code in (0, EXIT_USAGE) and "Commands:" in bare.output


def test_verbose_logs_what_a_run_does(tmp_path: Path) -> None:
    source = write_table(tmp_path / "in.csv", postings()[:2])
    quiet = CliRunner().invoke(
        cli, ["batch", str(source), "-o", str(tmp_path / "q.csv"), "--workers", "1", *MODEL_ARGS]
    )
    loud = CliRunner().invoke(
        cli, ["-v", "batch", str(source), "-o", str(tmp_path / "v.csv"), "--workers", "1", *MODEL_ARGS]
    )
    assert loud.exit_code == quiet.exit_code == 0
    assert "roleclass: INFO:" not in quiet.stderr
    info = [line for line in loud.stderr.splitlines() if line.startswith("roleclass: INFO:")]
    assert any("columns" in line for line in info) and any("model" in line for line in info)
    debug = CliRunner().invoke(
        cli, ["-vv", "batch", str(source), "-o", str(tmp_path / "d.csv"), "--workers", "1", *MODEL_ARGS]
    )
    assert any(line.startswith("roleclass: DEBUG:") for line in debug.stderr.splitlines())


def test_summary_after_resume_counts_every_row(tmp_path: Path) -> None:
    source = write_table(tmp_path / "in.csv", postings())
    clean = tmp_path / "clean.csv"
    full = classify_file(source, clean, **RUN)
    out = tmp_path / "out.csv"
    data = clean.read_bytes()
    out.write_bytes(data[: data.index(b"\nsdr-1") + 1])
    shutil.copy(tmp_path / "clean.csv.roleclass-run.json", tmp_path / "out.csv.roleclass-run.json")
    resumed = classify_file(source, out, resume=True, **RUN)
    assert resumed.resumed == 2 and resumed.total == full.rows
    assert resumed.verdicts == full.verdicts and resumed.mismatches == full.mismatches
    assert f"all {full.rows:,} rows" in resumed.to_text()


def test_mismatches_options(tmp_path: Path) -> None:
    source = FIXTURES / "postings.jsonl"
    runner = CliRunner()
    out = tmp_path / "report.txt"
    result = runner.invoke(
        cli,
        ["mismatches", str(source), "-o", str(out), "--format", "md", "--chunk-size", "3", "--no-progress",
         "--workers", "1", *MODEL_ARGS],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("| row | id |")
    report = tmp_path / "report.csv"
    args = ["mismatches", str(source), "-o", str(report), "--resume", "--workers", "1", *MODEL_ARGS]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "mkt-dir-cold" in report.read_text(encoding="utf-8")
    assert not (tmp_path / "report.csv.scored.jsonl").exists()  # removed once the report is written


def test_a_record_over_the_limit_keeps_its_id_and_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_RECORD_CHARS", 5_000)
    huge = {"id": "huge-1", "title": "Sales Rep", "description": "Call prospects. " * 1_000}
    for fmt in ("csv", "jsonl"):
        source = write_table(tmp_path / f"in.{fmt}", [postings()[0], huge])
        out = tmp_path / f"out-{fmt}.csv"
        classify_file(source, out, **RUN)
        rows = read_table(out)
        assert [r["id"] for r in rows] == ["mkt-dir-cold", "huge-1"]
        assert rows[1]["title"] == "Sales Rep" and "field too large" in rows[1]["error"]
        assert rows[1]["description"] == ""  # not a cut-off piece of it
