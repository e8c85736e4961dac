"""``roleclass train``: build the model from O*NET and the labeled corpus.

1. The duty classifier learns statements -> sales/marketing/neither from O*NET task
   statements (formal wording, weight 1) and from the duty statements quoted in labeled
   postings (the wording postings really use, weight ``POSTING_STATEMENT_WEIGHT``).
2. The posting classifier learns duty shares -> duties label on labeled postings. Its
   inputs come from duty classifiers that never saw the posting (out-of-fold
   stacking), so it learns how a duty classifier behaves on unseen text. The inner
   folds are grouped like the outer ones (by source by default: a duty classifier
   that saw the same job board reads it better than it will read a new one).
``ModelSettings`` holds the choices that change the model (title prior, act features,
the O*NET act vocabulary, stacking folds); they are recorded in the model metadata.
Everything is seeded and sorted: the same data gives the same model file.
"""

from __future__ import annotations

import logging
import platform
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np
import sklearn
import spacy

from roleclass import __version__
from roleclass.acts import dwa_statements, relabel_tasks
from roleclass.clean import clean_text
from roleclass.data import LabeledPosting, load_labeled_postings, load_onet_tasks, splits
from roleclass.duties import pipeline, statements
from roleclass.duty_detector import DutyDetector, fit_duty_detector, posting_weights
from roleclass.duty_model import DutyClassifier
from roleclass.features import counts, span_features
from roleclass.language import SUPPORTED, detect_language
from roleclass.model_io import RoleclassModel
from roleclass.posting_model import DutyMass, PostingClassifier, duty_mass
from roleclass.suggest import fit_title_suggester
from roleclass.title import title_claim

LOG = logging.getLogger(__name__)
POSTING_STATEMENT_WEIGHT = 6.0
STACKED_DECIMALS = 9
STACKING_FOLDS = 5


@dataclass(frozen=True)
class ModelSettings:
    """The modelling choices, each measured by ``roleclass evaluate`` / ``bench/model_variants_cv.py``.

    title_prior: the posting classifier reads the title claim too (LABELING.md's duties
        label ignores the title, so off).
    acts: the duty classifier reads the act features (head verb, verb + object). Off:
        measured by source on quoted duty statements they did not help (English macro-F1
        +0.002, German -0.010; bench/duty_classifier_cv.py).
    act_vocabulary: O*NET Detailed Work Activities relabel occupation tasks and add
        verb-object training statements (``acts.py``).
    stacking: how the inner out-of-fold folds are grouped: "source" or "posting".
    """

    title_prior: bool = False
    acts: bool = False
    act_vocabulary: bool = True
    stacking: str = "source"


BEFORE_ACTS = ModelSettings(title_prior=True, acts=False, act_vocabulary=False, stacking="posting")


def training_statements(shared_dir: Path, settings: ModelSettings = ModelSettings()) -> list[tuple[str, str]]:
    """O*NET task statements by function, with the act vocabulary when the settings ask for it."""
    onet = load_onet_tasks(shared_dir)
    if settings.act_vocabulary:
        onet = relabel_tasks(onet, shared_dir) + dwa_statements(shared_dir)
    return onet


@cache
def statement_bag(text: str, language: str = "en") -> dict[str, float]:
    """Features of a standalone statement (an O*NET task or a quoted duty); cached, never mutate."""
    doc = pipeline(language).make_doc(clean_text(text))
    return counts(span_features(doc[:]))


def statement_examples(
    onet: Sequence[tuple[str, str]], postings: Sequence[LabeledPosting]
) -> tuple[list[dict[str, float]], list[str], list[float]]:
    bags, labels, weights = [], [], []
    for text, function in onet:
        bags.append(statement_bag(text))
        labels.append(function)
        weights.append(1.0)
    for posting in postings:
        for quote, function in posting.duty_quotes:
            bag = statement_bag(quote, posting.language)
            if bag:
                bags.append(bag)
                labels.append(function)
                weights.append(POSTING_STATEMENT_WEIGHT)
    return bags, labels, weights


def fit_duty_classifier(
    onet: Sequence[tuple[str, str]], postings: Sequence[LabeledPosting], settings: ModelSettings = ModelSettings()
) -> DutyClassifier:
    bags, labels, weights = statement_examples(onet, postings)
    return DutyClassifier(acts=settings.acts).fit(bags, labels, sample_weight=weights)


@cache
def _posting_statements(text: str) -> tuple[list[dict[str, float]], np.ndarray]:
    """A posting's statement feature bags and weights (independent of the classifier; cached)."""
    cleaned = clean_text(text)
    language = detect_language(cleaned) if cleaned.strip() else "en"
    _, spans = statements(cleaned, language if language in SUPPORTED else "en")
    bags = [counts(span_features(span)) for span in spans]
    return bags, np.array([span._.weight for span in spans], dtype=float)


def posting_mass(classifier: DutyClassifier, posting: LabeledPosting, detector: DutyDetector | None = None) -> DutyMass:
    """The duty shares of one posting under a given duty classifier (and duty detector)."""
    bags, weights = _posting_statements(posting.text)
    if detector is not None:
        weights = posting_weights(detector, posting.text)
    probabilities = classifier.predict_proba(bags) if bags else np.zeros((0, 3))
    return duty_mass(probabilities, weights)


def out_of_fold_masses(
    onet: Sequence[tuple[str, str]],
    postings: Sequence[LabeledPosting],
    settings: ModelSettings = ModelSettings(),
    folds: int = STACKING_FOLDS,
) -> list[DutyMass]:
    """Each posting's duty shares under a duty classifier trained without it (nor its near-duplicates).

    The folds are grouped by ``settings.stacking`` (``data.splits``); every posting is
    in exactly one test fold, and no inner training side is empty.
    """
    postings = list(postings)
    masses: list[DutyMass | None] = [None] * len(postings)
    for train_index, test_index in splits(postings, settings.stacking, folds):
        train_postings = [postings[i] for i in train_index]
        classifier = fit_duty_classifier(onet, train_postings, settings)
        detector = fit_duty_detector(train_postings)
        for i in test_index:
            masses[i] = posting_mass(classifier, postings[i], detector)
    missing = [postings[i].id for i, m in enumerate(masses) if m is None]
    if missing:
        raise ValueError(f"stacking left {len(missing)} postings without an out-of-fold vector: {missing[:3]}")
    return [m for m in masses if m is not None]


def fit_model(
    onet: Sequence[tuple[str, str]], postings: Sequence[LabeledPosting], settings: ModelSettings = ModelSettings()
) -> RoleclassModel:
    """Fit both stages on the given data (used by `train` and by each CV fold)."""
    posting_classifier = PostingClassifier(title_prior=settings.title_prior)
    masses = out_of_fold_masses(onet, postings, settings)
    vectors = [posting_classifier.features(m, title_claim(p.title)) for m, p in zip(masses, postings, strict=True)]
    # The duty shares are sums of floats whose order can differ between processes (the last bit
    # moves); rounded far below anything that matters, the same data gives the same model bytes.
    vectors = np.round(np.asarray(vectors, dtype=float), STACKED_DECIMALS).tolist()
    posting_classifier.fit(vectors, [p.duties for p in postings])
    duty_classifier = fit_duty_classifier(onet, postings, settings)
    return RoleclassModel(
        duty_classifier, posting_classifier, metadata={"settings": asdict(settings)},
        duty_detector=fit_duty_detector(postings),
    )


def train(corpus_dir: Path, shared_dir: Path, settings: ModelSettings = ModelSettings()) -> RoleclassModel:
    """Build the shipped model from the repo's corpus and ../shared."""
    if not (shared_dir / "onet").is_dir():
        raise FileNotFoundError(f"O*NET data not found under {shared_dir}/onet")
    onet = training_statements(shared_dir, settings)
    postings = load_labeled_postings(corpus_dir, shared_dir)
    LOG.info("training on %d O*NET statements and %d labeled postings", len(onet), len(postings))
    model = fit_model(onet, postings, settings)
    model.title_suggester = fit_title_suggester(shared_dir)
    model.metadata = {
        "version": __version__,
        "settings": asdict(settings),
        "onet_statements": dict(sorted(Counter(f for _, f in onet).items())),
        "postings": len(postings),
        "posting_sources": dict(sorted(Counter(p.source for p in postings).items())),
        "posting_duties": dict(sorted(Counter(p.duties for p in postings).items())),
        "posting_statements": sum(len(p.duty_quotes) for p in postings),
        "libraries": {"scikit-learn": sklearn.__version__, "spacy": spacy.__version__, "numpy": np.__version__},
        "python": platform.python_version(),
    }
    return model
