"""Language id on two short windows against the whole sample: what changes, and what it saves.

    .venv/bin/python bench/language_windows.py

``language.detect_language`` reads two windows of ``WINDOW_CHARS`` (the opening, and one
at ``SECOND_WINDOW_AT``) and lets them decide when they agree; otherwise, and for short
texts, the first ``SAMPLE_CHARS`` characters decide, as before issue 12's windows. This
script cleans every description in ../shared/realdata and every posting of our corpus,
and reports how many get another language than the whole sample gives them (the change
is only worth making at 0), how many needed the whole sample, and the time of each way
per posting (alternating passes over the same texts; medians). Writes
bench/results/language_windows.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from roleclass import language
from roleclass.clean import clean_text

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "realdata"
RESULTS = ROOT / "bench" / "results" / "language_windows.json"
PASSES = 5


def texts() -> dict[str, list[str]]:
    """Clean texts by where they come from: real descriptions by file, then our corpus."""
    out: dict[str, list[str]] = {}
    for path in sorted(SHARED.glob("*.jsonl")) if SHARED.is_dir() else []:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
        out[path.name] = [clean_text(r["description"]) for r in rows if r.get("description")]
    for path in sorted((ROOT / "corpus").glob("postings_*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
        out[f"corpus/{path.name}"] = [clean_text(r["text"]) for r in rows if r.get("text")]
    return out


def whole_sample(text: str) -> str:
    """The language as read before the windows: the first ``SAMPLE_CHARS`` characters."""
    if language.too_few_letters(text):
        return "en"
    return str(language._identifier().classify(text[: language.SAMPLE_CHARS])[0])


def needs_whole_sample(text: str) -> bool:
    """Whether the windows disagree (or the text is too short for two)."""
    pair = language.windows(text)
    if pair is None:
        return True
    first, second = language._identifier().classify_many(list(pair))
    return first[0] != second[0]


def per_posting_ms(function: Callable[[str], str], every: list[str]) -> float:
    started = time.perf_counter()
    for text in every:
        function(text)
    return (time.perf_counter() - started) / len(every) * 1000


def main() -> None:
    by_source = texts()
    every = [t for group in by_source.values() for t in group]
    if not every:
        sys.exit("no postings found")
    report: dict[str, object] = {"sources": {}}
    changed_total = 0
    for source, group in by_source.items():
        changed = [
            (i, whole, windowed)
            for i, text in enumerate(group)
            if (whole := whole_sample(text)) != (windowed := language.detect_language(text))
        ]
        changed_total += len(changed)
        report["sources"][source] = {  # type: ignore[index]
            "postings": len(group),
            "language_changed": len(changed),
            "changed": changed[:10],
            "whole_sample_read": sum(map(needs_whole_sample, group)),
        }
    timings: dict[str, list[float]] = {"whole sample": [], "windows": []}
    for _ in range(PASSES):
        timings["whole sample"].append(per_posting_ms(whole_sample, every))
        timings["windows"].append(per_posting_ms(language.detect_language, every))
    report["ms_per_posting"] = {k: round(statistics.median(v), 4) for k, v in timings.items()}
    report["postings"] = len(every)
    report["language_changed"] = changed_total
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("| source | postings | language changed | whole sample read |\n|---|---:|---:|---:|")
    for source, row in report["sources"].items():  # type: ignore[attr-defined]
        print(f"| {source} | {row['postings']} | {row['language_changed']} | {row['whole_sample_read']} |")
    print(f"\nlanguage changed: {changed_total} of {len(every)}")
    for name, ms in report["ms_per_posting"].items():  # type: ignore[attr-defined]
        print(f"{name}: {ms:.3f} ms a posting (median of {PASSES} passes)")


if __name__ == "__main__":
    main()
