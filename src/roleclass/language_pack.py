"""The language model roleclass ships: py3langid's model, restricted to our candidate languages.

py3langid keeps its model LZMA-packed (about 4.5 MB that unpack to 68 MB); unpacking it
takes a few tenths of a second, the largest part of a cold ``roleclass score``. We only
ever ask it about ``language.CANDIDATES``, so the package carries the part of the model
those languages use, in a zip of ``.npy`` arrays (deflate, which unpacks about seven
times faster than LZMA), read with ``allow_pickle=False``:

- ``ptc``, ``pc``, ``classes``: the naive Bayes tables, only the candidates' columns, in
  py3langid's class order and memory layout (exactly what its ``set_languages(CANDIDATES)``
  keeps);
- ``nextmove``, ``nextmove_row``, ``out_feat``: the byte-n-gram automaton, unchanged;
- ``source_sha256``: the sha256 of the py3langid model file they come from.

An identifier built from these arrays holds the same arrays, of the same types, as
py3langid's own restricted identifier, so every code and probability is the same
(``tests/test_language_pack.py`` checks both that and that the shipped file is what this
module builds from the installed py3langid). Rebuild it after changing ``CANDIDATES`` or
upgrading py3langid::

    .venv/bin/python -m roleclass.language_pack        # writes src/roleclass/langid_candidates.npz

py3langid (BSD 3-Clause licence, shipped beside the pack as ``langid_candidates.LICENSE``)
is by Adrien Barbaresi, a fork of langid.py by Marco Lui, based on research by Marco Lui
and Tim Baldwin; the model's data are theirs.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import sys
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
from py3langid.langid import LanguageIdentifier

PACK_NAME = "langid_candidates.npz"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_TYPECODE = {2: "H", 4: "I", 8: "L"}  # as py3langid.modelio._to_array
KEYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat", "source_sha256")


def pack_path() -> Path:
    """The packed model inside the installed package."""
    return Path(str(resources.files("roleclass").joinpath(PACK_NAME)))


def source_model_path() -> Path:
    """py3langid's own model file."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / MODEL_FILE


def build_arrays(candidates: list[str], source: Path | None = None) -> dict[str, np.ndarray]:
    """The pack's arrays, restricted to ``candidates`` as py3langid's ``set_languages`` restricts them."""
    source = source or source_model_path()
    raw = source.read_bytes()
    with np.load(io.BytesIO(lzma.decompress(raw)), allow_pickle=False) as data:
        full = {k: data[k] for k in ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")}
    classes = full["classes"].tolist()
    unknown = set(candidates) - set(classes)
    if unknown:
        raise ValueError(f"py3langid's model has no language {sorted(unknown)}")
    wanted = set(candidates)
    indices = [i for i, c in enumerate(classes) if c in wanted]  # set_languages' own selection, in its order
    return {
        "ptc": np.asfortranarray(full["ptc"][:, indices]),  # the layout set_languages gives, kept by .npy
        "pc": full["pc"][indices],
        "classes": full["classes"][indices],
        "nextmove": full["nextmove"],
        "nextmove_row": full["nextmove_row"],
        "out_feat": full["out_feat"],
        "source_sha256": np.array(hashlib.sha256(raw).hexdigest()),
    }


def pack_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The pack file's bytes: an ``.npz`` with fixed entry order and timestamps (same arrays, same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for key in KEYS:
            data = io.BytesIO()
            np.lib.format.write_array(data, np.asarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data.getvalue(), compresslevel=6)
    return buffer.getvalue()


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """The pack's arrays (read-only views of each unpacked entry: one inflate, no copy)."""
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        missing = [k for k in KEYS if f"{k}.npy" not in names]
        if missing:
            raise ValueError(f"{path}: not a roleclass language pack (no {missing})")
        for key in KEYS:
            data = archive.read(f"{key}.npy")
            stream = io.BytesIO(data)
            major, _ = np.lib.format.read_magic(stream)
            read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(stream)
            if dtype.hasobject:
                raise ValueError(f"{path}: {key} holds Python objects; refused")
            flat = np.frombuffer(data, dtype=dtype, count=int(np.prod(shape)), offset=stream.tell())
            arrays[key] = flat.reshape(shape, order="F" if fortran else "C")
    return arrays


def _to_array(values: np.ndarray) -> memoryview:
    """Unsigned numpy ints as a flat memoryview of Python ints, in place.

    py3langid's loader copies its automaton into a stdlib ``array``; indexing either
    gives the same ints at the same speed, and the view spares a second copy of the
    40 MB transition table (the process's peak memory, issue 12).
    """
    return memoryview(np.ascontiguousarray(values)).cast("B").cast(_TYPECODE[values.dtype.itemsize])


def identifier(arrays: dict[str, np.ndarray]) -> LanguageIdentifier:
    """A normalised-probability identifier over the pack's languages, built as py3langid builds its own."""
    return LanguageIdentifier(
        arrays["ptc"],
        arrays["pc"],
        arrays["classes"].tolist(),
        _to_array(arrays["nextmove"]),
        arrays["out_feat"].tolist(),
        norm_probs=True,
        tk_row=_to_array(arrays["nextmove_row"]),
    )


def main(argv: list[str] | None = None) -> int:
    """Write the pack from the installed py3langid into the source tree (or the path given)."""
    from roleclass.language import CANDIDATES

    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path(__file__).resolve().parent / PACK_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pack_bytes(build_arrays(CANDIDATES)))
    sys.stderr.write(f"wrote {target} ({target.stat().st_size:,} bytes)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
