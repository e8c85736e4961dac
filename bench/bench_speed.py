"""Speed of roleclass against its floor, in one process: issue 12's figures.

    .venv/bin/python bench/bench_speed.py                       # all measures, defaults below
    .venv/bin/python bench/bench_speed.py --rounds 6 --cold-runs 7 --batch-n 2000 --memory-n 10000 100000

1. Throughput ratio. The same seeded sample of real postings from ``../shared/realdata``
   (all files; our own corpus when ../shared is absent), by default every distinct
   description once (``postings``: 1,780, less 20 that both sides read first, untimed), is
   scored by ``Scorer.score_many`` (with its exact evidence) and tokenized by spaCy's blank
   English tokenizer alone (``nlp.make_doc``), in alternating rounds over the same slices so
   machine load falls on both. The ratio is roleclass's postings/s over the tokenizer's (1.0
   would be "as fast as tokenizing"). Each measure runs in one fresh process, ``--processes``
   of them one after another, and the median is reported with the range: on these machines
   the same code's ratio moves by a few hundredths from one process to the next (where a
   process's memory falls), more than between rounds within one process.
2. Batch: ``classify_file`` on ``--batch-n`` rows of those postings with 1 and all workers
   (postings/s, and per worker), each run a fresh child process (``bench_batch.timed_run``).
3. Memory: peak resident memory of one-worker ``classify_file`` runs at each ``--memory-n``.
4. Cold start: wall time of ``roleclass score examples/...txt`` against the bare
   ``python -c "import spacy, sklearn.linear_model"``, interleaved, medians of ``--cold-runs``.

Results go to bench/results/speed.json (with the load average before and after) and a
Markdown table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from roleclass.rows import SCORE_BATCH

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results" / "speed.json"
EXAMPLE = ROOT / "examples" / "marketing_director_sales_duties.txt"
SHARED = ROOT.parent / "shared" / "realdata"
SEED = 12
WARM_UP = 20  # postings both sides read before the timed rounds (pipelines and first-use tables built)


def distinct_postings() -> tuple[list[dict[str, str]], str]:
    """Every distinct posting (title, description) to draw from, and where they come from:
    the real ones when ../shared has them, else our own corpus."""
    rows: list[dict[str, str]] = []
    source = "realdata"
    for path in sorted(SHARED.glob("*.jsonl")) if SHARED.is_dir() else []:
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                row = json.loads(line)
                if row.get("description"):
                    rows.append({"title": row.get("title") or "", "description": row["description"]})
    if not rows:
        from bench_batch import corpus_postings

        rows, source = corpus_postings(), "own corpus (../shared/realdata absent)"
    return list({row["description"]: row for row in rows}.values()), source


def postings(count: int) -> tuple[list[dict[str, str]], str]:
    """``count`` postings, seeded: each distinct one once, in a seeded order, before any comes
    again (in a new order each time round).

    A posting met twice is read from whatever caches its first reading filled (the
    tokenizer's own among them), which a catalogue of distinct postings does not offer;
    drawing with replacement (as these benches did before 2026-12-02: 3,000 draws held
    some 1,450 distinct postings) flattered the side that caches more.
    """
    rows, source = distinct_postings()
    rng = random.Random(SEED)
    drawn: list[dict[str, str]] = []
    while len(drawn) < count:
        order = rows[:]
        rng.shuffle(order)
        drawn += order
    return drawn[:count], source


def timed_postings(count: int | None) -> tuple[list[dict[str, str]], list[dict[str, str]], str]:
    """The warm-up postings, the ``count`` timed ones (default: every distinct one but the
    warm-up's) and where they come from."""
    count = count or len(distinct_postings()[0]) - WARM_UP
    drawn, source = postings(WARM_UP + count)
    return drawn[:WARM_UP], drawn[WARM_UP:], source


def warm_pipelines() -> None:
    """Build every pipeline the splitter may read a posting with (one per language) before timing,
    as the tokenizer's one pipeline is: a pipeline first needed by the 900th posting is built once
    in a process, not once per so many postings."""
    from roleclass.duties import SUPPORTED_LANGUAGES, pipeline

    for language in SUPPORTED_LANGUAGES:
        pipeline(language)


def throughput(warm: list[dict[str, str]], sample: list[dict[str, str]], rounds: int, batch_size: int) -> dict[str, object]:
    """Alternating rounds of the tokenizer alone and roleclass over the same slices, after both
    read the ``warm`` postings (not timed, none of them in ``sample``)."""
    import spacy

    from roleclass.scorer import Scorer

    nlp = spacy.blank("en")
    scorer = Scorer.load()
    texts = [p["description"] for p in sample]
    titles = [p["title"] or None for p in sample]
    list(scorer.score_many([p["description"] for p in warm], [p["title"] or None for p in warm]))  # pipelines, first-use tables
    warm_pipelines()
    [nlp.make_doc(p["description"]) for p in warm]
    tokenizer_s = roleclass_s = 0.0
    errors = 0
    size = -(-len(texts) // rounds)
    for r in range(rounds):
        part = slice(r * size, (r + 1) * size)
        order = (0, 1) if r % 2 == 0 else (1, 0)  # who goes first alternates too
        for which in order:
            started = time.perf_counter()
            if which == 0:
                for text in texts[part]:
                    nlp.make_doc(text)
                tokenizer_s += time.perf_counter() - started
            else:
                errors += sum(1 for o in scorer.score_many(texts[part], titles[part], batch_size=batch_size) if not hasattr(o, "verdict"))
                roleclass_s += time.perf_counter() - started
    n = len(texts)
    return {
        "postings": n,
        "rounds": rounds,
        "batch_size": batch_size,
        "tokenizer_postings_per_s": round(n / tokenizer_s, 1),
        "roleclass_postings_per_s": round(n / roleclass_s, 1),
        "ratio_roleclass_over_tokenizer": round(tokenizer_s / roleclass_s, 3),
        "errors": errors,
    }


def cold(runs: int) -> dict[str, object]:
    python = sys.executable
    commands = {
        "bare_import": [python, "-c", "import spacy, sklearn.linear_model"],
        "roleclass_score": [python, "-m", "roleclass", "score", str(EXAMPLE)],
    }
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(runs):
        for name, command in commands.items():  # interleaved: one of each per round
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
            times[name].append(time.perf_counter() - started)
    bare, score = statistics.median(times["bare_import"]), statistics.median(times["roleclass_score"])
    return {
        "runs": runs,
        "bare_import_s_median": round(bare, 3),
        "roleclass_score_s_median": round(score, 3),
        "ratio": round(score / bare, 3),
        "all_s": {k: [round(v, 3) for v in vs] for k, vs in times.items()},
    }


def batch_runs(sample: list[dict[str, str]], counts: list[int], workers: list[int]) -> list[dict[str, object]]:
    from bench_batch import timed_run

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in counts:
            source = folder / f"postings-{n}.jsonl"
            with source.open("w", encoding="utf-8") as handle:
                for i in range(n):
                    posting = sample[i % len(sample)]
                    handle.write(json.dumps({"id": f"p{i}", **posting}) + "\n")
            for w in workers:
                run = timed_run(source, w, folder, None)
                keep = ("rows", "errors", "workers", "seconds", "postings_per_s", "postings_per_s_per_worker",
                        "postings_per_cpu_second", "peak_total_rss_mb", "peak_total_pss_mb", "memory_measure",
                        "memory_mb_by_elapsed_share")
                out.append({"n": n, **{k: run.get(k) for k in keep}})
                print(f"classify_file N={n:,} workers={w}: {run['postings_per_s']} postings/s, "
                      f"{run['peak_total_rss_mb']} MB RSS", file=sys.stderr)
    return out


def throughput_processes(processes: int, args: argparse.Namespace) -> dict[str, object]:
    """``throughput`` measured in ``processes`` fresh processes, one after another: the run of the
    median ratio, with every process's ratio beside it."""
    command = [sys.executable, str(Path(__file__).resolve()), "--throughput-child", "--rounds", str(args.rounds)]
    command += ["--batch-size", str(args.batch_size)] + (["--postings", str(args.postings)] if args.postings else [])
    runs = []
    for _ in range(processes):
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    ratios = [run["ratio_roleclass_over_tokenizer"] for run in runs]
    median_run = sorted(runs, key=lambda run: run["ratio_roleclass_over_tokenizer"])[(len(runs) - 1) // 2]
    return {**median_run, "processes": processes, "ratios_by_process": ratios, "ratio_min": min(ratios), "ratio_max": max(ratios)}


def markdown(results: dict[str, object]) -> str:
    t, c = results.get("throughput"), results.get("cold")
    lines = ["| measure | value | target |", "|---|---:|---:|"]
    if t:
        lines += [
            f"| spaCy blank tokenizer alone, postings/s (the median process) | {t['tokenizer_postings_per_s']} | |",
            f"| roleclass score_many with exact evidence, postings/s (the median process) | {t['roleclass_postings_per_s']} | |",
            f"| ratio roleclass / tokenizer ({t['postings']:,} postings, {t['rounds']} interleaved rounds), "
            f"median of {t['processes']} processes (range) "
            f"| {t['ratio_roleclass_over_tokenizer']} ({t['ratio_min']} to {t['ratio_max']}) | >= 0.5 |",
        ]
    for run in results.get("batch", []):  # type: ignore[union-attr]
        lines.append(
            f"| classify_file N={run['n']:,}, {run['workers']} worker(s): postings/s (per worker), peak RSS "
            f"| {run['postings_per_s']} ({run['postings_per_s_per_worker']}), {run['peak_total_rss_mb']} MB | < 400 MB (1 worker) |"
        )
    if c:
        lines += [
            f"| cold `roleclass score` (median of {c['runs']}) | {c['roleclass_score_s_median']} s | |",
            f"| bare `import spacy, sklearn.linear_model` (median) | {c['bare_import_s_median']} s | |",
            f"| cold ratio | {c['ratio']} | <= 1.3 |",
        ]
    if "compiled_modules" in results:
        lines.append(f"| modules run compiled (setup.py) | {len(results['compiled_modules'])} of {results['compilable_modules']} | |")  # type: ignore[arg-type]
    m = results["machine"]  # type: ignore[index]
    lines.append(f"| load average (1 min) before / after | {m['load_before']} / {m['load_after']} | |")  # type: ignore[index]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postings", type=int, help="postings timed (default: every distinct one but the warm-up's, once)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=SCORE_BATCH, help="postings per score_many chunk (its default)")
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--batch-n", type=int, nargs="*", default=[2000], help="rows for the 1/all-worker runs")
    parser.add_argument("--memory-n", type=int, nargs="*", default=[10000, 100000], help="rows for 1-worker memory runs")
    parser.add_argument("--skip", nargs="*", default=[], choices=["throughput", "batch", "memory", "cold"])
    parser.add_argument("--processes", type=int, default=5, help="fresh processes the throughput ratio is measured in")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes (default bench/results/speed.json)")
    parser.add_argument("--throughput-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    warm, sample, source = timed_postings(args.postings)
    if args.throughput_child:  # one process's measure, as JSON on the last line
        print(json.dumps(throughput(warm, sample, args.rounds, args.batch_size)))
        return
    cores = os.cpu_count() or 1
    from bench_batch import machine_facts

    results: dict[str, object] = {
        "command": "python bench/bench_speed.py " + " ".join(sys.argv[1:]),
        "machine": machine_facts("load_before"),
    }
    results["postings_source"] = source
    from roleclass.compiled import COMPILED_MODULES, compiled_modules

    # what was measured: the modules compiled by the install (setup.py), or Python (an editable install)
    results["compiled_modules"] = compiled_modules()
    results["compilable_modules"] = len(COMPILED_MODULES)
    if "throughput" not in args.skip:
        results["throughput"] = throughput_processes(args.processes, args)
    runs = []
    if "batch" not in args.skip:
        runs += batch_runs(sample, args.batch_n, sorted({1, cores}))
    if "memory" not in args.skip:
        runs += batch_runs(sample, args.memory_n, [1])
    results["batch"] = runs
    if "cold" not in args.skip:
        results["cold"] = cold(args.cold_runs)
    results["machine"]["load_after"] = round(os.getloadavg()[0], 2)  # type: ignore[index]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(markdown(results))


if __name__ == "__main__":
    main()
