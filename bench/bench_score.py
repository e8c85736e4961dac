"""Time `roleclass score`: the whole process cold, and the per-posting cost warm.

    .venv/bin/python bench/bench_score.py [--runs 5] [--postings 200]

Cold: wall time of `roleclass score examples/... --json` in a fresh process (Python
start, imports, model load and check, one posting), median of --runs. Warm: a loaded
Scorer on our own corpus postings, milliseconds per posting (median and p95).
Writes bench/results/score.json and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time

from roleclass.data import load_own_postings, repo_root
from roleclass.scorer import Scorer

EXAMPLE = "examples/marketing_director_sales_duties.txt"


def cold(runs: int) -> list[float]:
    root = repo_root()
    command = [
        sys.executable,
        "-m",
        "roleclass",
        "score",
        str(root / EXAMPLE),
        "--title",
        "Marketing Director",
        "--json",
    ]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def warm(count: int) -> list[float]:
    postings = load_own_postings(repo_root() / "corpus")
    scorer = Scorer.load()
    scorer.score(postings[0].text, postings[0].title)  # build the spaCy pipelines once
    times = []
    for i in range(count):
        posting = postings[i % len(postings)]
        start = time.perf_counter()
        scorer.score(posting.text, posting.title)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postings", type=int, default=200)
    args = parser.parse_args()
    cold_times = cold(args.runs)
    warm_times = sorted(warm(args.postings))
    result = {
        "cold_process_seconds_median": round(statistics.median(cold_times), 3),
        "cold_runs": args.runs,
        "warm_ms_per_posting_median": round(1000 * statistics.median(warm_times), 2),
        "warm_ms_per_posting_p95": round(1000 * warm_times[int(0.95 * (len(warm_times) - 1))], 2),
        "warm_postings": args.postings,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    out = repo_root() / "bench" / "results" / "score.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print("| measure | value |\n|---|---|")
    print(
        f"| `roleclass score` whole process, cold (median of {args.runs}) | {result['cold_process_seconds_median']} s |"
    )
    print(
        f"| per posting, warm (median / p95 over {args.postings}) | {result['warm_ms_per_posting_median']} ms / {result['warm_ms_per_posting_p95']} ms |"
    )


if __name__ == "__main__":
    main()
