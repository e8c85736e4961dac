"""Benchmark `roleclass batch`: postings/s with 1 and all workers, peak memory, and LIME's cost.

    .venv/bin/python bench/bench_batch.py                 # quick: N=1,000
    .venv/bin/python bench/bench_batch.py --n 10000 100000
    .venv/bin/python bench/bench_batch.py --n 10000 --lime-n 3 --profile

Postings are generated from our own corpus (corpus/postings*.jsonl): posting i is
corpus posting i mod M with its bullet lines shuffled within each list, one bullet
sometimes dropped and counts changed, all seeded by i, so every run sees the same
text. Each (N, workers) run is a fresh `classify_file` in a child process; memory is
the peak resident set of that process plus its workers (sampled with psutil when it
is installed, else the larger of getrusage's self and children peaks). LIME
(lime.lime_text, seeded, default 5,000 samples) explains a few postings by
re-scoring perturbed copies with the same scorer: the reference cost that roleclass's
exact per-phrase evidence (part of every score) avoids. Results go to
bench/results/batch.json and a Markdown table is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import multiprocessing
import os
import platform
import pstats
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "batch.json"
_COUNT = re.compile(r"\b(\d{1,3})\b")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")


def corpus_postings() -> list[dict[str, str]]:
    rows = []
    for path in sorted((ROOT / "corpus").glob("postings*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return [{"title": r.get("title", ""), "description": r["text"]} for r in rows if r.get("text")]


def vary(text: str, rng: random.Random) -> str:
    """Shuffle each run of bullet lines, sometimes drop one, and change some counts."""
    lines, out, block = text.split("\n"), [], []

    def flush() -> None:
        if len(block) > 3 and rng.random() < 0.3:
            block.pop(rng.randrange(len(block)))
        rng.shuffle(block)
        out.extend(block)
        block.clear()

    for line in lines:
        if _BULLET.match(line):
            block.append(line)
        else:
            flush()
            out.append(line)
    flush()
    varied = "\n".join(out)
    return _COUNT.sub(
        lambda m: str(max(1, int(m.group(1)) + rng.randint(-2, 5))) if rng.random() < 0.5 else m.group(1),
        varied,
    )


def generate(n: int, path: Path) -> Path:
    """N postings as JSON Lines (id, title, description), deterministic in N."""
    base = corpus_postings()
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            rng = random.Random(i)
            source = base[i % len(base)]
            row = {
                "id": f"bench-{i:06d}",
                "title": source["title"],
                "description": vary(source["description"], rng),
            }
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


# -- one timed run, in a child process ---------------------------------------------------
def _tree_memory(process: object, cpu: dict[int, float]) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) over a process and its children; PSS counts shared pages once.
    Also records each process's CPU seconds so far in ``cpu`` (by pid)."""
    import psutil

    rss = pss = 0
    for p in [process, *process.children(recursive=True)]:  # type: ignore[attr-defined]
        with contextlib.suppress(psutil.Error):
            info = p.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
            times = p.cpu_times()
            cpu[p.pid] = max(cpu.get(p.pid, 0.0), times.user + times.system)
    return rss, pss


def child_run(source: str, workers: int, out: str, model: str | None) -> dict[str, object]:
    """Run classify_file once here and report rows/s and peak memory (parent + workers)."""
    from roleclass.batch import classify_file

    peak = {"rss": 0, "pss": 0}
    timeline: list[tuple[float, int]] = []
    cpu: dict[int, float] = {}
    started = time.perf_counter()
    stop = threading.Event()
    try:
        import psutil

        me = psutil.Process()

        def sample() -> None:
            while not stop.is_set():
                rss, pss = _tree_memory(me, cpu)
                peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
                timeline.append((time.perf_counter() - started, pss or rss))
                stop.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    except ImportError:
        sampler = None
    summary = classify_file(
        source, out, workers=workers, progress=False, scorer_path=model, trust=bool(model)
    )
    seconds = time.perf_counter() - started
    stop.set()
    if sampler is not None:
        sampler.join()
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {
        "rows": summary.rows,
        "errors": summary.errors,
        "workers": summary.workers,
        "seconds": round(seconds, 2),
        "postings_per_s": round(summary.rows / seconds, 1),
        "postings_per_s_per_worker": round(summary.rows / seconds / summary.workers, 1),
        "cpu_seconds": round(sum(cpu.values()), 1) if cpu else None,
        "postings_per_cpu_second": round(summary.rows / sum(cpu.values()), 1) if cpu else None,
        "peak_main_mb": round(self_peak / 2**20, 1),
        "peak_worker_mb": round(child_peak / 2**20, 1),
        "peak_total_rss_mb": round((peak["rss"] or self_peak + child_peak * summary.workers) / 2**20, 1),
        "peak_total_pss_mb": round(peak["pss"] / 2**20, 1) if peak["pss"] else None,
        "memory_mb_by_elapsed_share": _timeline(timeline, seconds),
        "memory_measure": "psutil process-tree sample every 0.5 s" if sampler is not None else "getrusage",
        "verdicts": summary.verdicts,
        "mismatches": summary.mismatches,
    }


def _timeline(samples: list[tuple[float, int]], seconds: float) -> dict[str, float]:
    """Memory (PSS, else RSS) at 25/50/75/100% of the run: flat in N means flat along a run."""
    out = {}
    for share in (0.25, 0.5, 0.75, 1.0):
        seen = [m for t, m in samples if t <= share * seconds]
        if seen:
            out[f"{int(share * 100)}%"] = round(max(seen) / 2**20, 1)
    return out


def machine_facts(load_key: str) -> dict[str, object]:
    """Cores, Python, platform and the 1-minute load average now (under ``load_key``): what a figure depends on."""
    return {
        "cores": os.cpu_count() or 1,
        "python": platform.python_version(),
        "platform": platform.platform(),
        load_key: round(os.getloadavg()[0], 2),
    }


def timed_run(source: Path, workers: int, folder: Path, model: str | None) -> dict[str, object]:
    out = folder / f"out-{workers}.csv"
    command = [
        sys.executable,
        __file__,
        "--child",
        str(source),
        str(workers),
        str(out),
        *([model] if model else []),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"benchmark run failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["output_sha256_prefix"] = _sha(out)
    result["load_average_1m_after"] = round(os.getloadavg()[0], 2)  # other work on the machine skews timings
    out.unlink()
    return result


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


# -- LIME, the reference for what exact explanations save --------------------------------
def lime_cost(postings: list[dict[str, str]], seed: int, model: str | None) -> dict[str, object]:
    from lime.lime_text import LimeTextExplainer

    from roleclass.errors import RoleclassError
    from roleclass.labels import VERDICTS
    from roleclass.scorer import Scorer

    scorer = Scorer.load(model, trust=bool(model))
    scorer.score(postings[0]["description"], postings[0]["title"])  # warm: spaCy builds its pipeline once
    exact = []
    for posting in postings:
        started = time.perf_counter()
        scorer.score(posting["description"], posting["title"])
        exact.append(time.perf_counter() - started)
    explainer = LimeTextExplainer(class_names=list(VERDICTS), random_state=seed)
    seconds, calls = [], []
    for posting in postings:
        title = posting["title"]
        count = {"n": 0}

        def predict(texts: list[str], title: str = title, count: dict = count) -> object:
            import numpy as np

            out = np.full((len(texts), len(VERDICTS)), 1 / len(VERDICTS))
            for i, text in enumerate(texts):
                count["n"] += 1
                try:
                    probabilities = scorer.score(text, title).probabilities
                except RoleclassError:
                    continue
                out[i] = [probabilities[v] for v in VERDICTS]
            return out

        started = time.perf_counter()
        explainer.explain_instance(posting["description"], predict, num_features=10, top_labels=1)
        seconds.append(time.perf_counter() - started)
        calls.append(count["n"])
    mean_lime = sum(seconds) / len(seconds)
    mean_exact = sum(exact) / len(exact)
    return {
        "postings": len(postings),
        "num_samples": 5000,
        "seed": seed,
        "lime_seconds_per_posting": round(mean_lime, 2),
        "model_calls_per_posting": round(sum(calls) / len(calls)),
        "exact_seconds_per_posting": round(mean_exact, 4),
        "lime_over_exact": round(mean_lime / mean_exact),
    }


# -- where the time goes -----------------------------------------------------------------
STAGES = {
    "clean (ftfy, inscriptis)": ("clean.py", "clean_text"),
    "language (py3langid)": ("language.py", "detect_language"),
    "statements (spaCy + splitter)": ("duties.py", "statements"),
    "features (as model columns)": ("known_features.py", "read_many"),
    "duty model (features, TF-IDF + LR, terms)": ("scorer.py", "classify_statements"),
    "posting model (calibrated LR)": ("posting_model.py", "predict_proba"),
    "evidence terms (a chunk's)": ("scorer.py", "_evidence_terms"),
    "evidence phrases": ("explain.py", "evidence"),
    "reason + duty spans": ("scorer.py", "_duty_spans"),
    "score (total)": ("scorer.py", "score"),
}


def profile(postings: list[dict[str, str]], model: str | None) -> dict[str, object]:
    """Milliseconds per posting in each stage (cumulative, cProfile on, so slower overall)."""
    from roleclass.scorer import Scorer

    scorer = Scorer.load(model, trust=bool(model))
    for posting in postings[:5]:
        scorer.score(posting["description"], posting["title"])
    profiler = cProfile.Profile()
    profiler.enable()
    for posting in postings:
        scorer.score(posting["description"], posting["title"])
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    out = {}
    for stage, (filename, function) in STAGES.items():
        total = sum(v[3] for (f, _, name), v in stats.items() if f.endswith(filename) and name == function)
        out[stage] = round(1000 * total / len(postings), 2)
    top = sorted(stats.items(), key=lambda kv: -kv[1][2])[:8]  # by own time
    out["top_own_time"] = [
        f"{Path(f).name}:{name} {1000 * v[2] / len(postings):.2f} ms" for (f, _, name), v in top
    ]
    return out


# -- the report --------------------------------------------------------------------------
def markdown(results: dict[str, object]) -> str:
    lines = [
        "| N | workers | postings/s (wall) | per worker | per CPU-second | peak RSS, main (MB) "
        "| peak RSS, all processes (MB) | peak PSS, all processes (MB) | seconds |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in results["runs"]:  # type: ignore[union-attr]
        lines.append(
            f"| {run['n']:,} | {run['workers']} | {run['postings_per_s']:,} | {run['postings_per_s_per_worker']:,} "
            f"| {run.get('postings_per_cpu_second')} | {run['peak_main_mb']:,} | {run['peak_total_rss_mb']:,} | {run['peak_total_pss_mb']} | {run['seconds']:,} |"
        )
    lime = results.get("lime")
    if lime:
        lines += [
            "",
            "| explanation | seconds per posting | model calls |",
            "|---|---:|---:|",
            f"| roleclass exact evidence (whole score) | {lime['exact_seconds_per_posting']} | 1 |",
            f"| LIME, {lime['num_samples']:,} samples, seed {lime['seed']} | {lime['lime_seconds_per_posting']} "
            f"| {lime['model_calls_per_posting']:,} |",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, nargs="+", default=[1000], help="posting counts to run (default: 1000)"
    )
    parser.add_argument(
        "--workers", type=int, nargs="+", default=None, help="worker counts (default: 1 and all cores)"
    )
    parser.add_argument("--lime-n", type=int, default=2, help="postings to explain with LIME (0 to skip)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N postings by stage")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", help="a model file other than the shipped one (trusted)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        model = args.child[3] if len(args.child) > 3 else None
        print(json.dumps(child_run(args.child[0], int(args.child[1]), args.child[2], model)))
        return
    cores = os.cpu_count() or 1
    worker_counts = args.workers or sorted({1, cores})
    results: dict[str, object] = {
        "command": "python bench/bench_batch.py " + " ".join(sys.argv[1:]),
        "machine": machine_facts("load_average_1m_at_start"),
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="roleclass-bench-") as tmp:
        folder = Path(tmp)
        for n in args.n:
            source = generate(n, folder / f"postings-{n}.jsonl")
            hashes = set()
            for workers in worker_counts:
                run = {"n": n, **timed_run(source, workers, folder, args.model)}
                hashes.add(run["output_sha256_prefix"])
                results["runs"].append(run)  # type: ignore[union-attr]
                print(
                    f"N={n:,} workers={workers}: {run['postings_per_s']} postings/s, {run['peak_total_pss_mb']} MB PSS",
                    flush=True,
                )
            results.setdefault("identical_output_across_workers", {})[str(n)] = len(hashes) == 1  # type: ignore[index]
            source.unlink()
        sample = [
            {"title": p["title"], "description": vary(p["description"], random.Random(i))}
            for i, p in enumerate(
                corpus_postings()[:: max(1, len(corpus_postings()) // max(1, args.lime_n))][: args.lime_n]
            )
        ]
        if args.lime_n:
            results["lime"] = lime_cost(sample, args.seed, args.model)
        if args.profile:
            base = corpus_postings()
            results["profile_ms_per_posting"] = profile(
                [base[i % len(base)] for i in range(args.profile)], args.model
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(markdown(results))
    if "profile_ms_per_posting" in results:
        print(json.dumps(results["profile_ms_per_posting"], indent=2))


if __name__ == "__main__":
    multiprocessing.freeze_support()
    main()
