"""Duty detection per source: the learned detector against today's section-weight rule.

Every statement roleclass cuts from a labeled posting is a duty (1) when at least half
of its letters lie in a labeler's duty span, else not (0). Cross-validation holds out
one source at a time (leave-one-source-out), so each figure is for a job board the
detector never saw. The rule counts a statement as a duty when its section weight is
>= 0.6 (duties or unheaded body text) and it is not boilerplate.

"Mass on duties" is what the duty shares are made of: the share of a source's total
statement weight that sits on gold duty statements, under the section weights of
today and under P(duty)^power x base weight (power 1 and 2).

    .venv/bin/python bench/duty_detector_cv.py [--C 0.25 0.5 1]
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

from roleclass.data import default_shared_dir, load_labeled_postings, repo_root
from roleclass.duty_detector import DUTY_THRESHOLD, DutyDetector, posting_examples
from roleclass.sections import section_weight

POWERS = (1.0, 2.0)


def prf(gold: list[int], predicted: list[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    fp = sum((not g) and p for g, p in zip(gold, predicted, strict=True))
    fn = sum(g and not p for g, p in zip(gold, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--C", type=float, nargs="+", default=[0.5])
    args = parser.parse_args()
    postings = load_labeled_postings(repo_root() / "corpus", default_shared_dir())
    by_source: dict[str, list] = defaultdict(list)
    for posting in postings:
        by_source[posting.source].append(posting_examples(posting.text, tuple(q for q, _ in posting.duty_quotes)))
    sources = sorted(by_source)
    total = sum(len(e.labels) for examples in by_source.values() for e in examples)
    print(f"{total} statements from {len(postings)} postings; folds: leave one source out")
    for C in args.C:
        print(f"\nC={C}  (P/R/F1 of duty detection; detector threshold {DUTY_THRESHOLD})")
        print(f"{'source':28s} {'n':>6s} {'duties':>6s}   {'detector P':>10s} {'R':>5s} {'F1':>5s}   {'rule P':>6s} {'R':>5s} {'F1':>5s}"
              f"  {'Brier':>5s}   mass on duties: rule  P^1   P^2")
        pooled: dict[str, tuple[list, ...]] = {k: ([], [], [], [], [], []) for k in ("all real", "all")}
        for source in sources:
            train = [e for s in sources if s != source for e in by_source[s]]
            detector = DutyDetector(C=C).fit([r for e in train for r in e.rows], [y for e in train for y in e.labels])
            test = by_source[source]
            gold = [y for e in test for y in e.labels]
            p = detector.predict_proba([r for e in test for r in e.rows])[:, 1]
            learned = [bool(v >= DUTY_THRESHOLD) for v in p]
            rule = [r for e in test for r in e.rule]
            base = [b for e in test for b in e.base]
            sections = [section_weight(s) for e in test for s in e.sections]
            row = (gold, learned, rule, list(p), base, sections)
            _line(source, *row)
            for key in ("all real", "all") if source != "own" else ("all",):
                for pooled_list, values in zip(pooled[key], row, strict=True):
                    pooled_list.extend(values)
        for key, row in pooled.items():
            _line(key, *row)


def _line(name: str, gold: list, learned: list, rule: list, p: list, base: list, sections: list) -> None:
    dp, dr, df = prf(gold, learned)
    rp, rr, rf = prf(gold, rule)
    y, pr, b = np.asarray(gold, dtype=float), np.asarray(p), np.asarray(base)
    brier = float(np.mean((pr - y) ** 2))
    masses = [np.asarray(sections) * b] + [np.power(pr, k) * b for k in POWERS]
    shares = " ".join(f"{(m @ y) / m.sum() if m.sum() else 0.0:5.3f}" for m in masses)
    print(f"{name:28s} {len(gold):6d} {sum(gold):6d}   {dp:10.3f} {dr:5.3f} {df:5.3f}   {rp:6.3f} {rr:5.3f} {rf:5.3f}"
          f"  {brier:5.3f}                  {shares}")


if __name__ == "__main__":
    main()
