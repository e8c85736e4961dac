"""Statement-level cross-validation of the duty classifier (model selection aid).

Folds are postings (a posting's quoted duties never sit in both training and test);
O*NET statements are always in training. Prints macro-F1 over sales/marketing/neither
per language for each setting tried.

    .venv/bin/python bench/duty_classifier_cv.py [--C 1 2 4] [--weight 1 3 5]
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
from sklearn.metrics import f1_score

from roleclass.data import default_shared_dir, load_labeled_postings, load_onet_tasks, repo_root
from roleclass.duty_model import DutyClassifier
from roleclass.train import statement_bag

FOLDS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--C", type=float, nargs="+", default=[2.0])
    parser.add_argument("--weight", type=float, nargs="+", default=[3.0])
    parser.add_argument("--min-count", type=int, nargs="+", default=[2])
    args = parser.parse_args()
    shared = default_shared_dir()
    onet = load_onet_tasks(shared)
    postings = load_labeled_postings(repo_root() / "corpus", shared)
    onet_bags = [statement_bag(t) for t, _ in onet]
    onet_labels = [f for _, f in onet]
    rows = [
        (p.fold_key % FOLDS, p.language, statement_bag(q, p.language), f)
        for p in postings
        for q, f in p.duty_quotes
    ]
    rows = [r for r in rows if r[2]]
    print(f"{len(rows)} quoted statements from {len(postings)} postings; {len(onet)} O*NET statements")
    for C, weight, min_count in itertools.product(args.C, args.weight, args.min_count):
        predicted = [""] * len(rows)
        for fold in range(FOLDS):
            train = [r for r in rows if r[0] != fold]
            model = DutyClassifier(C=C, min_count=min_count).fit(
                onet_bags + [r[2] for r in train],
                onet_labels + [r[3] for r in train],
                sample_weight=[1.0] * len(onet_bags) + [weight] * len(train),
            )
            test = [i for i, r in enumerate(rows) if r[0] == fold]
            for i, label in zip(test, model.predict([rows[i][2] for i in test]), strict=True):
                predicted[i] = label
        gold = np.array([r[3] for r in rows])
        pred = np.array(predicted)
        lang = np.array([r[1] for r in rows])
        parts = [f"all {f1_score(gold, pred, average='macro'):.3f}"]
        for language in ("en", "de"):
            mask = lang == language
            parts.append(
                f"{language} {f1_score(gold[mask], pred[mask], average='macro'):.3f} (n={mask.sum()})"
            )
        print(f"C={C} weight={weight} min_count={min_count}: " + ", ".join(parts))


if __name__ == "__main__":
    main()
