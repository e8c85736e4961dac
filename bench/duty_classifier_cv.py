"""Statement-level cross-validation of the duty classifier (model selection aid).

Folds are those of ``roleclass evaluate`` (``data.splits``: by source, or folds of
postings with near-duplicates together), so a posting's quoted duties never sit in
both training and test; O*NET statements are always in training. For each setting
(act features on/off, O*NET act vocabulary on/off) it prints per-function F1 of the
quoted duty spans, per language and overall.

    .venv/bin/python bench/duty_classifier_cv.py [--by source posting] [--C 2]
"""

from __future__ import annotations

import argparse
import itertools
import json

import numpy as np
from sklearn.metrics import f1_score

from roleclass.data import default_shared_dir, load_labeled_postings, repo_root, splits
from roleclass.duty_model import DutyClassifier
from roleclass.labels import FUNCTIONS
from roleclass.train import POSTING_STATEMENT_WEIGHT, ModelSettings, statement_bag, training_statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--by", nargs="+", default=["source", "posting"])
    parser.add_argument("--C", type=float, nargs="+", default=[2.0])
    args = parser.parse_args()
    shared = default_shared_dir()
    postings = load_labeled_postings(repo_root() / "corpus", shared)
    rows = [(n, p.language, p.source, statement_bag(q, p.language), f)
            for n, p in enumerate(postings) for q, f in p.duty_quotes]
    rows = [r for r in rows if r[3]]
    results = []
    for vocabulary in (False, True):
        onet = training_statements(shared, ModelSettings(act_vocabulary=vocabulary))
        onet_bags = [statement_bag(t) for t, _ in onet]
        onet_labels = [f for _, f in onet]
        for by, acts, C in itertools.product(args.by, (False, True), args.C):
            predicted = [""] * len(rows)
            for train_index, test_index in splits(postings, by):
                train_set, test_set = set(train_index), set(test_index)
                train = [r for r in rows if r[0] in train_set]
                model = DutyClassifier(C=C, acts=acts).fit(
                    onet_bags + [r[3] for r in train],
                    onet_labels + [r[4] for r in train],
                    sample_weight=[1.0] * len(onet_bags) + [POSTING_STATEMENT_WEIGHT] * len(train),
                )
                test = [i for i, r in enumerate(rows) if r[0] in test_set]
                for i, label in zip(test, model.predict([rows[i][3] for i in test]), strict=True):
                    predicted[i] = label
            gold, pred = np.array([r[4] for r in rows]), np.array(predicted)
            lang = np.array([r[1] for r in rows])
            real_en = np.array([r[1] == "en" and r[2] != "own" for r in rows])
            row = {"by": by, "acts": acts, "act_vocabulary": vocabulary, "C": C}
            for name, mask in (("all", np.ones(len(rows), bool)), ("en", lang == "en"), ("de", lang == "de"), ("real en", real_en)):
                f1 = f1_score(gold[mask], pred[mask], average=None, labels=list(FUNCTIONS))
                row[name] = {"n": int(mask.sum()), "macro": round(float(f1.mean()), 3),
                             **{f: round(float(v), 3) for f, v in zip(FUNCTIONS, f1, strict=True)}}
            results.append(row)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
