"""The model file: one joblib bundle, a sha256 beside it, and a check before loading.

joblib files are pickles and loading one runs code, so a file is only unpickled when
its sha256 matches the checksum file next to it (``<model>.sha256``), or when the
caller says explicitly that it trusts the file. Library versions recorded at training
are compared with the running ones and a difference is warned about once.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import sklearn
import spacy
from sklearn.exceptions import InconsistentVersionWarning

from roleclass.duty_model import DutyClassifier
from roleclass.errors import ModelError, ModelVersionWarning
from roleclass.posting_model import PostingClassifier

LOG = logging.getLogger(__name__)
MODEL_NAME = "roleclass-duties"
MODEL_FILENAME = "roleclass.joblib"
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


def default_model_path() -> Path:
    """The shipped model: ``models/`` in the repo, installed as package ``roleclass.models``."""
    return Path(str(resources.files("roleclass.models").joinpath(MODEL_FILENAME)))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def checksum_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + ".sha256")


def save_model(model: RoleclassModel, path: Path) -> str:
    """Write the bundle and its checksum file; returns the sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path, compress=3)
    digest = sha256_of(path)
    checksum_path(path).write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def expected_checksum(path: Path) -> str | None:
    """The sha256 recorded in the checksum file beside ``path`` (``sha256sum`` format), or None."""
    sidecar = checksum_path(path)
    if not sidecar.is_file():
        return None
    try:
        fields = sidecar.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"cannot read checksum file {sidecar}: {exc}") from exc
    digest = fields[0].lower() if fields else ""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ModelError(f"checksum file {sidecar} does not hold a sha256 (64 hex digits)")
    return digest


def load_model(path: Path | None = None, trust: bool = False) -> tuple[RoleclassModel, str]:
    """Load a model bundle after checking it; returns the model and its sha256.

    Raises ModelError when the file is missing, its checksum file is missing (unless
    ``trust``), the checksum differs, or the file is not a roleclass model.
    """
    path = Path(path) if path is not None else default_model_path()
    if not path.is_file():
        raise ModelError(f"model file not found: {path} (build it with `roleclass train`)")
    digest = sha256_of(path)
    expected = expected_checksum(path)
    if expected is None and not trust:
        raise ModelError(
            f"no checksum file {checksum_path(path).name} beside {path}; "
            "a model file runs code when loaded, so pass --trust-model only for a file you trust"
        )
    if expected is not None and expected != digest:
        raise ModelError(f"model file {path} does not match its checksum (expected {expected[:12]}…, got {digest[:12]}…)")
    try:
        with warnings.catch_warnings(record=True) as caught:
            # scikit-learn warns once per estimator; one clear warning below replaces them
            warnings.simplefilter("always", InconsistentVersionWarning)
            model = joblib.load(path)
    except Exception as exc:  # a corrupt pickle can raise nearly anything
        raise ModelError(f"cannot read model file {path}: {exc}") from exc
    if not isinstance(model, RoleclassModel) or not isinstance(model.metadata, dict):
        raise ModelError(f"{path} is not a roleclass model")
    for caught_warning in caught:  # anything but scikit-learn's version warnings passes on unchanged
        if not issubclass(caught_warning.category, InconsistentVersionWarning):
            warnings.warn_explicit(
                caught_warning.message, caught_warning.category, caught_warning.filename, caught_warning.lineno
            )
    _warn_on_version_drift(model.metadata, any(issubclass(w.category, InconsistentVersionWarning) for w in caught))
    return model, digest


def _warn_on_version_drift(metadata: dict[str, object], sklearn_warned: bool = False) -> None:
    """One ModelVersionWarning when the recorded scikit-learn/spaCy versions differ from the running ones.

    A model that records no versions is warned about only when scikit-learn itself
    found its estimators pickled under another version (``sklearn_warned``).
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
