"""A plain `roleclass score` imports only what scoring needs (issue 12).

Run in a fresh interpreter: what the bare ``import spacy, sklearn.linear_model`` pulls
in (sklearn imports pandas and pyarrow when they are installed, spaCy imports tqdm) is
the floor; roleclass must add none of the batch, web, Dask or spreadsheet modules, and
none of ftfy, inscriptis and text2num for a plain ASCII posting without spelled-out counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WATCHED = (
    "pyarrow", "tqdm", "openpyxl", "dask", "distributed", "pandas", "fastapi", "starlette", "uvicorn",
    "jinja2", "inscriptis", "ftfy", "text_to_num", "roleclass.web", "roleclass.batch", "roleclass.runner",
    "roleclass.formats", "roleclass.dask", "roleclass.frames", "roleclass.report",
)
SCORE = """
import json, runpy, sys
sys.argv = ["roleclass", "score", sys.argv[1]]
try:
    runpy.run_module("roleclass", run_name="__main__")
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(m for m in sys.modules)), file=sys.stderr)
"""
BARE = "import json, sys, spacy, sklearn.linear_model; print(json.dumps(sorted(sys.modules)), file=sys.stderr)"


def _modules(code: str, *args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _watched(modules: set[str]) -> set[str]:
    return {m for m in modules for w in WATCHED if m == w or m.startswith(w + ".")}


def test_plain_score_imports_nothing_beyond_spacy_and_sklearn(tmp_path: Path) -> None:
    posting = tmp_path / "posting.txt"
    posting.write_text(
        "Marketing Director\n\nWhat you will do:\n- Prospect new accounts by phone and close deals with buyers\n"
        "- Run the weekly pipeline review with the sales team\n- Plan paid social campaigns and report on leads\n",
        encoding="utf-8",
    )
    scored = _modules(SCORE, str(posting))
    assert "roleclass.scorer" in scored  # it did score
    extra = _watched(scored) - _watched(_modules(BARE))
    assert not extra, f"a plain `roleclass score` imported {sorted(extra)}"
    assert not {"ftfy", "inscriptis", "text_to_num"} & scored
