"""The shipped model is what HEAD builds, byte for byte (issue 10 item 14).

Trains from the repo's corpus and ../shared into a temporary folder (about 90 s, so marked
slow: run with `pytest -m slow`) and compares the sha256 with the shipped file's. Training is
seeded and sorted and the file format is deterministic, so a difference means the shipped
model is stale: rebuild it with `roleclass train` and commit models/.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from roleclass.model_io import default_model_path, sha256_of


@pytest.mark.slow
def test_training_from_head_rebuilds_the_shipped_model_byte_for_byte(shared_dir, tmp_path):
    out = tmp_path / "roleclass.zip"
    done = subprocess.run(
        [sys.executable, "-m", "roleclass", "train", "--shared", str(shared_dir), "-o", str(out)],
        capture_output=True, text=True, timeout=1200,
    )
    assert done.returncode == 0, done.stderr
    assert sha256_of(out) == sha256_of(default_model_path()), (
        "the shipped model is not what HEAD builds: run `roleclass train` and commit models/"
    )
