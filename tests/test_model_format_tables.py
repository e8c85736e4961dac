"""Format 2's float tables (issue 12, cold start): large dicts of floats are stored as arrays.

The duty detector's lookup tables hold tens of thousands of floats; as JSON numbers they
took most of a model's load time. A ``$floatdict`` node keeps the keys in JSON and the
values in one float64 array: these tests check that a model reads back exactly what was
written (same keys, order, types and floats), that small dicts and mixed dicts stay as they
were, and that a malformed node is refused with a ModelError, never a crash.
"""

from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np
import pytest

from roleclass import model_format
from roleclass.errors import ModelError


def _tree(data: bytes) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(data)).read(model_format.TREE))


def _round_trip(value: object) -> tuple[object, dict]:
    data = model_format.dumps({"metadata": {}}, {"duty_detector": value})
    return model_format.loads(data)[1]["duty_detector"], _tree(data)["duty_detector"]


def test_large_float_tables_round_trip_exactly_as_arrays():
    n = model_format.FLOAT_TABLE_MIN
    floats = {f"w:word{i}": (i - 30) / 7.0 for i in range(n)}
    floats["w:tiny"] = 5e-324
    floats["f:nan"] = math.nan
    pairs = {f"w:{i}": (math.log(i + 2), -i / 3.0) for i in range(n)}
    back, tree = _round_trip({"floats": floats, "pairs": pairs})
    stored = tree["$dict"]
    assert stored["floats"]["$floatdict"] == list(floats) and stored["floats"]["tuples"] is False
    assert stored["pairs"]["$floatdict"] == list(pairs) and stored["pairs"]["tuples"] is True
    assert list(back["floats"]) == list(floats)
    assert all(type(v) is float for v in back["floats"].values())
    assert [v for v in back["floats"].values() if v == v] == [v for v in floats.values() if v == v]
    assert math.isnan(back["floats"]["f:nan"])
    assert back["pairs"] == pairs and all(type(v) is tuple for v in back["pairs"].values())


def test_small_or_mixed_dicts_stay_plain_json():
    small = {f"k{i}": float(i) for i in range(model_format.FLOAT_TABLE_MIN - 1)}
    mixed = {f"k{i}": float(i) for i in range(100)} | {"int": 3}
    ragged = {f"k{i}": (1.0, 2.0) for i in range(100)} | {"short": (1.0,)}
    back, tree = _round_trip({"small": small, "mixed": mixed, "ragged": ragged})
    for name in ("small", "mixed", "ragged"):
        assert "$dict" in tree["$dict"][name], name
    assert back == {"small": small, "mixed": mixed, "ragged": ragged}
    assert type(back["mixed"]["int"]) is int


def _archive(tree: dict, arrays: list[np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        header = {"format": model_format.FORMAT_NAME, "format_version": model_format.FORMAT_VERSION, "metadata": {}}
        archive.writestr(model_format.HEADER, json.dumps(header))
        archive.writestr(model_format.TREE, json.dumps(tree))
        for i, array in enumerate(arrays):
            data = io.BytesIO()
            np.save(data, array)
            archive.writestr(f"{model_format.ARRAYS}{i:05d}.npy", data.getvalue())
    return buffer.getvalue()


@pytest.mark.parametrize(("node", "array"), [
    ({"$floatdict": ["a", "b"], "values": {"$array": 0}, "tuples": False}, np.zeros(3)),  # length differs
    ({"$floatdict": ["a", "b"], "values": {"$array": 0}, "tuples": True}, np.zeros(2)),  # not rows
    ({"$floatdict": ["a", "b"], "values": {"$array": 0}, "tuples": False}, np.zeros(2, dtype=np.int64)),
    ({"$floatdict": ["a", 1], "values": {"$array": 0}, "tuples": False}, np.zeros(2)),  # a key not a str
    ({"$floatdict": ["a", "b"], "values": {"$array": 5}, "tuples": False}, np.zeros(2)),  # no such array
    ({"$floatdict": ["a", "b"], "values": [0.0, 1.0], "tuples": False}, np.zeros(2)),  # values inline
    ({"$floatdict": ["a", "b"], "values": {"$array": 0}}, np.zeros(2)),  # no "tuples"
])
def test_a_malformed_float_table_is_refused(node, array):
    with pytest.raises(ModelError, match=r"floatdict|array the file does not hold"):
        model_format.loads(_archive({"duty_detector": node}, [array]))
