"""Where a cold ``roleclass score`` spends its time beyond the bare imports, phase by phase.

    .venv/bin/python bench/bench_cold_phases.py --runs 5

Each run is a fresh interpreter that, like the ``score`` command, pauses the garbage
collector, imports spaCy and scikit-learn, then roleclass, then times one after the other:
loading the language identifier (``language._identifier``, in the command it loads in a
background thread meanwhile), loading the model, building the spaCy pipeline and scoring
``examples/marketing_director_sales_duties.txt``; then the interpreter's exit (from the
last line of the script until the parent sees the process end), once as Python exits by
default (with its final full garbage collection) and once after ``gc.freeze()`` as the
``roleclass`` command exits. Prints the median of each phase in seconds.
``bench/bench_speed.py --skip throughput batch memory`` measures the whole command.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "marketing_director_sales_duties.txt"

CHILD = """
import gc, json, sys, time
gc.disable()
times = {}
mark = time.perf_counter()
def lap(name):
    global mark
    now = time.perf_counter()
    times[name] = now - mark
    mark = now
import spacy, sklearn.linear_model
lap("import spacy, sklearn.linear_model")
import roleclass.cli, roleclass.scorer, roleclass.suggest
lap("import roleclass (cli, scorer, suggest)")
from roleclass.language import _identifier
_identifier()
lap("language identifier")
from roleclass.scorer import Scorer
scorer = Scorer.load()
lap("model load")
from roleclass.duties import pipeline
posting = open(sys.argv[1], encoding="utf-8").read()
pipeline("en")  # the one the posting is read with
lap("spaCy pipeline")
scorer.score(posting)
lap("score the posting")
if sys.argv[2] == "freeze":
    gc.freeze()
times["end"] = time.time()
print(json.dumps(times), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs: list[dict[str, float]] = []
    for _ in range(args.runs):
        for exit_mode in ("plain", "freeze"):  # interleaved
            done = subprocess.run([sys.executable, "-c", CHILD, str(EXAMPLE), exit_mode], capture_output=True,
                                  text=True, check=True, cwd=ROOT)
            ended = time.time()
            times = json.loads(done.stdout.strip().splitlines()[-1])
            times[f"interpreter exit ({'gc.freeze() first' if exit_mode == 'freeze' else 'default'})"] = (
                ended - times.pop("end")
            )
            runs.append(times)
    names = list(dict.fromkeys(name for run in runs for name in run))
    print(f"| phase (median of {args.runs} fresh processes) | seconds |")
    print("|---|---:|")
    for name in names:
        print(f"| {name} | {statistics.median(r[name] for r in runs if name in r):.3f} |")


if __name__ == "__main__":
    main()
