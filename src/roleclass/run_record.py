"""What a batch run is, recorded beside its output, so ``--resume`` can refuse a mismatch.

``roleclass batch --resume`` appends to an output that an earlier run wrote. That is only
right when the earlier run read the same input, with the same options, with the same
model: otherwise the file ends up mixing two runs. So every run that writes a file
writes ``OUT.roleclass-run.json`` first (input path, size and a hash of its first bytes,
format and columns, model sha256, roleclass version), and a resume compares it field by
field and refuses the first difference with a one-line reason (``InputError``, exit 3).

Also here: the checks on OUT that must pass before anything is written to it, and the
model check (the checksum, without loading the model), so that a bad model or a bad
option never touches an existing OUT.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from roleclass.errors import InputError, ModelError

RECORD_SUFFIX = ".roleclass-run.json"
PARTIAL_SUFFIX = ".partial"
HEAD_BYTES = 1 << 16  # the input's first 64 KiB are hashed (its first rows)
RECORD_VERSION = 1
LABELS = {
    "input": "input file",
    "input_size": "input size in bytes",
    "input_head_sha256": "hash of the input's first rows",
    "input_format": "input format",
    "delimiter": "--delimiter",
    "encoding": "--encoding",
    "text_col": "text column",
    "title_col": "title column",
    "id_col": "id column",
    "output_format": "output format",
    "model_sha256": "model sha256",
    "roleclass": "roleclass version",
}


def record_path(out: Path) -> Path:
    return out.with_name(out.name + RECORD_SUFFIX)


def partial_path(out: Path) -> Path:
    """Where a fresh run writes until it is done (then renamed to OUT)."""
    return out.with_name(out.name + PARTIAL_SUFFIX)


def describe_run(in_path: str | Path, **options: Any) -> dict[str, Any]:
    """The record of a run: the input's identity and the options that shape the output."""
    from roleclass import __version__

    record: dict[str, Any] = {"record": RECORD_VERSION}
    if str(in_path) == "-":
        record.update(input="-", input_size=None, input_head_sha256=None)
    else:
        path = Path(in_path).resolve()
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        record.update(
            input=str(path),
            input_size=path.stat().st_size,
            input_head_sha256=hashlib.sha256(head).hexdigest(),
        )
    record.update(options)
    record["roleclass"] = __version__
    return record


def write_record(out: Path, record: dict[str, Any]) -> None:
    """Write the record beside OUT, whole or not at all."""
    target = record_path(out)
    partial = target.with_name(target.name + ".tmp")
    partial.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(partial, target)


def read_record_bytes(out: Path) -> bytes | None:
    """The record beside OUT as it is (b"" when there is none), to put back if a run fails."""
    try:
        return record_path(out).read_bytes()
    except FileNotFoundError:
        return b""


def restore_record(out: Path, previous: bytes) -> None:
    """Put back the record of the run that wrote OUT (none: remove this run's)."""
    if previous:
        target = record_path(out)
        partial = target.with_name(target.name + ".tmp")
        partial.write_bytes(previous)
        os.replace(partial, target)
    else:
        record_path(out).unlink(missing_ok=True)


def check_resume(out: Path, written: Path, record: dict[str, Any]) -> None:
    """Refuse to resume ``written`` (OUT or its partial file) unless its record matches."""
    path = record_path(out)
    if not path.is_file():
        raise InputError(
            f"cannot resume: no run record {path.name} beside {out}, so nothing says which input and "
            "options wrote it; run without --resume to start afresh"
        )
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(
            f"cannot resume: the run record {path} is unreadable ({exc}); run without --resume"
        ) from exc
    if not isinstance(old, dict):
        raise InputError(f"cannot resume: the run record {path} is not a JSON object; run without --resume")
    for key, label in LABELS.items():
        if old.get(key) != record.get(key):
            raise InputError(
                f"cannot resume: {written.name} was written with {label} {old.get(key)!r}, this run has "
                f"{record.get(key)!r}; run without --resume to start afresh, or give the same input and options"
            )


def check_output_path(out: Path) -> None:
    """OUT must be a file in a folder that exists (no folder is made for it)."""
    if out.is_dir():
        raise InputError(f"{out} is a directory; name an output file")
    if not out.parent.is_dir():
        raise InputError(f"the folder of the output {out} does not exist (it is not created for you)")


def check_model(model_path: str | Path | None, trust: bool) -> str:
    """The model file's sha256, after the checks ``model_io.load_model`` makes before
    reading it (present, checksum file present unless ``trust``, checksum equal). Loading
    itself happens in the workers; a file that passes this and still fails to load fails
    the run before OUT is replaced."""
    from roleclass.model_io import default_model_path, sha256_of, verify_checksum

    path = Path(model_path) if model_path is not None else default_model_path()
    if not path.is_file():
        raise ModelError(f"model file not found: {path} (build it with `roleclass train`)")
    digest = sha256_of(path)
    verify_checksum(path, digest, trust)
    return digest
