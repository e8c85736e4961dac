"""The model file runs no code of its own (issues 10 item 7, 11 item 5).

A crafted file, even with a matching .sha256 or under --trust-model, is refused before
anything of it is built: a pickle is not read at all, and an archive naming a type a
roleclass model may not hold is refused after its names are checked and before any
object is made. Writing is deterministic and survives a class moving to another module.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest
from cli_assertions import assert_one_line_error
from click.testing import CliRunner
from sklearn.base import BaseEstimator

from roleclass import model_format
from roleclass.cli import cli
from roleclass.errors import EXIT_MODEL, EXIT_OK, ModelError
from roleclass.model_io import (
    checksum_path,
    default_model_path,
    load_model,
    model_bytes,
    save_model,
    sha256_of,
)

POSTING = "Make 50 outbound calls a day to prospects in your territory and close deals."


@pytest.fixture(scope="module")
def shipped():
    return load_model()[0]


def _with_checksum(path: Path) -> Path:
    checksum_path(path).write_text(f"{sha256_of(path)}  {path.name}\n", encoding="utf-8")
    return path


def _score(path: Path, *extra: str):
    return CliRunner().invoke(cli, ["score", "--json", "--text", POSTING, "--model", str(path), *extra])


class _TouchOnUnpickle:
    """A pickle payload: unpickling it creates the marker file (what a hostile model would do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (str(self.marker),))


def test_pickle_with_matching_checksum_never_runs(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "hostile.zip"
    path.write_bytes(pickle.dumps(_TouchOnUnpickle(marker)))
    _with_checksum(path)
    for extra in ((), ("--trust-model",)):
        assert_one_line_error(_score(path, *extra), EXIT_MODEL, "is not a roleclass model")
    with pytest.raises(ModelError, match="not a roleclass model"):
        load_model(path, trust=True)
    assert not marker.exists()
    pickle.loads(path.read_bytes())  # the payload is real: unpickling it does create the marker
    assert marker.exists()


def _archive(tree: dict, header: dict | None = None, arrays: list[bytes] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        head = {"format": "roleclass-model", "format_version": model_format.FORMAT_VERSION, "metadata": {},
                **(header or {})}
        archive.writestr("header.json", json.dumps(head))
        archive.writestr("model.json", json.dumps(tree))
        for i, data in enumerate(arrays):
            archive.writestr(f"arrays/{i:05d}.npy", data)
    return buffer.getvalue()


class Marker(BaseEstimator):
    """A class whose state-setting creates a marker: it must never be built from a file."""

    def __setstate__(self, state):
        Path(state["marker"]).mkdir()


@pytest.fixture
def spy(monkeypatch):
    """Counts every estimator built (BaseEstimator.__setstate__) while a file loads."""
    built: list[str] = []
    real = BaseEstimator.__setstate__

    def counting(self, state):
        built.append(type(self).__name__)
        return real(self, state)

    monkeypatch.setattr(BaseEstimator, "__setstate__", counting)
    return built


@pytest.mark.parametrize("name", [
    "subprocess.Popen", "builtins.eval", "os.system", "posix:system", "roleclass:Scorer", "roleclass:Marker",
    "test_model_format.Marker", "sklearn.utils.deprecated", "sklearn.utils._testing.TempMemmap", "sklearn.base.os",
])
def test_archive_naming_a_type_a_model_may_not_hold_is_refused_before_anything_is_built(
    tmp_path, shipped, spy, monkeypatch, name
):
    marker = tmp_path / "marker"
    monkeypatch.setitem(sys.modules, "test_model_format", sys.modules[__name__])
    good = json.loads(zipfile.ZipFile(io.BytesIO(model_bytes(shipped))).read("model.json"))
    hostile = {"$object": name, "state": {"$dict": {"marker": str(marker), "args": ["mkdir", str(marker)]}}}
    # the valid classifier comes first: refusing must happen before even it is built
    tree = {"duty_classifier": good["duty_classifier"], "posting_classifier": {"$tuple": [hostile]}}
    path = tmp_path / "crafted.zip"
    zipped = zipfile.ZipFile(io.BytesIO(model_bytes(shipped)))
    arrays = [zipped.read(n) for n in sorted(zipped.namelist()) if n.startswith("arrays/")]
    path.write_bytes(_archive(tree, arrays=arrays))
    _with_checksum(path)
    result = _score(path)
    assert_one_line_error(result, EXIT_MODEL, "not a type a roleclass model may hold")
    assert not marker.exists()
    assert spy == []


def test_function_names_are_checked_too(tmp_path, spy):
    path = tmp_path / "f.zip"
    path.write_bytes(_archive({"duty_classifier": {"$function": "os.system"}}))
    _with_checksum(path)
    with pytest.raises(ModelError, match="not a type a roleclass model may hold"):
        load_model(path)
    assert spy == []


def test_object_arrays_are_never_unpickled(tmp_path):
    data = io.BytesIO()
    np.save(data, np.array([_TouchOnUnpickle(tmp_path / "marker")], dtype=object), allow_pickle=True)
    path = tmp_path / "objects.zip"
    path.write_bytes(_archive({"duty_classifier": {"$array": 0}}, arrays=[data.getvalue()]))
    with pytest.raises(ModelError, match="cannot read model file"):
        load_model(path, trust=True)
    assert not (tmp_path / "marker").exists()


@pytest.mark.parametrize(("version", "hint"), [(model_format.FORMAT_VERSION + 1, "upgrade roleclass"), (0, "rebuild it")])
def test_other_format_versions_are_refused_with_a_hint(tmp_path, version, hint):
    path = tmp_path / "v.zip"
    path.write_bytes(_archive({}, header={"format_version": version}))
    result = _score(path, "--trust-model")
    assert_one_line_error(result, EXIT_MODEL, f"model format version {version}", hint)


def test_trust_means_no_checksum_needed_never_code(tmp_path, shipped):
    path = tmp_path / "trusted.zip"
    save_model(shipped, path)
    checksum_path(path).unlink()
    assert _score(path, "--trust-model").exit_code == EXIT_OK


def test_the_same_model_gives_the_same_bytes_and_round_trips(shipped, tmp_path):
    first = model_bytes(shipped)
    assert model_bytes(shipped) == first
    assert first == default_model_path().read_bytes()  # the shipped file is exactly what this code writes
    reloaded, _ = load_model(_with_checksum(_write(tmp_path / "again.zip", first)))
    assert model_bytes(reloaded) == first
    bags = [{"w:calls": 1.0, "cue:quota": 2.0}, {"w:brand": 1.0, "cue:campaigns": 1.0}]
    np.testing.assert_array_equal(
        shipped.duty_classifier.predict_proba(bags), reloaded.duty_classifier.predict_proba(bags)
    )


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_class_that_moves_to_another_module_still_loads(monkeypatch, tmp_path):
    """The file names roleclass types by a stable name; the module is looked up in ROLECLASS_TYPES."""
    from roleclass.duty_model import DutyClassifier

    moved = types.ModuleType("roleclass_moved_here")
    moved.DutyClassifier = DutyClassifier
    monkeypatch.setitem(sys.modules, "roleclass_moved_here", moved)
    monkeypatch.setitem(model_format.ROLECLASS_TYPES, "DutyClassifier", "roleclass_moved_here")
    monkeypatch.delattr("roleclass.duty_model.DutyClassifier")
    model, _ = load_model()
    assert type(model.duty_classifier) is DutyClassifier


def test_saving_a_type_the_format_does_not_know_says_what_to_do(shipped, tmp_path):
    class Unknown:
        pass

    from dataclasses import replace

    with pytest.raises(ModelError, match="cannot save an object of type"):
        save_model(replace(shipped, title_suggester=Unknown()), tmp_path / "x.zip")


def test_new_parameters_and_fitted_attributes_need_no_change_to_the_format():
    """Estimators are written generically: whatever a fitted estimator holds comes back equal."""
    from scipy import sparse

    from roleclass.duty_model import DutyClassifier

    estimator = DutyClassifier(C=0.5)
    estimator.embedding_ = np.arange(12, dtype=np.float32).reshape(3, 4)
    estimator.fortran_ = np.asfortranarray(np.eye(3))
    estimator.index_ = {"cold calls": 0, "brand": np.int64(7)}
    estimator.by_id_ = {1: "a", (2, "b"): [1.5, float("nan")]}
    estimator.kinds_ = ({"x", "y"}, frozenset({3}), np.dtype("<U5"), np.float32, float)
    estimator.names_ = np.array(["Sales Rep", "Brand Lead"], dtype=object)
    estimator.matrix_ = sparse.csr_array(np.array([[0, 1.5], [2.0, 0]]))
    _, parts = model_format.loads(model_format.dumps({"metadata": {}}, {"duty_classifier": estimator}))
    back = parts["duty_classifier"]
    assert type(back) is DutyClassifier and back.get_params() == estimator.get_params()
    np.testing.assert_array_equal(back.embedding_, estimator.embedding_)
    assert back.embedding_.dtype == np.float32 and back.fortran_.flags.f_contiguous
    assert back.index_ == estimator.index_ and type(back.index_["brand"]) is np.int64
    assert back.by_id_[1] == "a" and back.by_id_[(2, "b")][0] == 1.5 and np.isnan(back.by_id_[(2, "b")][1])
    assert back.kinds_ == estimator.kinds_
    assert back.names_.dtype == object and list(back.names_) == ["Sales Rep", "Brand Lead"]
    assert type(back.matrix_) is sparse.csr_array and (back.matrix_ != estimator.matrix_).nnz == 0
