"""The ``roleclass`` command: a thin click layer over pure functions.

Each subcommand parses arguments, calls one function that tests also call directly,
and prints. Errors a user can fix print one line and exit with a documented code
(see ``errors.py``); nothing prints a traceback.
"""

from __future__ import annotations

import errno
import functools
import gc
import logging
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from roleclass import collector
from roleclass.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    InputError,
    RoleclassError,
    Terminated,
)
from roleclass.render import render_result

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
LOG = logging.getLogger("roleclass")


def _fail(message: str, code: int) -> None:
    one_line = " ".join(message.split())  # library messages can span lines; the contract is one
    click.echo(f"roleclass: error: {one_line}", err=True)
    sys.exit(code)


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated


def _quiet_stdout() -> None:
    """After a closed stdout (``| head``): point it at /dev/null, so the interpreter's
    final flush does not complain either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - stdout without a descriptor
        pass


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected errors into one line and an exit code, and unexpected ones too.

    SIGTERM (what ``timeout``, systemd and job schedulers send) raises ``Terminated`` in
    the command, so a run ends as cleanly as on Ctrl-C: exit 143 instead of 130.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _raise_terminated)
        try:
            return command(*args, **kwargs)
        except RoleclassError as exc:
            _fail(str(exc), exc.exit_code)
        except click.ClickException:  # a usage error raised by a command: the group reports it
            raise
        except BrokenPipeError:  # the reader went away (`| head`): a normal end, said nothing
            _quiet_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        except OSError as exc:
            if exc.errno in _NO_SPACE:
                where = f" writing {exc.filename}" if exc.filename else ""
                _fail(f"no space left on the device{where}: {exc.strerror}", EXIT_INPUT)
            if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError, NotADirectoryError)):
                _fail(f"{exc.strerror}: {exc.filename}", EXIT_INPUT)
            _fail(f"internal error ({type(exc).__name__}): {exc}", EXIT_INTERNAL)
        except KeyboardInterrupt:
            _fail("interrupted", EXIT_INTERRUPTED)
        except Terminated:
            _fail("terminated (SIGTERM)", EXIT_TERMINATED)
        except Exception as exc:  # the last line of defence: report, never a traceback
            _fail(f"internal error ({type(exc).__name__}): {exc}", EXIT_INTERNAL)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return wrapper


class OneLineErrors(click.Group):
    """click's group, with its usage errors on one line like every other error."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            value = super().main(*args, **kwargs)
        except click.UsageError as exc:
            no_args = getattr(click.exceptions, "NoArgsIsHelpError", ())
            if no_args and isinstance(exc, no_args) and exc.ctx is not None:  # bare `roleclass`: the help
                click.echo(exc.ctx.get_help(), err=True)
                sys.exit(EXIT_USAGE)
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            _fail(exc.format_message() + hint, EXIT_USAGE)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            _fail("interrupted", EXIT_INTERRUPTED)
        sys.exit(value if isinstance(value, int) else 0)


def read_posting(source: str | None, text: str | None) -> str:
    """The posting from --text, a file path, or stdin ('-' or nothing piped in).

    At most 4 bytes per character of the scorer's limit are read (UTF-8's widest), so a
    huge file, or a device like /dev/zero, is refused without being read into memory.
    """
    from roleclass.scorer import MAX_POSTING_CHARS

    max_bytes = 4 * MAX_POSTING_CHARS
    if text is not None:
        return text
    if source in (None, "-"):
        if source is None and sys.stdin.isatty():
            raise RoleclassError("no posting given: pass a file, --text, or pipe text on stdin")
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        path = Path(source)
        if path.is_dir():
            raise InputError(f"{source} is a directory, not a posting file")
        if not path.exists():
            raise InputError(f"no such file: {source}")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            f"the posting is over {max_bytes:,} bytes; the limit is {MAX_POSTING_CHARS:,} characters"
        )
    if data.startswith(_UTF16_BOMS):  # Windows "Unicode" text files
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"the posting starts as UTF-16 but is not valid UTF-16 (byte {exc.start})"
            ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the posting is not valid UTF-8 text (byte {exc.start}): a binary file, or text in another encoding"
        ) from exc


def model_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--trust-model", is_flag=True, help="Load a model file that has no checksum file."
    )(command)
    return click.option(
        "--model", "model_path", type=click.Path(), help="A model file other than the shipped one."
    )(command)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Log progress to stderr (-vv for debug).")
@click.version_option(package_name="roleclass")
def cli(verbose: int) -> None:
    """Say whether a job posting is really sales, marketing, or a mislabeled hybrid.

    Exit codes: 0 ok, 1 some batch rows failed, 2 usage, 3 input, 4 model, 5 internal,
    130 interrupted, 141 stdout closed early, 143 terminated (SIGTERM).
    """
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("roleclass: %(levelname)s: %(message)s"))
    LOG.handlers[:] = [handler]  # -v: what each command is doing; -vv: each chunk and its timing
    LOG.setLevel(level)
    LOG.propagate = False


@cli.command()
@click.argument("source", required=False)
@click.option("--text", help="The posting text itself, instead of a file or stdin.")
@click.option("--title", help="The posting's title, to check what it claims against the duties.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@model_options
@handle_errors
def score(
    source: str | None,
    text: str | None,
    title: str | None,
    as_json: bool,
    model_path: str | None,
    trust_model: bool,
) -> None:
    """Score one posting from SOURCE (a file, or '-' for stdin), or --text."""
    with collector.paused():  # one posting: no collection scanning the imported libraries and the model
        from roleclass.language import preload

        preload()  # the language model unpacks in the background while spaCy, sklearn and the model load
        from roleclass.scorer import Scorer
        from roleclass.suggest import suggest_title

        if source is not None and text is not None:
            raise RoleclassError("give the posting as SOURCE or --text, not both")
        posting = read_posting(source, text)
        scorer = Scorer.load(model_path, trust=trust_model)
        LOG.info("scoring %s characters with model %s…", f"{len(posting):,}", scorer.info.sha256[:12])
        result = scorer.score(posting, title)
        if as_json:
            click.echo(result.to_json(indent=2))
            return
        suggested = (
            suggest_title(getattr(scorer.model, "title_suggester", None), result) if result.mismatch else ""
        )
        click.echo(render_result(result, color=sys.stdout.isatty(), suggested_title=suggested))


@cli.command()
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Corpus folder (default: the repo's corpus/).",
)
@click.option(
    "--shared",
    "shared_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="The shared data folder (default: ../shared).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Model file to write (default: models/roleclass.zip).",
)
@handle_errors
def train(corpus_dir: str | None, shared_dir: str | None, output: str | None) -> None:
    """Train the model from O*NET and the labeled corpus, and write it with its checksum and card."""
    from roleclass.data import default_shared_dir, repo_root
    from roleclass.model_card import write_model_card
    from roleclass.model_io import default_model_path, save_model
    from roleclass.train import train as train_model

    corpus = Path(corpus_dir) if corpus_dir else repo_root() / "corpus"
    shared = Path(shared_dir) if shared_dir else default_shared_dir()
    if not (shared / "onet").is_dir():
        raise InputError(f"no O*NET data under {shared}/onet: pass --shared")
    out = Path(output) if output else default_model_path()
    model = train_model(corpus, shared)
    digest = save_model(model, out)
    write_model_card(model, out, digest)
    click.echo(f"wrote {out} (sha256 {digest[:16]}…) from {model.metadata['postings']} labeled postings")


@cli.command()
@click.option(
    "--data",
    "data_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="A labeled JSONL file (title, text, duties, title_claim, verdict, mismatch) scored with the model; "
    "default: grouped cross-validation over the corpus.",
)
@click.option("--corpus", "corpus_dir", type=click.Path(file_okay=False), default=None, help="Corpus folder.")
@click.option(
    "--shared", "shared_dir", type=click.Path(file_okay=False), default=None, help="The shared data folder."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="bench/results",
    show_default=True,
    help="Where the JSON figures and the reliability diagram go.",
)
@click.option("--write-card", is_flag=True, help="Also write the figures into models/MODEL_CARD.md.")
@click.option("--jobs", default=-1, show_default=True, help="Parallel folds (-1: all cores).")
@click.option(
    "--cv",
    type=click.Choice(["source", "posting"]),
    default="source",
    show_default=True,
    help="Hold out whole sources (new job boards) or folds of postings.",
)
@click.option("--no-faithfulness", is_flag=True, help="Skip the ERASER evidence measures (faster).")
@click.option("--title-prior", is_flag=True,
              help="Cross-validate models that also read the title claim (not the shipped setting; for comparison).")
@model_options
@handle_errors
def evaluate(
    data_file: str | None, corpus_dir: str | None, shared_dir: str | None, out_dir: str, write_card: bool, jobs: int,
    cv: str, no_faithfulness: bool, title_prior: bool, model_path: str | None, trust_model: bool,
) -> None:
    """Per-class P/R/F1, confusion, mismatch F1, ECE, Brier, duty-statement F1, faithfulness, three baselines, review coverage."""
    from roleclass.evaluation import run_evaluation

    click.echo(run_evaluation(
        data_file, corpus_dir, shared_dir, Path(out_dir), write_card, jobs, model_path, trust_model, cv, not no_faithfulness,
        title_prior,
    ))


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it local: no login)."
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on."
)
@click.option(
    "--max-body-mb",
    type=click.FloatRange(min=0, min_open=True),
    default=10,
    show_default=True,
    help="Largest request body (posting or upload) in MiB; bigger gets 413.",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30,
    show_default=True,
    help="Seconds for a whole request body to arrive; slower gets 408.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Connections and requests at once; more get 503.",
)
@model_options
@handle_errors
def serve(
    host: str,
    port: int,
    max_body_mb: float,
    body_timeout: float,
    max_connections: int,
    model_path: str | None,
    trust_model: bool,
) -> None:
    """Start the recruiter page and the JSON API (POST /api/score, /api/batch; docs at /docs)."""
    import os
    import socket

    try:
        import uvicorn

        from roleclass.web import create_app
        from roleclass.web.limits import server_options
    except ImportError as exc:
        raise RoleclassError(
            f"`roleclass serve` needs the web extra: pip install 'roleclass[web]' ({exc.name} is missing)"
        ) from exc
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise RoleclassError(f"cannot listen on {host}:{port}: {reason}") from exc
    app = create_app(
        model_path=model_path,
        trust=trust_model,
        max_body_bytes=int(max_body_mb * 2**20),
        body_timeout=body_timeout,
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"roleclass: warning: listening on {host}, not loopback; the page has no login", err=True)
    click.echo(
        f"roleclass: the page is at http://{host}:{port}/ and the API docs at /docs; Ctrl+C stops", err=True
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", **server_options(max_connections))


def _format_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, line: str | None = None
) -> str:
    return f"roleclass: warning: {message}\n"


def main() -> None:
    """The ``roleclass`` command: the click group, then an exit without the interpreter's last collection.

    When the process ends, Python runs one full garbage collection over everything still
    alive (spaCy, scikit-learn, the model: about 0.4 s, a sixth of a cold ``roleclass
    score``) only to free memory the operating system takes back anyway. Freezing the
    heap first (``gc.freeze``) leaves it out; modules are still torn down and files
    flushed and closed as usual.
    """
    warnings.formatwarning = _format_warning  # one line, like the errors (not in CliRunner tests)
    try:
        cli(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # pragma: no cover - click handles its own errors
        _fail(str(exc), EXIT_USAGE)
    finally:
        gc.freeze()


from roleclass import cli_tables  # noqa: E402, F401  (registers `batch` and `mismatches` on `cli`)
