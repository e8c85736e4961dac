"""The model file can be trusted (issues 5, 10, 11): checksums, --trust-model, no code from the file, versions.

A model loads only when its sha256 matches the checksum file beside it, or with an explicit
--trust-model; either way the file is JSON and arrays, and a file naming any type a model
may not hold is refused before anything of it is built. Every test works on copies under
tmp_path; models/ is never touched.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import joblib
import pytest
import sklearn
import spacy
from cli_assertions import assert_one_line_error
from click.testing import CliRunner
from sklearn.exceptions import InconsistentVersionWarning

from roleclass import model_io
from roleclass.cli import cli
from roleclass.errors import EXIT_MODEL, EXIT_OK, ModelError, ModelVersionWarning
from roleclass.model_io import checksum_path, default_model_path, load_model, save_model, sha256_of
from roleclass.scorer import Scorer

REPO = Path(__file__).resolve().parents[1]
POSTING = "Make 50 outbound calls a day to prospects in your territory and close deals."


@pytest.fixture(scope="module")
def shipped():
    """The shipped model, loaded once (read only: tests copy it before changing anything)."""
    return load_model()[0]


@pytest.fixture
def model_copy(tmp_path):
    """A copy of the shipped model with its checksum file."""
    path = tmp_path / "copy.zip"
    shutil.copyfile(default_model_path(), path)
    shutil.copyfile(checksum_path(default_model_path()), checksum_path(path))
    return path


def score_with(path, *extra: str):
    return CliRunner().invoke(cli, ["score", "--json", "--text", POSTING, "--model", str(path), *extra])


def assert_model_error(result, *words: str) -> None:
    assert_one_line_error(result, EXIT_MODEL, *words)


def test_copy_with_matching_checksum_loads(model_copy):
    result = score_with(model_copy)
    assert result.exit_code == EXIT_OK, result.output
    data = json.loads(result.stdout)
    assert data["model"]["sha256"] == sha256_of(model_copy) == checksum_path(model_copy).read_text().split()[0]
    assert data["verdict"] == "sales"


@pytest.mark.parametrize("where", [0.1, 0.5, 0.99])
def test_tampered_byte_is_refused(model_copy, where):
    data = bytearray(model_copy.read_bytes())
    data[int(len(data) * where)] ^= 0x01
    model_copy.write_bytes(bytes(data))
    assert_model_error(score_with(model_copy), "does not match its checksum")
    assert_model_error(score_with(model_copy, "--trust-model"), "does not match its checksum")  # trust never overrides
    with pytest.raises(ModelError, match="does not match"):
        Scorer.load(model_copy)


def test_tampered_file_with_trust_and_no_checksum_is_a_model_error_not_a_crash(model_copy):
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    checksum_path(model_copy).unlink()
    assert_model_error(score_with(model_copy, "--trust-model"), "cannot read model file")


def test_model_without_checksum_needs_trust(model_copy):
    checksum_path(model_copy).unlink()
    assert_model_error(score_with(model_copy), "no checksum file", "--trust-model")
    with pytest.raises(ModelError, match="no checksum file"):
        load_model(model_copy)
    assert score_with(model_copy, "--trust-model").exit_code == EXIT_OK
    assert load_model(model_copy, trust=True)[1] == sha256_of(model_copy)


@pytest.mark.parametrize("content", ["", "\n", "not-a-digest  copy.joblib\n", "abc123\n"])
def test_unusable_checksum_file_is_a_model_error(model_copy, content):
    checksum_path(model_copy).write_text(content, encoding="utf-8")
    assert_model_error(score_with(model_copy), "checksum file", "sha256")


def test_binary_checksum_file_is_a_model_error(model_copy):
    checksum_path(model_copy).write_bytes(b"\xff\xfe\x00garbage")
    assert_model_error(score_with(model_copy), "checksum file")


def test_pickle_that_is_not_a_roleclass_model_is_refused(tmp_path):
    path = tmp_path / "other.joblib"
    joblib.dump({"duty_classifier": "not really"}, path)
    checksum_path(path).write_text(f"{sha256_of(path)}  {path.name}\n", encoding="utf-8")
    assert_model_error(score_with(path), "is not a roleclass model")
    with pytest.raises(ModelError, match="not a roleclass model"):
        load_model(path)


def test_file_that_is_no_model_archive_is_refused(tmp_path):
    path = tmp_path / "text.zip"
    path.write_text("this is not a model", encoding="utf-8")
    checksum_path(path).write_text(f"{sha256_of(path)}  {path.name}\n", encoding="utf-8")
    assert_model_error(score_with(path), "is not a roleclass model")


def test_missing_model_and_directory_are_model_errors(tmp_path):
    assert_model_error(score_with(tmp_path / "none.joblib"), "model file not found")
    assert_model_error(score_with(tmp_path), "model file not found")


def test_shipped_checksum_file_matches_the_shipped_model():
    recorded = checksum_path(default_model_path()).read_text(encoding="utf-8").split()
    assert recorded == [sha256_of(default_model_path()), default_model_path().name]


# -- versions -----------------------------------------------------------------------------
def test_model_card_records_the_library_versions(shipped):
    libraries = shipped.metadata["libraries"]
    assert set(libraries) >= {"scikit-learn", "spacy"}
    card = (REPO / "models" / "MODEL_CARD.md").read_text(encoding="utf-8")
    line = re.search(r"^- Libraries: (\{.*?\})", card, re.M)
    assert line, "MODEL_CARD.md has no '- Libraries:' line"
    recorded = json.loads(line.group(1))
    assert recorded["scikit-learn"] == libraries["scikit-learn"]
    assert recorded["spacy"] == libraries["spacy"]


def _load_recording_warnings(path, trust: bool = False) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_model(path, trust=trust)
    return [w for w in caught if issubclass(w.category, (ModelVersionWarning, InconsistentVersionWarning))]


@pytest.fixture(scope="module")
def old_versions_model(shipped, tmp_path_factory):
    """A copy whose metadata says it was built with other scikit-learn and spaCy versions."""
    path = tmp_path_factory.mktemp("old") / "old.zip"
    libraries = {**shipped.metadata["libraries"], "scikit-learn": "1.0.2", "spacy": "3.0.0"}
    save_model(replace(shipped, metadata={**shipped.metadata, "libraries": libraries}), path)  # and its checksum
    return path


def test_other_recorded_versions_warn_exactly_once_per_load(old_versions_model):
    for _ in range(2):  # once per load, not once per process
        caught = _load_recording_warnings(old_versions_model)
        assert len(caught) == 1, [str(w.message) for w in caught]
        message = str(caught[0].message)
        assert caught[0].category is ModelVersionWarning
        assert f"scikit-learn built 1.0.2, running {sklearn.__version__}" in message
        assert f"spacy built 3.0.0, running {spacy.__version__}" in message


def test_matching_versions_do_not_warn(model_copy, shipped):
    running = {"scikit-learn": sklearn.__version__, "spacy": spacy.__version__}
    if any(shipped.metadata["libraries"].get(k) != v for k, v in running.items()):
        pytest.skip("the shipped model was built under other library versions than these")
    assert _load_recording_warnings(model_copy) == []


def test_scikit_learn_version_warnings_fold_into_one(old_versions_model, monkeypatch):
    """scikit-learn warns once per estimator written under another version; the user sees one warning."""
    real_loads = model_io.model_format.loads

    def load_like_another_version(data):
        for name in ("LogisticRegression", "DictVectorizer", "TfidfTransformer"):
            warning = InconsistentVersionWarning(estimator_name=name, current_sklearn_version="9", original_sklearn_version="1")
            warnings.warn(warning, stacklevel=2)
        return real_loads(data)

    monkeypatch.setattr(model_io.model_format, "loads", load_like_another_version)
    caught = _load_recording_warnings(old_versions_model)
    assert [w.category for w in caught] == [ModelVersionWarning]


def test_version_warning_on_the_command_line_is_one_line_once(old_versions_model):
    done = subprocess.run(
        [sys.executable, "-m", "roleclass", "score", "--text", POSTING, "--model", str(old_versions_model)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == EXIT_OK, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("roleclass: warning: roleclass model was built with other"), lines
