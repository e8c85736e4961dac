"""The one row path: input values in, the added columns (``schema.ADDED``) out.

``score_rows(scorer, rows, columns)`` is what ``roleclass batch`` (in its worker
processes), ``roleclass.dask`` / ``classify_frame`` and the web batch API all call:
it takes the text and title out of each row's values (``make_row``), scores the rows
through ``Scorer.score_many``, and turns every per-row failure into that row's
``error`` column, so rows out == rows in, in order, whatever one posting does:

* a row that cannot be read (no text, empty, undecodable, malformed, too large) keeps
  its reader's reason;
* a posting the scorer refuses (``InputError``) gets the scorer's message;
* anything else (a bug) gets ``internal error (Type): message`` and the rest go on.

Evidence items carry offsets into the clean text (``start``/``end``, as ``score --json``)
and into the text as given (``input_start``/``input_end``, with ``input_exact`` true when
``text[input_start:input_end] == phrase``; ``offsets.input_evidence``).
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from roleclass.errors import InputError
from roleclass.schema import empty_row, output_columns

LOG = logging.getLogger(__name__)
TEXT_COLUMNS = ("description", "text")
TITLE_COLUMN = "title"
ID_COLUMN = "id"
SCORE_BATCH = 16  # postings Scorer.score_many works on together (its docstring says why 16)
_SURROGATE = re.compile("[\udc80-\udcff]")


@dataclass
class Row:
    """One input row: its own columns (in order), what to score, or why it can't be."""

    number: int  # 1-based data row number (header and blank lines not counted)
    values: dict[str, Any]
    text: str | None = None
    title: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Columns:
    """Which input columns hold the text, title and id (resolved once per file)."""

    text: str
    title: str | None = None
    id: str | None = None


@dataclass
class Scored:
    """A row with its added columns and, when it was scored, the ScoreResult."""

    row: Row
    added: dict[str, Any]
    result: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


# -- columns --------------------------------------------------------------------------------
def _find(
    columns: Sequence[str], wanted: str | None, defaults: Sequence[str], what: str, option: str
) -> str | None:
    """An explicitly named column (must exist) or the first default present (any case)."""
    if wanted is not None:
        if wanted not in columns:
            shown = ", ".join(repr(c) for c in columns[:20])
            raise InputError(f"no {what} column {wanted!r} in the input (columns: {shown}); check {option}")
        return wanted
    lowered = {str(c).strip().lower(): c for c in reversed(list(columns))}
    for name in defaults:
        if name in lowered:
            return lowered[name]
    return None


def resolve_columns(
    columns: Sequence[str],
    text_col: str | None = None,
    title_col: str | None = None,
    id_col: str | None = None,
) -> Columns:
    """Name the text, title and id columns; raises InputError when there is no text column."""
    text = _find(columns, text_col, TEXT_COLUMNS, "text", "--text-col")
    if text is None:
        shown = ", ".join(repr(c) for c in list(columns)[:20]) or "none"
        raise InputError(
            f"no text column: expected 'description' or 'text' (columns: {shown}); pass --text-col"
        )
    title = _find(columns, title_col, (TITLE_COLUMN,), "title", "--title-col")
    ident = _find(columns, id_col, (ID_COLUMN,), "id", "--id-col")
    return Columns(text, title, ident)


def output_names(columns: Sequence[str]) -> dict[str, str]:
    """Input column -> output name; an input column named like an added one becomes input_<name>."""
    added = output_columns()
    taken = set(columns) | set(added)
    names = {}
    for column in columns:
        name = column
        if column in added:
            name = f"input_{column}"
            while name in taken:
                name = f"input_{name}"
            taken.add(name)
        names[column] = name
    return names


# -- values ---------------------------------------------------------------------------------
def missing(value: Any) -> bool:
    """None, NaN, or pandas' NA (Dask partitions)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def is_true(value: Any) -> bool:
    """A boolean cell as read back: True, or the text 'true' a CSV output holds."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _text_value(value: Any, column: str) -> tuple[str | None, str | None]:
    """(text, error) for one cell of the text column."""
    if missing(value):
        return None, f"no value in the text column {column!r}"
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, f"undecodable bytes: the text is not valid UTF-8 (byte {exc.start})"
    if not isinstance(value, str):
        return None, f"the text column {column!r} holds {type(value).__name__}, not text"
    if _SURROGATE.search(value):
        return None, "undecodable bytes: the row is not valid UTF-8"
    if not value.strip():
        return None, "empty text: the posting is empty"
    return value, None


def title_value(value: Any) -> str | None:
    if missing(value):
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = value if isinstance(value, str) else str(value)
    return _SURROGATE.sub("\ufffd", value) or None


def make_row(number: int, values: dict[str, Any], columns: Columns, error: str | None = None) -> Row:
    """A Row from its values: the text and title taken out, or the first reason it fails."""
    text, text_error = _text_value(values.get(columns.text), columns.text)
    title = title_value(values.get(columns.title)) if columns.title else None
    return Row(number, values, text, title, error or text_error)


# -- scoring --------------------------------------------------------------------------------
def result_columns(result: Any, raw: str) -> dict[str, Any]:
    """The added columns for one ScoreResult of the posting ``raw`` (the text as given)."""
    from roleclass.offsets import input_evidence

    p = result.probabilities or {}
    return {
        "verdict": result.verdict,
        "confidence": result.confidence,
        "prob_sales": p.get("sales"),
        "prob_marketing": p.get("marketing"),
        "prob_hybrid": p.get("hybrid"),
        "prob_other": p.get("other"),
        "duties": result.duties,
        "sales_share": result.sales_share,
        "title_claim": result.title_claim,
        "mismatch": result.mismatch,
        "reason": result.reason,
        "evidence": input_evidence(raw, result.text, result.evidence),
        "error": None,
        "review": result.review,
        "review_reason": result.review_reason,
    }


def failed(error: str) -> dict[str, Any]:
    """The added columns of a row that was not scored."""
    return {**empty_row(), "error": error}


def score_rows(
    scorer: Any,
    rows: Iterable[Row | Mapping[str, Any]],
    columns: Columns | None = None,
    *,
    suggest: bool = False,
    batch_size: int = SCORE_BATCH,
    lock: Any = None,
) -> Iterator[Scored]:
    """Score ``rows`` (Rows a reader made, or mappings of values named by ``columns``) in order.

    Each comes back as a ``Scored``: its added columns, the ScoreResult where it was
    scored, and with ``suggest`` a mismatched row's ``suggested_title`` in ``extra``.
    ``lock`` (a context manager) is held while a batch of ``batch_size`` postings is
    scored: the web app shares one Scorer between threads.
    """
    guard = lock if lock is not None else contextlib.nullcontext()
    iterator = iter(rows)
    number = 0
    while True:
        chunk: list[Row] = []
        for item in islice(iterator, max(1, batch_size)):
            number += 1
            if isinstance(item, Row):
                chunk.append(item)
            else:
                if columns is None:
                    raise TypeError("score_rows needs columns to read rows given as mappings")
                chunk.append(make_row(number, dict(item), columns))
        if not chunk:
            return
        todo = [row for row in chunk if row.error is None and row.text is not None]
        with guard:
            outcomes = dict(zip(map(id, todo), _score(scorer, todo), strict=True))
            suggestions = _suggestions(scorer, outcomes.values()) if suggest else {}
        for row in chunk:
            yield _scored(row, outcomes.get(id(row)), suggestions)


def _score(scorer: Any, rows: list[Row]) -> list[Any]:
    if not rows:
        return []
    return list(scorer.score_many([r.text for r in rows], [r.title for r in rows], batch_size=len(rows)))


def _suggestions(scorer: Any, outcomes: Iterable[Any]) -> dict[int, str]:
    from roleclass.result import ScoreResult
    from roleclass.suggest import suggest_title

    suggester = getattr(getattr(scorer, "model", None), "title_suggester", None)
    found = {}
    for outcome in outcomes:
        if isinstance(outcome, ScoreResult) and outcome.mismatch:
            try:
                found[id(outcome)] = suggest_title(suggester, outcome)
            except Exception:  # a suggestion is a nicety: never a row's failure
                LOG.exception("no suggested title for a mismatched posting")
    return found


def _scored(row: Row, outcome: Any, suggestions: dict[int, str]) -> Scored:
    from roleclass.result import ScoreError

    if outcome is None:
        return Scored(row, failed(row.error or "no text"))
    if isinstance(outcome, ScoreError):
        return Scored(row, failed(outcome.message))
    try:
        added = result_columns(outcome, row.text or "")
    except Exception as exc:  # one posting must never stop the run
        LOG.exception("internal error writing a scored posting's columns")
        return Scored(row, failed(f"internal error ({type(exc).__name__}): {exc}"))
    extra = {"suggested_title": suggestions[id(outcome)]} if id(outcome) in suggestions else {}
    return Scored(row, added, outcome, extra)
