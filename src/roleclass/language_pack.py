"""The language model roleclass ships: py3langid's model, restricted to our candidate languages,
with its byte automaton recast as a few small n-gram tables.

py3langid keeps its model LZMA-packed (about 4.5 MB that unpack to 68 MB); unpacking it
takes a few tenths of a second, the largest part of a cold ``roleclass score``. We only
ever ask it about ``language.CANDIDATES``, so the package carries the part of the model
those languages use, in a zip of ``.npy`` arrays (deflate), read with ``allow_pickle=False``:

- ``ptc``, ``pc``, ``classes``: the naive Bayes tables, only the candidates' columns, in
  py3langid's class order and memory layout (exactly what its ``set_languages(CANDIDATES)``
  keeps);
- ``level_sizes``, ``node_keys``, ``node_outputs``: the automaton's nodes (issue 12, memory);
- ``source_sha256``: the sha256 of the py3langid model file they come from.

Why the nodes and not the automaton. py3langid finds its features with an Aho-Corasick
automaton over UTF-8 bytes: a 9.8-million-entry transition table (40 MB in memory, a
tenth of a batch worker's peak) walked byte by byte in Python. The state after each byte
is the trie node of the longest suffix of the text read so far, and that node's output is
the feature counted there. So the same counts come from asking, at every byte position,
which byte n-grams ending there are trie nodes and taking the deepest: the nodes of depth
``d`` are keyed by (rank of their parent among the nodes of depth ``d - 1``, last byte),
so each depth is one vectorised lookup over the positions where the depth above matched.
That is 9 MB at run time instead of 40; every count, in py3langid's order, and every
probability is the same (``tests/test_language_pack.py`` checks them against py3langid's
own restricted identifier, and checks that the shipped file is what this module builds
from the installed py3langid). Rebuild it after changing
``CANDIDATES`` or upgrading py3langid::

    .venv/bin/python -m roleclass.language_pack        # writes src/roleclass/langid_candidates.npz

py3langid (BSD 3-Clause licence, shipped beside the pack as ``langid_candidates.LICENSE``)
is by Adrien Barbaresi, a fork of langid.py by Marco Lui, based on research by Marco Lui
and Tim Baldwin; the model's data are theirs.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import lzma
import math
import sys
import unicodedata
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np

PACK_NAME = "langid_candidates.npz"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
KEYS = ("ptc", "pc", "classes", "level_sizes", "node_keys", "node_outputs", "source_sha256")
DIRECT_LEVELS = 3  # depths looked up in a dense table (the third is 7.8 MB); deeper ones by binary search


def pack_path() -> Path:
    """The packed model inside the installed package."""
    return Path(str(resources.files("roleclass").joinpath(PACK_NAME)))


def source_model_path() -> Path:
    """py3langid's own model file."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / MODEL_FILE


def automaton_nodes(nextmove: np.ndarray, rows: np.ndarray, outputs: np.ndarray) -> dict[str, np.ndarray]:
    """The trie behind py3langid's automaton, depth by depth, keyed as ``NgramCounter`` reads it.

    A breadth-first walk from the start state: the first time a state is reached is by its
    own trie path (any shorter path would end in a shorter suffix), which gives each
    state's depth and byte string. Depth 1 is keyed by the byte, deeper ones by (parent's
    rank among its depth) x 256 + last byte; each depth is sorted by key.
    """
    moves = np.asarray(nextmove, dtype=np.int64)
    rowbase = np.asarray(rows, dtype=np.int64) << 8
    depth = np.full(len(rowbase), -1, dtype=np.int64)
    parent = np.full(len(rowbase), -1, dtype=np.int64)
    last_byte = np.zeros(len(rowbase), dtype=np.int64)
    depth[0] = 0
    frontier, level, every_byte = np.array([0]), 0, np.arange(256)
    while len(frontier):
        targets = moves[rowbase[frontier][:, None] + every_byte[None, :]].ravel()
        new = depth[targets] < 0
        reached, first = np.unique(targets[new], return_index=True)
        depth[reached] = level + 1
        parent[reached] = np.repeat(frontier, 256)[new][first]
        last_byte[reached] = np.tile(every_byte, len(frontier))[new][first]
        frontier, level = reached, level + 1
    rank = np.full(len(rowbase), -1, dtype=np.int64)
    sizes, keys, outs = [], [], []
    for d in range(1, int(depth.max()) + 1):
        states = np.flatnonzero(depth == d)
        key = last_byte[states] if d == 1 else rank[parent[states]] * 256 + last_byte[states]
        order = np.argsort(key, kind="stable")
        states, key = states[order], key[order]
        rank[states] = np.arange(len(states))
        sizes.append(len(states))
        keys.append(key)
        outs.append(np.asarray(outputs)[states])
    return {
        "level_sizes": np.array(sizes, dtype=np.int64),
        "node_keys": np.concatenate(keys).astype(np.uint32),
        "node_outputs": np.concatenate(outs).astype(np.int32),
    }


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
        **automaton_nodes(full["nextmove"], full["nextmove_row"], full["out_feat"]),
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
            raise ValueError(f"{path}: not a roleclass language pack (no {missing}); rebuild it with "
                             "`python -m roleclass.language_pack`")
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


class NgramCounter:
    """py3langid's feature counts of a byte string, from the automaton's trie nodes.

    ``counts`` gives what py3langid's ``visit_counts`` gives (feature ids in the order
    they first occur, and how often each occurs) without walking the automaton.
    """

    def __init__(self, level_sizes: np.ndarray, node_keys: np.ndarray, node_outputs: np.ndarray) -> None:
        bounds = np.concatenate([[0], np.cumsum(level_sizes)]).astype(np.int64)
        # int64, as the lookup keys are: searchsorted would otherwise cast a whole depth per call
        self.keys = [node_keys[a:b].astype(np.int64) for a, b in itertools.pairwise(bounds.tolist())]
        self.outputs = [node_outputs[a:b].astype(np.int64) for a, b in itertools.pairwise(bounds.tolist())]
        # depth d's dense table: parent rank x 256 + byte -> rank at depth d, or -1
        self.dense: list[np.ndarray] = []
        for d in range(min(DIRECT_LEVELS, len(self.keys))):
            table = np.full(256 if d == 0 else len(self.keys[d - 1]) * 256, -1, dtype=np.int32)
            table[self.keys[d].astype(np.int64)] = np.arange(len(self.keys[d]), dtype=np.int32)
            self.dense.append(table)

    def counts(self, data: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(feature ids, counts) in order of first occurrence, or None when no feature occurs."""
        return self.counts_many([data])[0]

    def counts_many(self, datas: list[bytes]) -> list[tuple[np.ndarray, np.ndarray] | None]:
        """``counts`` of each byte string, all read in one pass (issue 12).

        The strings are laid end to end and every depth's look-up runs once over all of
        them; an n-gram never reaches across the end of its string, so each string's
        counts are exactly what it gets alone. A few dozen array operations per call,
        whatever the number of strings, where one call per string spent most of its time
        on the operations' own overhead.
        """
        sizes = np.fromiter(map(len, datas), dtype=np.int64, count=len(datas))
        ends = np.cumsum(sizes)
        text = np.frombuffer(b"".join(datas), dtype=np.uint8)
        n = len(text)
        last = np.zeros(n + 1, dtype=bool)  # the last byte of its string: no n-gram goes on past it
        last[ends[sizes > 0] - 1] = True
        rank = self.dense[0][text]
        at = np.flatnonzero(rank >= 0)
        rank = rank[at].astype(np.int64)
        emitted = np.full(n, -1, dtype=np.int64)
        emitted[at] = self.outputs[0][rank]
        for d in range(1, len(self.keys)):
            more = ~last[at]
            at, rank = at[more] + 1, rank[more]
            if not len(at):
                break
            key = rank * 256 + text[at]
            if d < len(self.dense):
                found = self.dense[d][key]
                hit = found >= 0
                rank = found[hit].astype(np.int64)
            else:
                keys = self.keys[d]
                k = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
                hit = keys[k] == key
                rank = k[hit]
            at = at[hit]
            emitted[at] = self.outputs[d][rank]  # the deepest node ending here decides, as the automaton's state does
        where = np.flatnonzero(emitted >= 0)
        string = np.searchsorted(ends, where, side="right")  # which string each position is in
        width = n + 1
        # by string, then feature, then position: each (string, feature) group starts at its first occurrence
        ordered = np.sort((string * (int(emitted.max(initial=0)) + 1) + emitted[where]) * width + where)
        group = ordered // width
        starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]])) if len(ordered) else np.zeros(0, np.int64)
        counts = np.diff(np.concatenate([starts, [len(ordered)]]))
        position = ordered[starts] % width
        features = emitted[position]
        by_string = np.searchsorted(ends, position, side="right")
        order = np.lexsort((position, by_string))  # within each string, by first occurrence
        features, counts, by_string = features[order], counts[order], by_string[order]
        bounds = np.searchsorted(by_string, np.arange(len(datas) + 1))
        return [
            (features[a:b], counts[a:b]) if b > a else None
            for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
        ]


class PackedIdentifier:
    """py3langid's normalised-probability identifier over the pack's languages.

    ``classify`` and ``scores`` compute what py3langid's ``LanguageIdentifier`` computes
    (same encoding, same float32 arithmetic in the same order), with ``NgramCounter``
    in place of the automaton walk.
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.nb_ptc = arrays["ptc"]
        self.nb_pc = arrays["pc"]
        self.nb_classes: list[str] = arrays["classes"].tolist()
        if len(set(self.nb_classes)) != len(self.nb_classes):
            raise ValueError("the language pack names a language twice")  # py3langid's aliases: not ours
        self.counter = NgramCounter(arrays["level_sizes"], arrays["node_keys"], arrays["node_outputs"])

    @staticmethod
    def encode(text: str) -> bytes:
        """py3langid's encoding: all-capital text lower-cased, NFC, UTF-8."""
        if text.isupper():
            text = text.lower()
        return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")

    def scores(self, text: str) -> np.ndarray:
        """P(language) per class, in ``nb_classes`` order."""
        return self.scores_many([text])[0]

    def scores_many(self, texts: list[str]) -> list[np.ndarray]:
        """``scores`` of each text, their n-grams counted in one pass (``NgramCounter.counts_many``)."""
        datas = [self.encode(text) for text in texts]
        return [self._probabilities(data, found) for data, found in zip(datas, self.counter.counts_many(datas), strict=True)]

    def _probabilities(self, data: bytes, found: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
        if found is None:
            scores = np.full(len(self.nb_classes), 0.0, dtype=np.float32)
        else:
            features, counts = found
            scores = np.log1p(counts.astype(np.float32)) @ self.nb_ptc[features.astype(np.intp)] + self.nb_pc
        scores *= 1.0 / math.sqrt(len(data) or 1)
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        return scores

    def classify(self, text: str) -> tuple[str, float]:
        """(language, probability) of the most probable language."""
        return self.classify_many([text])[0]

    def classify_many(self, texts: list[str]) -> list[tuple[str, float]]:
        """``classify`` of each text."""
        out = []
        for scores in self.scores_many(texts):
            best = int(scores.argmax())
            out.append((self.nb_classes[best], float(scores[best])))
        return out


def identifier(arrays: dict[str, np.ndarray]) -> PackedIdentifier:
    """The identifier over the pack's languages."""
    return PackedIdentifier(arrays)


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
