"""The local runner: ``roleclass batch`` on every core of this machine.

``classify_file`` checks everything, opens the reader (``formats``) and the target
(``output``), then streams chunks of rows through ``scored_chunks``: an ordered imap
over a process pool with bounded look-ahead (at most ``2 x workers`` chunks in
flight), each worker scoring its chunk with ``rows.score_rows`` on the model it loaded
once. Memory stays flat in the number of rows, and the output is byte-identical with
1 or N workers. Workers exit with their parent (kill -9 leaves no orphans); Ctrl-C and
SIGTERM stop them at once and keep the complete rows, resumable.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from roleclass.errors import InputError, Terminated
from roleclass.formats import ReadOptions, check_encoding, count_rows, detect_format, open_reader
from roleclass.output import Output, Target, count_done, no_space, plan_output
from roleclass.readers import check_delimiter
from roleclass.rows import Row, score_rows
from roleclass.summary import BatchSummary

LOG = logging.getLogger(__name__)
DEFAULT_CHUNK_SIZE = 64
_INTERRUPTIONS = (KeyboardInterrupt, Terminated, BrokenPipeError)


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


def local_scorer(model_path: str | None, trust: bool) -> Any:
    """The Scorer ``init_worker`` keeps in this process (loaded once), or its load error."""
    init_worker(model_path, trust)
    if "error" in _WORKER:
        raise _WORKER["error"]
    return _WORKER["scorer"]


def init_pool_worker(model_path: str | None, trust: bool) -> None:
    """A pool worker's start: exit with the parent, leave Ctrl-C to the parent (which
    stops the pool), then load the model."""
    import signal

    _exit_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_worker(model_path, trust)


Job = tuple[str | None, str | None, str | None]  # (text, title, error)


def score_chunk(jobs: Sequence[Job], suggest: bool = False) -> list[dict[str, Any]]:
    """Score one chunk in this process with the scorer ``init_worker`` loaded."""
    if "error" in _WORKER:
        raise _WORKER["error"]
    rows = [Row(0, {}, text, title, error) for text, title, error in jobs]
    return [{**s.added, **s.extra} for s in score_rows(_WORKER["scorer"], rows, suggest=suggest)]


def _worker_context() -> Any:
    """forkserver where there is one (workers fork from a clean server that has imported
    the scoring stack once, so they start fast and share its pages), else spawn. Both
    start workers without the parent's state: everything a worker needs is its arguments
    and ``init_worker``."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["roleclass.runner", "roleclass.scorer"])
    return context


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class Pool:
    """Where rows are scored: up to ``workers`` processes, ``chunk_size`` rows a task, each
    process loading the model at ``model_path`` (None: the shipped one) once."""

    workers: int
    chunk_size: int
    model_path: str | None
    trust: bool


def scored_chunks(
    rows: Iterable[Row],
    pool: Pool,
    *,
    suggest: bool = False,
    on_start: Callable[[int], None] | None = None,
) -> Iterator[tuple[list[Row], list[dict[str, Any]]]]:
    """(rows, added columns) per chunk, in input order, on up to ``pool.workers`` processes.

    An ordered imap with bounded look-ahead: ``Pool.imap`` would read the whole input
    ahead of the workers, so at most ``2 x workers`` chunks are in flight here. Fewer
    chunks than two score in this process (no start-up cost for a small file).
    """
    workers, model_path, trust = pool.workers, pool.model_path, pool.trust
    chunks = _chunks(rows, pool.chunk_size)
    window = max(1, 2 * workers)
    head = list(islice(chunks, window))
    processes = min(workers, len(head))
    if on_start is not None:
        on_start(max(1, processes))
    if processes <= 1:
        LOG.info("scoring in this process (%d chunk%s ahead)", len(head), "s" if len(head) != 1 else "")
        init_worker(model_path, trust)
        for chunk in chain(head, chunks):  # streamed: a list here read the whole input first
            results = score_chunk([(r.text, r.title, r.error) for r in chunk], suggest)
            LOG.debug("rows %d-%d scored", chunk[0].number, chunk[-1].number)
            yield chunk, results
        return
    LOG.info("starting %d worker processes", processes)
    context = _worker_context()
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=init_pool_worker, initargs=(model_path, trust)
    ) as executor:
        pending: deque[tuple[list[Row], Future]] = deque()

        def submit(chunk: list[Row]) -> None:
            pending.append(
                (chunk, executor.submit(score_chunk, [(r.text, r.title, r.error) for r in chunk], suggest))
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
            _stop_workers(executor)
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


def show_progress(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def progress_bar(show: bool, total: int | None, initial: int) -> Any:
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

    pool: Pool
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
    pool = Pool(workers, chunk_size, path_or_none(scorer_path), trust)
    settings = RunSettings(pool, progress, delimiter, encoding)
    cleanups: list[Callable[[], Any]] = []
    try:
        options = ReadOptions(text_col, title_col, id_col, chunk_size, delimiter, encoding)
        reader = open_reader(in_path, in_fmt, options, cleanups)
        output, rows = plan_output(reader, out_fmt)
        record = run_record.describe_run(
            in_path,
            input_format=in_fmt,
            delimiter=getattr(reader, "delimiter", None),
            encoding=check_encoding(encoding),
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
        target = Target.open(None if to_stdout else Path(out_path), out_fmt, output, resume, record)
        LOG.info(
            "writing %s (%s)%s; model sha256 %s…; up to %d workers, %d rows a chunk",
            target.path or target.out or "stdout",
            out_fmt,
            f", after {target.done:,} rows already there" if target.done else "",
            model_sha256[:12],
            workers,
            chunk_size,
        )
        summary = _write(Plan(rows, output, target, in_path, in_fmt), settings)
    finally:
        for cleanup in reversed(cleanups):
            cleanup()
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class Plan:
    """One run's rows, and where and how they are written."""

    rows: Iterator[Row]
    output: Output
    target: Target
    source: str | Path
    source_format: str


def _write(plan: Plan, settings: RunSettings) -> BatchSummary:
    """Score the plan's rows and write them; how the run ends decides what OUT becomes."""
    rows, output, target = plan.rows, plan.output, plan.target
    summary = BatchSummary(output=str(target.out or "-"), resumed=target.done)
    count_done(target, summary)
    show = show_progress(settings.progress)
    total = (
        count_rows(plan.source, plan.source_format, check_delimiter(settings.delimiter), settings.encoding)
        if show
        else None
    )
    bar = progress_bar(show, total, target.done)
    how = "failed"
    try:
        remaining = islice(rows, target.done, None)

        def started(processes: int) -> None:
            summary.workers = processes

        for chunk, added in scored_chunks(remaining, settings.pool, on_start=started):
            try:
                target.writer.write(output.records(chunk, added))
            except OSError as exc:
                raise no_space(exc, target.out) from exc
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
                raise no_space(exc, target.out) from exc
    return summary


def path_or_none(path: str | Path | None) -> str | None:
    return None if path is None else str(path)
