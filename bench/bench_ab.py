"""Two versions of roleclass side by side, in one run: CPU time per slice of the same postings, paired.

    git worktree add /tmp/before COMMIT
    .venv/bin/python bench/bench_ab.py --before /tmp/before [--postings 1200] [--slice 100] [--rounds 6]

``bench_speed.py``'s ratio moves by several hundredths from one run to the next with the
machine's load, more than one change is worth. Here two worker processes, one importing
roleclass from the other checkout's ``src/`` and one from this one's, both pinned to the same
core so that they share whatever else it carries, score the same slices of the same seeded
real postings (drawn as ``bench_speed.py`` draws them: distinct postings) in turn, the order
of the two drawn at random for each slice, after warming up as ``bench_speed.py`` does; each
reports the CPU time (``time.process_time``) its slice took. Each round has two new workers,
started in a drawn order with environments of the same size, and each reads every posting for
the first time, from fresh caches, as a catalogue of distinct postings is read.

Why new workers: a process's speed moves by several per cent with where its memory happens to
fall, whatever it runs. Run against itself (``--before`` this checkout), the same code read
0.958 and 0.987 with one pair of workers kept for the whole run (``ab_same_code_one_pair*.json``
in bench/results): that pair's luck would have been taken for a change, and more rounds could
not shrink it. With a new pair each round, one round's pair reads anywhere from 0.90 to 1.04
(``ab_same_code_12_rounds.json``), and the run's ratio is their average: 1.049 and 1.028 over 4
rounds, 0.977 over 12. So a change worth less than about 3% needs 12 rounds or more to show here,
and smaller ones are better timed stage by stage in one process.

Prints the ratio after / before of the totals and the median of the slices' ratios (below
1: the checkout here is faster), and writes bench/results/ab.json. ``--before`` this checkout
itself measures the noise (1.0 but for it).
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
        k = int(line)
        part = slice(k * size, (k + 1) * size)
        started = time.process_time()
        for _ in scorer.score_many(texts[part], titles[part]):
            pass
        print(time.process_time() - started, flush=True)


def start(src: Path, postings: int, size: int, cpu: int, pad: int) -> subprocess.Popen[str]:
    """A worker importing roleclass from ``src``. ``pad`` characters of an unused variable make
    both sides' environments the same size: a process's speed moves by a few per cent with where
    its stack and heap happen to fall, and the size of its environment shifts them."""
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0", "ROLECLASS_AB_PAD": "x" * pad}
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(postings), str(size), str(cpu)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=src.parent)
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"the worker for {src} did not start")
    return process


def stop(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    process.wait()


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
    width = max(len(str(checkout / "src")) for checkout in sides.values())
    seconds: dict[str, list[float]] = {name: [] for name in sides}
    draw = random.Random(args.seed)
    load_before = os.getloadavg()[0]
    for _ in range(args.rounds):
        # new workers each round, started in a drawn order: whatever a process's layout gives or
        # takes falls on each side in some rounds, not on one side all run long
        names = draw.sample(list(sides), k=len(sides))
        workers = {name: start(sides[name] / "src", args.postings, args.slice, cpu, width - len(str(sides[name] / "src"))) for name in names}
        for k in range(args.postings // args.slice):
            order = ["before", "after"] if draw.random() < 0.5 else ["after", "before"]
            for name in order:
                process = workers[name]
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write(f"{k}\n")
                process.stdin.flush()
                seconds[name].append(float(process.stdout.readline()))
        for process in workers.values():
            stop(process)
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
