"""roleclass batch never damages OUT: checks before writing, a partial file renamed at the end,
a run record that a resume must match, Parquet parts by time, clear errors for a full disk,
a torn Parquet OUT and a closed stdout."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cli_assertions import assert_one_line_error
from click.testing import CliRunner
from test_batch import MODEL, MODEL_ARGS, RUN, interrupt_at_chunk, postings, write_table

from roleclass import batch, runner, writers
from roleclass.batch import classify_file
from roleclass.cli import cli
from roleclass.errors import EXIT_INPUT, EXIT_MODEL, InputError, ModelError
from roleclass.model_io import default_model_path

EXISTING = b"id,verdict\nkeep-me,sales\n" * 100


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_table(tmp_path / "in.csv", postings()[:4])


def _model_copy(tmp_path: Path, tamper: bool) -> Path:
    model = Path(MODEL) if MODEL else default_model_path()
    copy = tmp_path / "model.joblib"
    data = bytearray(model.read_bytes())
    if tamper:
        data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    shutil.copy(model.with_name(model.name + ".sha256"), copy.with_name(copy.name + ".sha256"))
    return copy


def test_a_tampered_model_leaves_an_existing_output_untouched(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "existing.csv"
    out.write_bytes(EXISTING)
    model = _model_copy(tmp_path, tamper=True)
    result = CliRunner().invoke(
        cli, ["batch", str(source), "-o", str(out), "--model", str(model), "--workers", "1"]
    )
    assert_one_line_error(result, EXIT_MODEL, "does not match its checksum")
    assert out.read_bytes() == EXISTING
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "existing.csv",
        "in.csv",
        "model.joblib",
        "model.joblib.sha256",
    ]


def test_a_model_that_fails_to_load_leaves_the_output_untouched(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "existing.jsonl"
    out.write_bytes(EXISTING)
    model = tmp_path / "junk.zip"  # passes the checksum, is no model
    model.write_bytes(b"not a pickle at all")
    result = CliRunner().invoke(
        cli, ["batch", str(source), "-o", str(out), "--model", str(model), "--trust-model", "--workers", "1"]
    )
    assert_one_line_error(result, EXIT_MODEL, "not a roleclass model")
    assert out.read_bytes() == EXISTING
    assert not (tmp_path / "existing.jsonl.partial").exists()
    assert not (tmp_path / "existing.jsonl.roleclass-run.json").exists()  # no record of a run that failed


def test_a_failed_run_puts_back_the_record_of_the_run_that_wrote_out(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    classify_file(source, out, **RUN)
    written, record = out.read_bytes(), (tmp_path / "out.csv.roleclass-run.json").read_bytes()
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a pickle at all")
    with pytest.raises(ModelError):
        classify_file(source, out, **{**RUN, "scorer_path": junk, "trust": True})
    assert out.read_bytes() == written
    assert (tmp_path / "out.csv.roleclass-run.json").read_bytes() == record


def test_bad_options_leave_the_output_untouched(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "existing.csv"
    out.write_bytes(EXISTING)
    with pytest.raises(InputError, match="no text column 'body'"):
        classify_file(source, out, text_col="body", **RUN)
    assert out.read_bytes() == EXISTING


def test_a_missing_output_folder_is_an_error_not_created(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "x.csv"
    result = CliRunner().invoke(cli, ["batch", str(source), "-o", str(out), "--workers", "1", *MODEL_ARGS])
    assert_one_line_error(result, EXIT_INPUT, "does not exist")
    assert not (tmp_path / "no").exists()


def test_a_fresh_run_writes_a_partial_file_and_renames_it(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.csv"
    out.write_bytes(EXISTING)
    seen = []
    real = batch.CsvWriter.write

    def spy(self, records):  # OUT is untouched while the run goes on
        seen.append((out.read_bytes() == EXISTING, (tmp_path / "out.csv.partial").exists()))
        return real(self, records)

    monkeypatch.setattr(batch.CsvWriter, "write", spy)
    classify_file(source, out, **RUN)
    assert seen and all(seen_ok == (True, True) for seen_ok in seen)
    assert out.read_bytes() != EXISTING and not (tmp_path / "out.csv.partial").exists()
    assert len(out.read_text(encoding="utf-8").splitlines()) > 4


def test_resume_refuses_another_input_or_other_options(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    classify_file(source, out, **RUN)
    record = json.loads((tmp_path / "out.jsonl.roleclass-run.json").read_text(encoding="utf-8"))
    assert record["input"] == str(source.resolve()) and record["text_col"] == "description"
    assert len(record["model_sha256"]) == 64
    other = write_table(tmp_path / "other.csv", postings()[4:8])
    with pytest.raises(InputError, match=r"cannot resume: out\.jsonl was written with input file"):
        classify_file(other, out, resume=True, **RUN)
    renamed = write_table(tmp_path / "renamed.csv", [{**p, "text": p["description"]} for p in postings()[:4]])
    shutil.copy(renamed, source)  # same path, other content and columns
    with pytest.raises(InputError, match="cannot resume"):
        classify_file(source, out, resume=True, **RUN)
    with pytest.raises(InputError, match="cannot resume"):
        classify_file(source, out, resume=True, text_col="text", **RUN)
    result = CliRunner().invoke(
        cli, ["batch", str(other), "-o", str(out), "--resume", "--workers", "1", *MODEL_ARGS]
    )
    assert_one_line_error(result, EXIT_INPUT, "cannot resume", "input file")


def test_resume_without_a_record_is_refused(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_bytes(b"id,title,description\n")
    with pytest.raises(InputError, match="no run record"):
        classify_file(source, out, resume=True, **RUN)
    assert out.read_bytes() == b"id,title,description\n"


def test_resume_goes_on_from_the_partial_file_of_a_killed_run(source: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean.csv"
    classify_file(source, clean, **RUN)
    out = tmp_path / "out.csv"
    data = clean.read_bytes()
    (tmp_path / "out.csv.partial").write_bytes(data[: data.index(b"\n", 200) + 1])  # what kill -9 leaves
    shutil.copy(tmp_path / "clean.csv.roleclass-run.json", tmp_path / "out.csv.roleclass-run.json")
    summary = classify_file(source, out, resume=True, **RUN)
    assert out.read_bytes() == data and not (tmp_path / "out.csv.partial").exists()
    assert summary.resumed + summary.rows == 4


def test_parquet_parts_are_flushed_by_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writers, "PARQUET_FLUSH_SECONDS", 0.0)  # every chunk: a slow file, compressed
    source = write_table(tmp_path / "in.jsonl", postings())
    clean = tmp_path / "clean.parquet"
    classify_file(source, clean, chunk_size=2, **RUN)
    out = tmp_path / "out.parquet"
    real = interrupt_at_chunk(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        classify_file(source, out, chunk_size=2, **RUN)
    parts = sorted((tmp_path / "out.parquet.parts").glob("*.parquet"))
    assert sum(pq.ParquetFile(p).metadata.num_rows for p in parts) == 4  # kept, though under 4,096 rows
    monkeypatch.setattr(runner, "score_chunk", real)
    with pytest.raises(InputError, match=r"cannot resume: out\.parquet\.parts was written with text column"):
        classify_file(source, out, chunk_size=2, resume=True, text_col="title", **RUN)
    classify_file(source, out, chunk_size=2, resume=True, **RUN)
    assert out.read_bytes() == clean.read_bytes()  # the same row groups as a clean run
    assert pq.ParquetFile(out).num_row_groups == 1


def test_a_torn_parquet_output_is_a_clear_error_and_stays_put(tmp_path: Path) -> None:
    source = write_table(tmp_path / "in.jsonl", postings()[:3])
    out = tmp_path / "out.parquet"
    classify_file(source, out, **RUN)
    torn = out.read_bytes()[:-100]
    out.write_bytes(torn)
    with pytest.raises(InputError, match="not a complete Parquet file"):
        classify_file(source, out, resume=True, **RUN)
    assert out.read_bytes() == torn and not (tmp_path / "out.parquet.parts").exists()


def test_a_full_disk_is_exit_3(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self, records):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(batch.CsvWriter, "write", full)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["batch", str(source), "-o", str(out), "--workers", "1", *MODEL_ARGS])
    assert_one_line_error(result, EXIT_INPUT, "no space left", "out.csv")
    assert not out.exists() and not (tmp_path / "out.csv.partial").exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_writing_to_dev_full_is_exit_3(source: Path) -> None:
    result = CliRunner().invoke(
        cli, ["batch", str(source), "-o", "/dev/full", "--format", "csv", "--workers", "1", *MODEL_ARGS]
    )
    assert_one_line_error(result, EXIT_INPUT, "no space left")


def test_a_closed_stdout_is_a_quiet_end(tmp_path: Path) -> None:
    source = write_table(tmp_path / "in.jsonl", postings() * 8)
    command = [
        sys.executable,
        "-m",
        "roleclass",
        "batch",
        str(source),
        "-o",
        "-",
        "--workers",
        "1",
        *MODEL_ARGS,
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.readline()
    process.stdout.close()  # what `| head -1` does
    _, stderr = process.communicate(timeout=120)
    assert process.returncode in (0, 141), stderr.decode()
    assert b"Traceback" not in stderr and b"error" not in stderr


def test_one_worker_reads_the_input_as_it_scores_not_all_first() -> None:
    """Memory must not grow with N: the in-process path once listed every chunk before scoring."""
    from roleclass.rows import Row

    taken = []

    def rows():
        for number in range(1, 201):
            taken.append(number)
            yield Row(number, {"text": "x"}, text="- Call new prospects every day and close deals with them.")

    pool = runner.Pool(workers=1, chunk_size=4, model_path=None, trust=False)
    stream = runner.scored_chunks(rows(), pool)
    first_rows, first_results = next(stream)
    assert [r.number for r in first_rows] == [1, 2, 3, 4] and len(first_results) == 4
    assert len(taken) <= 3 * 4  # the chunk scored, the one read ahead, and one being read
    assert sum(len(chunk) for chunk, _ in stream) == 196
