"""What the act features cost: time to build a statement's features with and without them.

    .venv/bin/python bench/bench_act_features.py [--repeat 5]

Reads our own corpus postings' statements once, then times ``span_features(span, acts)``
over all of them, alternating the two settings, and prints microseconds per statement
(median over repeats). The shipped model does not read act features (measured neutral:
bench/duty_classifier_cv.py), so scoring pays nothing for them.
"""

from __future__ import annotations

import argparse
import statistics
import time

from roleclass.clean import clean_text
from roleclass.data import load_own_postings, repo_root
from roleclass.duties import statements
from roleclass.features import span_features


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    spans = [span for p in load_own_postings(repo_root() / "corpus") for span in statements(clean_text(p.text), p.language)[1]]
    timings: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.repeat):
        for acts in (False, True):
            start = time.perf_counter()
            for span in spans:
                span_features(span, acts)
            timings[acts].append((time.perf_counter() - start) / len(spans) * 1e6)
    without, with_acts = statistics.median(timings[False]), statistics.median(timings[True])
    print(f"{len(spans)} statements: features without acts {without:.1f} us, with acts {with_acts:.1f} us "
          f"per statement (+{100 * (with_acts / without - 1):.0f}%)")


if __name__ == "__main__":
    main()
