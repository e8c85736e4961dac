"""The figures ``roleclass evaluate`` reports, computed from predictions alone.

Every metric here is a pure function of ``Prediction`` values (gold labels next to what a
system said), so each can be checked on hand-made cases: per-class P/R/F1 and confusion
of the verdict, mismatch P/R/F1, calibration (ECE, Brier), duty-statement F1 per
function, Cohen's kappa of double labels, and the review flag's coverage against the
accuracy of the results it leaves unflagged.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from roleclass.data import LabeledPosting, read_jsonl
from roleclass.labels import FUNCTIONS, VERDICTS
from roleclass.review import DEFAULT_POLICY, ReviewPolicy

ECE_BINS = 10
NO_VERDICT = "none"
ACCURACY_TARGET = 0.95  # issue 9: the unflagged results are right at least this often
FLAGGED_TARGET = 0.15  # ... and at most this share is flagged


@dataclass
class Prediction:
    """One posting's gold labels next to what a system said.

    For roleclass the fields are copied from the ``ScoreResult`` (``crossval.prediction``),
    so the review flag is measured on exactly what the product returns: ``probabilities``
    is empty when the result has none (no duty statements, an unsupported language),
    ``duty_functions`` holds the function of each counted duty statement, ``review`` is
    the product's own flag. Baselines leave ``duties`` None: they have no review flag.
    """

    posting: LabeledPosting
    verdict: str
    mismatch: bool
    probabilities: dict[str, float] = field(default_factory=dict)
    comprehensiveness: float | None = None
    sufficiency: float | None = None
    duty_statements: list[tuple[str, str]] = field(default_factory=list)  # (gold, predicted) per quoted span
    duties: str | None = None
    duty_functions: tuple[str, ...] = ()
    review: bool = False
    status: str = "ok"


# --- classification --------------------------------------------------------------------
def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def per_class(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = VERDICTS) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support of each label, one against the rest."""
    pairs = list(zip(gold, predicted, strict=True))
    return {
        label: _prf(
            sum(g == label and p == label for g, p in pairs),
            sum(g != label and p == label for g, p in pairs),
            sum(g == label and p != label for g, p in pairs),
        )
        for label in labels
    }


def macro_f1(table: dict[str, dict[str, float]]) -> float:
    """Mean F1 over the classes that occur in the gold labels."""
    present = [row["f1"] for row in table.values() if row["support"] > 0]
    return float(np.mean(present)) if present else 0.0


def binary_f1(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    """P/R/F1 of the positive class (a title mismatch)."""
    pairs = list(zip(gold, predicted, strict=True))
    return _prf(sum(g and p for g, p in pairs), sum((not g) and p for g, p in pairs), sum(g and not p for g, p in pairs))


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    """Rows gold, columns predicted (``none``: no verdict given)."""
    columns = [*VERDICTS, NO_VERDICT]
    return {g: {p: sum(a == g and b == p for a, b in zip(gold, predicted, strict=True)) for p in columns} for g in VERDICTS}


def accuracy(predictions: Sequence[Prediction]) -> float | None:
    return float(np.mean([p.verdict == p.posting.verdict for p in predictions])) if predictions else None


def calibration(predictions: Sequence[Prediction]) -> dict[str, object]:
    """ECE over 10 equal-width confidence bins and the multi-class Brier score.

    Only results that carry probabilities count (a result with no duty statements or in
    an unsupported language has none, by design); ``left_out`` says how many did not.
    """
    scored = [p for p in predictions if p.probabilities]
    left_out = len(predictions) - len(scored)
    if not scored:
        return {"ece": None, "brier": None, "bins": [], "n": 0, "left_out": left_out}
    confidence = np.array([max(p.probabilities.values()) for p in scored])
    correct = np.array([p.verdict == p.posting.verdict for p in scored], dtype=float)
    ece, bins = 0.0, []
    for lo, hi in itertools.pairwise(np.linspace(0, 1, ECE_BINS + 1)):
        inside = (confidence > lo) & (confidence <= hi) if lo > 0 else (confidence <= hi)
        if inside.any():
            ece += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
            bins.append({"lo": float(lo), "hi": float(hi), "n": int(inside.sum()),
                         "confidence": float(confidence[inside].mean()), "accuracy": float(correct[inside].mean())})
    brier = float(np.mean([
        sum((p.probabilities.get(v, 0.0) - (p.posting.verdict == v)) ** 2 for v in VERDICTS) for p in scored
    ]))
    return {"ece": float(ece), "brier": brier, "bins": bins, "n": len(scored), "left_out": left_out}


def duty_statement_f1(predictions: Sequence[Prediction]) -> dict[str, object] | None:
    """Per-function P/R/F1 of the duty classifier on the quoted duty spans (None if none were scored)."""
    pairs = [pair for p in predictions for pair in p.duty_statements]
    if not pairs:
        return None
    table = per_class([g for g, _ in pairs], [q for _, q in pairs], FUNCTIONS)
    return {"n": len(pairs), "per_function": table, "macro_f1": macro_f1(table)}


# --- label agreement -------------------------------------------------------------------
def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa for two labelers over the same items."""
    n = len(first)
    if n == 0:
        return float("nan")
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    expected = sum((list(first).count(lab) / n) * (list(second).count(lab) / n) for lab in set(first) | set(second))
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def agreement(corpus_dir: Path) -> dict[str, object] | None:
    """Kappa between the main labels and the independent second labels (corpus/labels_double.jsonl)."""
    double_path = corpus_dir / "labels_double.jsonl"
    if not double_path.is_file():
        return None
    main = {record["id"]: record for path in sorted((corpus_dir / "labels").glob("*.jsonl")) for record in read_jsonl(path)}
    pairs = [(main[r["id"]], r) for r in read_jsonl(double_path) if r["id"] in main and r.get("independent", True)]
    out: dict[str, object] = {"n": len(pairs)}
    for key in ("verdict", "duties", "title_claim", "mismatch"):
        a, b = [str(x[key]) for x, _ in pairs], [str(y[key]) for _, y in pairs]
        out[key] = {"kappa": round(cohen_kappa(a, b), 3),
                    "agreement": round(float(np.mean([x == y for x, y in zip(a, b, strict=True)])), 3) if pairs else None}
    return out


# --- the review flag -------------------------------------------------------------------
def flagged(prediction: Prediction, policy: ReviewPolicy = DEFAULT_POLICY) -> bool:
    """Whether ``policy`` flags this roleclass result for review.

    A result with probabilities is flagged by the policy's thresholds. One without (no
    duty statements) keeps the product's own flag, which no threshold changes; one with
    no verdict at all (an unsupported language) counts as flagged: there is nothing to
    act on without a person reading it.
    """
    if prediction.verdict == NO_VERDICT:
        return True
    if not prediction.probabilities:
        return prediction.review
    return policy.reason(prediction.probabilities, prediction.duty_functions, prediction.duties, prediction.mismatch) is not None


def coverage(predictions: Sequence[Prediction], policy: ReviewPolicy = DEFAULT_POLICY) -> dict[str, object]:
    """Share flagged, and the verdict accuracy and mismatch F1 of the results left unflagged."""
    marks = [flagged(p, policy) for p in predictions]
    kept = [p for p, m in zip(predictions, marks, strict=True) if not m]
    return {
        "policy": policy_dict(policy),
        "n": len(predictions),
        "flagged": sum(marks) / len(predictions) if predictions else None,
        "n_unflagged": len(kept),
        "unflagged_accuracy": accuracy(kept),
        "unflagged_mismatch_f1": binary_f1([p.posting.mismatch for p in kept], [p.mismatch for p in kept])["f1"],
    }


def policy_dict(policy: ReviewPolicy) -> dict[str, float]:
    return {"min_top_probability": policy.min_top_probability, "min_margin": policy.min_margin,
            "min_duty_statements": policy.min_duty_statements, "min_mismatch_support": policy.min_mismatch_support}


TOP_PROBABILITIES = (0.0, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
DUTY_STATEMENTS = (1, 2, 3)
MISMATCH_SUPPORT = (1, 2, 3)


def candidate_policies() -> list[ReviewPolicy]:
    """The grid the shipped thresholds are chosen from (every combination, a few hundred)."""
    return [ReviewPolicy(t, m, d, s) for t, m, d, s in itertools.product(TOP_PROBABILITIES, MARGINS, DUTY_STATEMENTS, MISMATCH_SUPPORT)]


def sweep(predictions: Sequence[Prediction], policies: Iterable[ReviewPolicy]) -> list[dict[str, object]]:
    """Coverage against accuracy for each candidate policy."""
    return [coverage(predictions, policy) for policy in policies]


def choose_policy(rows: Sequence[dict[str, object]]) -> dict[str, object]:
    """The rule the shipped thresholds come from, small enough to say in a sentence.

    A flag on most results is no use to a job board, so the cap on the share flagged (15%)
    comes first: of the policies under it whose unflagged results are right at least 95%
    of the time, the one that flags the fewest (ties: the lowest thresholds, the simplest
    policy); if none under the cap reaches 95%, the most accurate one under it, and the
    row says that the targets cannot both be met.
    """
    def simplest(row: dict[str, object]) -> tuple:
        return tuple(row["policy"].values())  # type: ignore[union-attr]

    usable = [r for r in rows if r["unflagged_accuracy"] is not None]
    good = [r for r in usable if r["unflagged_accuracy"] >= ACCURACY_TARGET and r["flagged"] <= FLAGGED_TARGET]
    if good:
        best = min(good, key=lambda r: (r["flagged"], simplest(r)))
    else:
        few = [r for r in usable if r["flagged"] <= FLAGGED_TARGET] or usable
        best = max(few, key=lambda r: (r["unflagged_accuracy"], -r["flagged"], tuple(-x for x in simplest(r))))
    meets = best["flagged"] <= FLAGGED_TARGET and best["unflagged_accuracy"] >= ACCURACY_TARGET
    return {**best, "meets_targets": meets}


def frontier(rows: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    """The rows no other row beats on both share flagged and unflagged accuracy, by share flagged."""
    ordered = sorted((r for r in rows if r["unflagged_accuracy"] is not None),
                     key=lambda r: (r["flagged"], -r["unflagged_accuracy"], tuple(r["policy"].values())))
    out: list[dict[str, object]] = []
    for row in ordered:
        if not out or row["unflagged_accuracy"] > out[-1]["unflagged_accuracy"]:
            out.append(row)
    return out


FLAGGED_CAPS = (0.0, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.40, 0.50, 0.60)


def coverage_curve(rows: Sequence[dict[str, object]], caps: Sequence[float] = FLAGGED_CAPS) -> list[dict[str, object]]:
    """For each cap on the share flagged, the candidate whose unflagged results are most accurate."""
    out = []
    for cap in caps:
        within = [r for r in rows if r["unflagged_accuracy"] is not None and r["flagged"] <= cap + 1e-9]
        if within:
            best = max(within, key=lambda r: (r["unflagged_accuracy"], -r["flagged"], tuple(-x for x in r["policy"].values())))
            out.append({"max_flagged": cap, **best})
    return out


def review_figures(predictions: Sequence[Prediction], choose_on: str = "all") -> dict[str, object]:
    """The shipped policy's coverage, the sweep's frontier and the policy the rule picks (on ``choose_on``),
    and both policies' coverage on every slice."""
    keep = slices()[choose_on]
    candidates = candidate_policies()
    rows = sweep([p for p in predictions if keep(p.posting)], candidates)
    chosen = choose_policy(rows)
    by_slice = {}
    for name, inside in slices().items():
        part = [p for p in predictions if inside(p.posting)]
        if part:
            by_slice[name] = {"shipped": coverage(part, DEFAULT_POLICY), "chosen": coverage(part, policy_from(chosen))}
    return {"chosen_on": choose_on, "candidates": len(candidates), "shipped": coverage([p for p in predictions if keep(p.posting)], DEFAULT_POLICY),
            "curve": coverage_curve(rows), "frontier": frontier(rows), "chosen": chosen, "by_slice": by_slice}


def policy_from(row: dict[str, object]) -> ReviewPolicy:
    return replace(DEFAULT_POLICY, **row["policy"])  # type: ignore[arg-type]


# --- summaries -------------------------------------------------------------------------
def summarise(predictions: Sequence[Prediction]) -> dict[str, object]:
    """Every figure of one system on one slice."""
    gold = [p.posting.verdict for p in predictions]
    predicted = [p.verdict for p in predictions]
    table = per_class(gold, predicted)
    faith = [p for p in predictions if p.comprehensiveness is not None]
    has_review = any(p.duties is not None for p in predictions)
    return {
        "n": len(predictions),
        "macro_f1": macro_f1(table),
        "accuracy": accuracy(predictions) or 0.0,
        "per_class": table,
        "confusion": confusion(gold, predicted),
        "mismatch": binary_f1([p.posting.mismatch for p in predictions], [p.mismatch for p in predictions]),
        "calibration": calibration(predictions),
        "comprehensiveness": float(np.mean([p.comprehensiveness for p in faith])) if faith else None,
        "sufficiency": float(np.mean([p.sufficiency for p in faith])) if faith else None,
        "coverage": float(np.mean([p.verdict != NO_VERDICT for p in predictions])) if predictions else 0.0,
        "duty_statements": duty_statement_f1(predictions),
        "review": coverage(predictions) if has_review else None,
    }


def slices() -> dict[str, Callable[[LabeledPosting], bool]]:
    return {
        "real English": lambda p: p.source != "own" and p.language == "en",
        "real German": lambda p: p.source != "own" and p.language == "de",
        "own postings": lambda p: p.source == "own",
        "all": lambda p: True,
    }


def report(systems: dict[str, list[Prediction]]) -> dict[str, dict[str, dict[str, object]]]:
    """Per slice, per system: the summary metrics."""
    return {name: {system: summarise([p for p in preds if keep(p.posting)]) for system, preds in systems.items()}
            for name, keep in slices().items()}
