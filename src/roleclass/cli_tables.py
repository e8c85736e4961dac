"""The ``roleclass batch`` and ``roleclass mismatches`` commands (registered on ``cli.cli``).

Thin: each parses its options and calls ``runner.classify_file``,
``dask.classify_file_on_cluster`` or ``report.mismatch_report``, then prints the run's
summary on stderr; the exit code is 1 when any row failed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from roleclass.cli import cli, handle_errors, model_options
from roleclass.errors import RoleclassError


def column_options(formats: tuple[str, ...], format_help: str) -> Callable[..., Any]:
    """--format (one of ``formats``), the three column options, --delimiter and --encoding,
    shared by `batch` and `mismatches`."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.option("--id-col", help="Column with the posting id (default: id, if present)."),
            click.option("--title-col", help="Column with the title (default: title, if present)."),
            click.option(
                "--text-col", help="Column with the posting text (default: description, else text)."
            ),
            click.option("--format", "fmt", type=click.Choice(list(formats)), help=format_help),
            click.option(
                "--delimiter", help="CSV field separator of IN (default: sniffed from its header: , ; tab |)."
            ),
            click.option(
                "--encoding",
                help="Text encoding of a CSV/TSV/JSONL IN (default: UTF-8), e.g. cp1252, latin-1.",
            ),
        ]
        for option in options:
            command = option(command)
        return command

    return decorate


def run_options(resume_help: str) -> Callable[..., Any]:
    """--workers, --chunk-size, --resume and --progress, shared by `batch` and `mismatches`."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.option(
                "--progress/--no-progress",
                default=None,
                help="Progress bar on stderr (default: when stderr is a terminal).",
            ),
            click.option("--resume", is_flag=True, help=resume_help),
            click.option(
                "--chunk-size",
                type=click.IntRange(min=1),
                default=None,
                help="Rows per chunk handed to a worker.",
            ),
            click.option(
                "--workers",
                type=click.IntRange(min=1),
                default=None,
                help="Processes to score with (default: all cores).",
            ),
        ]
        for option in options:
            command = option(command)
        return command

    return decorate


@cli.command()
@click.argument("source", metavar="IN")
@click.option(
    "-o", "--output", required=True, help="Output file (.csv, .tsv, .jsonl, .parquet) or '-' for stdout."
)
@column_options(
    ("csv", "tsv", "jsonl", "parquet", "xlsx"),
    "Format where a file name can't say it ('-' for stdin/stdout, other extensions; xlsx: input only).",
)
@run_options("Go on after the rows already complete in OUTPUT (no duplicates or gaps).")
@click.option(
    "--scheduler", metavar="ADDRESS", help="Run on a dask.distributed cluster (needs roleclass[dask])."
)
@model_options
@handle_errors
def batch(
    source: str, output: str, scheduler: str | None, model_path: str | None, trust_model: bool, **options: Any
) -> None:
    """Classify every posting in IN (CSV, TSV, JSON Lines, Parquet; '-' for stdin) into OUTPUT.

    Each row comes out in order with its own columns plus verdict, confidence, the four
    probabilities, duties, sales_share, title_claim, mismatch, reason, evidence (with offsets
    into the clean text and into IN's text), error, review and review_reason.
    A bad row gets an error and the run goes on; the exit code is 1 if any row failed.
    """
    from roleclass.runner import DEFAULT_CHUNK_SIZE, classify_file

    model = {"scorer_path": model_path, "trust": trust_model}
    options["chunk_size"] = options["chunk_size"] or DEFAULT_CHUNK_SIZE
    if scheduler:
        if options.pop("resume"):
            raise RoleclassError("--resume is not available with --scheduler")
        if options.pop("delimiter") or options.pop("encoding"):
            raise RoleclassError("--delimiter and --encoding are not available with --scheduler")
        from roleclass.dask import classify_file_on_cluster

        local_only = ("workers", "chunk_size")  # the cluster's workers and partitions decide these
        cluster = {k: v for k, v in options.items() if k not in local_only}
        summary = classify_file_on_cluster(source, output, scheduler, **cluster, **model)
    else:
        summary = classify_file(source, output, **options, **model)
    _finish(summary)


def _finish(summary: Any) -> None:
    """The run's summary on stderr; exit 1 when any row failed."""
    from roleclass.errors import EXIT_ROWS_FAILED

    click.echo(summary.to_text(), err=True)
    if summary.errors:
        sys.exit(EXIT_ROWS_FAILED)


@cli.command()
@click.argument("source", metavar="IN")
@click.option(
    "-o", "--output", required=True, help="Report file (.md, .csv, .tsv, .jsonl, .parquet) or '-' (Markdown)."
)
@column_options(
    ("csv", "tsv", "jsonl", "parquet", "xlsx", "md"),
    "IN's format where its name can't say it; 'md' (or .md) makes the report Markdown.",
)
@click.option(
    "--report-format",
    type=click.Choice(["md", "csv", "tsv", "jsonl", "parquet"]),
    help="The report's format where its name can't say it (default for '-': md).",
)
@run_options("Keep the scored rows in REPORT.scored.jsonl and go on after an interruption.")
@model_options
@handle_errors
def mismatches(source: str, output: str, model_path: str | None, trust_model: bool, **options: Any) -> None:
    """Report the postings in IN whose title claims a function their duties don't carry.

    Sorted by confidence, each with its id, title, what the title claims, what the duties
    are, the deciding phrases and a suggested title. IN may be a finished `roleclass batch`
    output: it is read, not scored again.
    """
    from roleclass.report import mismatch_report
    from roleclass.runner import DEFAULT_CHUNK_SIZE

    report_format = options.pop("report_format")
    if options["fmt"] == "md":
        report_format, options["fmt"] = report_format or "md", None
    options["chunk_size"] = options["chunk_size"] or DEFAULT_CHUNK_SIZE
    summary, entries = mismatch_report(
        source, output, report_fmt=report_format, scorer_path=model_path, trust=trust_model, **options
    )
    click.echo(f"{len(entries):,} mismatched postings of {summary.total:,}", err=True)
    _finish(summary)
