"""``roleclass train``: build the model from O*NET and the labeled corpus.

1. The duty classifier learns statements -> sales/marketing/neither from O*NET task
   statements (formal wording, weight 1) and from the duty statements quoted in labeled
   postings (the wording postings really use, weight ``POSTING_STATEMENT_WEIGHT``).
2. The posting classifier learns duty shares -> duties label on labeled postings. Its
   inputs come from duty classifiers that never saw the posting (out-of-fold
   stacking), so it learns how a duty classifier behaves on unseen text.
Everything is seeded and sorted: the same data gives the same model file.
"""

from __future__ import annotations

import logging
import platform
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import sklearn
import spacy

from roleclass import __version__
from roleclass.clean import clean_text
from roleclass.data import LabeledPosting, load_labeled_postings, load_onet_tasks
from roleclass.duties import pipeline, statements
from roleclass.duty_detector import DutyDetector, fit_duty_detector, posting_weights
from roleclass.duty_model import DutyClassifier
from roleclass.features import counts, span_features
from roleclass.language import SUPPORTED, detect_language
from roleclass.model_io import RoleclassModel
from roleclass.posting_model import PostingClassifier, duty_mass, posting_features
from roleclass.suggest import fit_title_suggester
from roleclass.title import title_claim

LOG = logging.getLogger(__name__)
POSTING_STATEMENT_WEIGHT = 6.0
STACKING_FOLDS = 5


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


def fit_duty_classifier(onet: Sequence[tuple[str, str]], postings: Sequence[LabeledPosting]) -> DutyClassifier:
    bags, labels, weights = statement_examples(onet, postings)
    return DutyClassifier().fit(bags, labels, sample_weight=weights)


@cache
def _posting_statements(text: str) -> tuple[list[dict[str, float]], np.ndarray]:
    """A posting's statement feature bags and weights (independent of the classifier; cached)."""
    cleaned = clean_text(text)
    language = detect_language(cleaned) if cleaned.strip() else "en"
    _, spans = statements(cleaned, language if language in SUPPORTED else "en")
    bags = [counts(span_features(span)) for span in spans]
    return bags, np.array([span._.weight for span in spans], dtype=float)


def posting_vector(classifier: DutyClassifier, posting: LabeledPosting, detector: DutyDetector | None = None) -> list[float]:
    """The duty-share features of one posting under a given duty classifier (and duty detector)."""
    bags, weights = _posting_statements(posting.text)
    if detector is not None:
        weights = posting_weights(detector, posting.text)
    probabilities = classifier.predict_proba(bags) if bags else np.zeros((0, 3))
    return posting_features(duty_mass(probabilities, weights), title_claim(posting.title))


def out_of_fold_vectors(
    onet: Sequence[tuple[str, str]], postings: Sequence[LabeledPosting], folds: int = STACKING_FOLDS
) -> list[list[float]]:
    vectors: list[list[float] | None] = [None] * len(postings)
    for fold in range(folds):
        held = [i for i, p in enumerate(postings) if p.fold_key % folds == fold]
        rest = [p for p in postings if p.fold_key % folds != fold]
        classifier = fit_duty_classifier(onet, rest)
        detector = fit_duty_detector(rest)
        for i in held:
            vectors[i] = posting_vector(classifier, postings[i], detector)
    return [v for v in vectors if v is not None]


def fit_model(onet: Sequence[tuple[str, str]], postings: Sequence[LabeledPosting]) -> RoleclassModel:
    """Fit both stages on the given data (used by `train` and by each CV fold)."""
    vectors = out_of_fold_vectors(onet, postings)
    posting_classifier = PostingClassifier().fit(vectors, [p.duties for p in postings])
    duty_classifier = fit_duty_classifier(onet, postings)
    return RoleclassModel(duty_classifier, posting_classifier, duty_detector=fit_duty_detector(postings))


def train(corpus_dir: Path, shared_dir: Path) -> RoleclassModel:
    """Build the shipped model from the repo's corpus and ../shared."""
    if not (shared_dir / "onet").is_dir():
        raise FileNotFoundError(f"O*NET data not found under {shared_dir}/onet")
    onet = load_onet_tasks(shared_dir)
    postings = load_labeled_postings(corpus_dir, shared_dir)
    LOG.info("training on %d O*NET statements and %d labeled postings", len(onet), len(postings))
    model = fit_model(onet, postings)
    model.title_suggester = fit_title_suggester(shared_dir)
    model.metadata = {
        "version": __version__,
        "onet_statements": dict(sorted(Counter(f for _, f in onet).items())),
        "postings": len(postings),
        "posting_sources": dict(sorted(Counter(p.source for p in postings).items())),
        "posting_duties": dict(sorted(Counter(p.duties for p in postings).items())),
        "posting_statements": sum(len(p.duty_quotes) for p in postings),
        "libraries": {"scikit-learn": sklearn.__version__, "spacy": spacy.__version__, "numpy": np.__version__},
        "python": platform.python_version(),
    }
    return model
