"""Where a posting's scoring time goes, stage by stage, against the tokenizer alone.

    .venv/bin/python bench/bench_stages.py [--postings 1200]

Seeded real postings drawn as ``bench_speed.py`` draws them are scored by
``Scorer.score_many`` with each stage's entry point wrapped in a timer (the wrappers cost
about a microsecond a call, a few dozen calls a posting), after ``WARM_UP`` other postings
that build the pipelines and first-use tables.
A stage's time includes the stages it calls, so tokenizing is counted once, under
"tokenize", and taken out of "statements"; reading the duty model's features likewise
out of the chunk's classification, which reads them. Then spaCy's blank English tokenizer alone
reads the same raw texts. Prints milliseconds per posting, and the cycle collections that
ran while scoring (``gc.callbacks``; their time is inside the stages'), and writes
bench/results/stages.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results" / "stages.json"
WARM_UP = 100  # postings read first, by both, and not timed

SPENT: dict[str, float] = defaultdict(float)
FEATURES = "duty model: statement features"
CLASSIFY = "duty model: vectors and product, evidence terms"


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - started

    return wrapper


class CollectorClock:
    """A ``gc.callbacks`` entry: how many cycle collections ran while scoring, and for how long."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count += 1
            self.seconds += time.perf_counter() - self._started


def instrument() -> None:
    """Wrap each stage where the scorer calls it (module globals and methods)."""
    from spacy.language import Language

    from roleclass import scorer
    from roleclass.duty_detector import DutyDetector
    from roleclass.known_features import FeatureColumns

    Language.make_doc = timed("tokenize (spaCy, clean text)", Language.make_doc)
    for name, label in (
        ("clean_text", "clean (ftfy gate, HTML, lines)"),
        ("detect_language", "language id"),
        ("detect_languages", "language id"),
        ("statements", "statements (splitter, sections, counted activities)"),
        ("classify_statements", CLASSIFY),
        ("guess_title", "title found in the text"),
        ("title_claim", "title claim"),
    ):
        setattr(scorer, name, timed(label, getattr(scorer, name)))
    DutyDetector.chunk_weights = timed("duty detector: features and P(duty)", DutyDetector.chunk_weights)
    FeatureColumns.read_many = timed(FEATURES, FeatureColumns.read_many)
    scorer.Scorer._result = timed("verdict, duty spans, reason, evidence", scorer.Scorer._result)
    scorer.Scorer._evidence_terms = staticmethod(timed("verdict, duty spans, reason, evidence", scorer.Scorer._evidence_terms))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=1200)
    args = parser.parse_args()
    import spacy
    from bench_speed import postings, warm_pipelines

    from roleclass.scorer import Scorer

    sample, source = postings(WARM_UP + args.postings)
    warm, sample = sample[:WARM_UP], sample[WARM_UP:]
    texts = [p["description"] for p in sample]
    titles = [p["title"] or None for p in sample]
    scorer = Scorer.load()
    list(scorer.score_many([p["description"] for p in warm]))  # pipelines and first-use tables built
    warm_pipelines()  # every pipeline, not only those the warm-up postings needed
    instrument()
    collecting = CollectorClock()
    gc.callbacks.append(collecting)
    started = time.perf_counter()
    for _ in scorer.score_many(texts, titles):
        pass
    total = time.perf_counter() - started
    gc.callbacks.remove(collecting)
    stages = dict(SPENT)  # before the tokenizer alone runs (its make_doc is wrapped too)
    nlp = spacy.blank("en")
    for posting in warm:
        nlp.make_doc(posting["description"])
    started = time.perf_counter()
    for text in texts:
        nlp.make_doc(text)
    floor = time.perf_counter() - started
    n = len(texts)
    tokenize = stages.pop("tokenize (spaCy, clean text)")
    statements_key = "statements (splitter, sections, counted activities)"
    stages[statements_key] -= tokenize
    stages[CLASSIFY] -= stages[FEATURES]  # the features are read inside the chunk's classification
    rows = {"tokenize (spaCy, clean text)": tokenize, **stages}
    rows["everything else (chunk loop, results, posting model)"] = total - sum(rows.values())
    ms = {name: round(seconds / n * 1000, 3) for name, seconds in rows.items()}
    out = {
        "command": "python bench/bench_stages.py " + " ".join(sys.argv[1:]),
        "postings": n,
        "postings_source": source,
        "roleclass_ms_per_posting": round(total / n * 1000, 3),
        "tokenizer_alone_ms_per_posting": round(floor / n * 1000, 3),
        "ratio_roleclass_over_tokenizer": round(floor / total, 3),
        "stages_ms_per_posting": ms,
        "cycle_collections": collecting.count,
        "cycle_collection_ms_per_posting": round(collecting.seconds / n * 1000, 3),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"| stage ({n:,} postings, ms per posting) | ms |\n|---|---:|")
    for name, value in sorted(ms.items(), key=lambda item: -item[1]):
        print(f"| {name} | {value} |")
    print(f"| **roleclass, all stages** | **{out['roleclass_ms_per_posting']}** |")
    print(f"| spaCy blank tokenizer alone on the raw text | {out['tokenizer_alone_ms_per_posting']} |")
    print(f"\ncycle collections while scoring: {collecting.count}, {out['cycle_collection_ms_per_posting']} ms per posting")


if __name__ == "__main__":
    main()
