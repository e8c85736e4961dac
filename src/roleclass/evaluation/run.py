"""The ``roleclass evaluate`` job: gather the data, run roleclass and the baselines, write the figures."""

from __future__ import annotations

import json
from pathlib import Path

from roleclass.data import LabeledPosting, default_shared_dir, load_labeled_postings, read_jsonl, repo_root
from roleclass.errors import InputError
from roleclass.evaluation.baselines import (
    ONET_LOOKUP,
    TITLE_KEYWORDS,
    OnetTitleLookup,
    title_keyword_baseline,
)
from roleclass.evaluation.crossval import ROLECLASS, cross_validation, model_predictions, with_duty_statements
from roleclass.evaluation.metrics import agreement, report, review_figures
from roleclass.evaluation.report import card_section, markdown, reliability_png
from roleclass.model_card import write_evaluation
from roleclass.model_io import default_model_path
from roleclass.scorer import Scorer
from roleclass.train import ModelSettings

REQUIRED_FIELDS = ("text", "duties", "title_claim", "verdict", "mismatch")
REVIEW_SLICE = "all"  # the slice the review thresholds are chosen on


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
    """Run ``roleclass evaluate`` and return its Markdown; ``title_prior`` retrains the CV models with the title claim."""
    corpus = Path(corpus_dir) if corpus_dir else repo_root() / "corpus"
    shared = Path(shared_dir) if shared_dir else default_shared_dir()
    if data_file:
        postings = load_data_file(Path(data_file))
        scorer = Scorer.load(model_path, trust=trust_model)
        systems = {ROLECLASS: with_duty_statements(scorer, model_predictions(scorer, postings, with_faithfulness=faithful))}
        command = f"roleclass evaluate --data {data_file}"
    else:
        if not (shared / "onet").is_dir():
            raise InputError(f"cross-validation retrains the model and needs {shared}/onet: pass --shared or --data")
        postings = load_labeled_postings(corpus, shared)
        systems = cross_validation(postings, shared, n_jobs=jobs, by=cv, faithful=faithful,
                                   settings=ModelSettings(title_prior=title_prior))
        command = "roleclass evaluate" + ("" if cv == "source" else f" --cv {cv}") + (" --title-prior" if title_prior else "")
    systems[TITLE_KEYWORDS] = title_keyword_baseline(postings)
    if (shared / "onet").is_dir():
        systems[ONET_LOOKUP] = OnetTitleLookup(shared).predict(postings)
    if not faithful:
        command += " --no-faithfulness"
    figures = report(systems)
    review = review_figures(systems[ROLECLASS], REVIEW_SLICE)
    kappa = agreement(corpus)
    key, _ = card_section("", data_file or cv, title_prior)
    suffix = "" if key == "source" else f"_{key}"  # the README shows bench/results/reliability.png, by source
    out_dir.mkdir(parents=True, exist_ok=True)
    record = {"command": command, "figures": figures, "review": review, "agreement": kappa}
    (out_dir / f"evaluation{suffix}.json").write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    text = markdown(figures, command, kappa, review)
    png = reliability_png(systems[ROLECLASS], out_dir / f"reliability{suffix}.png", command)
    if png is not None:
        text += f"\n\nReliability diagram: `{png}`."
    if write_card:
        card_model = Path(model_path) if model_path else default_model_path()
        write_evaluation(card_model, card_section(text, data_file or cv, title_prior)[1], key)
    return text
