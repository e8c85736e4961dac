"""Which of roleclass's modules an install compiled with Cython (``setup.py``), and which it runs.

The busiest modules of the scoring path are compiled unchanged where a C compiler is at hand:
the same code with less interpreter overhead (about 6% less CPU time a posting, README "Speed
and memory"). This module holds their list for the build, read there without importing the
package, and tells a process which of them it loads compiled, so a speed figure can say what
it measured. Standard library only.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util

# The modules that the scoring path spends its time in, busiest first (a sampling profile of
# ``Scorer.score_many``; bench/bench_stages.py times the same stages)
COMPILED_MODULES = (
    "cue_screen",
    "duty_detector",
    "duties",
    "tokens",
    "known_features",
    "scorer",
    "clean",
    "tokenizer_factory",
    "language_pack",
    "sections",
    "quantities",
    "explain",
    "title",
    "features",
    "posting_model",
    "verdict",
    "duty_model",
    "attributes",
    "language",
)
# Compiled as plain Python: no static types from annotations (``annotation_typing`` would make
# ``str`` annotations refuse None, as plain Python never does), functions that introspect as
# Python's do (``binding``: scikit-learn reads estimators' signatures)
CYTHON_DIRECTIVES = {"language_level": 3, "binding": True, "annotation_typing": False}
PURE_PYTHON_VARIABLE = "ROLECLASS_PURE_PYTHON"  # set to 1 at install time: nothing is compiled


def compiled_modules() -> list[str]:
    """The modules of ``COMPILED_MODULES`` that this process loads (or has loaded) compiled, by
    where the import system finds them; none is imported for the asking."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    found = []
    for name in COMPILED_MODULES:
        spec = importlib.util.find_spec(f"roleclass.{name}")
        if spec is not None and spec.origin is not None and spec.origin.endswith(suffixes):
            found.append(name)
    return found
