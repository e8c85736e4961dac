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
from collections.abc import Collection
from dataclasses import dataclass

from roleclass.features import Feature
from roleclass.labels import FUNCTIONS, FUNCTIONS_OF_DUTIES
from roleclass.result import EvidenceItem

MAX_EVIDENCE = 10
MAX_MERGE_GAP = 2  # characters of whitespace/punctuation allowed between merged terms


@dataclass
class Term:
    start: int
    end: int
    function: str
    weight: float
    statement: int


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


def _merge(text: str, terms: list[Term]) -> list[Term]:
    """Merge overlapping or adjacent terms of the same function within a statement."""
    merged: list[Term] = []
    for term in sorted(terms, key=lambda t: (t.statement, t.function, t.start, t.end)):
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.statement == term.statement
            and last.function == term.function
            and term.start <= last.end + MAX_MERGE_GAP
            and not text[last.end : term.start].strip(" ,-/&")
        ):
            last.end = max(last.end, term.end)
            last.weight += term.weight
        else:
            merged.append(Term(term.start, term.end, term.function, term.weight, term.statement))
    return merged


def evidence(text: str, terms: list[Term], duties: str, limit: int = MAX_EVIDENCE) -> list[EvidenceItem]:
    """The strongest merged phrases toward the functions behind the duties label.

    A phrase that recurs ("prospects" in five bullets) is listed once, at its strongest
    occurrence, so the few phrases a reader sees are different reasons, not one reason
    repeated.
    """
    wanted = FUNCTIONS_OF_DUTIES.get(duties, ())
    phrases = [t for t in _merge(text, terms) if t.function in wanted]
    phrases.sort(key=lambda t: (-t.weight, t.start))
    out: list[EvidenceItem] = []
    seen: set[str] = set()
    for t in phrases:
        key = " ".join(text[t.start : t.end].casefold().split())
        if key in seen:
            continue
        seen.add(key)
        out.append(EvidenceItem(text[t.start : t.end], t.start, t.end, t.function, round(t.weight, 4)))
        if len(out) == limit:
            break
    return out
