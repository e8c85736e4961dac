"""The shipped model is what HEAD builds, byte for byte (issue 10 item 14).

Trains from the repo's corpus and ../shared into a temporary folder (about 90 s, so marked
slow: run with `pytest -m slow`) and compares the sha256 with the shipped file's. Training is
seeded and sorted and the file format is deterministic, so a difference means the shipped
model is stale: rebuild it with `OPENBLAS_CORETYPE=SkylakeX roleclass train` and commit models/.
The training runs on the OpenBLAS kernels the shipped model was built with
(``model_card.SHIPPED_BLAS_KERNELS``): other kernels add up in another order and move the last digits.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from roleclass.model_card import SHIPPED_BLAS_KERNELS
from roleclass.model_io import default_model_path, sha256_of


def _has_avx512() -> bool:
    """Whether this CPU runs OpenBLAS's SkylakeX kernels (AVX-512), by Linux's CPU flags."""
    try:
        return " avx512f" in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


@pytest.mark.slow
def test_training_from_head_rebuilds_the_shipped_model_byte_for_byte(shared_dir, tmp_path):
    if SHIPPED_BLAS_KERNELS == "SkylakeX" and not _has_avx512():
        pytest.skip("the shipped model was built with OpenBLAS's SkylakeX kernels, which need AVX-512 (absent here)")
    out = tmp_path / "roleclass.zip"
    done = subprocess.run(
        [sys.executable, "-m", "roleclass", "train", "--shared", str(shared_dir), "-o", str(out)],
        capture_output=True, text=True, timeout=1200, env={**os.environ, "OPENBLAS_CORETYPE": SHIPPED_BLAS_KERNELS},
    )
    assert done.returncode == 0, done.stderr
    assert sha256_of(out) == sha256_of(default_model_path()), (
        f"the shipped model is not what HEAD builds: run `OPENBLAS_CORETYPE={SHIPPED_BLAS_KERNELS} roleclass train` and commit models/"
    )
