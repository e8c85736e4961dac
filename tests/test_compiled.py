"""The compiled build (``setup.py``, ``roleclass/compiled.py``) changes the speed and nothing else."""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from roleclass.compiled import COMPILED_MODULES, compiled_modules

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "src"

# Scores every posting of the corpus in one process and prints which modules ran compiled and
# the outputs (the model's sha256 left out: it is the same file either way)
_SCORE_CORPUS = """
import json, sys
from pathlib import Path
from roleclass.compiled import compiled_modules
from roleclass.data import load_own_postings
from roleclass.scorer import Scorer
postings = load_own_postings(Path(sys.argv[1]))
outputs = []
for posting, outcome in zip(postings, Scorer.load().score_many([p.text for p in postings], [p.title or None for p in postings])):
    result = outcome.to_dict() if hasattr(outcome, "to_dict") else {"error": outcome.message}
    result.pop("model", None)
    outputs.append([posting.id, result])
print(json.dumps({"compiled": compiled_modules(), "outputs": outputs}, sort_keys=True))
"""


def _score_corpus(environment: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _SCORE_CORPUS, str(ROOT / "corpus")],
        capture_output=True, text=True, env=environment, cwd=ROOT, timeout=600, check=True,
    )
    return json.loads(done.stdout)


def test_every_listed_module_is_a_module_of_the_package():
    """A name in the build's list that is no module would compile nothing and say nothing."""
    for name in COMPILED_MODULES:
        assert (SOURCES / "roleclass" / f"{name}.py").is_file(), name
    assert len(set(COMPILED_MODULES)) == len(COMPILED_MODULES)


def test_compiled_modules_says_what_the_imports_load():
    """``compiled_modules`` (asked without importing) agrees with the modules as imported."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    said = compiled_modules()
    loaded = [name for name in COMPILED_MODULES if importlib.import_module(f"roleclass.{name}").__file__.endswith(suffixes)]
    assert said == loaded


def test_compiled_install_scores_the_corpus_as_the_python_sources_do():
    """Where the installed package runs compiled modules (a regular install with a C compiler,
    as CI's), its outputs on the whole corpus equal those of the same sources run as Python."""
    installed = _score_corpus({k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    if not installed["compiled"]:
        pytest.skip("no module runs compiled here (an editable install, or no C compiler): nothing to compare")
    pure = _score_corpus({**os.environ, "PYTHONPATH": str(SOURCES)})
    assert pure["compiled"] == [], "the sources should run as Python"
    assert len(installed["outputs"]) > 50
    assert installed["outputs"] == pure["outputs"]
