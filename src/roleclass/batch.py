"""``roleclass batch``: classify a whole file of postings, streaming, on every core.

This module is the front door; the work is done by one module per job:

* ``schema``: the columns a batch row gets (names, types, how each format writes them);
* ``rows``: the one row path (``score_rows``): values in, added columns out, every
  per-row failure in the row's ``error`` column;
* ``formats`` and ``readers``: reading CSV, TSV, JSON Lines, Parquet and xlsx;
  ``writers``: writing CSV, TSV, JSON Lines and Parquet;
* ``output`` and ``run_record``: where rows go, resume, and what a run was;
* ``runner``: the local run (process pool, chunks, progress, signals), ``classify_file``;
* ``report``: the recruiters' mismatch report, ``mismatch_report``;
* ``frames`` and ``dask``: pandas and Dask DataFrames.

Rules that make the output trustworthy: rows out == rows in, in order (a bad row keeps
its columns and gets an ``error``); a whole-file problem raises ``InputError`` before
anything is written; the output is byte-identical with 1 or N workers; ``resume`` goes
on after the complete rows of an interrupted run and writes the same bytes a clean run
does.
"""

from __future__ import annotations

from roleclass.errors import InputError
from roleclass.formats import EXTENSIONS, FORMATS, INPUT_FORMATS, count_rows, detect_format, open_reader
from roleclass.readers import CsvReader, JsonlReader, check_delimiter, sniff_delimiter
from roleclass.report import REPORT_COLUMNS, is_batch_output, mismatch_report, spreadsheet_safe, write_report
from roleclass.rows import Columns, Row, make_row, output_names, resolve_columns, score_rows
from roleclass.runner import DEFAULT_CHUNK_SIZE, Pool, classify_file, scored_chunks
from roleclass.schema import output_columns
from roleclass.summary import BatchSummary
from roleclass.writers import CsvWriter, JsonlWriter, ParquetWriter, parquet_schema

OUTPUT_COLUMNS = output_columns()

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "EXTENSIONS",
    "FORMATS",
    "INPUT_FORMATS",
    "OUTPUT_COLUMNS",
    "REPORT_COLUMNS",
    "BatchSummary",
    "Columns",
    "CsvReader",
    "CsvWriter",
    "InputError",
    "JsonlReader",
    "JsonlWriter",
    "ParquetWriter",
    "Pool",
    "Row",
    "check_delimiter",
    "classify_file",
    "count_rows",
    "detect_format",
    "is_batch_output",
    "make_row",
    "mismatch_report",
    "open_reader",
    "output_names",
    "parquet_schema",
    "resolve_columns",
    "score_rows",
    "scored_chunks",
    "sniff_delimiter",
    "spreadsheet_safe",
    "write_report",
]
