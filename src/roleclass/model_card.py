"""models/MODEL_CARD.md: what the shipped model was built from, with what, and how it scores.

The training section is rewritten by ``roleclass train``; the evaluation section by
``roleclass evaluate --write-card``. Each lives between its own markers so that one
command never erases the other's figures.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from roleclass.model_io import RoleclassModel

TRAIN_MARK = ("<!-- train:start -->", "<!-- train:end -->")
EVAL_MARK = ("<!-- eval:start -->", "<!-- eval:end -->")
# OpenBLAS picks its kernels by CPU, and they add up the same products in different orders: the
# solvers' last digits, and so the model file's bytes, follow the kernels. The shipped model was built
# with these (an Intel CPU with AVX-512 picks them; an AMD EPYC picks "Haswell", which gave the
# duty classifier coefficients up to 3e-4 apart). ``OPENBLAS_CORETYPE=SkylakeX roleclass train``
# rebuilds it byte for byte on a CPU with AVX-512 (``tests/test_reproducible_model.py``); the
# card's "Rebuild it" line says so.
SHIPPED_BLAS_KERNELS = "SkylakeX"


def eval_marks(key: str) -> tuple[str, str]:
    """Markers of one evaluation section (one per evaluation mode: source CV, posting CV, a data file)."""
    return (f"<!-- eval:{key}:start -->", f"<!-- eval:{key}:end -->")

_TEMPLATE = """# Model card: roleclass duties model

What it does: reads a job posting's duty statements and says whether the job is sales,
marketing, a mislabeled hybrid, or other, as ../shared/LABELING.md defines them.

Rebuild it: `OPENBLAS_CORETYPE={kernels} roleclass train` (reads `corpus/` and `../shared`), then check
`cd models && sha256sum -c roleclass.zip.sha256`. The variable pins OpenBLAS to the kernels this file
was built with (they need AVX-512); other kernels add up in another order and move the coefficients'
last digits (README, "The model: retrain and evaluate").

{train_start}
{train_end}

{eval_start}
(no evaluation recorded yet: run `roleclass evaluate --write-card`)
{eval_end}

## Intended use and limits
- English and German postings; other languages get status `unsupported_language` and no verdict.
- The duty classifier learned from O*NET task statements (formal wording) and from duty
  statements quoted in labeled postings; wording far from both may be read as `neither`.
- The title claim is rule-based (LABELING.md's title lists), not learned, and the shipped model's
  duties label does not read it (`PostingClassifier(title_prior=False)`).
- Every result carries `review`: read it before acting on it. The thresholds (`review.py`) were chosen on
  cross-validation by source; the evaluation section's coverage-against-accuracy table shows the trade-off.
- O*NET Detailed Work Activities relabel occupation tasks by the act (stocking shelves is not
  selling, whoever does it) and add verb-object training statements (`acts.py`). Act features
  (opening verb and object, `ModelSettings(acts=True)`) were measured and are off: they did not help.

## Data and licences
O*NET 30.x / 29.3 (USDOL/ETA, CC BY 4.0), modified: task statements grouped into sales, marketing
and neither by occupation code. USDOL/ETA has not approved, endorsed, or tested these modifications.
Real postings from ../shared/realdata are referenced by id and offsets only; their text is not in the repo.
"""


def _replace_between(document: str, marks: tuple[str, str], body: str) -> str:
    pattern = re.compile(re.escape(marks[0]) + r".*?" + re.escape(marks[1]), re.S)
    return pattern.sub(lambda _: f"{marks[0]}\n{body.strip()}\n{marks[1]}", document)


def card_path(model_path: Path) -> Path:
    return model_path.with_name("MODEL_CARD.md")


def _load_or_template(path: Path) -> str:
    if path.is_file():
        return path.read_text(encoding="utf-8")
    return _TEMPLATE.format(
        train_start=TRAIN_MARK[0], train_end=TRAIN_MARK[1], eval_start=EVAL_MARK[0], eval_end=EVAL_MARK[1],
        kernels=SHIPPED_BLAS_KERNELS,
    )


def write_model_card(model: RoleclassModel, model_path: Path, digest: str) -> Path:
    """Write or update the training section of the card beside the model file."""
    path = card_path(model_path)
    meta = model.metadata
    duty = model.duty_classifier
    top = {f: ", ".join(name for name, _ in duty.top_features(f, 15)) for f in ("sales", "marketing", "neither")}
    body = f"""## Training (written by `roleclass train`)
- File: `{model_path.name}`, sha256 `{digest}`, version {meta.get("version")}
- O*NET statements per function: {json.dumps(meta.get("onet_statements"))}
- Labeled postings: {meta.get("postings")} by source {json.dumps(meta.get("posting_sources"))};
  duties labels {json.dumps(meta.get("posting_duties"))}; {meta.get("posting_statements")} quoted duty statements
- Settings: {json.dumps(meta.get("settings"))} (`title_prior` false: the duties label is read from the
  duties alone; `roleclass evaluate --title-prior` measures the other setting)
- Libraries: {json.dumps(meta.get("libraries"))}, Python {meta.get("python")}
- Duty classifier: {len(duty.vectorizer_.feature_names_)} features; strongest per function:
  - sales: {top["sales"]}
  - marketing: {top["marketing"]}
  - neither: {top["neither"]}
"""
    path.write_text(_replace_between(_load_or_template(path), TRAIN_MARK, body), encoding="utf-8")
    return path


def write_evaluation(model_path: Path, body: str, key: str = "source") -> Path:
    """Replace (or add, before the placeholder section) the evaluation section for one mode."""
    path = card_path(model_path)
    document = _load_or_template(path)
    marks = eval_marks(key)
    if marks[0] not in document:
        document = document.replace(EVAL_MARK[0], f"{marks[0]}\n{marks[1]}\n\n{EVAL_MARK[0]}")
    document = _replace_between(document, EVAL_MARK, "")
    path.write_text(_replace_between(document, marks, body), encoding="utf-8")
    return path
