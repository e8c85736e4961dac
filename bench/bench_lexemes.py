"""What a word new to the vocabulary costs, with spaCy's lexical attributes and with roleclass's.

    .venv/bin/python bench/bench_lexemes.py [--words 30000] [--postings 1200]

spaCy works out 22 attributes for every word its vocabulary has not seen (shape, prefix,
suffix, norm, stop word, number, URL and e-mail likeness, flags), each a Python call;
roleclass's pipelines (``duties.pipeline``) keep the four its token table reads and the
language. Part 1 makes ``--words`` seeded random words (new to both vocabularies) into
lexemes in alternating halves and prints microseconds a word. Part 2 reads distinct real
postings (as ``bench_speed.py`` draws them) through a fresh roleclass pipeline and counts the
words each one adds to its vocabulary (the pipelines start afresh every ``REFRESH_DOCS``
postings, so a long stream keeps adding them). Writes bench/results/lexemes.json.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results" / "lexemes.json"


def lexeme_costs(count: int) -> dict[str, float]:
    import spacy

    from roleclass.duties import _pipeline

    rng = random.Random(7)
    words = ["".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(3, 12))) for _ in range(2 * count)]
    vocabularies = {"spacy_default": spacy.blank("en").vocab, "roleclass": _pipeline("en").vocab}
    seconds = dict.fromkeys(vocabularies, 0.0)
    halves = [words[i::4] for i in range(4)]  # each side gets two quarters, alternating
    for k, part in enumerate(halves):
        name = list(vocabularies)[k % 2]
        started = time.perf_counter()
        for word in part:
            vocabularies[name][word]
        seconds[name] += time.perf_counter() - started
    return {name: round(s / (2 * len(halves[0])) * 1e6, 2) for name, s in seconds.items()}


def new_words_per_posting(postings: int) -> dict[str, float]:
    from bench_speed import postings as draw

    from roleclass.clean import clean_text
    from roleclass.duties import _pipeline

    _pipeline.cache_clear()
    nlp = _pipeline("en")
    start = len(nlp.vocab)
    sample, _ = draw(postings)
    for posting in sample:
        nlp.make_doc(clean_text(posting["description"]))
    return {"postings": len(sample), "new_words_per_posting": round((len(nlp.vocab) - start) / len(sample), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=30000)
    parser.add_argument("--postings", type=int, default=1200)
    args = parser.parse_args()
    costs = lexeme_costs(args.words)
    stream = new_words_per_posting(args.postings)
    out = {"command": "python bench/bench_lexemes.py " + " ".join(sys.argv[1:]), "us_per_new_word": costs, **stream}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
