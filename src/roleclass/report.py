"""The recruiters' report (``roleclass mismatches``): postings whose title claims a
function their duties don't carry, strongest first, with a suggested title.

The rows are scored by the local runner (``runner.scored_chunks``, on every core), or
by a Scorer the caller holds (the web app: its own model and lock, no second model),
or read from a finished ``roleclass batch`` output, which is not scored again. Cells a
spreadsheet would run as formulas are neutralised in CSV/TSV (the OWASP rule), and
Markdown is escaped; JSON Lines and Parquet keep the values exact.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roleclass import runner
from roleclass.errors import InputError
from roleclass.formats import FORMATS, ReadOptions, count_rows, detect_format, open_reader, reader_fields
from roleclass.readers import JsonlReader, csv_dialect
from roleclass.rows import Row, is_true, missing, score_rows
from roleclass.schema import column as schema_column
from roleclass.summary import BatchSummary
from roleclass.writers import cell

REPORT_COLUMNS = (
    "row",
    "id",
    "title",
    "title_claim",
    "duties",
    "verdict",
    "confidence",
    "phrases",
    "suggested_title",
    "reason",
    "review",
    "review_reason",
)
REPORT_PHRASES = 5
REPORT_FORMATS = (*FORMATS, "md")
# the columns that say a table is a finished batch output (so it is read, not scored again)
BATCH_VERDICT_COLUMNS = (
    "verdict",
    "confidence",
    "duties",
    "title_claim",
    "mismatch",
    "reason",
    "evidence",
    "error",
)


def report_schema() -> Any:
    """The Parquet schema of the report (the review columns typed as in batch output)."""
    import pyarrow as pa

    fields = [
        ("row", pa.int64()),
        ("id", pa.string()),
        ("title", pa.string()),
        ("title_claim", pa.string()),
        ("duties", pa.string()),
        ("verdict", pa.string()),
        ("confidence", pa.float64()),
        ("phrases", pa.list_(pa.string())),
        ("suggested_title", pa.string()),
        ("reason", pa.string()),
    ]
    fields += [(name, schema_column(name).arrow_type()) for name in ("review", "review_reason")]
    return pa.schema(fields)


def _report_format(path: str | Path, fmt: str | None) -> str:
    name = str(path)
    if name != "-" and Path(name).suffix.lower() in (".md", ".markdown"):
        return "md"
    if fmt == "md" or (name == "-" and fmt is None):
        return "md"
    return detect_format(path, fmt)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: a spreadsheet runs these
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading
    single quote (the OWASP CSV-injection rule), so ``=HYPERLINK(...)`` in a title is
    shown, never run."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _markdown_cell(value: Any) -> str:
    """One Markdown table cell: on one line, HTML and Markdown markup escaped, so a title
    holding ``<img onerror=...>`` or ``[link](...)`` shows as the characters it is."""
    text = "; ".join(value) if isinstance(value, list) else cell(value)
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _report_cell(column: str, value: Any) -> str:
    if column == "phrases":
        return spreadsheet_safe("; ".join(value))
    text = cell(value)
    return text if column in ("row", "confidence") else spreadsheet_safe(text)


def write_report(entries: Sequence[dict[str, Any]], report_path: str | Path, fmt: str) -> None:
    """Write report entries (dicts over REPORT_COLUMNS) as a table in ``fmt``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    to_stdout = str(report_path) == "-"
    if fmt == "parquet":
        table = pa.Table.from_pylist(list(entries), schema=report_schema())
        pq.write_table(table, sys.stdout.buffer if to_stdout else Path(report_path))
        return
    handle = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="") if to_stdout else None
    if handle is None:
        handle = Path(report_path).open("w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    try:
        if fmt == "jsonl":
            for entry in entries:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        elif fmt == "md":
            handle.write("| " + " | ".join(REPORT_COLUMNS) + " |\n")
            handle.write("|" + "---|" * len(REPORT_COLUMNS) + "\n")
            for entry in entries:
                handle.write("| " + " | ".join(_markdown_cell(entry[c]) for c in REPORT_COLUMNS) + " |\n")
        else:
            writer = csv.writer(handle, lineterminator="\n", **csv_dialect(fmt))
            writer.writerow(REPORT_COLUMNS)
            for entry in entries:
                writer.writerow([_report_cell(c, entry[c]) for c in REPORT_COLUMNS])
    finally:
        handle.flush()
        if to_stdout:
            handle.detach()
        else:
            handle.close()


def is_batch_output(fields: Sequence[str]) -> bool:
    """Whether a table's columns are those ``roleclass batch`` adds (so it is scored)."""
    return set(BATCH_VERDICT_COLUMNS) <= set(fields)


def _evidence_phrases(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [str(e["phrase"]) for e in value if isinstance(e, dict) and "phrase" in e][:REPORT_PHRASES]


def _number(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def _report_entry(row: Row, ident: Any, added: dict[str, Any], suggested: str) -> dict[str, Any]:
    """One report entry from a row's added columns (scored now, or read from a batch output)."""
    review = added.get("review")
    return {
        "row": row.number,
        "id": None if missing(ident) or ident in ("", None) else str(ident),
        "title": row.title,
        "title_claim": added["title_claim"],
        "duties": added["duties"],
        "verdict": added["verdict"],
        "confidence": _number(added["confidence"]),
        "phrases": _evidence_phrases(added["evidence"]),
        "suggested_title": suggested,
        "reason": added["reason"],
        "review": None if review is None else is_true(review),
        "review_reason": added.get("review_reason"),
    }


@dataclass(frozen=True)
class Scoring:
    """How the report's rows are scored: on the local ``pool``, or (``scorer`` given) in
    this thread with that Scorer, ``pool.chunk_size`` postings per turn of ``lock``."""

    pool: runner.Pool
    scorer: Any = None
    lock: Any = None

    def rows(self, reader: Any, summary: BatchSummary) -> Iterator[tuple[Row, dict[str, Any]]]:
        """(row, added columns with its suggested title) for every row of ``reader``, in order."""
        if self.scorer is not None:
            for scored in score_rows(
                self.scorer, reader, suggest=True, lock=self.lock, batch_size=self.pool.chunk_size
            ):
                yield scored.row, {**scored.added, **scored.extra}
            return

        def started(processes: int) -> None:
            summary.workers = processes

        for chunk, added in runner.scored_chunks(iter(reader), self.pool, suggest=True, on_start=started):
            yield from zip(chunk, added, strict=True)

    def suggestion(self, row: Row) -> str:
        """The suggested title of one row read from a batch output (scored again, here)."""
        scorer = (
            self.scorer
            if self.scorer is not None
            else runner.local_scorer(self.pool.model_path, self.pool.trust)
        )
        (scored,) = score_rows(scorer, [row], suggest=True, lock=self.lock)
        return scored.extra.get("suggested_title", "")  # none where the row fails now


def _read_batch_output(row: Row) -> dict[str, Any]:
    values = row.values
    added = {
        c: (None if missing(values.get(c)) or values.get(c) == "" else values.get(c))
        for c in (*BATCH_VERDICT_COLUMNS, "review", "review_reason")
    }
    added["mismatch"] = is_true(values.get("mismatch"))
    return added


def _entries(
    reader: Any, scored: bool, scoring: Scoring, bar: Any, summary: BatchSummary
) -> list[dict[str, Any]]:
    """The report entries of every mismatched row: scored now, or (``scored``) read from a
    finished batch output, where only the mismatched rows are scored again, for their
    suggested title (which needs the duty statements the output does not carry)."""
    entries = []
    if scored:
        pairs: Iterator[tuple[Row, dict[str, Any]]] = ((row, _read_batch_output(row)) for row in reader)
    else:
        pairs = scoring.rows(reader, summary)
    for row, added in pairs:
        summary.add(row.number, added)
        bar.update(1)
        if not added.get("mismatch") or added.get("error"):
            continue
        if scored:
            suggested = scoring.suggestion(row) if row.text is not None else ""
        else:
            suggested = added.get("suggested_title", "")
        columns = reader.columns_for(row.values) if isinstance(reader, JsonlReader) else reader.columns
        ident = row.values.get(columns.id) if columns.id else None
        entries.append(_report_entry(row, ident, added, suggested))
    return entries


def mismatch_report(
    in_path: str | Path,
    report_path: str | Path,
    *,
    text_col: str | None = None,
    title_col: str | None = None,
    id_col: str | None = None,
    fmt: str | None = None,
    report_fmt: str | None = None,
    workers: int | None = None,
    chunk_size: int = runner.DEFAULT_CHUNK_SIZE,
    scorer_path: str | Path | None = None,
    trust: bool = False,
    progress: bool | None = False,
    resume: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
    scorer: Any = None,
    lock: Any = None,
) -> tuple[BatchSummary, list[dict[str, Any]]]:
    """The recruiters' report: postings whose title claims a function their duties don't carry.

    Sorted by confidence (highest first, then input order), each with its id, title, what
    the title claims, what the duties are, the verdict, the deciding phrases, a suggested
    title and the review flag. ``fmt`` is IN's format where its name can't tell (stdin);
    REPORT's comes from its extension (.md for a Markdown table) or ``report_fmt``, and '-'
    without it prints Markdown. Only the mismatched rows are held in memory. Returns the
    summary of the whole run and the report's entries.

    IN may be a finished ``roleclass batch`` output (it has the verdict columns): then it
    is read, not scored again. With ``resume`` the scored rows are kept in
    ``REPORT.scored.jsonl`` (a batch output, resumable like one) until the report is
    written, so an interrupted run goes on where it stopped. With ``scorer`` the rows are
    scored in this thread by that Scorer (holding ``lock``), not on worker processes.
    """
    from roleclass.run_record import check_output_path, record_path

    started = time.perf_counter()
    report_fmt = _report_format(report_path, report_fmt)
    to_stdout = str(report_path) == "-"
    if not to_stdout:
        check_output_path(Path(report_path))
    if resume and to_stdout:
        raise InputError("--resume needs a report file, not stdout: it keeps the scored rows beside it")
    in_fmt = detect_format(in_path, fmt)
    options = {"text_col": text_col, "title_col": title_col, "id_col": id_col}
    pool = runner.Pool(
        max(1, workers or os.cpu_count() or 1), chunk_size, runner.path_or_none(scorer_path), trust
    )
    scoring = Scoring(pool, scorer, lock)
    cleanups: list[Any] = []
    try:
        reader = open_reader(
            in_path,
            in_fmt,
            ReadOptions(text_col, title_col, id_col, chunk_size, delimiter, encoding),
            cleanups,
        )
        scored = is_batch_output(reader_fields(reader))
        if resume and not scored:
            work = Path(report_path).with_name(Path(report_path).name + ".scored.jsonl")
            scoring_summary = runner.classify_file(
                in_path, work, **options, fmt=fmt, workers=workers, chunk_size=chunk_size, resume=True,
                scorer_path=scorer_path, trust=trust, progress=progress, delimiter=delimiter, encoding=encoding,
            )  # fmt: skip
            summary, entries = mismatch_report(
                work, report_path, report_fmt=report_fmt, scorer_path=scorer_path, trust=trust, progress=False
            )
            summary.rows, summary.resumed = scoring_summary.rows, scoring_summary.resumed
            summary.workers = scoring_summary.workers
            summary.seconds = time.perf_counter() - started
            work.unlink()
            record_path(work).unlink(missing_ok=True)
            return summary, entries
        summary = BatchSummary(output=str(report_path))
        show = runner.show_progress(progress)
        total = count_rows(in_path, in_fmt, getattr(reader, "delimiter", None), encoding) if show else None
        bar = runner.progress_bar(show, total, 0)
        try:
            entries = _entries(reader, scored, scoring, bar, summary)
        finally:
            bar.close()
    finally:
        for cleanup in reversed(cleanups):
            cleanup()
    entries.sort(key=lambda e: (e["confidence"] is None, -(e["confidence"] or 0.0), e["row"]))
    write_report(entries, report_path, report_fmt)
    summary.seconds = time.perf_counter() - started
    return summary, entries
