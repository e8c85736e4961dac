"""Where a batch run's rows go, and how an interrupted run goes on (``--resume``).

``plan_output`` says which columns a run writes for its input and output format;
``Target.open`` opens OUT (or ``OUT.partial`` for a fresh run, or Parquet part files)
after checking the run record (``run_record``), and counts the rows a resume finds
complete, cutting off a torn last row; ``Target.finish`` renames, merges or removes
according to how the run ended. Rules: nothing touches OUT before every check has
passed; a failed fresh run leaves OUT as it was; an interrupted one keeps its complete
rows, so a resume writes the same bytes a clean run does.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

from roleclass.errors import InputError
from roleclass.formats import ParquetReader
from roleclass.readers import JsonlReader, csv_dialect
from roleclass.rows import Row, is_true, output_names
from roleclass.schema import output_columns
from roleclass.summary import BatchSummary
from roleclass.writers import ParquetWriter, cell, parquet_schema, text_writer


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
        for fields in csv.reader(lines(), strict=True, **csv_dialect(fmt)):
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


# -- the columns written ----------------------------------------------------------------
@dataclass
class Output:
    """How rows become records: the input fields (None: JSONL keeps each row's keys)."""

    fields: list[str] | None
    header: list[str] | None
    schema: Any = None
    stringify: bool = False  # JSONL values into a string-typed table column

    def records(self, rows: Sequence[Row], added: Sequence[dict[str, Any]]) -> list[Any]:
        columns = output_columns()
        if self.fields is None:
            out: list[Any] = []
            for row, extra in zip(rows, added, strict=True):
                names = output_names(list(row.values))
                out.append(({names[k]: v for k, v in row.values.items()}, {c: extra[c] for c in columns}))
            return out
        convert = _table_cell if self.stringify else _same
        return [
            [*(convert(row.values.get(c)) for c in self.fields), *(extra[c] for c in columns)]
            for row, extra in zip(rows, added, strict=True)
        ]


def _same(value: Any) -> Any:
    return value


def _table_cell(value: Any) -> str | None:
    return None if value is None else value if isinstance(value, str) else cell(value)


def plan_output(reader: Any, out_fmt: str) -> tuple[Output, Iterator[Row]]:
    """The output columns for this input and output format, and the rows to write."""
    import pyarrow as pa

    rows: Iterator[Row] = iter(reader)
    if isinstance(reader, JsonlReader):
        if out_fmt == "jsonl":
            return Output(None, None), rows
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
    header = [names[c] for c in fields] + list(output_columns())
    schema = parquet_schema(own, names) if out_fmt == "parquet" else None
    return Output(fields, header, schema, stringify), rows


def _chain(first: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    yield from first
    yield from rest


@dataclass
class Target:
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
    def open(cls, out: Path | None, fmt: str, output: Output, resume: bool, record: dict[str, Any]) -> Target:
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
            return cls(out, fmt, text_writer(handle, fmt, output.header, True), handle, None, False, True)
        written = _complete_text_rows(existing, fmt, output.header) if resume else -1
        path = existing if written >= 0 else partial
        handle = path.open("a" if written >= 0 else "w", encoding="utf-8", newline="")
        writer = text_writer(handle, fmt, output.header, written < 0)
        target = cls(out, fmt, writer, handle, path, path != out, written < 0, max(0, written))
        target.previous_record = previous
        return target

    @classmethod
    def _open_parquet(cls, out: Path | None, output: Output, resume: bool) -> Target:
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
                shutil.rmtree(self.writer.parts, ignore_errors=True)  # this run's parts: nothing to resume
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


def count_done(target: Target, summary: BatchSummary) -> None:
    """Count the verdicts of the rows a resumed run found done, so the summary covers them."""
    if not target.done:
        return
    if target.fmt == "parquet":
        import pyarrow.parquet as pq

        number = 0
        for part in sorted(target.writer.parts.glob("*.parquet")):
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
            records = csv.DictReader(handle, **csv_dialect(target.fmt))
        for number, record in enumerate(islice(records, target.done), start=1):
            record = {**record, "mismatch": is_true(record.get("mismatch"))}
            summary.add(number, record, done=True)


def no_space(exc: OSError, out: Path | None) -> OSError | InputError:
    """A full disk is the user's to fix (exit 3), named with the file; other OSErrors pass."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InputError(f"no space left on the device writing {out or 'stdout'}")
    return exc
