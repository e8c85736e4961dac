"""The model file: a roleclass model archive, a sha256 beside it, and a check before loading.

The archive (``model_format``) holds JSON and numpy arrays and is read without running
any code from the file: every type it names is checked against a closed list before
anything is built, so even a trusted file can only ever yield roleclass and
scikit-learn estimators. The sha256 beside it (``<model>.sha256``, ``sha256sum``
format) says the file is the one its builder wrote; ``--trust-model`` loads a file
without one when the user trusts where it came from. Library versions recorded at
training are compared with the running ones and a difference is warned about once.

Where models live: in a checkout of the repo (the working directory or the source
tree of an editable install), ``models/``, which `train` writes and `score`, `batch`,
`serve` and `evaluate --write-card` read; anywhere else, the copy installed with the
package (``roleclass.models``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

import sklearn
import spacy
from sklearn.exceptions import InconsistentVersionWarning

from roleclass import model_format
from roleclass.duty_model import DutyClassifier
from roleclass.errors import ModelError, ModelVersionWarning
from roleclass.posting_model import PostingClassifier

LOG = logging.getLogger(__name__)
MODEL_NAME = "roleclass-duties"
MODEL_FILENAME = "roleclass.zip"
MAX_MODEL_BYTES = 512 << 20  # the shipped model is about 1 MB
LEXICON_MISMATCH_ENV = "ROLECLASS_LEXICON_MISMATCH"
_CHUNK = 1 << 20


@dataclass
class RoleclassModel:
    """Everything scoring needs: the duty and posting classifiers and their provenance."""

    duty_classifier: DutyClassifier
    posting_classifier: PostingClassifier
    metadata: dict[str, object] = field(default_factory=dict)
    title_suggester: Any = None  # fitted by train; suggests a title for mismatches
    duty_detector: Any = None  # duty_detector.DutyDetector; None (older models): section weights

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "0"))


def checkout_models_dir() -> Path | None:
    """``models/`` of the roleclass checkout we run in, or None outside one."""
    from roleclass.data import repo_root

    root = repo_root()
    project = root / "pyproject.toml"
    try:
        is_roleclass = project.is_file() and 'name = "roleclass"' in project.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        is_roleclass = False
    return root / "models" if is_roleclass and (root / "models").is_dir() else None


def default_model_path() -> Path:
    """The model every command uses by default: the checkout's ``models/``, else the installed one."""
    models = checkout_models_dir()
    if models is not None:
        return models / MODEL_FILENAME
    return Path(str(resources.files("roleclass.models").joinpath(MODEL_FILENAME)))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def checksum_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + ".sha256")


def model_bytes(model: RoleclassModel) -> bytes:
    """The model file's bytes: deterministic, so the same model always gives the same sha256."""
    components = {f.name: getattr(model, f.name) for f in fields(model) if f.name != "metadata"}
    header = {"metadata": model.metadata, "lexicons": _lexicon_digest()}
    try:
        return model_format.dumps(header, components)
    except (TypeError, ValueError) as exc:  # metadata that is not plain JSON
        raise ModelError(f"cannot save the model: {exc}") from exc


def save_model(model: RoleclassModel, path: Path) -> str:
    """Write the model file (atomically) and its checksum file; returns the sha256."""
    data = model_bytes(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
    digest = hashlib.sha256(data).hexdigest()
    checksum_path(path).write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def expected_checksum(path: Path) -> str | None:
    """The sha256 recorded in the checksum file beside ``path`` (``sha256sum`` format), or None."""
    sidecar = checksum_path(path)
    if not sidecar.is_file():
        return None
    try:
        fields_ = sidecar.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"cannot read checksum file {sidecar}: {exc}") from exc
    digest = fields_[0].lower() if fields_ else ""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ModelError(f"checksum file {sidecar} does not hold a sha256 (64 hex digits)")
    return digest


def verify_checksum(path: Path, digest: str, trust: bool) -> None:
    """Refuse a model whose ``.sha256`` disagrees, or that has none unless ``trust`` says where it came from.

    ``--trust-model`` never overrides a checksum file that disagrees.
    """
    expected = expected_checksum(path)
    if expected is None and not trust:
        raise ModelError(
            f"no checksum file {checksum_path(path).name} beside {path}; "
            "pass --trust-model to load it if you trust where it came from"
        )
    if expected is not None and expected != digest:
        raise ModelError(f"model file {path} does not match its checksum (expected {expected[:12]}…, got {digest[:12]}…)")


def load_model(path: Path | None = None, trust: bool = False) -> tuple[RoleclassModel, str]:
    """Load a model file after checking it; returns the model and its sha256.

    Raises ModelError when the file is missing, its checksum file is missing (unless
    ``trust``), the checksum differs, or the file is not a roleclass model (including a
    file that names any type a model may not hold: nothing of it is built then).
    """
    path = Path(path) if path is not None else default_model_path()
    if not path.is_file():
        raise ModelError(f"model file not found: {path} (build it with `roleclass train`)")
    if path.stat().st_size > MAX_MODEL_BYTES:
        raise ModelError(f"{path} is not a roleclass model: larger than {MAX_MODEL_BYTES >> 20} MiB")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    verify_checksum(path, digest, trust)
    with warnings.catch_warnings(record=True) as caught:
        # scikit-learn warns once per estimator; one clear warning below replaces them
        warnings.simplefilter("always", InconsistentVersionWarning)
        model = _model_from_bytes(data, path)
    for caught_warning in caught:  # anything but scikit-learn's version warnings passes on unchanged
        if not issubclass(caught_warning.category, InconsistentVersionWarning):
            warnings.warn_explicit(
                caught_warning.message, caught_warning.category, caught_warning.filename, caught_warning.lineno
            )
    _warn_on_version_drift(model.metadata, any(issubclass(w.category, InconsistentVersionWarning) for w in caught))
    return model, digest


def _model_from_bytes(data: bytes, path: Path) -> RoleclassModel:
    try:
        header, components = model_format.loads(data)
    except ModelError as exc:
        raise ModelError(f"{path} is not a roleclass model: {exc}") from exc
    except Exception as exc:  # a damaged archive or array can raise many things; none is a crash
        raise ModelError(f"cannot read model file {path}: {type(exc).__name__}: {exc}") from exc
    metadata = header.get("metadata")
    names = {f.name for f in fields(RoleclassModel)} - {"metadata"}
    if not isinstance(metadata, dict) or not set(components) <= names:
        raise ModelError(f"{path} is not a roleclass model: unexpected parts {sorted(set(components) - names)}")
    _check_lexicons(header, path)
    model = RoleclassModel(metadata=metadata, **components)
    if not isinstance(model.duty_classifier, DutyClassifier) or not isinstance(model.posting_classifier, PostingClassifier):
        raise ModelError(f"{path} is not a roleclass model: it holds no duty and posting classifiers")
    return model


def _lexicon_digest() -> str:
    from roleclass.lexicon import lexicon_digest

    return lexicon_digest()


def _check_lexicons(header: dict[str, Any], path: Path) -> None:
    """Refuse a model trained with other lexicons than the package's (it would read other inputs).

    ``ROLECLASS_LEXICON_MISMATCH=warn`` turns the refusal into one warning, for whoever edits
    a lexicon and wants to see its effect before retraining.
    """
    recorded, current = header.get("lexicons"), _lexicon_digest()
    if recorded == current:
        return
    what = f"lexicons {str(recorded)[:12]}…" if isinstance(recorded, str) else "no lexicon hash"
    message = (
        f"model {path.name} was trained with {what}, not this roleclass's lexicons {current[:12]}…: "
        "retrain it with `roleclass train`"
    )
    if os.environ.get(LEXICON_MISMATCH_ENV, "").strip().lower() == "warn":
        warnings.warn(message, ModelVersionWarning, stacklevel=3)
        return
    raise ModelError(message + f" (or set {LEXICON_MISMATCH_ENV}=warn to load it anyway)")


def _warn_on_version_drift(metadata: dict[str, object], sklearn_warned: bool = False) -> None:
    """One ModelVersionWarning when the recorded scikit-learn/spaCy versions differ from the running ones.

    A model that records no versions is warned about only when scikit-learn itself
    found its estimators written under another version (``sklearn_warned``).
    """
    built = metadata.get("libraries")
    running = {"scikit-learn": sklearn.__version__, "spacy": spacy.__version__}
    if not isinstance(built, dict):
        detail = "it records none, and scikit-learn reports another version" if sklearn_warned else ""
    else:
        drift = {k: (built.get(k), v) for k, v in running.items() if built.get(k) != v}
        detail = "; ".join(f"{k} built {b or 'unrecorded'}, running {r}" for k, (b, r) in drift.items())
    if detail:
        warnings.warn(
            f"roleclass model was built with other library versions ({detail}); results may differ: "
            "rebuild it with `roleclass train` or install the recorded versions",
            ModelVersionWarning,
            stacklevel=3,
        )
