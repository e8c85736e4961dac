"""Evaluation of roleclass against labeled postings (``roleclass evaluate``).

- ``metrics``: the figures, pure functions of predictions (P/R/F1, confusion, mismatch
  F1, ECE/Brier, kappa, the review flag's coverage against accuracy).
- ``baselines``: title keywords, an O*NET title lookup, supervised TF-IDF + LR.
- ``crossval``: folds by source or by posting, the model trained and run per fold.
- ``report``: Markdown, the model card section, the reliability diagram.
- ``run``: the command itself, ``run_evaluation``.
"""

from roleclass.evaluation.run import run_evaluation

__all__ = ["run_evaluation"]
