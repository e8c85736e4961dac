"""The CLI as a person uses it: a file, stdin, --text, --json, and one-line errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from roleclass.cli import cli


def run(*args: str, stdin: str | bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_score_a_file_prints_a_readable_verdict(tmp_path, case_posting):
    path = tmp_path / "posting.txt"
    path.write_text(case_posting, encoding="utf-8")
    result = run("score", str(path), "--title", "Marketing Director")
    assert result.exit_code == 0, result.output
    assert "Verdict: HYBRID" in result.output
    assert "MISMATCH" in result.output
    assert "[[" in result.output and "outbound calls" in result.output  # highlighted evidence without colour


def test_score_stdin_and_json(case_posting):
    result = run("score", "-", "--title", "Sales Development Representative", "--json", stdin=case_posting)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verdict"] == "sales"
    assert data["title"] == "Sales Development Representative"


def test_score_text_argument():
    result = run("score", "--json", "--text", "Plan and run paid social campaigns and manage the SEO budget for our brand.")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["duties"] == "marketing"


def test_missing_file_is_an_input_error_without_traceback(tmp_path):
    result = run("score", str(tmp_path / "nope.txt"))
    assert result.exit_code == 3
    assert "no such file" in result.output
    assert "Traceback" not in result.output


def test_directory_is_an_input_error(tmp_path):
    result = run("score", str(tmp_path))
    assert result.exit_code == 3
    assert "directory" in result.output


def test_empty_posting_is_an_input_error():
    result = run("score", "-", stdin="   ")
    assert result.exit_code == 3
    assert "empty" in result.output


def test_invalid_utf8_file_is_an_input_error(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"Sell \xff\xfe things")
    result = run("score", str(path))
    assert result.exit_code == 3
    assert "UTF-8" in result.output


def test_missing_model_is_a_model_error(tmp_path):
    result = run("score", "--text", "Close deals.", "--model", str(tmp_path / "none.joblib"))
    assert result.exit_code == 4
    assert "model file not found" in result.output


def test_python_dash_m_runs_the_same_cli():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "roleclass", "--help"], capture_output=True, text=True, check=True)
    assert "score" in out.stdout and "train" in out.stdout
