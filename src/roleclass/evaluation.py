"""The `roleclass evaluate` job: gather data, run the systems, write figures. Pure, testable."""

from __future__ import annotations

import json
from pathlib import Path

from roleclass.data import LabeledPosting, default_shared_dir, load_labeled_postings, read_jsonl, repo_root
from roleclass.errors import InputError
from roleclass.evaluate import (
    OnetTitleLookup,
    cross_validation,
    model_predictions,
    report,
    title_keyword_baseline,
)
from roleclass.evaluation_report import agreement, markdown, reliability_png
from roleclass.model_card import write_evaluation
from roleclass.model_io import default_model_path
from roleclass.scorer import Scorer
from roleclass.train import ModelSettings

REQUIRED_FIELDS = ("text", "duties", "title_claim", "verdict", "mismatch")


def load_data_file(path: Path) -> list[LabeledPosting]:
    """A labeled JSONL file in the corpus/postings format."""
    if not path.is_file():
        raise InputError(f"no such labeled file: {path}")
    postings = []
    for n, record in enumerate(read_jsonl(path), 1):
        missing = [k for k in REQUIRED_FIELDS if k not in record]
        if missing:
            raise InputError(f"{path} line {n}: missing {', '.join(missing)}")
        postings.append(LabeledPosting(
            id=str(record.get("id", n)), source=str(record.get("source", path.stem)), title=record.get("title", ""),
            text=record["text"], language=record.get("language", "en"), duties=record["duties"],
            title_claim=record["title_claim"], verdict=record["verdict"], mismatch=bool(record["mismatch"]),
        ))
    return postings


def run_evaluation(
    data_file: str | None, corpus_dir: str | None, shared_dir: str | None, out_dir: Path, write_card: bool,
    jobs: int = -1, model_path: str | None = None, trust_model: bool = False, cv: str = "source",
    faithful: bool = True, title_prior: bool = False,
) -> str:
    """Run ``roleclass evaluate``; ``title_prior`` retrains the CV models with the title claim as input."""
    corpus = Path(corpus_dir) if corpus_dir else repo_root() / "corpus"
    shared = Path(shared_dir) if shared_dir else default_shared_dir()
    if data_file:
        postings = load_data_file(Path(data_file))
        scorer = Scorer.load(model_path, trust=trust_model)
        systems = {"roleclass": model_predictions(scorer, postings, with_faithfulness=faithful)}
        command = f"roleclass evaluate --data {data_file}"
    else:
        if not (shared / "onet").is_dir():
            raise InputError(f"cross-validation retrains the model and needs {shared}/onet: pass --shared or --data")
        postings = load_labeled_postings(corpus, shared)
        settings = ModelSettings(title_prior=title_prior)
        systems = cross_validation(postings, shared, n_jobs=jobs, by=cv, faithful=faithful, settings=settings)
        command = "roleclass evaluate" + ("" if cv == "source" else f" --cv {cv}") + (" --title-prior" if title_prior else "")
    systems["title keywords"] = title_keyword_baseline(postings)
    if (shared / "onet").is_dir():
        systems["O*NET title lookup"] = OnetTitleLookup(shared).predict(postings)
    figures = report(systems)
    kappa = agreement(corpus)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "evaluation.json").write_text(json.dumps({"figures": figures, "agreement": kappa}, indent=1, sort_keys=True), encoding="utf-8")
    png = reliability_png(systems["roleclass"], out_dir / "reliability.png", command)
    text = markdown(figures, command, kappa)
    if png is not None:
        text += f"\n\nReliability diagram: `{png}`."
    if write_card:
        key = "data" if data_file else cv
        heading = {"source": "grouped by source", "posting": "folds of postings", "data": f"on {data_file}"}[key]
        if title_prior and not data_file:
            key, heading = f"{key}-title-prior", f"{heading}, with the title prior (not the shipped setting)"
        card_model = Path(model_path) if model_path else default_model_path()
        write_evaluation(card_model, f"## Evaluation: cross-validation {heading}\n\n" + text, key)
    return text
