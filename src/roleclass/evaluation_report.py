"""Render evaluation figures: a markdown table, a reliability diagram PNG, label agreement."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from roleclass.data import read_jsonl
from roleclass.evaluate import Prediction
from roleclass.labels import VERDICTS


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa for two labelers over the same items."""
    labels = sorted(set(first) | set(second))
    n = len(first)
    if n == 0:
        return float("nan")
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    expected = sum((first.count(lab) / n) * (second.count(lab) / n) for lab in labels)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def agreement(corpus_dir: Path) -> dict[str, object] | None:
    """Kappa between the main labels and the independent second labels (corpus/labels_double.jsonl)."""
    double_path = corpus_dir / "labels_double.jsonl"
    if not double_path.is_file():
        return None
    main = {}
    for path in sorted((corpus_dir / "labels").glob("*.jsonl")):
        for record in read_jsonl(path):
            main[record["id"]] = record
    pairs = [(main[r["id"]], r) for r in read_jsonl(double_path) if r["id"] in main and r.get("independent", True)]
    out: dict[str, object] = {"n": len(pairs)}
    for key in ("verdict", "duties", "title_claim"):
        a = [str(x[key]) for x, _ in pairs]
        b = [str(y[key]) for _, y in pairs]
        out[key] = {"kappa": round(cohen_kappa(a, b), 3), "agreement": round(float(np.mean([x == y for x, y in zip(a, b, strict=True)])), 3)}
    a = [str(x["mismatch"]) for x, _ in pairs]
    b = [str(y["mismatch"]) for _, y in pairs]
    out["mismatch"] = {"kappa": round(cohen_kappa(a, b), 3)}
    return out


def _fmt(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def markdown(report: dict[str, dict[str, dict[str, object]]], command: str, kappa: dict[str, object] | None) -> str:
    lines = [f"Produced by `{command}`.", ""]
    for slice_name, systems in report.items():
        lines.append(f"### {slice_name}")
        lines.append("")
        lines.append("| system | n | macro-F1 | accuracy | mismatch F1 | ECE | Brier | comprehensiveness | sufficiency | coverage |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        for system, m in systems.items():
            calib = m["calibration"]
            lines.append(
                f"| {system} | {m['n']} | {_fmt(m['macro_f1'])} | {_fmt(m['accuracy'])} | {_fmt(m['mismatch']['f1'])} | "
                f"{_fmt(calib['ece'])} | {_fmt(calib['brier'])} | {_fmt(m['comprehensiveness'])} | {_fmt(m['sufficiency'])} | {_fmt(m['coverage'])} |"
            )
        model = systems.get("roleclass")
        if model and model["n"]:
            lines.append("")
            lines.append("roleclass per class: " + "; ".join(
                f"{label} P {row['precision']:.2f} R {row['recall']:.2f} F1 {row['f1']:.2f} (n={row['support']})"
                for label, row in model["per_class"].items()
            ))
            lines.append("")
            lines.append("Confusion (rows gold, columns predicted): " + "; ".join(
                f"{gold}: " + ", ".join(f"{p}={c}" for p, c in row.items() if c) for gold, row in model["confusion"].items()
            ))
        statements = model.get("duty_statements") if model else None
        if statements:
            lines.append("")
            lines.append(f"roleclass duty statements ({statements['n']} quoted spans, gold function vs. the duty classifier on the span's text): "
                         + "; ".join(f"{f} P {r['precision']:.2f} R {r['recall']:.2f} F1 {r['f1']:.2f} (n={r['support']})"
                                     for f, r in statements["per_function"].items())
                         + f"; macro-F1 {statements['macro_f1']:.3f}")
        lines.append("")
    if kappa:
        lines.append(
            f"Label agreement on {kappa['n']} postings labeled twice, independently (Cohen's kappa): "
            + ", ".join(f"{k} {v['kappa']}" for k, v in kappa.items() if isinstance(v, dict))
        )
    return "\n".join(lines)


def reliability_png(predictions: Sequence[Prediction], path: Path, title: str) -> Path | None:
    """Reliability diagram of verdict confidence; needs matplotlib (the eval extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    scored = [p for p in predictions if p.probabilities]
    confidence = np.array([max(p.probabilities[v] for v in VERDICTS) for p in scored])
    correct = np.array([p.verdict == p.posting.verdict for p in scored], dtype=float)
    edges = np.linspace(0, 1, 11)
    centres, accuracy, counts = [], [], []
    for lo, hi in itertools.pairwise(edges):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            centres.append(confidence[inside].mean())
            accuracy.append(correct[inside].mean())
            counts.append(int(inside.sum()))
    fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.plot(centres, accuracy, "o-", label="roleclass")
    for x, y, n in zip(centres, accuracy, counts, strict=True):
        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(4, -10), fontsize=7)
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
