"""How probable must contradicting duties be before roleclass flags a title mismatch?

    .venv/bin/python bench/mismatch_threshold.py [--by source] [--jobs 2]

Cross-validation as `roleclass evaluate` runs it (folds by source, inner stacking grouped
the same way): each fold's model scores its held-out postings once per candidate
``Scorer.min_mismatch_probability``; prints verdict macro-F1, accuracy and mismatch
precision/recall/F1 per slice for each, and writes bench/results/mismatch_threshold.json.
"""

from __future__ import annotations

import argparse
import json

from joblib import Parallel, delayed

from roleclass.data import default_shared_dir, load_labeled_postings, repo_root, splits
from roleclass.evaluation.metrics import binary_f1, macro_f1, per_class, slices
from roleclass.scorer import Scorer
from roleclass.train import ModelSettings, fit_model, training_statements

THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)


def fold(onet, train, test, settings):
    scorer = Scorer(fit_model(onet, train, settings), "cross-validation")
    out = {}
    for threshold in THRESHOLDS:
        scorer.min_mismatch_probability = threshold
        rows = []
        for posting, result in zip(test, scorer.score_many([p.text for p in test], [p.title for p in test]), strict=True):
            verdict = getattr(result, "verdict", None) or "none"
            rows.append((posting.id, verdict, bool(getattr(result, "mismatch", False))))
        out[threshold] = rows
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--by", default="source", choices=["source", "posting"])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    shared = default_shared_dir()
    postings = load_labeled_postings(repo_root() / "corpus", shared)
    settings = ModelSettings(stacking=args.by)
    onet = training_statements(shared, settings)
    jobs = [([postings[i] for i in tr], [postings[i] for i in te]) for tr, te in splits(postings, args.by, 5)]
    folds = Parallel(n_jobs=args.jobs)(delayed(fold)(onet, tr, te, settings) for tr, te in jobs)
    by_id = {p.id: p for p in postings}
    table = {}
    for threshold in THRESHOLDS:
        rows = [row for f in folds for row in f[threshold]]
        for name, keep in slices().items():
            chosen = [(by_id[i], v, m) for i, v, m in rows if keep(by_id[i])]
            if not chosen:
                continue
            gold, pred = [p.verdict for p, _, _ in chosen], [v for _, v, _ in chosen]
            mismatch = binary_f1([p.mismatch for p, _, _ in chosen], [m for _, _, m in chosen])
            table.setdefault(name, {})[str(threshold)] = {
                "n": len(chosen),
                "macro_f1": round(macro_f1(per_class(gold, pred)), 3),
                "accuracy": round(sum(g == q for g, q in zip(gold, pred, strict=True)) / len(gold), 3),
                "mismatch": {k: round(v, 3) for k, v in mismatch.items()},
            }
    out = repo_root() / "bench" / "results" / f"mismatch_threshold_{args.by}.json"
    out.write_text(json.dumps({"by": args.by, "table": table}, indent=1, sort_keys=True), encoding="utf-8")
    print("| slice | min P(mismatch) | n | macro-F1 | accuracy | mismatch P | R | F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rows in table.items():
        for threshold, r in rows.items():
            m = r["mismatch"]
            print(f"| {name} | {threshold} | {r['n']} | {r['macro_f1']:.3f} | {r['accuracy']:.3f} | "
                  f"{m.get('precision', 0):.3f} | {m.get('recall', 0):.3f} | {m.get('f1', 0):.3f} |")


if __name__ == "__main__":
    main()
