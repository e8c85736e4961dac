"""Tabular formats: which format a path is, and one reader interface over all of them.

``open_reader(source, fmt, ReadOptions(...), stack)`` gives a reader for CSV, TSV, JSON Lines,
Parquet or an Excel workbook (the first sheet): iterating it yields ``rows.Row``
objects in order (a bad row carries its ``error``), ``reader.columns`` names the text,
title and id columns, and ``reader_fields(reader)`` lists the input's own columns.
A whole-file problem (missing, unknown format, no text column, empty) raises
``InputError`` before any row is read. ``writers`` holds the other half.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from roleclass.errors import InputError
from roleclass.readers import CsvReader, JsonlReader, check_delimiter, csv_dialect, header_columns
from roleclass.rows import Row, make_row, resolve_columns

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
Wanted = tuple[str | None, str | None, str | None]  # the --text-col, --title-col and --id-col given


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


class ParquetReader:
    """Parquet rows, one record batch at a time."""

    def __init__(self, path: Path, wanted: Wanted, batch_size: int):
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


def check_encoding(encoding: str | None) -> str | None:
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

    def __init__(self, path: Path, wanted: Wanted, stack: list) -> None:
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
        self.fieldnames = header
        self.columns = header_columns(header, wanted, str(path))

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


@dataclass(frozen=True)
class ReadOptions:
    """How to read a table: the columns asked for (``--text-col``, ``--title-col``,
    ``--id-col``; None: the defaults), Parquet's batch size, and for exports that are not
    plain UTF-8 comma-separated files the ``delimiter`` (CSV/TSV; default: sniffed for CSV)
    and ``encoding`` (CSV/TSV/JSONL; default UTF-8)."""

    text_col: str | None = None
    title_col: str | None = None
    id_col: str | None = None
    chunk_size: int = 64
    delimiter: str | None = None
    encoding: str | None = None

    @property
    def wanted(self) -> Wanted:
        return (self.text_col, self.title_col, self.id_col)


def open_reader(
    source: str | Path, fmt: str, options: ReadOptions, stack: list
) -> CsvReader | JsonlReader | ParquetReader | XlsxReader:
    """A reader for SOURCE ('-' for stdin); opened handles are appended to ``stack``
    (closed by the caller, last first)."""
    name = str(source)
    path = None if name == "-" else Path(name)
    wanted, chunk_size = options.wanted, options.chunk_size
    delimiter = check_delimiter(options.delimiter)
    encoding = check_encoding(options.encoding)
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
        return max(0, sum(1 for fields in csv.reader(text, **csv_dialect(fmt, delimiter)) if fields) - 1)


def reader_fields(reader: Any) -> list[str]:
    """The input's own column names (for JSON Lines: the first object's keys)."""
    if isinstance(reader, ParquetReader):
        return list(reader.schema.names)
    if isinstance(reader, JsonlReader):
        return list(reader.first_keys)
    return list(reader.fieldnames)
