"""Cross-validated figures for model variants, side by side (the model-selection record).

Runs ``roleclass evaluate``'s cross-validation (without the ERASER faithfulness measures)
for each variant and prints, per slice, macro-F1, mismatch P/R/F1, ECE and duty-statement
F1 per function, with the supervised TF-IDF + LR baseline from the same folds.
Variants: ``before`` (the model before issue 9: bag of words, title prior, stacking by
posting), ``before-no-prior``, ``acts``/``acts+vocab`` (each without the title prior), ``shipped`` (O*NET act vocabulary, no acts, no prior)
and ``shipped+prior`` (the shipped settings with the title prior).

    .venv/bin/python bench/model_variants_cv.py --by source posting --variants before shipped
"""

from __future__ import annotations

import argparse
import json
import time

from roleclass.data import default_shared_dir, load_labeled_postings, repo_root
from roleclass.evaluation.baselines import SUPERVISED
from roleclass.evaluation.crossval import cross_validation
from roleclass.evaluation.metrics import report
from roleclass.train import ModelSettings

VARIANTS = {
    "before": ModelSettings(title_prior=True, acts=False, act_vocabulary=False),
    "before-no-prior": ModelSettings(title_prior=False, acts=False, act_vocabulary=False),
    "acts": ModelSettings(title_prior=False, acts=True, act_vocabulary=False),
    "acts+vocab": ModelSettings(title_prior=False, acts=True, act_vocabulary=True),
    "shipped": ModelSettings(),
    "shipped+prior": ModelSettings(title_prior=True),
}
SLICES = ("real English", "real German", "own postings", "all")


def line(name: str, m: dict) -> str:
    calib = m["calibration"]["ece"]
    duty = m.get("duty_statements")
    duty_part = " ".join(f"{f}={r['f1']:.3f}" for f, r in duty["per_function"].items()) if duty else "-"
    mm = m["mismatch"]
    return (f"| {name} | {m['n']} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} | {mm['precision']:.2f}/{mm['recall']:.2f}/{mm['f1']:.3f} | "
            f"{'-' if calib is None else f'{calib:.3f}'} | {duty_part} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--by", nargs="+", default=["source", "posting"])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default="bench/results/model_variants.json")
    args = parser.parse_args()
    shared = default_shared_dir()
    postings = load_labeled_postings(repo_root() / "corpus", shared)
    out = {}
    for by in args.by:
        for variant in args.variants:
            start = time.perf_counter()
            systems = cross_validation(postings, shared, n_jobs=args.jobs, by=by, faithful=False, settings=VARIANTS[variant])
            figures = report(systems)
            out[f"{by}/{variant}"] = figures
            print(f"\n## CV by {by}, variant {variant} ({time.perf_counter() - start:.0f} s)\n")
            print("| system | n | macro-F1 | accuracy | mismatch P/R/F1 | ECE | duty-statement F1 |\n|---|---|---|---|---|---|---|")
            for slice_name in SLICES:
                print(line(f"{slice_name}: roleclass", figures[slice_name]["roleclass"]))
                print(line(f"{slice_name}: {SUPERVISED}", figures[slice_name][SUPERVISED]))
            path = repo_root() / args.out
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(out, indent=1, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main()
