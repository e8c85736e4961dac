"""Every command agrees on where the model lives (issue 10 item 14).

In a checkout, `train` writes and `score`/`batch`/`evaluate --write-card` read the checkout's
models/, however roleclass was installed; elsewhere, the installed copy.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import roleclass.data
from roleclass.model_io import MODEL_FILENAME, checkout_models_dir, default_model_path

REPO = Path(__file__).resolve().parents[1]


def _checkout(root: Path, name: str = "roleclass") -> Path:
    (root / "models").mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n', encoding="utf-8")
    return root


def test_in_this_checkout_the_default_model_is_the_checkouts():
    assert default_model_path() == REPO / "models" / MODEL_FILENAME
    assert default_model_path().is_file()


def test_another_checkout_uses_its_own_models(tmp_path, monkeypatch):
    root = _checkout(tmp_path / "clone")
    monkeypatch.setattr(roleclass.data, "repo_root", lambda: root)
    assert checkout_models_dir() == root / "models"
    assert default_model_path() == root / "models" / MODEL_FILENAME


def test_outside_a_checkout_the_installed_model_is_used(tmp_path, monkeypatch):
    other = _checkout(tmp_path / "other", name="someone-else")
    for root in (tmp_path, other):
        monkeypatch.setattr(roleclass.data, "repo_root", lambda root=root: root)
        assert checkout_models_dir() is None
        assert default_model_path() == Path(str(resources.files("roleclass.models").joinpath(MODEL_FILENAME)))


def test_every_subpackage_is_installed_by_a_plain_install():
    """A non-editable install (the README's quick start) must ship every package under src/roleclass."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    declared = set(tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    source = root / "src" / "roleclass"
    found = {"roleclass"} | {
        "roleclass." + ".".join(p.parent.relative_to(source).parts) for p in source.rglob("__init__.py") if p.parent != source
    }
    assert found <= declared, f"add to pyproject's packages: {sorted(found - declared)}"
