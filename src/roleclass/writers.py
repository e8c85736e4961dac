"""Writing batch rows as CSV, TSV, JSON Lines or Parquet, as they come.

Each writer takes records (lists of cell values in ``header`` order; JSON Lines from a
JSON Lines input takes (own values, added columns) pairs, so each row keeps its keys)
with ``write`` and ends with ``close``. How a value becomes a cell is ``schema``'s
table: ``cell`` for CSV/TSV, the value itself for JSON Lines, the ``parquet_schema``
types for Parquet. Parquet is written as complete part files while a run goes on and
merged at the end (``ParquetWriter.finish``), so an interrupted run keeps its rows.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from roleclass.readers import csv_dialect
from roleclass.rows import missing
from roleclass.schema import arrow_fields

PARQUET_PART_ROWS = 4096  # rows per Parquet row group, and at most per part file while a run goes on
PARQUET_FLUSH_SECONDS = 30.0  # a part is written at least this often (what an interruption keeps)


def cell(value: Any) -> str:
    """One CSV/TSV cell: JSON for lists and dicts, true/false, '' for missing."""
    if missing(value):
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


def jsonable(value: Any) -> Any:
    if missing(value):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


class CsvWriter:
    """CSV or TSV rows, written as they come (the header first unless appending)."""

    def __init__(self, handle: IO[str], fmt: str, header: Sequence[str], write_header: bool = True):
        self._writer = csv.writer(handle, lineterminator="\n", **csv_dialect(fmt))
        if write_header:
            self._writer.writerow(header)

    def write(self, records: Iterable[Sequence[Any]]) -> None:
        self._writer.writerows([cell(v) for v in record] for record in records)

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
                own, added = record
                obj = {**{k: jsonable(v) for k, v in own.items()}, **added}
            else:
                obj = {k: jsonable(v) for k, v in zip(self._header, record, strict=True)}
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
        self.parts, self._schema = parts, schema
        self._buffer: list[dict[str, Any]] = []
        self._next = first_part
        self._header = schema.names
        self._flushed = time.monotonic()
        parts.mkdir(parents=True, exist_ok=True)

    def write(self, records: Iterable[Sequence[Any]]) -> None:
        for record in records:
            self._buffer.append({k: jsonable(v) for k, v in zip(self._header, record, strict=True)})
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
        final = self.parts / f"{self._next:06d}.parquet"
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
            for part in sorted(self.parts.glob("*.parquet")):
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
        shutil.rmtree(self.parts)


def parquet_schema(own: Any, names: dict[str, str]) -> Any:
    """The output schema: the input's fields (renamed on a clash) and the added columns."""
    import pyarrow as pa

    fields = [own.field(c).with_name(names[c]) for c in own.names]
    fields += arrow_fields()
    return pa.schema(fields)


def text_writer(handle: IO[str], fmt: str, header: list[str] | None, write_header: bool) -> Any:
    if fmt == "jsonl":
        return JsonlWriter(handle, header)
    return CsvWriter(handle, fmt, header or [], write_header=write_header)
