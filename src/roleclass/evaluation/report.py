"""Rendering ``roleclass evaluate``'s figures: Markdown for the terminal and the model card, a PNG.

The figures themselves are computed in ``metrics``; nothing here changes a number, so
the printed table, the JSON and the model card always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from roleclass.evaluation.metrics import ACCURACY_TARGET, FLAGGED_TARGET, Prediction, calibration

HEADINGS = {"source": "grouped by source", "posting": "folds of postings"}


def _fmt(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _prf(row: dict[str, float]) -> str:
    return f"{row['precision']:.2f}/{row['recall']:.2f}/{row['f1']:.3f}"


def _system_rows(systems: dict[str, dict[str, object]]) -> list[str]:
    lines = [
        "| system | n | macro-F1 | accuracy | mismatch P/R/F1 | ECE | Brier | comprehensiveness | sufficiency | verdict given |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for system, m in systems.items():
        calib = m["calibration"]
        lines.append(
            f"| {system} | {m['n']} | {_fmt(m['macro_f1'])} | {_fmt(m['accuracy'])} | {_prf(m['mismatch'])} | "
            f"{_fmt(calib['ece'])} | {_fmt(calib['brier'])} | {_fmt(m['comprehensiveness'])} | {_fmt(m['sufficiency'])} | "
            f"{_fmt(m['coverage'])} |"
        )
    return lines


def _model_lines(model: dict[str, object]) -> list[str]:
    lines = ["", "roleclass per class: " + "; ".join(
        f"{label} P {row['precision']:.2f} R {row['recall']:.2f} F1 {row['f1']:.2f} (n={row['support']})"
        for label, row in model["per_class"].items()
    ), "", "Confusion (rows gold, columns predicted): " + "; ".join(
        f"{gold}: " + ", ".join(f"{p}={c}" for p, c in row.items() if c) for gold, row in model["confusion"].items()
    )]
    left_out = model["calibration"]["left_out"]
    if left_out:
        lines += ["", f"ECE and Brier over the {model['calibration']['n']} results with probabilities; "
                      f"{left_out} left out (no duty statements, or no verdict)."]
    statements = model.get("duty_statements")
    if statements:
        lines += ["", f"roleclass duty statements ({statements['n']} quoted spans, gold function vs. the duty classifier "
                      "on the span's text): " + "; ".join(
                          f"{f} P {r['precision']:.2f} R {r['recall']:.2f} F1 {r['f1']:.2f} (n={r['support']})"
                          for f, r in statements["per_function"].items()) + f"; macro-F1 {statements['macro_f1']:.3f}"]
    review = model.get("review")
    if review and review["n"]:
        lines += ["", f"Review flag (shipped policy): {_fmt(review['flagged'])} flagged; the {review['n_unflagged']} unflagged "
                      f"are right {_fmt(review['unflagged_accuracy'])} of the time (mismatch F1 "
                      f"{_fmt(review['unflagged_mismatch_f1'])})."]
    return lines


def _policy(row: dict[str, object]) -> str:
    p = row["policy"]
    return (f"top >= {p['min_top_probability']:.2f}, margin >= {p['min_margin']:.2f}, "
            f">= {p['min_duty_statements']} duties, mismatch support >= {p['min_mismatch_support']}")


def review_markdown(review: dict[str, object]) -> list[str]:
    """The coverage-against-accuracy table of the review flag and the shipped and chosen policies."""
    lines = [
        f"### Review flag: coverage against accuracy ({review['chosen_on']})",
        "",
        f"For each cap on the share flagged, the candidate policy ({review['candidates']} swept) whose unflagged "
        "results are most often right (results with no duty statements stay flagged; no verdict counts as flagged; "
        "the JSON holds every policy no other beats on both columns).",
        "",
        "| at most flagged | policy | flagged | unflagged | unflagged accuracy | unflagged mismatch F1 |",
        "|---|---|---|---|---|---|",
    ]
    for row in review["curve"]:
        lines.append(f"| {row['max_flagged']:.2f} | {_policy(row)} | {_fmt(row['flagged'])} | {row['n_unflagged']} | "
                     f"{_fmt(row['unflagged_accuracy'])} | {_fmt(row['unflagged_mismatch_f1'])} |")
    shipped, chosen = review["shipped"], review["chosen"]
    lines += [
        "",
        f"Shipped policy (`review.DEFAULT_POLICY`: {_policy(shipped)}): {_fmt(shipped['flagged'])} flagged "
        f"(target <= {FLAGGED_TARGET:.2f}), unflagged accuracy {_fmt(shipped['unflagged_accuracy'])} "
        f"(target >= {ACCURACY_TARGET:.2f}).",
        f"The rule (at most {FLAGGED_TARGET:.0%} flagged: the fewest flagged with unflagged accuracy >= "
        f"{ACCURACY_TARGET:.2f}, else the most accurate) picks: {_policy(chosen)}: {_fmt(chosen['flagged'])} flagged, unflagged accuracy "
        f"{_fmt(chosen['unflagged_accuracy'])}; "
        + ("both targets met." if chosen["meets_targets"] else "the two targets cannot both be met on these predictions."),
        "",
        "| slice | shipped: flagged | shipped: unflagged accuracy | chosen: flagged | chosen: unflagged accuracy |",
        "|---|---|---|---|---|",
    ]
    for name, row in review["by_slice"].items():
        lines.append(f"| {name} | {_fmt(row['shipped']['flagged'])} | {_fmt(row['shipped']['unflagged_accuracy'])} | "
                     f"{_fmt(row['chosen']['flagged'])} | {_fmt(row['chosen']['unflagged_accuracy'])} |")
    return lines


def markdown(report: dict[str, dict[str, dict[str, object]]], command: str, kappa: dict[str, object] | None,
             review: dict[str, object] | None = None) -> str:
    lines = [f"Produced by `{command}`.", ""]
    for slice_name, systems in report.items():
        if not any(m["n"] for m in systems.values()):
            continue
        lines += [f"### {slice_name}", "", *_system_rows(systems)]
        model = systems.get("roleclass")
        if model and model["n"]:
            lines += _model_lines(model)
        lines.append("")
    if review:
        lines += [*review_markdown(review), ""]
    if kappa:
        lines.append(
            f"Label agreement on {kappa['n']} postings labeled twice, independently (Cohen's kappa): "
            + ", ".join(f"{k} {v['kappa']}" for k, v in kappa.items() if isinstance(v, dict))
        )
    return "\n".join(lines)


def card_section(text: str, mode: str, title_prior: bool = False) -> tuple[str, str]:
    """(marker key, section body) of the model card for one evaluation mode ("source", "posting" or a data file)."""
    key, heading = (mode, HEADINGS[mode]) if mode in HEADINGS else ("data", f"on {mode}")
    if title_prior and mode in HEADINGS:
        key, heading = f"{key}-title-prior", f"{heading}, with the title prior (not the shipped setting)"
    return key, f"## Evaluation: cross-validation {heading}\n\n{text}"


def reliability_png(predictions: Sequence[Prediction], path: Path, title: str) -> Path | None:
    """Reliability diagram of verdict confidence; needs matplotlib (the eval extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    bins = calibration(predictions)["bins"]
    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o-", label="roleclass")
    for b in bins:
        ax.annotate(str(b["n"]), (b["confidence"], b["accuracy"]), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_xlabel("verdict confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(title, fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path
