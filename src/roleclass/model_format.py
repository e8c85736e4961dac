"""The model file format: JSON and numpy arrays in a zip, read without running code from the file.

A pickle names any callable and calls it while loading, so a model file that is a
pickle must be trusted completely. This format cannot do that. The archive holds

- ``header.json``: format name and version, the model's metadata, the lexicon hash;
- ``model.json``: the estimators as a tree of plain JSON values with tagged nodes;
- ``arrays/NNNNN.npy``: every numpy array, read with ``allow_pickle=False``.

Estimators are written generically, as scikit-learn itself pickles them: an object is
its type's name plus its state (``__getstate__``, i.e. parameters and fitted
attributes), so a new parameter or fitted attribute of ``DutyClassifier`` needs no
change here. What a file may name is closed, and checked for the whole file before
anything is built:

- roleclass's own types by a stable name (``roleclass:DutyClassifier``) looked up in
  ``ROLECLASS_TYPES``: moving a class to another module means changing one line there,
  never rebuilding the shipped model;
- scikit-learn estimators by their public path (``sklearn.linear_model.LogisticRegression``),
  accepted only when the path names a public module of scikit-learn and a subclass of
  ``BaseEstimator``;
- values: None, bool, int, float, str, list, tuple, dict, set, numpy arrays, scalars and
  dtypes, the builtin scalar types (``dtype=float``), and scipy's CSR/CSC matrices.

Large tables of floats (a dict of at least ``FLOAT_TABLE_MIN`` str keys whose values are all
floats, or all tuples of floats of one length: the duty detector's lookup tables) are
written as their keys plus one float64 array (``$floatdict``, format version 2), which
reads back the same Python floats without parsing tens of thousands of JSON numbers.
Reading takes fast paths for lists and dicts of plain JSON values (nothing to check or
build in them), which most of a model's nodes are.

Anything else is refused with a ``ModelError`` naming it. Writing is deterministic:
the same model gives the same bytes (fixed zip timestamps, entry order and compression).
"""

from __future__ import annotations

import importlib
import io
import json
import re
import types
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator

from roleclass import collector
from roleclass.errors import ModelError

FORMAT_NAME = "roleclass-model"
FORMAT_VERSION = 2  # 2: $floatdict nodes; version 1 files (no such nodes) still read
OLDEST_READ_VERSION = 1
FLOAT_TABLE_MIN = 64  # smaller float dicts stay plain JSON
HEADER = "header.json"
TREE = "model.json"
ARRAYS = "arrays/"
MAX_UNPACKED_BYTES = 1 << 30  # a model is a few MB; a zip that unpacks past this is refused unread

# Stable name -> module of every roleclass type or function a model file may hold. A class
# that moves to another module keeps its name here; only the module changes.
ROLECLASS_TYPES: dict[str, str] = {
    "DutyClassifier": "roleclass.duty_model",
    "DutyDetector": "roleclass.duty_detector",  # merge of wt-detect: models may carry a duty detector
    "PostingClassifier": "roleclass.posting_model",
    "TitleSuggester": "roleclass.suggest",
    "terms": "roleclass.suggest",  # the title suggester's TF-IDF analyzer
}
_PY_TYPES: dict[str, type] = {cls.__name__: cls for cls in (bool, int, float, complex, str)}
_SPARSE = {cls.__name__: cls for cls in (sparse.csr_matrix, sparse.csc_matrix, sparse.csr_array, sparse.csc_array)}
_SKLEARN_PATH = re.compile(r"^sklearn(\.[a-z][a-z0-9_]*)+\.[A-Za-z][A-Za-z0-9_]*$")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_PLAIN = frozenset({str, int, float, bool, type(None)})  # what json.loads gives besides list and dict

Json = Any


# -- names --------------------------------------------------------------------------------
def type_name(obj: type | types.FunctionType) -> str:
    """The stable name a file records for a roleclass or scikit-learn type (or function)."""
    module, name = obj.__module__, obj.__qualname__
    if module.split(".")[0] == "roleclass":
        if ROLECLASS_TYPES.get(name) != module:
            raise ModelError(
                f"cannot save {module}.{name}: add it to roleclass.model_format.ROLECLASS_TYPES "
                "(the types a model file may hold)"
            )
        return f"roleclass:{name}"
    if module.split(".")[0] == "sklearn" and isinstance(obj, type):
        parts = module.split(".")
        for end in range(1, len(parts) + 1):  # the shortest public module that exports it
            public = ".".join(parts[:end])
            if any(p.startswith("_") for p in parts[:end]):
                break
            if getattr(importlib.import_module(public), name, None) is obj:
                return f"{public}.{name}"
    raise ModelError(f"cannot save an object of type {module}.{name}: a model file holds only roleclass and "
                     "scikit-learn estimators, numpy arrays and plain values")


def resolve(name: str, want_class: bool = True) -> Any:
    """The type (or function) a stable name stands for, or a ModelError if a file may not name it."""
    if name.startswith("roleclass:"):
        short = name.removeprefix("roleclass:")
        module = ROLECLASS_TYPES.get(short)
        found = getattr(importlib.import_module(module), short, None) if module else None
        if found is not None and (isinstance(found, type) if want_class else isinstance(found, types.FunctionType)):
            return found
    elif want_class and _SKLEARN_PATH.match(name):
        module, _, short = name.rpartition(".")
        try:
            found = getattr(importlib.import_module(module), short, None)
        except ImportError:
            found = None
        if isinstance(found, type) and issubclass(found, BaseEstimator):
            return found
    raise ModelError(f"the model file names {name!r}, which is not a type a roleclass model may hold; refused")


# -- writing ------------------------------------------------------------------------------
class _Encoder:
    """Turns an object tree into JSON values, collecting numpy arrays on the side."""

    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []

    def array(self, value: np.ndarray) -> Json:
        if value.dtype.hasobject:
            return {"$objects": [self.encode(v) for v in value.ravel().tolist()], "shape": list(value.shape)}
        self.arrays.append(value)
        return {"$array": len(self.arrays) - 1}

    def float_table(self, value: dict[str, Any]) -> Json | None:
        """A large str-keyed dict of floats (or of equal-length tuples of floats) as keys plus one array."""
        if len(value) < FLOAT_TABLE_MIN:
            return None
        values = list(value.values())
        if all(type(v) is float for v in values):
            rows = np.array(values, dtype=np.float64)
            return {"$floatdict": list(value), "values": self.array(rows), "tuples": False}
        if all(type(v) is tuple for v in values):
            width = len(values[0])
            if width and all(len(v) == width and all(type(x) is float for x in v) for v in values):
                rows = np.array(values, dtype=np.float64).reshape(len(values), width)
                return {"$floatdict": list(value), "values": self.array(rows), "tuples": True}
        return None

    def encode(self, value: Any) -> Json:
        kind = type(value)
        if value is None or kind in (bool, int, float, str):
            return value
        if kind is list:
            return [self.encode(v) for v in value]
        if kind is tuple:
            return {"$tuple": [self.encode(v) for v in value]}
        if kind is dict:
            if all(type(k) is str for k in value):
                table = self.float_table(value)
                if table is not None:
                    return table
                return {"$dict": {k: self.encode(v) for k, v in value.items()}}
            return {"$items": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if kind in (set, frozenset):
            items = sorted((self.encode(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
            return {"$set" if kind is set else "$frozenset": items}
        if kind is np.ndarray:
            return self.array(value)
        if isinstance(value, np.generic):
            return {"$scalar": value.dtype.str, "value": value.item()}
        if isinstance(value, np.dtype):
            return {"$dtype": value.str}
        if isinstance(value, type) and issubclass(value, np.generic):
            return {"$nptype": np.dtype(value).str}
        if isinstance(value, type) and value in _PY_TYPES.values():  # dtype=float and the like
            return {"$pytype": value.__name__}
        if kind.__name__ in _SPARSE and _SPARSE[kind.__name__] is kind:
            return {"$sparse": kind.__name__, "shape": list(value.shape), "data": self.array(value.data),
                    "indices": self.array(value.indices), "indptr": self.array(value.indptr)}
        if kind is types.FunctionType:
            return {"$function": type_name(value)}
        name = type_name(kind)
        state = value.__getstate__()
        if type(state) is not dict:
            raise ModelError(f"cannot save {name}: its state is not a dict")
        return {"$object": name, "state": self.encode(state)}


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def dumps(header: dict[str, Any], components: dict[str, Any]) -> bytes:
    """The archive's bytes for a JSON header and named components (estimators or None)."""
    encoder = _Encoder()
    tree = {name: encoder.encode(value) for name, value in components.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        header = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, **header}
        archive.writestr(_entry(HEADER), json.dumps(header, indent=1, ensure_ascii=False), compresslevel=9)
        archive.writestr(_entry(TREE), json.dumps(tree, separators=(",", ":"), ensure_ascii=False), compresslevel=9)
        for index, array in enumerate(encoder.arrays):
            data = io.BytesIO()
            np.save(data, array, allow_pickle=False)
            archive.writestr(_entry(f"{ARRAYS}{index:05d}.npy"), data.getvalue(), compresslevel=9)
    return buffer.getvalue()


# -- reading ------------------------------------------------------------------------------
def _plain(values: Any) -> bool:
    """Whether every item is a plain JSON scalar (checked in C: no Python loop per item)."""
    return _PLAIN.issuperset(map(type, values))


def _nested(values: Any) -> list[Json]:
    """The lists and dicts among ``values`` (none, cheaply, when all are plain scalars)."""
    if _plain(values):
        return []
    return [v for v in values if type(v) is list or type(v) is dict]


def _tags(tree: Json) -> Iterator[tuple[str, Json]]:
    """Every tagged node of a JSON tree (iteratively: a crafted file cannot exhaust the stack)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(_nested(node))
        elif isinstance(node, dict):
            tags = [k for k in node if k.startswith("$")]
            if len(tags) != 1:
                raise ModelError(f"malformed model tree node with keys {sorted(node)[:4]}")
            yield tags[0], node
            for key, value in node.items():
                if key == "$dict" and isinstance(value, dict):
                    stack.extend(_nested(value.values()))
                elif key not in ("shape", "value", "tuples"):
                    stack.append(value)


class _Decoder:
    """Builds objects from a tree whose every type name has been checked (``check``)."""

    def __init__(self, arrays: dict[int, np.ndarray], allowed: dict[str, Any]) -> None:
        self.arrays = arrays
        self.allowed = allowed

    def decode(self, node: Json) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):  # each node is decoded once, so a plain list can be handed on as is
            return node if _plain(node) else [self.decode(v) for v in node]
        tag = next(k for k in node if k.startswith("$"))
        payload = node[tag]
        if tag == "$tuple":
            return tuple(payload) if _plain(payload) else tuple(self.decode(v) for v in payload)
        if tag == "$dict":
            return payload if _plain(payload.values()) else {k: self.decode(v) for k, v in payload.items()}
        if tag == "$floatdict":
            return self.float_table(payload, self.decode(node["values"]), node.get("tuples"))
        if tag == "$items":
            return {self.decode(k): self.decode(v) for k, v in payload}
        if tag in ("$set", "$frozenset"):
            return (set if tag == "$set" else frozenset)(self.decode(v) for v in payload)
        if tag == "$array":
            return self.arrays[payload]
        if tag == "$objects":
            out = np.empty(len(payload), dtype=object)
            out[:] = [self.decode(v) for v in payload]
            return out.reshape(node["shape"])
        if tag == "$scalar":
            return np.dtype(payload).type(node["value"])
        if tag == "$dtype":
            return np.dtype(payload)
        if tag == "$nptype":
            return np.dtype(payload).type
        if tag == "$pytype":
            return _PY_TYPES[payload]
        if tag == "$sparse":
            parts = (self.decode(node["data"]), self.decode(node["indices"]), self.decode(node["indptr"]))
            return _SPARSE[payload](parts, shape=tuple(node["shape"]))
        if tag == "$function":
            return self.allowed[payload]
        if tag == "$object":
            cls = self.allowed[payload]
            obj = cls.__new__(cls)
            state = self.decode(node["state"])
            if type(state) is not dict:
                raise ModelError(f"malformed state of {payload} in the model tree")
            if hasattr(obj, "__setstate__"):
                obj.__setstate__(state)
            else:
                obj.__dict__.update(state)
            return obj
        raise ModelError(f"unknown node {tag!r} in the model tree")

    @staticmethod
    def float_table(keys: list[str], rows: Any, tuples: Any) -> dict[str, Any]:
        """The dict a ``$floatdict`` node stands for: its keys, each with its row of the array."""
        if not (
            isinstance(rows, np.ndarray) and rows.dtype.kind == "f" and rows.dtype.itemsize == 8
            and rows.ndim == (2 if tuples else 1)
            and len(rows) == len(keys)
        ):
            raise ModelError("malformed $floatdict node in the model tree")
        values = rows.tolist()
        return dict(zip(keys, map(tuple, values) if tuples else values, strict=True))


def check(tree: Json, array_count: int) -> dict[str, Any]:
    """Resolve every name the tree holds, refusing the file at the first one it may not hold.

    Runs before anything is built, so a file naming an unexpected type never gets any
    code of that type called.
    """
    allowed: dict[str, Any] = {}
    for tag, node in _tags(tree):
        payload = node[tag]
        if tag in ("$object", "$function"):
            if not isinstance(payload, str) or (tag == "$object" and not isinstance(node.get("state"), dict)):
                raise ModelError(f"malformed {tag} node in the model tree")
            if payload not in allowed:
                allowed[payload] = resolve(payload, want_class=tag == "$object")
        elif (tag == "$sparse" and payload not in _SPARSE) or (tag == "$pytype" and payload not in _PY_TYPES):
            raise ModelError(f"the model file holds a {payload!r} matrix, which roleclass does not read")
        elif tag == "$array" and not (isinstance(payload, int) and 0 <= payload < array_count):
            raise ModelError("the model tree refers to an array the file does not hold")
        elif tag == "$floatdict" and not (
            isinstance(payload, list) and all(type(k) is str for k in payload)
            and isinstance(node.get("values"), dict) and "$array" in node["values"]
            and isinstance(node.get("tuples"), bool)
        ):
            raise ModelError("malformed $floatdict node in the model tree")
        elif tag not in _KNOWN_TAGS:
            raise ModelError(f"unknown node {tag!r} in the model tree")
    return allowed


_KNOWN_TAGS = {"$tuple", "$dict", "$items", "$set", "$frozenset", "$array", "$objects", "$scalar", "$dtype",
               "$nptype", "$pytype", "$sparse", "$function", "$object", "$floatdict"}


def read_header(archive: zipfile.ZipFile) -> dict[str, Any]:
    """The header of an open archive, checked for format name and version."""
    try:
        header = json.loads(archive.read(HEADER))
    except KeyError:
        raise ModelError(f"no {HEADER} in the archive: not a roleclass model file") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise ModelError("the archive's header is not a roleclass model header")
    version = header.get("format_version")
    if not (type(version) is int and OLDEST_READ_VERSION <= version <= FORMAT_VERSION):
        newer = isinstance(version, int) and version > FORMAT_VERSION
        hint = "upgrade roleclass" if newer else "rebuild it with `roleclass train`"
        raise ModelError(
            f"model format version {version} is not one this roleclass reads ({OLDEST_READ_VERSION} to "
            f"{FORMAT_VERSION}): {hint}"
        )
    return header


def loads(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the named components of an archive; every name is checked before any object is built.

    The cycle collector is paused meanwhile (``collector.paused``): reading makes some
    hundred thousand containers and no garbage, and the collections took more time than
    the reading.
    """
    with collector.paused():
        return _loads(data)


def _loads(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ModelError("not a roleclass model file (a zip archive; pickled .joblib models are not read)") from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise ModelError(f"the archive unpacks to more than {MAX_UNPACKED_BYTES >> 20} MiB; refused")
        header = read_header(archive)
        tree = json.loads(archive.read(TREE))
        names = sorted(n for n in archive.namelist() if n.startswith(ARRAYS))
        if names != [f"{ARRAYS}{i:05d}.npy" for i in range(len(names))] or not isinstance(tree, dict):
            raise ModelError("the archive's entries are not those of a roleclass model")
        allowed = check(list(tree.values()), len(names))
        arrays = {i: np.load(io.BytesIO(archive.read(n)), allow_pickle=False) for i, n in enumerate(names)}
    decoder = _Decoder(arrays, allowed)
    return header, {name: decoder.decode(node) for name, node in tree.items()}
