"""Past one machine: classify a Dask DataFrame partition by partition.

``classify(ddf, text_col=..., title_col=...)`` adds the same columns as ``roleclass
batch`` (``batch.OUTPUT_COLUMNS``) with ``map_partitions``; each worker process loads
the model once (cached per process) and scores its partitions row by row, with the
same per-row error handling as ``batch``. ``classify_file_on_cluster`` is the
``roleclass batch --scheduler ADDRESS`` path: it reads IN with dask.dataframe on the
cluster, classifies there, and streams the partitions back in order to write OUT on
this machine with batch's writers, so the columns and their encoding are the same.

Dask is optional: importing this module needs no Dask; calling it does
(``pip install 'roleclass[dask]'``).
"""

from __future__ import annotations

import time
from collections import deque
from functools import lru_cache
from pathlib import Path
from typing import Any

from roleclass.batch import (
    OUTPUT_COLUMNS,
    BatchSummary,
    Columns,
    CsvWriter,
    JsonlWriter,
    ParquetWriter,
    detect_format,
    make_row,
    output_names,
    parquet_schema,
    resolve_columns,
    score_one,
)
from roleclass.errors import InputError, RoleclassError

_NUMERIC = {"confidence", "prob_sales", "prob_marketing", "prob_hybrid", "prob_other", "sales_share"}
CSV_PARTITIONS_PER_THREAD = 2
SCHEDULER_TIMEOUT_S = 10  # connecting to --scheduler: fail fast with a clear message


def _dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RoleclassError("Dask is not installed: pip install 'roleclass[dask]'") from exc
    return dd


@lru_cache(maxsize=4)
def _scorer(model_path: str | None, trust: bool) -> Any:
    """One Scorer per worker process and model (loaded on the first partition)."""
    from roleclass.scorer import Scorer

    return Scorer.load(model_path, trust=trust)


def classify_partition(
    frame: Any,
    text_col: str,
    title_col: str | None = None,
    model_path: str | None = None,
    trust: bool = False,
) -> Any:
    """One pandas partition with the added columns (an empty one is never scored)."""
    import pandas as pd

    columns = Columns(text_col, title_col)
    added: dict[str, list[Any]] = {c: [] for c in OUTPUT_COLUMNS}
    if len(frame):
        scorer = _scorer(model_path, trust)
        texts = frame[text_col].tolist()
        titles = frame[title_col].tolist() if title_col else [None] * len(frame)
        for text, title in zip(texts, titles, strict=True):
            row = make_row(0, {text_col: text, title_col or "": title}, columns)
            extra = score_one(scorer, row.text, row.title, row.error)
            for c in OUTPUT_COLUMNS:
                added[c].append(extra[c])
    out = frame.rename(columns=output_names([str(c) for c in frame.columns]))
    for c in OUTPUT_COLUMNS:
        dtype = "float64" if c in _NUMERIC else object
        values = [float("nan") if v is None else v for v in added[c]] if c in _NUMERIC else added[c]
        out[c] = pd.Series(values, index=frame.index, dtype=dtype)
    return out


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

    from roleclass.batch import _progress_bar, _show_progress

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
        header = [names[c] for c in fields] + list(OUTPUT_COLUMNS)
        summary = BatchSummary(output=str(out_path), workers=len(client.nthreads()))
        out = Path(out_path)
        special = out.exists() and not out.is_file()
        written = out if special or out_fmt == "parquet" else partial_path(out)  # OUT is replaced at the end
        writer, handle = _open_writer(written, out_fmt, header, ddf._meta, names)
        bar = _progress_bar(_show_progress(progress), None, 0)
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
                    summary.add(number, {c: _none(record[c]) for c in OUTPUT_COLUMNS})
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
