"""roleclass's tokenizer against the same tokenizer with spaCy's own searches, on the same postings.

    .venv/bin/python bench/bench_tokenizer.py [--postings 1700] [--slice 50]

``tokenizer_factory`` builds spaCy's default tokenizer with searches that try only what can
match (``exact_suffix_search``, ``screened_infix_finditer``, ``screened_match`` for the prefix
search and the URL match). This bench builds each language's pipeline twice, once as roleclass
does and once with spaCy's own compiled searches put back (everything else the same: special
cases, cache size, vocabulary), has both read the same real postings' clean text (the same
seeded draw as ``bench_speed.py``, ``WARM_UP`` first and untimed), slice by slice in alternating
order, and adds up each side's CPU time. Every Doc's tokens are compared (text, offset,
trailing space): the bench fails if one differs. Writes bench/results/tokenizer.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results" / "tokenizer.json"
WARM_UP = 100


def _with_spacys_searches(nlp: Language) -> Language:
    """The pipeline with spaCy's own compiled searches in place of roleclass's."""
    from spacy import util

    tokenizer, defaults = nlp.tokenizer, nlp.Defaults
    tokenizer.prefix_search = util.compile_prefix_regex(defaults.prefixes).search
    tokenizer.suffix_search = util.compile_suffix_regex(defaults.suffixes).search
    tokenizer.infix_finditer = util.compile_infix_regex(defaults.infixes).finditer
    tokenizer.url_match = defaults.url_match
    return nlp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=1700)
    parser.add_argument("--slice", type=int, default=50)
    args = parser.parse_args()
    from bench_speed import postings

    from roleclass import duties
    from roleclass.clean import clean_text
    from roleclass.language import detect_languages

    sample, source = postings(WARM_UP + args.postings)
    texts = [clean_text(p["description"]) for p in sample]
    languages = [code if code in duties.SUPPORTED_LANGUAGES else "en" for code in detect_languages(texts)]
    build = duties._pipeline.__wrapped__  # a new pipeline each call, not the process's cached one
    sides = {
        "roleclass": {code: build(code) for code in duties.SUPPORTED_LANGUAGES},
        "spacy_searches": {code: _with_spacys_searches(build(code)) for code in duties.SUPPORTED_LANGUAGES},
    }
    for text, code in zip(texts[:WARM_UP], languages[:WARM_UP], strict=True):
        for pipelines in sides.values():
            pipelines[code].make_doc(text)
    timed = list(zip(texts[WARM_UP:], languages[WARM_UP:], strict=True))
    seconds = dict.fromkeys(sides, 0.0)
    for k, start in enumerate(range(0, len(timed), args.slice)):
        part = timed[start : start + args.slice]
        docs = {}
        for name in sorted(sides, reverse=k % 2 == 1):  # who goes first alternates
            pipelines = sides[name]
            began = time.process_time()
            docs[name] = [pipelines[code].make_doc(text) for text, code in part]
            seconds[name] += time.process_time() - began
        for ours, theirs in zip(docs["roleclass"], docs["spacy_searches"], strict=True):
            if [(t.text, t.idx, t.whitespace_) for t in ours] != [(t.text, t.idx, t.whitespace_) for t in theirs]:
                raise SystemExit("the two tokenizers gave different tokens")
    n = len(timed)
    ms = {name: round(value / n * 1000, 3) for name, value in seconds.items()}
    out = {
        "command": "python bench/bench_tokenizer.py " + " ".join(sys.argv[1:]),
        "postings": n,
        "postings_source": source,
        "cpu_ms_per_posting": ms,
        "roleclass_over_spacy_searches": round(seconds["roleclass"] / seconds["spacy_searches"], 3),
        "tokens_equal": True,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
