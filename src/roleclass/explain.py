"""Stage 8: evidence: the phrases whose weights moved the verdict, computed exactly.

Each statement's logits are a sum of per-feature terms (``DutyClassifier.feature_terms``);
a feature read from several places splits its term evenly among them. Terms are scaled
by the statement's weight in the duty shares, touching terms of the same function are
merged into one phrase, and the phrases pushing toward the functions that decided the
duties label are reported, strongest first. No sampling, so the same input always
gives the same evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from operator import itemgetter
from typing import NamedTuple

from roleclass.features import Feature
from roleclass.labels import FUNCTIONS, FUNCTIONS_OF_DUTIES
from roleclass.result import EvidenceItem

MAX_EVIDENCE = 10
MAX_MERGE_GAP = 2  # characters of whitespace/punctuation allowed between merged terms


class Term(NamedTuple):
    """A feature's term anchored to its phrase: a tuple, so a posting's terms are made in C
    (``zip``) and compare equal to plain tuples of the same values."""

    start: int
    end: int
    function: str
    weight: float
    statement: int


_MERGE_ORDER = itemgetter(4, 2, 0, 1)  # statement, function, start, end


def statement_terms(
    features: list[Feature],
    strongest: dict[str, tuple[int, float]],
    weight: float,
    statement: int,
    functions: Collection[str] | None = None,
) -> list[Term]:
    """Anchor each feature's centred logit term to its phrase(s), scaled by statement weight.

    The definition of a statement's terms; the scorer computes the same terms for a whole
    posting from its chunk's arrays (``scorer.StatementTerms.posting_terms``, tested equal).

    ``strongest`` gives, per feature the model knows, the function whose centred term is
    largest and that term (``Statements.strongest_terms``). With ``functions``, only terms
    toward those are kept: ``evidence`` shows no other, and terms merge only within a
    function, so the evidence is the same without building the rest.
    """
    occurrences = Counter(f.name for f in features)
    out: list[Term] = []
    for feature in features:
        best = strongest.get(feature.name)
        if best is None:
            continue
        k, term = best
        if functions is not None and FUNCTIONS[k] not in functions:
            continue
        value = term * weight / occurrences[feature.name]
        if value > 0:
            out.append(Term(feature.start, feature.end, FUNCTIONS[k], value, statement))
    return out


def _merge(text: str, terms: Sequence[tuple[int, int, str, float, int]]) -> list[list]:
    """Merge overlapping or adjacent terms of the same function within a statement.

    Each merged phrase is ``[start, end, function, weight, statement]``, its weight the
    terms' weights added in (statement, function, start, end) order."""
    merged: list[list] = []
    last: list | None = None
    for start, end, function, weight, statement in sorted(terms, key=_MERGE_ORDER):
        if (
            last is not None
            and last[4] == statement
            and last[2] == function
            and start <= last[1] + MAX_MERGE_GAP
            and not text[last[1] : start].strip(" ,-/&")
        ):
            last[1] = max(last[1], end)
            last[3] += weight
        else:
            last = [start, end, function, weight, statement]
            merged.append(last)
    return merged


def evidence(text: str, terms: Sequence[tuple[int, int, str, float, int]], duties: str, limit: int = MAX_EVIDENCE) -> list[EvidenceItem]:
    """The strongest merged phrases toward the functions behind the duties label.

    A phrase that recurs ("prospects" in five bullets) is listed once, at its strongest
    occurrence, so the few phrases a reader sees are different reasons, not one reason
    repeated.
    """
    wanted = FUNCTIONS_OF_DUTIES.get(duties, ())
    # a phrase merges terms of one function only, so the other functions' terms are left out first
    phrases = _merge(text, [term for term in terms if term[2] in wanted])
    phrases.sort(key=lambda m: (-m[3], m[0]))
    out: list[EvidenceItem] = []
    seen: set[str] = set()
    for start, end, function, weight, _ in phrases:
        key = " ".join(text[start:end].casefold().split())
        if key in seen:
            continue
        seen.add(key)
        out.append(EvidenceItem(text[start:end], start, end, function, round(weight, 4)))
        if len(out) == limit:
            break
    return out
