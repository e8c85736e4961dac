"""Two versions of roleclass side by side, in one run: CPU time per slice of the same postings, paired.

    git worktree add /tmp/before COMMIT
    .venv/bin/python bench/bench_ab.py --before /tmp/before [--postings 1200] [--slice 100] [--rounds 6]

``bench_speed.py``'s ratio moves by several hundredths from one run to the next with the
machine's load, more than one change is worth. Here two worker processes stay up for the
whole run, one importing roleclass from the other checkout's ``src/`` and one from this
one's, both pinned to the same core so that they share whatever else it carries. They score
the same slices of the same seeded real postings (drawn as ``bench_speed.py`` draws them:
distinct postings) in turn, the order of the two drawn at random for each slice, after
warming up as ``bench_speed.py`` does; each reports the CPU time (``time.process_time``) its
slice took. Each round starts with both rebuilding their spaCy pipelines (untimed), so
each reads every posting as a first reading, from a fresh tokenizer cache and vocabulary,
as a catalogue of distinct postings would be read.
Prints the ratio after / before of the totals and the median of the slices' ratios (below
1: the checkout here is faster), and writes bench/results/ab.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "ab.json"
WARM_UP = 100  # postings each worker scores before the timed slices (not timed)


def worker(postings: int, size: int) -> None:
    """Score the slice whose number arrives on stdin; answer with its CPU seconds."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_speed import postings as draw
    from bench_speed import warm_pipelines

    from roleclass.scorer import Scorer

    sample, _ = draw(WARM_UP + postings)
    texts = [p["description"] for p in sample]
    titles = [p["title"] or None for p in sample]
    scorer = Scorer.load()
    list(scorer.score_many(texts[:WARM_UP], titles[:WARM_UP]))
    warm_pipelines()
    texts, titles = texts[WARM_UP:], titles[WARM_UP:]
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "fresh":  # a new round: pipelines rebuilt, so no posting is read from a cache twice
            from roleclass.duties import _pipeline

            _pipeline.cache_clear()
            warm_pipelines()
            print("ready", flush=True)
            continue
        k = int(line)
        part = slice(k * size, (k + 1) * size)
        started = time.process_time()
        for _ in scorer.score_many(texts[part], titles[part]):
            pass
        print(time.process_time() - started, flush=True)


def start(src: Path, postings: int, size: int, cpu: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(postings), str(size), str(cpu)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=src.parent)
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"the worker for {src} did not start")
    return process


def commit(checkout: Path) -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=checkout, capture_output=True, text=True, check=False)
    return found.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the other checkout (its src/ is imported)")
    parser.add_argument("--postings", type=int, default=1200)
    parser.add_argument("--slice", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0, help="draws who goes first for each slice")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--worker", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        postings, size, cpu = args.worker
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {cpu})
        worker(postings, size)
        return
    if args.before is None:
        parser.error("--before is required")
    cpu = max(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
    sides = {"before": args.before.resolve(), "after": ROOT}
    workers = {name: start(checkout / "src", args.postings, args.slice, cpu) for name, checkout in sides.items()}
    seconds: dict[str, list[float]] = {name: [] for name in sides}
    draw = random.Random(args.seed)
    load_before = os.getloadavg()[0]
    for _ in range(args.rounds):
        for process in workers.values():
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write("fresh\n")
            process.stdin.flush()
            if process.stdout.readline().strip() != "ready":
                raise SystemExit("a worker did not rebuild its pipelines")
        for k in range(args.postings // args.slice):
            order = ["before", "after"] if draw.random() < 0.5 else ["after", "before"]
            for name in order:
                process = workers[name]
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write(f"{k}\n")
                process.stdin.flush()
                seconds[name].append(float(process.stdout.readline()))
    for process in workers.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()
    before, after = sum(seconds["before"]), sum(seconds["after"])
    ratios = [a / b for a, b in zip(seconds["after"], seconds["before"], strict=True)]
    out = {
        "command": "python bench/bench_ab.py " + " ".join(sys.argv[1:]),
        "before_commit": commit(sides["before"]),
        "after_commit": commit(ROOT),
        "postings": args.postings,
        "slice": args.slice,
        "rounds": args.rounds,
        "pinned_cpu": cpu,
        "cpu_seconds_before": round(before, 3),
        "cpu_seconds_after": round(after, 3),
        "after_over_before_total": round(after / before, 4),
        "after_over_before_median_slice": round(statistics.median(ratios), 4),
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "slice_seconds": {name: [round(s, 4) for s in values] for name, values in seconds.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(
        f"{out['before_commit']} -> {out['after_commit']}: CPU {before:.2f} s -> {after:.2f} s over "
        f"{args.rounds} x {args.postings} postings; after/before {out['after_over_before_total']} "
        f"(median of {len(ratios)} slices {out['after_over_before_median_slice']})"
    )


if __name__ == "__main__":
    main()
