"""A library's first ``Scorer.score``: how long the first posting takes once the model is loaded.

    .venv/bin/python bench/bench_first_score.py [--runs 5]

The first call builds the scoring tables beside the models (the duty model's word table,
the detector's word-block arrays, the cue screens' layout), which makes many small
objects; a cycle collection set off meanwhile scans everything the imports and the model
left alive. ``Scorer.score`` pauses the collector as ``score_many`` does for a chunk. Each
run is a fresh process that loads the shipped model and times its first ``score`` of
``examples/marketing_director_sales_duties.txt``, once as shipped and once with the pause
made a no-op, alternately; prints the medians and writes bench/results/first_score.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "first_score.json"
CHILD = """
import contextlib, gc, json, sys, time
from roleclass import collector
if sys.argv[1] == "unpaused":
    collector.paused = contextlib.nullcontext
from roleclass.scorer import Scorer
text = open(sys.argv[2], encoding="utf-8").read()
scorer = Scorer.load()
before = gc.get_stats()[2]["collections"]
started = time.perf_counter()
scorer.score(text, "Marketing Director")
print(json.dumps({"ms": (time.perf_counter() - started) * 1000, "full_collections": gc.get_stats()[2]["collections"] - before}))
"""


def first_score(mode: str) -> dict[str, float]:
    example = ROOT / "examples" / "marketing_director_sales_duties.txt"
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(example)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"paused": [], "unpaused": []}
    for _ in range(args.runs):
        for mode in runs:
            runs[mode].append(first_score(mode))
    out = {
        "command": f"python bench/bench_first_score.py --runs {args.runs}",
        **{
            mode: {
                "median_ms": round(statistics.median(r["ms"] for r in found), 1),
                "all_ms": [round(r["ms"], 1) for r in found],
                "full_collections": [r["full_collections"] for r in found],
            }
            for mode, found in runs.items()
        },
    }
    RESULTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    for mode in runs:
        print(f"first score, collector {mode}: median {out[mode]['median_ms']} ms {out[mode]['all_ms']}, full collections {out[mode]['full_collections']}")


if __name__ == "__main__":
    main()
