"""Past one machine: classify a Dask DataFrame partition by partition.

``classify(ddf, text_col=..., title_col=...)`` adds the same columns as ``roleclass
batch`` (``schema.ADDED``, its meta typed from the schema) with ``map_partitions``: each
partition goes through ``frames.frame_with_columns``, the row path of ``roleclass batch``
and ``classify_frame``; each worker process loads the model once. ``classify_file_on_cluster`` is the
``roleclass batch --scheduler ADDRESS`` path: it reads IN with dask.dataframe on the
cluster, classifies there, and streams the partitions back in order to write OUT on
this machine with batch's writers, so the columns and their encoding are the same.

Dask is optional: importing this module needs no Dask; calling it does
(``pip install 'roleclass[dask]'``).
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from typing import Any

from roleclass.errors import InputError, RoleclassError
from roleclass.formats import detect_format
from roleclass.frames import cached_scorer, frame_with_columns
from roleclass.rows import Columns, output_names, resolve_columns
from roleclass.schema import output_columns
from roleclass.summary import BatchSummary
from roleclass.writers import CsvWriter, JsonlWriter, ParquetWriter, parquet_schema

CSV_PARTITIONS_PER_THREAD = 2
SCHEDULER_TIMEOUT_S = 10  # connecting to --scheduler: fail fast with a clear message


def _dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RoleclassError("Dask is not installed: pip install 'roleclass[dask]'") from exc
    return dd


def classify_partition(
    frame: Any,
    text_col: str,
    title_col: str | None = None,
    model_path: str | None = None,
    trust: bool = False,
) -> Any:
    """One pandas partition with the added columns (``frames.classify_frame``'s path; an
    empty partition, such as the meta, is never scored)."""
    path = model_path
    return frame_with_columns(frame, Columns(text_col, title_col), lambda: cached_scorer(path, trust))


def classify(
    ddf: Any,
    text_col: str = "description",
    title_col: str | None = None,
    model_path: str | Path | None = None,
    trust: bool = False,
) -> Any:
    """A Dask DataFrame with the batch columns added, computed partition by partition.

    ``model_path`` must be readable on every worker (None: the model shipped with the
    roleclass installed there).
    """
    for name, column in (("text", text_col), ("title", title_col)):
        if column is not None and column not in ddf.columns:
            raise InputError(f"no {name} column {column!r} in the Dask DataFrame")
    path = None if model_path is None else str(model_path)
    meta = classify_partition(ddf._meta, text_col, title_col, path, trust)
    return ddf.map_partitions(classify_partition, text_col, title_col, path, trust, meta=meta)


def read_dataframe(path: str, fmt: str, threads: int = 1) -> Any:
    """IN as a Dask DataFrame, every value kept as text for CSV/TSV (as batch reads it).

    CSV postings hold quoted newlines, so a CSV file is read whole (``blocksize=None``)
    and split into partitions after; JSON Lines are split by blocks, Parquet by row
    groups. ``path`` may be a glob or a URL that every worker can read.
    """
    dd = _dask()
    if fmt in ("csv", "tsv"):
        ddf = dd.read_csv(
            path,
            sep="\t" if fmt == "tsv" else ",",
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            blocksize=None,
            encoding="utf-8-sig",
        )
        wanted = max(1, threads * CSV_PARTITIONS_PER_THREAD)
        return ddf.repartition(npartitions=wanted) if ddf.npartitions < wanted else ddf
    if fmt == "jsonl":
        import pandas as pd

        keep = (
            {}
            if int(pd.__version__.split(".")[0]) >= 3
            else {"convert_dates": False, "keep_default_dates": False}
        )
        return dd.read_json(path, orient="records", lines=True, blocksize=1 << 25, dtype=False, **keep)
    return dd.read_parquet(path)


def classify_file_on_cluster(
    in_path: str | Path,
    out_path: str | Path,
    scheduler: str,
    *,
    text_col: str | None = None,
    title_col: str | None = None,
    id_col: str | None = None,
    fmt: str | None = None,
    scorer_path: str | Path | None = None,
    trust: bool = False,
    progress: bool | None = None,
    window: int | None = None,
) -> Any:
    """``roleclass batch IN -o OUT --scheduler ADDRESS``: classify on a dask.distributed cluster.

    IN is read by the workers (a shared path, a glob or a URL); OUT is written here, in
    input order, with at most ``window`` partitions (default: 2 per worker thread)
    computed ahead. Unlike local batch, rows that Dask's reader cannot parse fail the run.
    """
    _dask()
    from distributed import Client

    from roleclass.runner import progress_bar, show_progress

    started = time.perf_counter()
    if str(in_path) == "-" or str(out_path) == "-":
        raise InputError("--scheduler reads and writes files, not stdin or stdout")
    in_fmt = detect_format(in_path, fmt)
    out_fmt = detect_format(out_path, fmt, output=True)
    if in_fmt == "xlsx":
        raise InputError(
            "--scheduler reads CSV, TSV, JSON Lines or Parquet, not xlsx: run without --scheduler"
        )
    from roleclass.run_record import check_model, check_output_path, partial_path

    check_output_path(Path(out_path))
    check_model(scorer_path, trust)  # the checksum here; the workers load it (and must have the same file)
    with _connect(Client, scheduler) as client:
        threads = max(1, sum(client.nthreads().values()))
        ddf = read_dataframe(str(in_path), in_fmt, threads)
        fields = [str(c) for c in ddf.columns]
        columns = resolve_columns(fields, text_col, title_col, id_col)
        path = None if scorer_path is None else str(scorer_path)
        classified = classify(ddf, columns.text, columns.title, path, trust)
        names = output_names(fields)
        header = [names[c] for c in fields] + list(output_columns())
        summary = BatchSummary(output=str(out_path), workers=len(client.nthreads()))
        out = Path(out_path)
        special = out.exists() and not out.is_file()
        written = out if special or out_fmt == "parquet" else partial_path(out)  # OUT is replaced at the end
        writer, handle = _open_writer(written, out_fmt, header, ddf._meta, names)
        bar = progress_bar(show_progress(progress), None, 0)
        finished = False
        try:
            pending: deque[Any] = deque()
            partitions = iter(classified.to_delayed())
            limit = window or 2 * threads
            number = 0
            while True:
                while len(pending) < limit and (part := next(partitions, None)) is not None:
                    pending.append(client.compute(part))
                if not pending:
                    break
                frame = pending.popleft().result()
                records = frame.to_dict("records")
                writer.write([[record[c] for c in header] for record in records])
                for record in records:
                    number += 1
                    summary.add(number, {c: _none(record[c]) for c in output_columns()})
                bar.update(len(records))
            finished = True
        finally:
            bar.close()
            writer.close()
            if handle is not None:
                handle.close()
            if written != out:
                if finished:
                    written.replace(out)
                else:
                    written.unlink(missing_ok=True)  # a failed run leaves OUT as it was
        if finished and isinstance(writer, ParquetWriter):
            writer.finish(out)
    summary.seconds = time.perf_counter() - started
    return summary


def _connect(client_class: Any, scheduler: str) -> Any:
    """A client of the scheduler, or a one-line InputError within SCHEDULER_TIMEOUT_S."""
    try:
        return client_class(scheduler, timeout=SCHEDULER_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            f"cannot reach the Dask scheduler at {scheduler} within {SCHEDULER_TIMEOUT_S} s "
            f"({type(exc).__name__}); check --scheduler and that the scheduler is running"
        ) from exc


def _none(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value


def _open_writer(out: Path, fmt: str, header: list[str], meta: Any, names: dict[str, str]) -> tuple[Any, Any]:
    import shutil

    if fmt == "parquet":
        import pyarrow as pa

        own = pa.Schema.from_pandas(meta, preserve_index=False)
        own = pa.schema([own.field(c) for c in names])
        parts = out.with_name(out.name + ".parts")
        if parts.exists():
            shutil.rmtree(parts)
        return ParquetWriter(parts, parquet_schema(own, names)), None
    handle = out.open("w", encoding="utf-8", newline="")
    if fmt == "jsonl":
        return JsonlWriter(handle, header), handle
    return CsvWriter(handle, fmt, header), handle


__all__ = ["classify", "classify_file_on_cluster", "classify_partition", "read_dataframe"]
