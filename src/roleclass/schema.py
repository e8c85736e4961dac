"""The columns ``roleclass batch`` adds to every row: defined once, here.

Everything that writes or describes a batch row derives from ``ADDED``: the CSV/TSV
header (``output_columns``), the Parquet schema (``arrow_fields``), the Dask meta
(``pandas_dtype``) and the web API's row model (``python_type``). Adding a column is
one ``Column`` here plus the line in ``rows.result_columns`` that fills it.

How each kind is written:

========  ===================  ==========================  ==========================
kind      CSV / TSV cell       JSON Lines                  Parquet
========  ===================  ==========================  ==========================
string    the text             a string                    string
float     ``repr`` (17 digits)  a number                    float64
bool      ``true``/``false``   true/false                  bool
evidence  compact JSON list    a list of objects           list<struct<...>>
========  ===================  ==========================  ==========================

Every added column is nullable: an empty cell in CSV, null elsewhere. A row that could
not be scored has only ``error`` set; a posting in an unsupported language has no
verdict, confidence, probabilities or sales share; one without a title no title claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# one evidence item: the clean-text span (into ScoreResult.text) and the span in the input as given
EVIDENCE_FIELDS: tuple[tuple[str, str], ...] = (
    ("phrase", "string"),
    ("start", "int"),
    ("end", "int"),
    ("function", "string"),
    ("weight", "float"),
    ("input_start", "int"),
    ("input_end", "int"),
    ("input_exact", "bool"),
)


@dataclass(frozen=True)
class Column:
    """One added column: its name, kind (string, float, bool, evidence) and what it says."""

    name: str
    kind: str
    doc: str
    nullable: bool = True

    def arrow_type(self) -> Any:
        import pyarrow as pa

        if self.kind == "evidence":
            return pa.list_(pa.struct([(name, _arrow(kind)) for name, kind in EVIDENCE_FIELDS]))
        return _arrow(self.kind)

    @property
    def pandas_dtype(self) -> str | type:
        """float64 for numbers (null as NaN); object for the rest (null as None)."""
        return "float64" if self.kind == "float" else object

    @property
    def python_type(self) -> Any:
        base = {"string": str, "float": float, "bool": bool, "evidence": list[dict[str, Any]]}[self.kind]
        return base | None if self.nullable else base


def _arrow(kind: str) -> Any:
    import pyarrow as pa  # imported on first use, never at import time

    return {"string": pa.string, "int": pa.int64, "float": pa.float64, "bool": pa.bool_}[kind]()


ADDED: list[Column] = [
    Column("verdict", "string", "sales, marketing, hybrid or other; null: no verdict (unsupported language)"),
    Column("confidence", "float", "the verdict's probability; null when there is nothing to base it on"),
    Column("prob_sales", "float", "probability of the verdict sales"),
    Column("prob_marketing", "float", "probability of the verdict marketing"),
    Column("prob_hybrid", "float", "probability of the verdict hybrid"),
    Column("prob_other", "float", "probability of the verdict other"),
    Column("duties", "string", "what the duties are: sales, marketing, mixed or other"),
    Column("sales_share", "float", "sales share of the sales and marketing duty weight"),
    Column("title_claim", "string", "what the title claims; null without a title"),
    Column("mismatch", "bool", "the duties don't carry what the title claims"),
    Column("reason", "string", "one line on why"),
    Column("evidence", "evidence", "the deciding phrases, with offsets into the clean text and the input"),
    Column("error", "string", "why the row could not be scored; null when it was"),
    Column("review", "bool", "a person should read this result before acting on it"),
    Column("review_reason", "string", "why it needs review; null when it does not"),
]


def output_columns() -> tuple[str, ...]:
    """The added columns' names, in the order they are written after the input's own."""
    return tuple(column.name for column in ADDED)


def column(name: str) -> Column:
    return next(c for c in ADDED if c.name == name)


def arrow_fields() -> list[Any]:
    """The added columns as pyarrow fields (the tail of a batch output's Parquet schema)."""
    import pyarrow as pa

    return [pa.field(c.name, c.arrow_type(), nullable=c.nullable) for c in ADDED]


def pandas_dtypes() -> dict[str, Any]:
    """The added columns' pandas dtypes (a Dask DataFrame's meta)."""
    return {c.name: c.pandas_dtype for c in ADDED}


def empty_row() -> dict[str, Any]:
    """The added columns of a row that was not scored: all null (its ``error`` is set after)."""
    return dict.fromkeys(output_columns())
