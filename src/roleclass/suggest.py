"""A suggested title for a posting: the O*NET job title nearest to what its duties are.

``TitleSuggester`` follows scikit-learn's conventions (parameters in ``__init__``,
learning in ``fit``, fitted attributes ending in ``_``) and is built at training time
from O*NET (``onet_title_examples``): each candidate title is represented by the
task statements of the O*NET occupations that report it, plus its own words. A
suggestion is only ever a title that claims the function the duties carry (by
``title.title_claim``), so the suggested title never mismatches the duties it was
suggested for. Scoring reads nothing from ../shared: the fitted suggester travels in
the model bundle (``RoleclassModel.title_suggester``).

Until a model carries a suggester, ``suggest_title`` falls back to one plain title per
duties label (``FALLBACK_TITLES``).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

from roleclass.data import onet_function
from roleclass.labels import FUNCTIONS_OF_DUTIES
from roleclass.title import title_claim

FALLBACK_TITLES = {
    "sales": "Sales Representative",
    "marketing": "Marketing Specialist",
    "mixed": "Sales and Marketing Manager",
    "other": "",
}
# the title claim a suggestion must make for each duties label (LABELING.md, field 4)
CLAIM_FOR_DUTIES = {"sales": "sales", "marketing": "marketing", "mixed": "both"}
# which duty statements describe the job for each duties label
REPORTED_SHOWN_PRIOR = 0.08  # a title O*NET shows in My Next Move
REPORTED_PRIOR = 0.05  # a title incumbents reported
ALTERNATE_PRIOR = 0.0  # one of O*NET's alternate titles

_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_MARKETING_WORD = re.compile(r"\bmarketing\b", re.I)
_SALES_WORD = re.compile(r"\bsales\b|\bbusiness development\b", re.I)
_STOP = frozenset(ENGLISH_STOP_WORDS) - {"call", "calls"}
_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "er", "ies", "es", "ed", "s")


def _stem(word: str) -> str:
    """A small suffix stripper: 'calls'/'calling' -> 'call', 'campaigns' -> 'campaign'."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """Stemmed content words and their bigrams (module level so a fitted suggester pickles)."""
    words = [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def clean_title(title: str) -> str:
    """'Sales Representative (Sales Rep)' -> 'Sales Representative'."""
    return re.sub(r"\s+", " ", _PARENTHESES.sub("", title)).strip(" ,")


class TitleSuggester(BaseEstimator):
    """Nearest title to a posting's duties, by TF-IDF cosine to each title's O*NET tasks.

    Parameters
    ----------
    title_weight: how much the title's own words count next to its occupations' tasks.
    min_df: terms in fewer documents are dropped.
    """

    def __init__(self, title_weight: float = 0.35, min_df: int = 1) -> None:
        self.title_weight = title_weight
        self.min_df = min_df

    def fit(self, X: Sequence[str], y: Sequence[str], prior: Sequence[float] | None = None) -> TitleSuggester:
        """Learn from documents X (an occupation's task statements) describing titles y.

        A title given with several documents (reported by several occupations) is
        represented by the mean of their vectors; ``prior`` is a small per-row bonus
        (the highest one counts) that prefers commonly reported titles on near ties.
        """
        if len(X) != len(y) or not len(X):
            raise ValueError("X and y must be non-empty and of the same length")
        prior = [0.0] * len(X) if prior is None else list(prior)
        titles = sorted({clean_title(t) for t in y if clean_title(t)})
        unique_documents = sorted(set(X))
        vectorizer = TfidfVectorizer(analyzer=terms, sublinear_tf=True, min_df=self.min_df, dtype=np.float32)
        vectorizer.fit(unique_documents + titles)
        vectors = normalize(vectorizer.transform(unique_documents))
        position = {document: i for i, document in enumerate(unique_documents)}
        documents = vectors[[position[document] for document in X]]
        rows: dict[str, list[int]] = defaultdict(list)
        best_prior: dict[str, float] = defaultdict(float)
        for i, title in enumerate(y):
            name = clean_title(title)
            if name:
                rows[name].append(i)
                best_prior[name] = max(best_prior[name], float(prior[i]))
        centroids = sparse.vstack([sparse.csr_matrix(documents[rows[t]].mean(axis=0)) for t in titles])
        self.vectorizer_ = vectorizer
        self.titles_ = np.array(titles, dtype=object)
        self.centroids_ = normalize(centroids.tocsr()).astype(np.float32)
        self.title_vectors_ = normalize(vectorizer.transform(titles)).astype(np.float32)
        self.prior_ = np.array([best_prior[t] for t in titles])
        self.claims_ = np.array([title_claim(t) for t in titles], dtype=object)
        return self

    def scores(self, text: str) -> np.ndarray:
        """Similarity of the text to every title (higher is nearer)."""
        vector = normalize(self.vectorizer_.transform([text])).T
        tasks = (self.centroids_ @ vector).toarray().ravel()
        words = (self.title_vectors_ @ vector).toarray().ravel()
        return tasks + self.title_weight * words + self.prior_

    def suggest(self, text: str, duties: str | None = None) -> str:
        """The nearest title whose claim matches the duties label ("" for duties ``other``)."""
        if duties is not None and duties not in CLAIM_FOR_DUTIES:
            return ""
        scores = self.scores(text)
        allowed = self.claims_ == CLAIM_FOR_DUTIES[duties] if duties else np.ones(len(scores), dtype=bool)
        if not allowed.any():
            return FALLBACK_TITLES.get(duties or "", "")
        scores = np.where(allowed, scores, -np.inf)
        return str(self.titles_[int(np.argmax(scores))])

    def predict(self, X: Sequence[str]) -> list[str]:
        """The nearest title for each text, whatever it claims."""
        return [self.suggest(text) for text in X]


def _read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        return [row for row in reader if row]


def _names_both(title: str) -> bool:
    return bool(_MARKETING_WORD.search(title) and _SALES_WORD.search(title))


def onet_title_examples(shared_dir: Path) -> tuple[list[str], list[str], list[float]]:
    """(tasks of an occupation, a title it reports, prior) for the sales and marketing codes.

    Titles come from 'onet_29_3/Sample of Reported Titles.txt' and 'Alternate Titles.txt';
    only titles that claim sales, marketing or both (``title_claim``) are candidates, and
    only under an occupation of that function (``data.onet_function``).
    """
    onet = shared_dir / "onet"
    tasks: dict[str, list[str]] = defaultdict(list)
    for row in _read_tsv(onet / "Task Statements.txt"):
        if onet_function(row[0]) != "neither":
            tasks[row[0]].append(row[2])
    candidates: dict[tuple[str, str], float] = {}

    def add(code: str, title: str, prior: float) -> None:
        name = clean_title(title)
        function = onet_function(code)
        claim = title_claim(name)
        if code not in tasks or not name or claim not in (function, "both"):
            return
        if claim == "both" and not _names_both(name):
            return  # "Advertising Sales Representative" claims both by its words, but sells
        candidates[(code, name)] = max(prior, candidates.get((code, name), prior))

    reported = onet / "onet_29_3" / "Sample of Reported Titles.txt"
    if reported.is_file():
        for row in _read_tsv(reported):
            add(row[0], row[2], REPORTED_SHOWN_PRIOR if row[3:4] == ["Y"] else REPORTED_PRIOR)
    for row in _read_tsv(onet / "Alternate Titles.txt"):
        add(row[0], row[1], ALTERNATE_PRIOR)
    documents, titles, priors = [], [], []
    for (code, name), prior in sorted(candidates.items()):
        documents.append("\n".join(tasks[code]))
        titles.append(name)
        priors.append(prior)
    return documents, titles, priors


def fit_title_suggester(shared_dir: Path) -> TitleSuggester:
    """The suggester ``roleclass train`` stores in the model bundle."""
    documents, titles, priors = onet_title_examples(shared_dir)
    return TitleSuggester().fit(documents, titles, prior=priors)


def duty_text(result: object, duties: str | None) -> str:
    """The statements of a scored posting that carry its duties label (all text if none)."""
    functions = tuple(f for f in FUNCTIONS_OF_DUTIES.get(duties or "", ()) if f != "neither")
    spans = [s.text for s in getattr(result, "duty_spans", []) if s.function in functions]
    return "\n".join(spans) if spans else str(getattr(result, "text", ""))


def suggest_title(suggester: TitleSuggester | None, result: object) -> str:
    """The suggested title for a scored posting, with the plain fallback when no suggester."""
    duties = getattr(result, "duties", None)
    if not duties or duties not in CLAIM_FOR_DUTIES:
        return ""
    if suggester is None:
        return FALLBACK_TITLES[duties]
    return suggester.suggest(duty_text(result, duties), duties) or FALLBACK_TITLES[duties]
