"""Where the throughput ratio is set: the tokenizers and the statements stage, language by language.

    .venv/bin/python bench/bench_languages.py [--postings 1200]

``bench_speed.py``'s ratio divides roleclass's time by spaCy's blank English tokenizer's on the
raw text of the same postings. Here the same seeded distinct postings (as ``bench_speed.py``
draws them) are grouped by the language roleclass identifies, and for each posting, in turn:
spaCy's blank English tokenizer on the raw text (the ratio's floor), roleclass's tokenizer on
the clean text (``duties.pipeline(language).make_doc``), spaCy's blank tokenizer of that language
on the clean text, and the whole statements stage (``duties.statements``: tokenizing, sentences,
the splitter). The first 50 postings of each language are read first, untimed. Prints ms a
posting and characters a posting per language; writes bench/results/languages.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results" / "languages.json"
WARM_UP = 50  # postings of each language read first, untimed


def by_language(count: int) -> dict[str, dict[str, float]]:
    import spacy
    from bench_speed import postings, warm_pipelines

    from roleclass.clean import clean_text
    from roleclass.duties import pipeline, statements
    from roleclass.language import detect_language

    warm_pipelines()
    sample, _ = postings(count)
    read: dict[str, list[tuple[str, str]]] = {}
    for posting in sample:
        clean = clean_text(posting["description"])
        read.setdefault(detect_language(clean), []).append((posting["description"], clean))
    floor = spacy.blank("en")
    results = {}
    for language, texts in sorted(read.items()):
        if len(texts) <= WARM_UP:
            continue
        ours, blank = pipeline(language), spacy.blank(language)
        for raw, clean in texts[:WARM_UP]:
            floor.make_doc(raw)
            ours.make_doc(clean)
            blank.make_doc(clean)
        timed = texts[WARM_UP:]
        seconds = dict.fromkeys(("floor_raw", "roleclass_tokenizer", "spacy_blank_clean", "statements"), 0.0)
        for raw, clean in timed:
            started = time.perf_counter()
            floor.make_doc(raw)
            tokenized = time.perf_counter()
            ours.make_doc(clean)
            ours_done = time.perf_counter()
            blank.make_doc(clean)
            blank_done = time.perf_counter()
            statements(clean, language)
            seconds["floor_raw"] += tokenized - started
            seconds["roleclass_tokenizer"] += ours_done - tokenized
            seconds["spacy_blank_clean"] += blank_done - ours_done
            seconds["statements"] += time.perf_counter() - blank_done
        n = len(timed)
        results[language] = {
            "postings": n,
            "share": round(len(texts) / len(sample), 3),
            **{f"{name}_ms": round(value / n * 1000, 3) for name, value in seconds.items()},
            "raw_chars": round(sum(len(raw) for raw, _ in timed) / n),
            "clean_chars": round(sum(len(clean) for _, clean in timed) / n),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=1200)
    args = parser.parse_args()
    results = {"command": "python bench/bench_languages.py " + " ".join(sys.argv[1:]), "languages": by_language(args.postings)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print("| language (share) | spaCy en on raw text | roleclass tokenizer, clean | spaCy blank, clean | statements stage | chars raw / clean |")
    print("|---|---:|---:|---:|---:|---:|")
    for language, row in results["languages"].items():
        print(
            f"| {language} ({row['share']:.0%}) | {row['floor_raw_ms']} ms | {row['roleclass_tokenizer_ms']} ms | "
            f"{row['spacy_blank_clean_ms']} ms | {row['statements_ms']} ms | {row['raw_chars']:,} / {row['clean_chars']:,} |"
        )


if __name__ == "__main__":
    main()
