"""Errors a user can act on, each with the CLI exit code that reports it.

Exit codes: 0 ok, 1 some batch rows failed, 2 usage, 3 input, 4 model, 5 internal error,
130 interrupted (Ctrl-C), 141 stdout closed early (a pipe to ``head``), 143 terminated (SIGTERM).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ROWS_FAILED = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_MODEL = 4
EXIT_INTERNAL = 5
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE
EXIT_TERMINATED = 143  # 128 + SIGTERM


class RoleclassError(Exception):
    """Base class: a message for the user and the exit code that goes with it."""

    exit_code = EXIT_USAGE


class InputError(RoleclassError):
    """The posting or input file cannot be read or is not a posting."""

    exit_code = EXIT_INPUT


class ModelError(RoleclassError):
    """The model file is missing, altered, untrusted or unreadable."""

    exit_code = EXIT_MODEL


class ModelVersionWarning(UserWarning):
    """The model was built with other scikit-learn or spaCy versions than the running ones."""


class Terminated(BaseException):
    """SIGTERM arrived: raised in the main thread so a run ends as Ctrl-C ends it
    (complete rows written, workers stopped, resumable). A BaseException, like
    KeyboardInterrupt, so that no ``except Exception`` swallows it."""
