"""``roleclass batch``: classify a whole file of postings, streaming, on every core.

Pure functions (no click): ``classify_file`` reads CSV, TSV, JSON Lines or Parquet in
chunks, scores each chunk in a worker process, and writes every input row, in order,
with its own columns plus ``OUTPUT_COLUMNS``. Memory stays flat in the number of rows:
the reader is a generator, at most ``2 x workers`` chunks are in flight, and rows are
written as soon as their chunk comes back.

Rules that make the output trustworthy:

* Rows out == rows in, in order. A bad row (empty text, undecodable bytes, a field too
  large, a ragged or malformed CSV record, a malformed JSON line, no text value) keeps
  its columns, gets an ``error`` and empty verdict columns, and the run goes on.
  A whole-file problem (missing file, unknown format, no text column, empty file)
  raises ``InputError`` before anything is written.
* The output is byte-identical with 1 or N workers: chunks are cut the same way,
  scoring is deterministic, and results are written in input order.
* ``resume=True`` counts the rows completely written in OUT (a torn last row is cut
  off), skips that many input rows and appends, so an interrupted run finishes with
  the same file a clean run writes. Parquet cannot be appended to, so a Parquet OUT is
  written as complete part files in ``OUT.parts/`` while the run goes on and merged
  (rewritten) into OUT at the end; resuming picks up after the last complete part.

CSV and TSV are read with the csv module one record at a time from a binary stream
(so one undecodable or torn record costs one row, not the file); a record that cannot
be parsed (an unterminated quote) becomes an error row made of its first line, and
reading resumes on the next line. Parquet is read with ``iter_batches``.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import logging
import math
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

from roleclass.errors import InputError, Terminated
from roleclass.labels import VERDICTS

LOG = logging.getLogger(__name__)
FORMATS = ("csv", "tsv", "jsonl", "parquet")
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
INPUT_FORMATS = (*FORMATS, "xlsx")  # Excel workbooks are read (the first sheet), never written
SNIFFED_DELIMITERS = (",", ";", "\t", "|")
OUTPUT_COLUMNS = (
    "verdict",
    "confidence",
    "prob_sales",
    "prob_marketing",
    "prob_hybrid",
    "prob_other",
    "duties",
    "sales_share",
    "title_claim",
    "mismatch",
    "reason",
    "evidence",
    "error",
)
TEXT_COLUMNS = ("description", "text")
TITLE_COLUMN = "title"
ID_COLUMN = "id"
DEFAULT_CHUNK_SIZE = 64
PARQUET_PART_ROWS = 4096  # rows per Parquet row group, and at most per part file while a run goes on
PARQUET_FLUSH_SECONDS = 30.0  # a part is written at least this often (what an interruption keeps)
MAX_RECORD_CHARS = 4_000_000  # a CSV record or JSON line longer than this is an error row
JSONL_PEEK_LINES = 1000  # lines read ahead to find the first object (to name the text column)
FAILED_SHOWN = 10
OVERSIZED_HEAD_BYTES = 1 << 16  # of a record too large, this much is parsed for its id and title
_SURROGATE = re.compile("[\udc80-\udcff]")
_NO_RESULT: dict[str, Any] = dict.fromkeys(OUTPUT_COLUMNS)
TOO_LARGE = "field too large"


# -- what comes in and what goes out --------------------------------------------------
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
class BatchSummary:
    """What a run did; ``to_text`` is what the CLI prints at the end."""

    rows: int = 0  # rows written in this run
    resumed: int = 0  # rows already in OUT that this run skipped
    verdicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*VERDICTS, "none"), 0))
    mismatches: int = 0
    errors: int = 0
    seconds: float = 0.0
    workers: int = 1
    output: str = ""
    failed: list[tuple[int, str]] = field(default_factory=list)  # (row number, error), the first few

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def total(self) -> int:
        """Rows in the output: written now and found done by a resume."""
        return self.rows + self.resumed

    def add(self, number: int, added: dict[str, Any], done: bool = False) -> None:
        """Count one row's outcome; ``done``: a row a resumed run found already written."""
        self.rows += not done
        if added.get("error"):
            self.errors += 1
            if len(self.failed) < FAILED_SHOWN:
                self.failed.append((number, str(added["error"])))
            return
        self.verdicts[added.get("verdict") or "none"] += 1
        self.mismatches += bool(added.get("mismatch"))

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows_per_second": round(self.rows_per_second, 2)}

    def to_text(self) -> str:
        verdicts = ", ".join(f"{k} {v:,}" for k, v in self.verdicts.items() if v or k != "none")
        head = (
            f"{self.rows:,} rows in {self.seconds:.1f} s ({self.rows_per_second:,.1f} rows/s, "
            f"{self.workers} worker{'s' if self.workers != 1 else ''})"
        )
        lines = [head + (f", after {self.resumed:,} rows already in the output" if self.resumed else "")]
        scope = f" (all {self.total:,} rows)" if self.resumed else ""
        lines.append(f"verdicts{scope}: {verdicts}; mismatches {self.mismatches:,}; errors {self.errors:,}")
        lines.extend(f"  row {number}: {message}" for number, message in self.failed)
        if self.errors > len(self.failed):
            lines.append(f"  … and {self.errors - len(self.failed):,} more rows with an error column")
        if self.output:
            lines.append(f"wrote {self.output}")
        return "\n".join(lines)


# -- formats and columns ----------------------------------------------------------------
def detect_format(path: str | Path, fmt: str | None = None, output: bool = False) -> str:
    """The format of a path by its extension, else ``fmt``; '-' needs ``fmt``."""
    name = str(path)
    by_extension = None if name == "-" else EXTENSIONS.get(Path(name).suffix.lower())
    chosen = by_extension or fmt
    if chosen is None:
        if name == "-":
            raise InputError("reading or writing '-' needs --format (csv, tsv, jsonl or parquet)")
        raise InputError(
            f"cannot tell the format of {name} from its extension; pass --format csv|tsv|jsonl|parquet"
        )
    if output and chosen == "xlsx":
        raise InputError(
            f"cannot write {name}: xlsx is read, not written; name a .csv, .tsv, .jsonl or .parquet"
        )
    if chosen not in INPUT_FORMATS:
        raise InputError(f"unknown format {chosen!r}: use one of {', '.join(INPUT_FORMATS)}")
    return chosen


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
    taken = set(columns) | set(OUTPUT_COLUMNS)
    names = {}
    for column in columns:
        name = column
        if column in OUTPUT_COLUMNS:
            name = f"input_{column}"
            while name in taken:
                name = f"input_{name}"
            taken.add(name)
        names[column] = name
    return names


def _text_value(value: Any, column: str) -> tuple[str | None, str | None]:
    """(text, error) for one cell of the text column."""
    if _missing(value):
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


def _missing(value: Any) -> bool:
    """None, NaN, or pandas' NA (Dask partitions)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def _title_value(value: Any) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = value if isinstance(value, str) else str(value)
    return _SURROGATE.sub("\ufffd", value) or None


def make_row(number: int, values: dict[str, Any], columns: Columns, error: str | None = None) -> Row:
    """A Row from its values: the text and title taken out, or the first reason it fails."""
    text, text_error = _text_value(values.get(columns.text), columns.text)
    title = _title_value(values.get(columns.title)) if columns.title else None
    return Row(number, values, text, title, error or text_error)


# -- reading ----------------------------------------------------------------------------
class _Lines:
    """Numbered text lines from a binary stream, decoded one by one, with push-back.

    A line that is not UTF-8 is decoded with surrogate escapes (and flagged by the
    row that holds it); a line longer than MAX_RECORD_CHARS is read through and
    returned as None.
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self._back: list[tuple[int, str | None]] = []
        self.number = 0
        self.oversized_head = ""  # the start of the last line too long to keep (for its id and title)

    def _raw(self) -> bytes | None:
        line = self._handle.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        if len(line) > MAX_RECORD_CHARS and not line.endswith(b"\n"):
            self.oversized_head = line[:OVERSIZED_HEAD_BYTES].decode("utf-8", "replace")
            while True:  # read the rest of the oversized line and drop it
                rest = self._handle.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    return None
        return line

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> tuple[int, str | None]:
        if self._back:
            return self._back.pop()
        raw = self._raw()
        self.number += 1
        if raw is None:
            return self.number, None
        if self.number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            return self.number, raw.decode("utf-8")
        except UnicodeDecodeError:
            return self.number, raw.decode("utf-8", "surrogateescape")

    def push_back(self, lines: list[tuple[int, str | None]]) -> None:
        self._back.extend(reversed(lines))


class _RecordTooLarge(Exception):
    pass


def _dialect(fmt: str, delimiter: str | None = None) -> dict[str, Any]:
    default = "\t" if fmt == "tsv" else ","
    return {"delimiter": delimiter or default, "quotechar": '"', "doublequote": True}


def sniff_delimiter(header: str) -> str:
    """The separator of a CSV header line: the most frequent of , ; tab | outside quotes
    (a German Excel export uses ';'); ',' when none appears."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside.count(d) for d in SNIFFED_DELIMITERS}
    best = max(SNIFFED_DELIMITERS, key=lambda d: counts[d])  # ties: the first, ','
    return best if counts[best] else ","


def check_delimiter(delimiter: str | None) -> str | None:
    """'\\t' and 'tab' spelled out mean a tab; a delimiter is one character, not a quote."""
    if delimiter is None:
        return None
    delimiter = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(delimiter, delimiter)
    if len(delimiter) != 1 or delimiter in ('"', "\n", "\r"):
        raise InputError(
            f"--delimiter must be one character other than a quote or newline, not {delimiter!r}"
        )
    return delimiter


def _csv_records(
    lines: _Lines, fmt: str, delimiter: str | None = None
) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(first line number, fields, error) per record; a broken record costs its first line."""
    dialect = _dialect(fmt, delimiter)
    csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_CHARS + 1))
    while True:
        taken: list[tuple[int, str | None]] = []

        def feed(taken: list[tuple[int, str | None]] = taken) -> Iterator[str]:
            size = 0
            for number, text in lines:
                taken.append((number, text))
                if text is None:
                    raise _RecordTooLarge
                size += len(text)
                if size > MAX_RECORD_CHARS:
                    raise _RecordTooLarge
                yield text

        try:
            fields = next(csv.reader(feed(), strict=True, **dialect))
        except StopIteration:
            return
        except (csv.Error, _RecordTooLarge) as exc:
            first_number, first_text = taken[0]
            lines.push_back(taken[1:])
            if isinstance(exc, _RecordTooLarge):
                head = lines.oversized_head if first_text is None else first_text
                leading = next(csv.reader([head[:OVERSIZED_HEAD_BYTES]], strict=False, **dialect), [])
                yield (
                    first_number,
                    leading,
                    f"{TOO_LARGE}: the record is over {MAX_RECORD_CHARS:,} characters",
                )
                continue
            partial = next(csv.reader([first_text or ""], strict=False, **dialect), [])
            yield first_number, partial, f"malformed CSV record at line {first_number}: {exc}"
            continue
        if not fields:  # a blank line is not a row
            continue
        yield taken[0][0], fields, None


class CsvReader:
    """CSV or TSV rows from a binary stream, one record at a time."""

    def __init__(
        self,
        handle: IO[bytes],
        fmt: str,
        wanted: tuple[str | None, str | None, str | None],
        name: str,
        delimiter: str | None = None,
    ):
        self._lines = _Lines(handle)
        if delimiter is None and fmt == "csv":
            first = next(self._lines, None)
            if first is not None:
                self._lines.push_back([first])
                delimiter = sniff_delimiter(first[1] or "")
        self.delimiter = delimiter or _dialect(fmt)["delimiter"]
        self._records = _csv_records(self._lines, fmt, self.delimiter)
        first = next(self._records, None)
        if first is None:
            raise InputError(f"{name} is empty")
        _, header, error = first
        if error or header is None:
            raise InputError(f"cannot read the header of {name}: {error}")
        if any(_SURROGATE.search(h) for h in header):
            raise InputError(f"the header of {name} is not valid UTF-8")
        if len(set(header)) != len(header):
            duplicates = sorted({h for h in header if header.count(h) > 1})
            raise InputError(f"{name} has duplicate column names: {', '.join(map(repr, duplicates))}")
        self.fieldnames = header
        self.columns = resolve_columns(header, *wanted)

    def __iter__(self) -> Iterator[Row]:
        width = len(self.fieldnames)
        for number, (_, fields, error) in enumerate(self._records, start=1):
            fields = list(fields or [])
            if error is None and len(fields) != width:
                error = f"ragged row: {len(fields)} fields where the header has {width}"
            if error is None and any(_SURROGATE.search(f) for f in fields):
                error = "undecodable bytes: the row is not valid UTF-8"
            fields = [_SURROGATE.sub("\ufffd", f) for f in fields[:width]] + [""] * (width - len(fields))
            values = dict(zip(self.fieldnames, fields, strict=True))
            if error is not None and error.startswith(TOO_LARGE):  # only its id and title are kept whole
                keep = (self.columns.id, self.columns.title)
                values = {k: (v if k in keep else "") for k, v in values.items()}
            row = make_row(number, values, self.columns, error)
            if error is not None:
                row.text = None
            yield row


class JsonlReader:
    """JSON Lines rows; the text column is named from the first object."""

    def __init__(self, handle: IO[bytes], wanted: tuple[str | None, str | None, str | None], name: str):
        self._lines = _Lines(handle)
        peeked: list[tuple[int, str | None]] = []
        first_object = None
        for number, text in self._lines:
            peeked.append((number, text))
            if text is not None and text.strip():
                try:
                    value = json.loads(text)
                except ValueError:
                    value = None
                if isinstance(value, dict):
                    first_object = value
                    break
            if len(peeked) >= JSONL_PEEK_LINES:
                break
        self._lines.push_back(peeked)
        if not any(text is None or text.strip() for _, text in peeked):
            raise InputError(f"{name} is empty")
        text_col, title_col, id_col = wanted
        self.first_keys: list[str] = list(first_object) if first_object is not None else []
        if first_object is not None:
            self.columns = resolve_columns(list(first_object), text_col, title_col, id_col)
        else:  # no object to learn from: every row is an error anyway
            self.columns = Columns(
                text_col or TEXT_COLUMNS[0], title_col or TITLE_COLUMN, id_col or ID_COLUMN
            )
        self._explicit_text = text_col is not None

    def _text_column(self, values: dict[str, Any]) -> Columns:
        if self._explicit_text or self.columns.text in values:
            return self.columns
        for name in TEXT_COLUMNS:  # a row that names its text the other default way
            if name in values:
                return Columns(name, self.columns.title, self.columns.id)
        return self.columns

    def __iter__(self) -> Iterator[Row]:
        number = 0
        for line_number, text in self._lines:
            if text is not None and not text.strip():
                continue
            number += 1
            if text is None:
                values = _json_head_values(self._lines.oversized_head, (self.columns.id, self.columns.title))
                yield Row(
                    number,
                    values,
                    title=_title_value(values.get(self.columns.title)) if self.columns.title else None,
                    error=f"{TOO_LARGE}: line {line_number} is over {MAX_RECORD_CHARS:,} characters",
                )
                continue
            undecodable = bool(_SURROGATE.search(text))
            try:  # an undecodable line keeps its columns (bad bytes shown as U+FFFD) and an error
                values = json.loads(_SURROGATE.sub("\ufffd", text) if undecodable else text)
            except ValueError as exc:
                yield Row(number, {}, error=f"malformed JSON at line {line_number}: {exc}")
                continue
            if not isinstance(values, dict):
                yield Row(
                    number, {}, error=f"line {line_number} is JSON {type(values).__name__}, not an object"
                )
                continue
            error = f"undecodable bytes: line {line_number} is not valid UTF-8" if undecodable else None
            row = make_row(number, values, self._text_column(values), error)
            if error is not None:
                row.text = None
            yield row


def _json_head_values(head: str, keys: Sequence[str | None]) -> dict[str, Any]:
    """The values of ``keys`` among the top-level members that are complete at the start of
    a JSON object too large to parse (its id and title, which usually come before the text)."""
    decoder = json.JSONDecoder()
    wanted = {k for k in keys if k is not None}
    found: dict[str, Any] = {}
    position = len(head) - len(head.lstrip())
    if not head.startswith("{", position):
        return found
    position += 1
    try:
        while wanted - set(found):
            key, position = decoder.raw_decode(head, _skip(head, position))
            position = _skip(head, position)
            if not head.startswith(":", position):
                break
            value, position = decoder.raw_decode(head, _skip(head, position + 1))
            if key in wanted and isinstance(value, (str, int, float)):
                found[key] = value
            position = _skip(head, position)
            if not head.startswith(",", position):
                break
            position += 1
    except ValueError:  # the member cut off by the size limit
        pass
    return found


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


class ParquetReader:
    """Parquet rows, one record batch at a time."""

    def __init__(self, path: Path, wanted: tuple[str | None, str | None, str | None], batch_size: int):
        import pyarrow as pa
        import pyarrow.parquet as pq

        if path.stat().st_size == 0:
            raise InputError(f"{path} is empty")
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"{path} is not a readable Parquet file: {exc}") from exc
        self.schema = self._file.schema_arrow
        self.columns = resolve_columns(self.schema.names, *wanted)
        kind = self.schema.field(self.columns.text).type
        if not (
            pa.types.is_string(kind)
            or pa.types.is_large_string(kind)
            or pa.types.is_binary(kind)
            or pa.types.is_large_binary(kind)
            or pa.types.is_null(kind)
        ):
            raise InputError(f"the text column {self.columns.text!r} is {kind}, not text")
        self._batch_size = batch_size
        self.num_rows = self._file.metadata.num_rows

    def __iter__(self) -> Iterator[Row]:
        number = 0
        for batch in self._file.iter_batches(batch_size=self._batch_size):
            for values in batch.to_pylist():
                number += 1
                yield make_row(number, values, self.columns)


def _open_input(path: Path | None, name: str) -> IO[bytes]:
    if path is None:
        return sys.stdin.buffer
    if path.is_dir():
        raise InputError(f"{name} is a directory, not a file of postings")
    if not path.exists():
        raise InputError(f"no such file: {name}")
    return path.open("rb")


class _Recoded(io.RawIOBase):
    """A binary stream in another encoding, re-encoded as UTF-8 line by line (what the
    readers take). Bytes the encoding cannot decode become the row's undecodable error."""

    def __init__(self, handle: IO[bytes], encoding: str) -> None:
        super().__init__()
        self._text = io.TextIOWrapper(handle, encoding=encoding, errors="surrogateescape", newline="")

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> bytes:
        line = self._text.readline(-1 if size is None or size < 0 else size)
        return line.encode("utf-8", "surrogateescape")

    def close(self) -> None:
        self._text.close()
        super().close()


def _check_encoding(encoding: str | None) -> str | None:
    import codecs

    if encoding is None:
        return None
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise InputError(f"unknown --encoding {encoding!r} (e.g. utf-8, cp1252, latin-1, utf-16)") from exc
    return None if name == "utf-8" else name


class XlsxReader:
    """The first sheet of an Excel workbook, streamed (openpyxl's read-only mode), every
    cell as text: the header is the first non-empty row."""

    def __init__(self, path: Path, wanted: tuple[str | None, str | None, str | None], stack: list) -> None:
        try:
            import openpyxl
        except ImportError as exc:  # pragma: no cover - a dependency
            raise InputError("reading .xlsx needs openpyxl: pip install openpyxl") from exc
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # a zip that is no workbook raises many kinds
            raise InputError(f"{path} is not a readable .xlsx workbook: {exc}") from exc
        stack.append(self._book.close)
        self._rows = self._book.worksheets[0].iter_rows(values_only=True)
        header: list[str] = []
        for cells in self._rows:
            if any(c is not None and str(c).strip() for c in cells):
                header = [_xlsx_text(c) for c in cells]
                break
        while header and not header[-1]:
            header.pop()
        if not header:
            raise InputError(f"{path} is empty")
        if len(set(header)) != len(header):
            duplicates = sorted({h for h in header if header.count(h) > 1})
            raise InputError(f"{path} has duplicate column names: {', '.join(map(repr, duplicates))}")
        self.fieldnames = header
        self.columns = resolve_columns(header, *wanted)

    def __iter__(self) -> Iterator[Row]:
        width = len(self.fieldnames)
        number = 0
        for cells in self._rows:
            if not any(c is not None and str(c).strip() for c in cells):
                continue  # a blank row is not a row
            number += 1
            texts = [_xlsx_text(c) for c in cells[:width]] + [""] * max(0, width - len(cells))
            yield make_row(number, dict(zip(self.fieldnames, texts, strict=True)), self.columns)


def _xlsx_text(value: Any) -> str:
    """A cell as the text a CSV export would hold: 12 not 12.0, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def open_reader(
    source: str | Path,
    fmt: str,
    wanted: tuple[str | None, str | None, str | None],
    chunk_size: int,
    stack: list,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> CsvReader | JsonlReader | ParquetReader | XlsxReader:
    """A reader for SOURCE ('-' for stdin); opened handles are appended to ``stack``.

    ``delimiter`` (CSV/TSV; default: sniffed for CSV) and ``encoding`` (CSV/TSV/JSONL;
    default UTF-8) are for exports that are not plain UTF-8 comma-separated files."""
    name = str(source)
    path = None if name == "-" else Path(name)
    delimiter = check_delimiter(delimiter)
    encoding = _check_encoding(encoding)
    if fmt in ("parquet", "xlsx"):
        if path is None:  # Parquet and xlsx need random access: spool stdin to a file
            descriptor, spooled = tempfile.mkstemp(prefix="roleclass-", suffix="." + fmt)
            with os.fdopen(descriptor, "wb") as spool:
                shutil.copyfileobj(sys.stdin.buffer, spool)
            stack.append(lambda: os.unlink(spooled))
            path = Path(spooled)
        elif path.is_dir():
            raise InputError(f"{name} is a directory, not a file of postings")
        elif not path.exists():
            raise InputError(f"no such file: {name}")
        if fmt == "xlsx":
            return XlsxReader(path, wanted, stack)
        return ParquetReader(path, wanted, chunk_size)
    handle: IO[bytes] = _open_input(path, name)
    if path is not None:
        stack.append(handle.close)
    if encoding is not None:
        handle = _Recoded(handle, encoding)  # type: ignore[assignment]
    if fmt == "jsonl":
        return JsonlReader(handle, wanted, name)
    return CsvReader(handle, fmt, wanted, name, delimiter)


def count_rows(
    source: str | Path, fmt: str, delimiter: str | None = None, encoding: str | None = None
) -> int | None:
    """How many rows a file holds (for the progress bar's ETA); None for stdin."""
    if str(source) == "-":
        return None
    path = Path(source)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    if fmt == "xlsx":
        return None
    with path.open("rb") as handle:
        if fmt == "jsonl":
            return sum(1 for line in handle if line.strip())
        text = io.TextIOWrapper(handle, encoding=encoding or "utf-8", errors="replace", newline="")
        return max(0, sum(1 for fields in csv.reader(text, **_dialect(fmt, delimiter)) if fields) - 1)


# -- scoring (in worker processes) ------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _model_key(model_path: str | None, trust: bool) -> tuple[str, bool, int, int]:
    from roleclass.model_io import default_model_path

    path = Path(model_path) if model_path else default_model_path()
    try:
        stat = path.stat()
    except OSError:
        return str(path), trust, -1, -1
    return str(path.resolve()), trust, stat.st_mtime_ns, stat.st_size


def init_worker(model_path: str | None, trust: bool) -> None:
    """Load the Scorer once per process; a failure is kept and raised with the first chunk
    (an initializer that raises would be restarted for ever). The same model file is not
    loaded twice in one process."""
    key = _model_key(model_path, trust)
    if _WORKER.get("key") == key and "scorer" in _WORKER:
        return
    _WORKER.clear()
    _WORKER["key"] = key
    try:
        from roleclass.scorer import Scorer

        _WORKER["scorer"] = Scorer.load(model_path, trust=trust)
    except Exception as exc:
        _WORKER["error"] = exc


def result_columns(result: Any) -> dict[str, Any]:
    """The added columns for one ScoreResult."""
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
        "evidence": [asdict(e) for e in result.evidence],
        "error": None,
    }


def _exit_with_parent() -> None:
    """Make this worker process end when the process that started it dies.

    A pool worker blocks on its task pipe, whose write end it holds itself, so it would
    never see EOF when the parent is killed (kill -9, the OOM killer, ``timeout``): it
    would live on with parent 1, and keep the forkserver and the resource tracker alive
    too. The parent's sentinel (a pipe whose only write end is in the parent) becomes
    readable when the parent dies; a daemon thread waits on it and exits the process.
    On Linux ``PR_SET_PDEATHSIG`` is set as well, for a worker whose parent is the run
    itself (spawn); under forkserver the parent is the server, which exits once its
    workers have.
    """
    import signal
    import threading
    from multiprocessing.connection import wait

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:  # pragma: no cover - not a multiprocessing child
        return

    def watch(sentinel: int = parent.sentinel) -> None:
        wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="roleclass-parent-watch", daemon=True).start()


def init_pool_worker(model_path: str | None, trust: bool) -> None:
    """A pool worker's start: exit with the parent, leave Ctrl-C to the parent (which
    stops the pool), then load the model."""
    import signal

    _exit_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_worker(model_path, trust)


def score_one(
    scorer: Any, text: str | None, title: str | None, error: str | None, suggest: bool = False
) -> dict[str, Any]:
    """The added columns for one row; an input problem becomes the row's error."""
    from roleclass.errors import RoleclassError

    if error is not None or text is None:
        return {**_NO_RESULT, "error": error or "no text"}
    try:
        result = scorer.score(text, title)
    except RoleclassError as exc:
        return {**_NO_RESULT, "error": str(exc)}
    except Exception as exc:  # one posting must never stop the run
        return {**_NO_RESULT, "error": f"internal error ({type(exc).__name__}): {exc}"}
    added = result_columns(result)
    if suggest and result.mismatch:
        from roleclass.suggest import suggest_title

        added["suggested_title"] = suggest_title(getattr(scorer.model, "title_suggester", None), result)
    return added


Job = tuple[str | None, str | None, str | None]  # (text, title, error)


def score_chunk(jobs: Sequence[Job], suggest: bool = False) -> list[dict[str, Any]]:
    """Score one chunk in this process with the scorer ``init_worker`` loaded."""
    if "error" in _WORKER:
        raise _WORKER["error"]
    scorer = _WORKER["scorer"]
    return [score_one(scorer, text, title, error, suggest) for text, title, error in jobs]


def _worker_context() -> Any:
    """forkserver where there is one (workers fork from a clean server that has imported
    the scoring stack once, so they start fast and share its pages), else spawn. Both
    start workers without the parent's state: everything a worker needs is its arguments
    and ``init_worker``."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["roleclass.batch", "roleclass.scorer"])
    return context


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def scored_chunks(
    rows: Iterable[Row],
    *,
    chunk_size: int,
    workers: int,
    model_path: str | None,
    trust: bool,
    suggest: bool = False,
    on_start: Callable[[int], None] | None = None,
) -> Iterator[tuple[list[Row], list[dict[str, Any]]]]:
    """(rows, added columns) per chunk, in input order, on up to ``workers`` processes.

    An ordered imap with bounded look-ahead: ``Pool.imap`` would read the whole input
    ahead of the workers, so at most ``2 x workers`` chunks are in flight here. Fewer
    chunks than two score in this process (no start-up cost for a small file).
    """
    chunks = _chunks(rows, chunk_size)
    window = max(1, 2 * workers)
    head = list(islice(chunks, window))
    processes = min(workers, len(head))
    if on_start is not None:
        on_start(max(1, processes))
    if processes <= 1:
        LOG.info("scoring in this process (%d chunk%s ahead)", len(head), "s" if len(head) != 1 else "")
        init_worker(model_path, trust)
        for chunk in [*head, *chunks]:
            results = score_chunk([(r.text, r.title, r.error) for r in chunk], suggest)
            LOG.debug("rows %d-%d scored", chunk[0].number, chunk[-1].number)
            yield chunk, results
        return
    LOG.info("starting %d worker processes", processes)
    context = _worker_context()
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=init_pool_worker, initargs=(model_path, trust)
    ) as pool:
        pending: deque[tuple[list[Row], Future]] = deque()

        def submit(chunk: list[Row]) -> None:
            pending.append(
                (chunk, pool.submit(score_chunk, [(r.text, r.title, r.error) for r in chunk], suggest))
            )

        try:
            for chunk in head:
                submit(chunk)
            while pending:
                chunk, future = pending.popleft()
                waited = time.perf_counter()
                results = future.result()
                LOG.debug(
                    "rows %d-%d back (waited %.2f s)",
                    chunk[0].number,
                    chunk[-1].number,
                    time.perf_counter() - waited,
                )
                next_chunk = next(chunks, None)
                if next_chunk is not None:
                    submit(next_chunk)
                yield chunk, results
        except BaseException:
            # interrupted (Ctrl-C, SIGTERM, a closed stdout) or failed: stop the workers now
            # rather than wait for the chunks they are scoring (the pending futures are not
            # cancelled: the executor fails them itself once its workers are gone)
            _stop_workers(pool)
            raise


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate a pool's worker processes and let the executor wind down without waiting."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
    pool.shutdown(wait=False)


# -- writing ----------------------------------------------------------------------------
def _cell(value: Any) -> str:
    """One CSV/TSV cell: JSON for lists and dicts, true/false, '' for missing."""
    if _missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _jsonable(value: Any) -> Any:
    if _missing(value):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


class CsvWriter:
    """CSV or TSV rows, written as they come (the header first unless appending)."""

    def __init__(self, handle: IO[str], fmt: str, header: Sequence[str], write_header: bool = True):
        self._writer = csv.writer(handle, lineterminator="\n", **_dialect(fmt))
        if write_header:
            self._writer.writerow(header)

    def write(self, records: Iterable[Sequence[Any]]) -> None:
        self._writer.writerows([_cell(v) for v in record] for record in records)

    def close(self) -> None:
        pass


class JsonlWriter:
    """JSON Lines, one object per row: the header's keys, or (header None) each row's own."""

    def __init__(self, handle: IO[str], header: Sequence[str] | None):
        self._handle = handle
        self._header = None if header is None else list(header)

    def write(self, records: Iterable[Sequence[Any]]) -> None:
        lines = []
        for record in records:
            if self._header is None:  # JSONL in: (own keys, added columns)
                own, extra = record
                obj = {**{k: _jsonable(v) for k, v in own.items()}, **extra}
            else:
                obj = {k: _jsonable(v) for k, v in zip(self._header, record, strict=True)}
            lines.append(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
        self._handle.write("".join(lines))

    def close(self) -> None:
        pass


class ParquetWriter:
    """Parquet written as complete part files while the run goes on, merged at the end.

    A part is written every PARQUET_PART_ROWS rows or PARQUET_FLUSH_SECONDS, whichever
    comes first, so an interrupted run keeps what it scored in the last half minute
    even on a slow file. The merged file is cut into row groups of PARQUET_PART_ROWS
    rows whatever the parts were, so a resumed run writes the same bytes as a clean one.
    """

    def __init__(self, parts: Path, schema: Any, first_part: int = 0):
        self._parts, self._schema = parts, schema
        self._buffer: list[dict[str, Any]] = []
        self._next = first_part
        self._header = schema.names
        self._flushed = time.monotonic()
        parts.mkdir(parents=True, exist_ok=True)

    def write(self, records: Iterable[Sequence[Any]]) -> None:
        for record in records:
            self._buffer.append({k: _jsonable(v) for k, v in zip(self._header, record, strict=True)})
            if len(self._buffer) >= PARQUET_PART_ROWS:
                self._flush()
        if self._buffer and time.monotonic() - self._flushed >= PARQUET_FLUSH_SECONDS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._flushed = time.monotonic()
        if not self._buffer:
            return
        table = pa.Table.from_pylist(self._buffer, schema=self._schema)
        final = self._parts / f"{self._next:06d}.parquet"
        partial = final.with_suffix(".tmp")
        pq.write_table(table, partial)
        os.replace(partial, final)  # a part is there complete or not at all
        self._next += 1
        self._buffer.clear()

    def close(self) -> None:
        """Flush the last part (also on interruption, so a resume goes on after it)."""
        self._flush()

    def finish(self, sink: IO[bytes] | Path) -> None:
        """Merge the parts into the output in row groups of PARQUET_PART_ROWS, and remove them.

        A file ``sink`` is written beside it and renamed into place when complete."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._flush()
        target = (
            sink.with_name(sink.name + ".partial")
            if isinstance(sink, Path) and not (sink.exists() and not sink.is_file())
            else sink
        )
        with pq.ParquetWriter(target, self._schema) as writer:
            pending: list[Any] = []
            size = 0
            for part in sorted(self._parts.glob("*.parquet")):
                source = pq.ParquetFile(part)
                for group in range(source.num_row_groups):
                    table = source.read_row_group(group)
                    pending.append(table)
                    size += table.num_rows
                    while size >= PARQUET_PART_ROWS:
                        merged = pa.concat_tables(pending)
                        writer.write_table(
                            merged.slice(0, PARQUET_PART_ROWS), row_group_size=PARQUET_PART_ROWS
                        )
                        rest = merged.slice(PARQUET_PART_ROWS)
                        pending, size = [rest], rest.num_rows
            if size:
                writer.write_table(pa.concat_tables(pending), row_group_size=PARQUET_PART_ROWS)
        if target is not sink:
            os.replace(target, sink)
        shutil.rmtree(self._parts)


def parquet_schema(own: Any, names: dict[str, str]) -> Any:
    """The output schema: the input's fields (renamed on a clash) and the added columns."""
    import pyarrow as pa

    evidence = pa.list_(
        pa.struct(
            [
                ("phrase", pa.string()),
                ("start", pa.int64()),
                ("end", pa.int64()),
                ("function", pa.string()),
                ("weight", pa.float64()),
            ]
        )
    )
    strings = ("verdict", "duties", "title_claim", "reason", "error")
    types = {**dict.fromkeys(strings, pa.string()), "mismatch": pa.bool_(), "evidence": evidence}
    fields = [own.field(c).with_name(names[c]) for c in own.names]
    fields += [pa.field(c, types.get(c, pa.float64())) for c in OUTPUT_COLUMNS]
    return pa.schema(fields)


# -- resume -----------------------------------------------------------------------------
def _complete_text_rows(out: Path, fmt: str, header: Sequence[str] | None) -> int:
    """Data rows completely written in a CSV/TSV/JSONL output, after cutting off a torn
    last row; -1 when not even a header is there (start afresh)."""
    if not out.is_file() or out.stat().st_size == 0:
        return -1
    with out.open("rb+") as handle:
        if fmt == "jsonl":
            rows, end = 0, 0
            for line in handle:
                if not line.endswith(b"\n"):
                    break
                rows, end = rows + 1, end + len(line)
        else:
            rows, end = _complete_csv_records(handle, fmt, header or [], out)
        handle.truncate(end)
    return rows


def _complete_csv_records(handle: IO[bytes], fmt: str, header: Sequence[str], out: Path) -> tuple[int, int]:
    """(data records, byte offset after the last complete record) of a CSV/TSV output."""
    position = 0

    def lines() -> Iterator[str]:
        nonlocal position
        for raw in iter(handle.readline, b""):
            if not raw.endswith(b"\n"):
                return  # a torn last line belongs to no complete record
            position += len(raw)
            yield raw.decode("utf-8", "replace")

    records, end = 0, 0
    try:
        for fields in csv.reader(lines(), strict=True, **_dialect(fmt)):
            if records == 0 and fields != list(header):
                raise InputError(f"cannot resume: {out} has other columns than this run writes")
            records, end = records + 1, position
    except csv.Error:
        pass  # a torn quoted last record
    return (records - 1, end) if records else (-1, 0)


def _resume_parquet(out: Path, parts: Path, schema: Any) -> tuple[int, int]:
    """(rows already done, next part number); a finished OUT becomes the first part."""
    if not parts.is_dir():
        if not out.is_file():
            return 0, 0
        _check_parquet(out, schema)  # before it is moved: a torn or foreign file stays where it is
        parts.mkdir(parents=True)
        os.replace(out, parts / f"{0:06d}.parquet")
    for partial in parts.glob("*.tmp"):
        partial.unlink()
    done = count = 0
    for part in sorted(parts.glob("*.parquet")):
        done += _check_parquet(part, schema)
        count += 1
    return done, count


def _check_parquet(path: Path, schema: Any) -> int:
    """The rows of a complete Parquet file with this run's columns, else InputError."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(
            f"cannot resume: {path} is not a complete Parquet file ({exc}); remove it, or run without --resume"
        ) from exc
    if not source.schema_arrow.equals(schema):
        raise InputError(f"cannot resume: {path} has other columns than this run writes")
    return source.metadata.num_rows


# -- the run ----------------------------------------------------------------------------
@dataclass
class _Output:
    """How rows become records: the input fields (None: JSONL keeps each row's keys)."""

    fields: list[str] | None
    header: list[str] | None
    schema: Any = None
    stringify: bool = False  # JSONL values into a string-typed table column

    def records(self, rows: Sequence[Row], added: Sequence[dict[str, Any]]) -> list[Any]:
        if self.fields is None:
            out: list[Any] = []
            for row, extra in zip(rows, added, strict=True):
                names = output_names(list(row.values))
                out.append(
                    ({names[k]: v for k, v in row.values.items()}, {c: extra[c] for c in OUTPUT_COLUMNS})
                )
            return out
        convert = _table_cell if self.stringify else _same
        return [
            [*(convert(row.values.get(c)) for c in self.fields), *(extra[c] for c in OUTPUT_COLUMNS)]
            for row, extra in zip(rows, added, strict=True)
        ]


def _same(value: Any) -> Any:
    return value


def _table_cell(value: Any) -> str | None:
    return None if value is None else value if isinstance(value, str) else _cell(value)


def _plan_output(reader: Any, out_fmt: str) -> tuple[_Output, Iterator[Row]]:
    """The output columns for this input and output format, and the rows to write."""
    import pyarrow as pa

    rows: Iterator[Row] = iter(reader)
    if isinstance(reader, JsonlReader):
        if out_fmt == "jsonl":
            return _Output(None, None), rows
        head: list[Row] = []
        for row in rows:  # a table needs columns: the keys of the first object
            head.append(row)
            if row.values:
                break
        fields = list(head[-1].values) if head and head[-1].values else []
        own = pa.schema([(c, pa.string()) for c in fields])
        rows = _chain(head, rows)
        stringify = True
    elif isinstance(reader, ParquetReader):
        fields, own, stringify = list(reader.schema.names), reader.schema, False
    else:
        fields, own, stringify = (
            list(reader.fieldnames),
            pa.schema([(c, pa.string()) for c in reader.fieldnames]),
            False,
        )
    names = output_names(fields)
    header = [names[c] for c in fields] + list(OUTPUT_COLUMNS)
    schema = parquet_schema(own, names) if out_fmt == "parquet" else None
    return _Output(fields, header, schema, stringify), rows


def _chain(first: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    yield from first
    yield from rest


def _show_progress(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def _progress_bar(show: bool, total: int | None, initial: int) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="rows",
        file=sys.stderr,
        disable=not show,
        dynamic_ncols=True,
        smoothing=0.05,
    )


@dataclass(frozen=True)
class RunSettings:
    """How rows are scored and shown (the same for every output format)."""

    workers: int
    chunk_size: int
    model_path: str | None
    trust: bool
    progress: bool | None
    delimiter: str | None = None
    encoding: str | None = None


def classify_file(
    in_path: str | Path,
    out_path: str | Path,
    *,
    text_col: str | None = None,
    title_col: str | None = None,
    id_col: str | None = None,
    fmt: str | None = None,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    resume: bool = False,
    scorer_path: str | Path | None = None,
    trust: bool = False,
    progress: bool | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> BatchSummary:
    """Classify every row of IN into OUT ('-' for stdin/stdout, which need ``fmt``).

    ``fmt`` names the format where a path can't (stdin/stdout, an unknown extension);
    OUT '-' without ``fmt`` takes IN's format. ``workers`` defaults to every core.
    Returns the summary; raises InputError for a whole-file problem and ModelError for
    a model that cannot be loaded. ``progress`` None shows a bar only when stderr is a
    terminal.

    Nothing touches OUT until the options, OUT's folder, the model's checksum and IN
    (its header and columns) have been checked. A fresh run writes ``OUT.partial`` and
    renames it to OUT when done, or when interrupted (Ctrl-C, SIGTERM: the complete rows
    so far, resumable); a failed run removes it and leaves OUT as it was. Every run to a
    file records what it is in ``OUT.roleclass-run.json``; ``resume`` refuses to go on
    from a file that another input or other options wrote.
    """
    from roleclass import run_record

    started = time.perf_counter()
    in_fmt = detect_format(in_path, fmt)
    to_stdout = str(out_path) == "-"
    same = "csv" if in_fmt == "xlsx" else in_fmt
    out_fmt = detect_format(
        out_path, (fmt if fmt != "xlsx" else None) or (same if to_stdout else None), output=True
    )
    workers = max(1, workers or os.cpu_count() or 1)
    if chunk_size < 1:
        raise InputError("chunk_size must be at least 1")
    if resume and to_stdout:
        raise InputError("--resume needs an output file, not stdout")
    if str(in_path) != "-" and not to_stdout and Path(in_path).resolve() == Path(out_path).resolve():
        raise InputError("the output file must not be the input file")
    if not to_stdout:
        run_record.check_output_path(Path(out_path))
    model_sha256 = run_record.check_model(scorer_path, trust)
    settings = RunSettings(workers, chunk_size, _str(scorer_path), trust, progress, delimiter, encoding)
    cleanups: list[Callable[[], Any]] = []
    try:
        reader = open_reader(
            in_path, in_fmt, (text_col, title_col, id_col), chunk_size, cleanups, delimiter, encoding
        )
        output, rows = _plan_output(reader, out_fmt)
        record = run_record.describe_run(
            in_path,
            input_format=in_fmt,
            delimiter=getattr(reader, "delimiter", None),
            encoding=_check_encoding(encoding),
            text_col=reader.columns.text,
            title_col=reader.columns.title,
            id_col=reader.columns.id,
            output_format=out_fmt,
            model_sha256=model_sha256,
        )
        LOG.info(
            "reading %s (%s%s); columns: text %r, title %r, id %r",
            in_path,
            in_fmt,
            f", delimiter {record['delimiter']!r}" if record["delimiter"] else "",
            reader.columns.text,
            reader.columns.title,
            reader.columns.id,
        )
        target = _Target.open(None if to_stdout else Path(out_path), out_fmt, output, resume, record)
        LOG.info(
            "writing %s (%s)%s; model sha256 %s…; up to %d workers, %d rows a chunk",
            target.path or target.out or "stdout",
            out_fmt,
            f", after {target.done:,} rows already there" if target.done else "",
            model_sha256[:12],
            workers,
            chunk_size,
        )
        summary = _write(rows, output, target, in_path, in_fmt, settings)
    finally:
        for cleanup in reversed(cleanups):
            cleanup()
    summary.seconds = time.perf_counter() - started
    return summary


_INTERRUPTIONS = (KeyboardInterrupt, Terminated, BrokenPipeError)


@dataclass
class _Target:
    """Where rows go: stdout, OUT itself, or ``OUT.partial`` renamed at the end.

    ``done`` rows are already there (a resume). ``finish`` says how the run ended: done or
    interrupted keeps the rows (renamed into place); failed removes a fresh partial file.
    """

    out: Path | None
    fmt: str
    writer: Any
    handle: IO[str] | None
    path: Path | None  # the file rows are written to (None: stdout or Parquet parts)
    rename: bool  # rename ``path`` to ``out`` at the end
    fresh: bool
    done: int = 0
    previous_record: bytes | None = None  # the record of the run that wrote OUT, put back if this one fails

    @classmethod
    def open(
        cls, out: Path | None, fmt: str, output: _Output, resume: bool, record: dict[str, Any]
    ) -> _Target:
        from roleclass import run_record

        special = out is not None and out.exists() and not out.is_file()  # /dev/null, a FIFO
        if out is not None and not special:
            partial = run_record.partial_path(out)
            existing = partial if partial.exists() else out
            parts = out.with_name(out.name + ".parts")
            if fmt == "parquet" and parts.is_dir() and any(parts.glob("*.parquet")):
                existing = parts  # an interrupted Parquet run: its parts are what a resume goes on from
            if resume and existing.exists() and (existing.is_dir() or existing.stat().st_size > 0):
                run_record.check_resume(out, existing, record)
            previous = run_record.read_record_bytes(out)
            run_record.write_record(out, record)
        if fmt == "parquet":
            target = cls._open_parquet(out, output, resume and not special)
            target.previous_record = None if special else previous
            return target
        if out is None or special:
            handle = (
                io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
                if out is None
                else out.open("w", encoding="utf-8", newline="")
            )
            return cls(out, fmt, _text_writer(handle, fmt, output.header, True), handle, None, False, True)
        written = _complete_text_rows(existing, fmt, output.header) if resume else -1
        path = existing if written >= 0 else partial
        handle = path.open("a" if written >= 0 else "w", encoding="utf-8", newline="")
        writer = _text_writer(handle, fmt, output.header, written < 0)
        target = cls(out, fmt, writer, handle, path, path != out, written < 0, max(0, written))
        target.previous_record = previous
        return target

    @classmethod
    def _open_parquet(cls, out: Path | None, output: _Output, resume: bool) -> _Target:
        if out is None or (out.exists() and not out.is_file()):
            parts = Path(tempfile.mkdtemp(prefix="roleclass-parts-"))
        else:
            parts = out.with_name(out.name + ".parts")
        first_part = done = 0
        if out is not None and resume:
            done, first_part = _resume_parquet(out, parts, output.schema)
        elif parts.exists():
            shutil.rmtree(parts)
        writer = ParquetWriter(parts, output.schema, first_part)
        return cls(out, "parquet", writer, None, None, False, not resume, done)

    def finish(self, how: str) -> None:
        """Close after a run that is ``done``, ``interrupted`` or ``failed``."""
        try:
            self.writer.close()
            if self.handle is not None:
                self.handle.flush()
        finally:
            if self.handle is not None:
                if self.out is None:
                    self.handle.detach()
                else:
                    self.handle.close()
        if how == "failed" and self.fresh and self.out is not None and self.previous_record is not None:
            from roleclass.run_record import restore_record

            restore_record(self.out, self.previous_record)  # OUT is still the earlier run's
        if isinstance(self.writer, ParquetWriter):
            if how == "failed" and self.fresh:
                shutil.rmtree(self.writer._parts, ignore_errors=True)  # this run's parts: nothing to resume
                return
            if how == "done":
                if self.out is None:
                    self.writer.finish(sys.stdout.buffer)
                    sys.stdout.buffer.flush()
                else:
                    self.writer.finish(self.out)
            return
        if self.path is None or not self.rename:
            return
        if how == "failed" and self.fresh:
            self.path.unlink(missing_ok=True)  # OUT stays as it was
        else:
            os.replace(self.path, self.out)


def _text_writer(handle: IO[str], fmt: str, header: list[str] | None, write_header: bool) -> Any:
    if fmt == "jsonl":
        return JsonlWriter(handle, header)
    return CsvWriter(handle, fmt, header or [], write_header=write_header)


def _write(
    rows: Iterator[Row],
    output: _Output,
    target: _Target,
    in_path: str | Path,
    in_fmt: str,
    settings: RunSettings,
) -> BatchSummary:
    summary = BatchSummary(output=str(target.out or "-"), resumed=target.done)
    _count_done(target, summary)
    show = _show_progress(settings.progress)
    total = (
        count_rows(in_path, in_fmt, check_delimiter(settings.delimiter), settings.encoding) if show else None
    )
    bar = _progress_bar(show, total, target.done)
    how = "failed"
    try:
        remaining = islice(rows, target.done, None)

        def started(processes: int) -> None:
            summary.workers = processes

        for chunk, added in scored_chunks(
            remaining,
            chunk_size=settings.chunk_size,
            workers=settings.workers,
            model_path=settings.model_path,
            trust=settings.trust,
            on_start=started,
        ):
            try:
                target.writer.write(output.records(chunk, added))
            except OSError as exc:
                raise _no_space(exc, target.out) from exc
            for row, extra in zip(chunk, added, strict=True):
                summary.add(row.number, extra)
            bar.update(len(chunk))
        how = "done"
    except _INTERRUPTIONS:
        how = "interrupted"
        raise
    finally:
        bar.close()
        try:
            target.finish(how)
        except OSError as exc:
            if how == "done":
                raise _no_space(exc, target.out) from exc
    return summary


def _count_done(target: _Target, summary: BatchSummary) -> None:
    """Count the verdicts of the rows a resumed run found done, so the summary covers them."""
    if not target.done:
        return
    if target.fmt == "parquet":
        import pyarrow.parquet as pq

        number = 0
        for part in sorted(target.writer._parts.glob("*.parquet")):
            for record in pq.read_table(part, columns=["verdict", "mismatch", "error"]).to_pylist():
                number += 1
                summary.add(number, record, done=True)
        return
    if target.path is None:
        return
    with target.path.open(encoding="utf-8", errors="replace", newline="") as handle:
        if target.fmt == "jsonl":
            records: Iterable[dict[str, Any]] = (json.loads(line) for line in handle)
        else:
            records = csv.DictReader(handle, **_dialect(target.fmt))
        for number, record in enumerate(islice(records, target.done), start=1):
            record = {**record, "mismatch": _true(record.get("mismatch"))}
            summary.add(number, record, done=True)


def _no_space(exc: OSError, out: Path | None) -> OSError | InputError:
    """A full disk is the user's to fix (exit 3), named with the file; other OSErrors pass."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InputError(f"no space left on the device writing {out or 'stdout'}")
    return exc


def _scored_rows(
    reader: Any,
    workers: int,
    chunk_size: int,
    model_path: str | None,
    trust: bool,
    summary: BatchSummary | None,
    suggest: bool = True,
) -> Iterator[tuple[Row, Columns, dict[str, Any]]]:
    """(row, its columns, added columns) for every row of ``reader``, in order, without
    writing; with ``suggest`` a mismatched row also gets ``suggested_title``."""

    def started(processes: int) -> None:
        if summary is not None:
            summary.workers = processes

    for chunk, added in scored_chunks(
        iter(reader),
        chunk_size=chunk_size,
        workers=workers,
        model_path=model_path,
        trust=trust,
        suggest=suggest,
        on_start=started,
    ):
        for row, extra in zip(chunk, added, strict=True):
            if summary is not None:
                summary.add(row.number, extra)
            columns = reader.columns
            if isinstance(reader, JsonlReader) and row.values:
                columns = reader._text_column(row.values)
            yield row, columns, extra


def _str(path: str | Path | None) -> str | None:
    return None if path is None else str(path)


# -- the recruiters' report ---------------------------------------------------------------
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
)
REPORT_PHRASES = 5
REPORT_FORMATS = (*FORMATS, "md")


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
    text = "; ".join(value) if isinstance(value, list) else _cell(value)
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _report_cell(column: str, value: Any) -> str:
    if column == "phrases":
        return spreadsheet_safe("; ".join(value))
    text = _cell(value)
    return text if column in ("row", "confidence") else spreadsheet_safe(text)


def write_report(entries: Sequence[dict[str, Any]], report_path: str | Path, fmt: str) -> None:
    """Write report entries (dicts over REPORT_COLUMNS) as a table in ``fmt``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    to_stdout = str(report_path) == "-"
    if fmt == "parquet":
        schema = pa.schema(
            [
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
        )
        table = pa.Table.from_pylist(list(entries), schema=schema)
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
            writer = csv.writer(handle, lineterminator="\n", **_dialect(fmt))
            writer.writerow(REPORT_COLUMNS)
            for entry in entries:
                writer.writerow([_report_cell(c, entry[c]) for c in REPORT_COLUMNS])
    finally:
        handle.flush()
        if to_stdout:
            handle.detach()
        else:
            handle.close()


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


def reader_delimiter(reader: Any) -> str | None:
    return getattr(reader, "delimiter", None)


def is_batch_output(fields: Sequence[str]) -> bool:
    """Whether a table's columns are those ``roleclass batch`` adds (so it is scored)."""
    return set(BATCH_VERDICT_COLUMNS) <= set(fields)


def _fields_of(reader: Any) -> list[str]:
    if isinstance(reader, ParquetReader):
        return list(reader.schema.names)
    if isinstance(reader, JsonlReader):
        return list(reader.first_keys)
    return list(reader.fieldnames)


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _evidence_phrases(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [str(e["phrase"]) for e in value if isinstance(e, dict) and "phrase" in e][:REPORT_PHRASES]


def _report_entry(
    number: int, ident: Any, title: str | None, added: dict[str, Any], suggested: str
) -> dict[str, Any]:
    """One report entry from a row's added columns (scored now, or read from a batch output)."""
    phrases = _evidence_phrases(added["evidence"])
    return {
        "row": number,
        "id": None if _missing(ident) or ident in ("", None) else str(ident),
        "title": title,
        "title_claim": added["title_claim"],
        "duties": added["duties"],
        "verdict": added["verdict"],
        "confidence": float(added["confidence"]),
        "phrases": phrases,
        "suggested_title": suggested,
        "reason": added["reason"],
    }


def _entries_from_batch_output(
    reader: Any, model_path: str | None, trust: bool, bar: Any, summary: BatchSummary
) -> list[dict[str, Any]]:
    """Report entries read from a finished ``roleclass batch`` output: the verdict columns
    are taken as written; only the mismatched rows are scored again, in this process, for
    their suggested title (which needs the duty statements the output does not carry)."""
    entries = []
    for row in reader:
        values = row.values
        added = {
            c: (None if _missing(values.get(c)) or values.get(c) == "" else values.get(c))
            for c in OUTPUT_COLUMNS
        }
        added["mismatch"] = _true(values.get("mismatch"))
        summary.add(row.number, added)
        bar.update(1)
        if not added["mismatch"] or added["error"]:
            continue
        suggested = ""
        if row.text is not None:
            init_worker(model_path, trust)
            if "error" in _WORKER:
                raise _WORKER["error"]
            scored = score_one(_WORKER["scorer"], row.text, row.title, None, suggest=True)
            suggested = scored.get("suggested_title") or ""  # none where the row fails now
        columns = reader.columns
        ident = values.get(columns.id) if columns.id else None
        entries.append(_report_entry(row.number, ident, row.title, added, suggested))
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
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    scorer_path: str | Path | None = None,
    trust: bool = False,
    progress: bool | None = False,
    resume: bool = False,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> tuple[BatchSummary, list[dict[str, Any]]]:
    """The recruiters' report: postings whose title claims a function their duties don't carry.

    Sorted by confidence (highest first, then input order), each with its id, title, what
    the title claims, what the duties are, the verdict, the deciding phrases and a
    suggested title. ``fmt`` is IN's format where its name can't tell (stdin); REPORT's
    comes from its extension (.md for a Markdown table) or ``report_fmt``, and '-' without
    it prints Markdown. Only the mismatched rows are held in memory. Returns the summary
    of the whole run and the report's entries.

    IN may be a finished ``roleclass batch`` output (it has the verdict columns): then it
    is read, not scored again. With ``resume`` the scored rows are kept in
    ``REPORT.scored.jsonl`` (a batch output, resumable like one) until the report is
    written, so an interrupted run goes on where it stopped.
    """
    started = time.perf_counter()
    report_fmt = _report_format(report_path, report_fmt)
    to_stdout = str(report_path) == "-"
    if not to_stdout:
        from roleclass.run_record import check_output_path

        check_output_path(Path(report_path))
    if resume and to_stdout:
        raise InputError("--resume needs a report file, not stdout: it keeps the scored rows beside it")
    in_fmt = detect_format(in_path, fmt)
    cleanups: list[Callable[[], Any]] = []
    try:
        reader = open_reader(
            in_path, in_fmt, (text_col, title_col, id_col), chunk_size, cleanups, delimiter, encoding
        )
        scored = is_batch_output(_fields_of(reader))
        if resume and not scored:
            work = Path(report_path).with_name(Path(report_path).name + ".scored.jsonl")
            summary_scoring = classify_file(
                in_path,
                work,
                text_col=text_col,
                title_col=title_col,
                id_col=id_col,
                fmt=fmt,
                workers=workers,
                chunk_size=chunk_size,
                resume=True,
                scorer_path=scorer_path,
                trust=trust,
                progress=progress,
                delimiter=delimiter,
                encoding=encoding,
            )
            summary, entries = mismatch_report(
                work, report_path, report_fmt=report_fmt, scorer_path=scorer_path, trust=trust, progress=False
            )
            summary.rows, summary.resumed = summary_scoring.rows, summary_scoring.resumed
            summary.workers = summary_scoring.workers
            summary.seconds = time.perf_counter() - started
            from roleclass.run_record import record_path

            work.unlink()
            record_path(work).unlink(missing_ok=True)
            return summary, entries
        summary = BatchSummary(output=str(report_path))
        show = _show_progress(progress)
        bar = _progress_bar(
            show, count_rows(in_path, in_fmt, reader_delimiter(reader), encoding) if show else None, 0
        )
        try:
            if scored:
                entries = _entries_from_batch_output(reader, _str(scorer_path), trust, bar, summary)
            else:
                entries = []
                for row, columns, added in _scored_rows(
                    reader,
                    max(1, workers or os.cpu_count() or 1),
                    chunk_size,
                    _str(scorer_path),
                    trust,
                    summary,
                ):
                    bar.update(1)
                    if added.get("mismatch"):
                        ident = row.values.get(columns.id) if columns.id else None
                        entries.append(
                            _report_entry(
                                row.number, ident, row.title, added, added.get("suggested_title", "")
                            )
                        )
        finally:
            bar.close()
    finally:
        for cleanup in reversed(cleanups):
            cleanup()
    entries.sort(key=lambda e: (-e["confidence"], e["row"]))
    write_report(entries, report_path, report_fmt)
    summary.seconds = time.perf_counter() - started
    return summary, entries
