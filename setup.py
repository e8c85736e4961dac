"""Build step: roleclass's busiest modules compiled with Cython, where that can be done.

The package is plain Python, and stays so: these modules are compiled unchanged (no types
added), so they run the same code with less of the interpreter's overhead per step, about
6% less CPU time a posting (issue 12; README, "Speed and memory"). Outputs are the same
byte for byte; CI runs the whole suite on the compiled install.

Left as pure Python, with nothing else different:
- in an editable install (``pip install -e``), so edits to the sources take effect at once;
- with ``ROLECLASS_PURE_PYTHON=1`` in the environment;
- where a module fails to compile (no C compiler, or a construct Cython cannot translate): that
  module stays Python, with a warning.

``roleclass.compiled.compiled_modules()`` tells which modules a process runs compiled.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType

from setuptools import setup
from setuptools.command.build_ext import build_ext


def _compiled_list() -> ModuleType:
    """``roleclass/compiled.py``, read from its file: the package is not importable while it builds."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "src", "roleclass", "compiled.py")
    spec = importlib.util.spec_from_file_location("_roleclass_compiled", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


COMPILED = _compiled_list()


class OptionalBuildExt(build_ext):
    """``build_ext`` that leaves a module as Python where it cannot be compiled, and compiles
    nothing in an editable install (``editable_mode``: the extensions would shadow the sources)."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.parallel is None:  # one module per core: a build is minutes on one
            self.parallel = os.cpu_count() or 1

    def run(self) -> None:
        if getattr(self, "editable_mode", False):
            self.announce("roleclass: editable install, the modules stay pure Python", level=2)
            return
        super().run()

    def build_extension(self, ext: object) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # no compiler, a compiler error: the module stays Python
            self.warn(f"roleclass: {ext.name} not compiled ({exc}); it runs as pure Python")  # type: ignore[attr-defined]


def extensions() -> list[object]:
    """The Cython extensions, or none (pure Python asked for, or Cython not importable)."""
    if os.environ.get(COMPILED.PURE_PYTHON_VARIABLE, "") not in ("", "0"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    sources = [os.path.join("src", "roleclass", f"{name}.py") for name in COMPILED.COMPILED_MODULES]
    # the generated C goes under build/, not beside the sources
    options = {"compiler_directives": COMPILED.CYTHON_DIRECTIVES, "build_dir": os.path.join("build", "cython"), "quiet": True}
    try:
        return cythonize(sources, nthreads=os.cpu_count() or 1, **options)
    except Exception:  # a module Cython cannot translate: the others are still compiled, one by one
        found = []
        for source in sources:
            try:
                found += cythonize([source], **options)
            except Exception as exc:
                sys.stderr.write(f"roleclass: {source} not translated by Cython ({exc}); it stays pure Python\n")
        return found


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
