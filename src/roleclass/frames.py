"""pandas: ``classify_frame(df, text_col=..., title_col=...)``, the batch columns on a DataFrame.

The same row path as ``roleclass batch`` (``rows.score_rows``): every row of the frame
comes back, in order, with its own columns (one named like an added column becomes
``input_<name>``) and the columns of ``schema.ADDED``, typed as the schema says
(numbers float64 with NaN for null, the rest object with None). A row that cannot be
scored has its ``error`` set; nothing is raised for one bad row. ``roleclass.dask``
applies the same function to each partition.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from roleclass import schema
from roleclass.rows import Columns, output_names, resolve_columns, score_rows


@lru_cache(maxsize=4)
def cached_scorer(model_path: str | None, trust: bool) -> Any:
    """One Scorer per process and model file (a Dask worker loads it on its first partition)."""
    from roleclass.scorer import Scorer

    return Scorer.load(model_path, trust=trust)


def classify_frame(
    df: Any,
    text_col: str | None = None,
    title_col: str | None = None,
    id_col: str | None = None,
    *,
    scorer: Any = None,
    model_path: str | None = None,
    trust: bool = False,
) -> Any:
    """``df`` with the batch columns added (a new DataFrame; ``df`` is not changed).

    Columns are found as ``roleclass batch`` finds them: ``text_col`` (default
    ``description``, else ``text``), ``title_col`` (default ``title`` if present),
    ``id_col`` (checked to exist; ids stay in their column). Scores with ``scorer``, else
    the model at ``model_path`` (the shipped one by default), loaded once per process.
    Raises ``InputError`` when a named column, or any text column, is missing.
    """
    columns = resolve_columns([str(c) for c in df.columns], text_col, title_col, id_col)
    path = None if model_path is None else str(model_path)
    return frame_with_columns(
        df, columns, (lambda: scorer) if scorer is not None else (lambda: cached_scorer(path, trust))
    )


def frame_with_columns(frame: Any, columns: Columns, get_scorer: Callable[[], Any]) -> Any:
    """``frame`` with the added columns; ``get_scorer`` is called only when there are rows
    (an empty frame, such as a Dask meta, never loads a model)."""
    import pandas as pd

    added: dict[str, list[Any]] = {c: [] for c in schema.output_columns()}
    if len(frame):
        texts = frame[columns.text].tolist()
        titles = frame[columns.title].tolist() if columns.title else [None] * len(frame)
        wanted = Columns(columns.text, columns.title)
        values = (
            {columns.text: text, columns.title or "": title}
            for text, title in zip(texts, titles, strict=True)
        )
        for scored in score_rows(get_scorer(), values, wanted):
            for name, column in added.items():
                column.append(scored.added[name])
    out = frame.rename(columns=output_names([str(c) for c in frame.columns]))
    for column in schema.ADDED:  # read now: the schema is the one place columns are defined
        values = added[column.name]
        if column.pandas_dtype == "float64":
            values = [float("nan") if v is None else v for v in values]
        out[column.name] = pd.Series(values, index=frame.index, dtype=column.pandas_dtype)
    return out
