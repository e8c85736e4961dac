"""Is the shipped model what HEAD builds, and does training give the same bytes twice? (issue 10 item 14)

    .venv/bin/python bench/reproduce_model.py [--runs 2]

Runs `roleclass train -o TMP/roleclass.zip` --runs times, each in a fresh process (so with
a different PYTHONHASHSEED: set iteration order must not matter) on the OpenBLAS kernels the
shipped model was built with (``OPENBLAS_CORETYPE``, ``model_card.SHIPPED_BLAS_KERNELS``: AVX-512), and prints each sha256
next to the shipped model's. Exit 0 when every run gives the shipped file's bytes, 1 when
the runs agree with each other but not with the shipped file (retrain and commit it), 2
when the runs disagree (training is nondeterministic: a bug). Needs ../shared.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from roleclass.model_card import SHIPPED_BLAS_KERNELS
from roleclass.model_io import default_model_path, sha256_of


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    shipped = sha256_of(default_model_path())
    digests = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            out = Path(folder) / f"run{run}" / "roleclass.zip"
            env = {**os.environ, "PYTHONHASHSEED": str(run + 1), "OPENBLAS_CORETYPE": SHIPPED_BLAS_KERNELS}
            subprocess.run([sys.executable, "-m", "roleclass", "train", "-o", str(out)], check=True, env=env)
            digests.append(sha256_of(out))
            print(f"run {run + 1} (PYTHONHASHSEED={run + 1}): {digests[-1]}")
    print(f"shipped {default_model_path()}: {shipped}")
    if len(set(digests)) > 1:
        print("training is NOT deterministic")
        return 2
    if digests[0] != shipped:
        print("training is deterministic, but the shipped model is not what HEAD builds: run `roleclass train` and commit")
        return 1
    print("the shipped model is exactly what HEAD builds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
