"""Training and evaluation data: O*NET task statements and labeled postings.

Real postings are never copied into the repo: ``corpus/labels/*.jsonl`` holds labels
and character offsets into ``../shared/realdata``; our own postings
(``corpus/postings*.jsonl``) carry their text. Only ``roleclass train`` and
``roleclass evaluate`` read these files; scoring never does.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

SALES_CODE_PREFIXES = ("11-2022", "41-")
MARKETING_CODE_PREFIXES = ("11-2011", "11-2021", "11-2032", "11-2033", "13-1161", "27-3031")
ONET_NEITHER_SAMPLE = 6000
SEED = 13


@dataclass(frozen=True)
class LabeledPosting:
    """A posting with its LABELING.md fields and its quoted duty statements."""

    id: str
    source: str
    title: str
    text: str
    language: str
    duties: str
    title_claim: str
    verdict: str
    mismatch: bool
    duty_quotes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def fold_key(self) -> int:
        """A stable pseudo-random number for assigning the posting to a fold."""
        return int(hashlib.sha256(self.id.encode()).hexdigest()[:8], 16)


def repo_root() -> Path:
    """The checkout holding corpus/ (the source tree when installed editable, else the cwd)."""
    source_tree = Path(__file__).resolve().parents[2]
    return source_tree if (source_tree / "corpus").is_dir() else Path.cwd()


def default_shared_dir() -> Path:
    return repo_root().parent / "shared"


def onet_function(code: str) -> str:
    """The duty function the issue assigns to an O*NET-SOC code."""
    if code.startswith(SALES_CODE_PREFIXES):
        return "sales"
    if code.startswith(MARKETING_CODE_PREFIXES):
        return "marketing"
    return "neither"


def load_onet_tasks(shared_dir: Path, neither_sample: int = ONET_NEITHER_SAMPLE) -> list[tuple[str, str]]:
    """(task statement, function) pairs; the huge 'neither' class is sampled, seeded."""
    path = shared_dir / "onet" / "Task Statements.txt"
    by_function: dict[str, list[str]] = {"sales": [], "marketing": [], "neither": []}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for row in reader:
            by_function[onet_function(row[0])].append(row[2])
    rng = random.Random(SEED)
    neither = sorted(by_function["neither"])
    rng.shuffle(neither)
    by_function["neither"] = neither[:neither_sample]
    return [(text, function) for function, texts in by_function.items() for text in texts]


def _realdata_texts(shared_dir: Path) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for path in sorted((shared_dir / "realdata").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                rows[row["id"]] = {"title": row.get("title") or "", "description": row.get("description") or ""}
    return rows


def _posting(record: dict, title: str, text: str, source: str) -> LabeledPosting:
    quotes = [(text[s["start"] : s["end"]], s["function"]) for s in record.get("duty_spans", [])]
    return LabeledPosting(
        id=record["id"],
        source=source,
        title=title,
        text=text,
        language=record.get("language", "en"),
        duties=record["duties"],
        title_claim=record["title_claim"],
        verdict=record["verdict"],
        mismatch=bool(record["mismatch"]),
        duty_quotes=quotes,
    )


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_own_postings(corpus_dir: Path) -> list[LabeledPosting]:
    """Our own written postings (text included), source "own"."""
    out = []
    for path in sorted(corpus_dir.glob("postings*.jsonl")):
        for record in read_jsonl(path):
            out.append(_posting(record, record.get("title", ""), record["text"], "own"))
    return out


def load_real_postings(corpus_dir: Path, shared_dir: Path) -> list[LabeledPosting]:
    """Labeled real postings, their text read from ../shared/realdata by id."""
    labels_dir = corpus_dir / "labels"
    if not (shared_dir / "realdata").is_dir() or not labels_dir.is_dir():
        return []
    texts = _realdata_texts(shared_dir)
    out = []
    for path in sorted(labels_dir.glob("*.jsonl")):
        for record in read_jsonl(path):
            row = texts.get(record["id"])
            if row is None:
                continue
            source = record.get("source") or record["id"].split("-")[0]
            out.append(_posting(record, row["title"], row["description"], source))
    return out


DUPLICATE_PREFIX_CHARS = 400
SHARED_QUOTE_MIN_WORDS = 6  # a quoted duty this long, word for word in two postings, is one template


def _normalised(text: str) -> str:
    from roleclass.clean import clean_text

    return " ".join(clean_text(text).split()).lower()


def normalised_quote(quote: str) -> str:
    """A quoted duty statement compared across postings: case and whitespace folded."""
    return " ".join(quote.split()).lower()


def duplicate_groups(postings: list[LabeledPosting]) -> dict[str, str]:
    """Posting id -> the id naming its group of near-duplicates (itself when it has none).

    Two postings are near-duplicates when their texts are identical, or share their first
    400 characters, after cleaning and whitespace normalisation (job boards repost the
    same ad; a fold must not train on the copy of a posting it tests), or quote the same
    duty statement of at least six words (one employer's template). Transitive.
    """
    parent = {p.id: p.id for p in postings}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[str, str] = {}
    for posting in postings:
        text = _normalised(posting.text)
        keys = [f"text:{text}", f"prefix:{text[:DUPLICATE_PREFIX_CHARS]}"]
        keys += [f"quote:{q}" for q in map(normalised_quote, (q for q, _ in posting.duty_quotes))
                 if len(q.split()) >= SHARED_QUOTE_MIN_WORDS]
        for key in keys:
            if key in first:
                a, b = find(first[key]), find(posting.id)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first[key] = posting.id
    return {p.id: find(p.id) for p in postings}


def group_fold(group: str, folds: int) -> int:
    """A stable pseudo-random fold for a group id (the same hash as ``LabeledPosting.fold_key``)."""
    return int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % folds


def load_labeled_postings(corpus_dir: Path, shared_dir: Path) -> list[LabeledPosting]:
    """All labeled postings, real first, in a stable order."""
    postings = load_real_postings(corpus_dir, shared_dir) + load_own_postings(corpus_dir)
    seen: set[str] = set()
    unique = []
    for posting in postings:
        if posting.id not in seen:
            seen.add(posting.id)
            unique.append(posting)
    return unique


def splits(postings: list[LabeledPosting], by: str = "source", folds: int = 5) -> list[tuple[list[int], list[int]]]:
    """Cross-validation splits as (train indices, test indices); every posting is tested once.

    ``by="source"`` holds out one source at a time (a new job board); with fewer than two
    sources it falls back to ``by="posting"``: ``folds`` folds of postings, near-duplicates
    (``duplicate_groups``) always in the same fold. Either way a training side never holds
    a near-duplicate of a posting it is tested on (a repost on another board is dropped
    from training rather than moved), so no test posting or its quoted duties is trained on.
    """
    if by not in ("source", "posting"):
        raise ValueError(f"by must be 'source' or 'posting', not {by!r}")
    group = duplicate_groups(postings)
    if by == "source" and len({p.source for p in postings}) >= 2:
        keys = [p.source for p in postings]
    else:
        keys = [str(group_fold(group[p.id], folds)) for p in postings]
    out = []
    for key in sorted(set(keys)):
        test = [i for i, k in enumerate(keys) if k == key]
        held = {group[postings[i].id] for i in test}
        train = [i for i, k in enumerate(keys) if k != key and group[postings[i].id] not in held]
        if not train:
            raise ValueError(f"cross-validation fold {key!r} leaves no training posting that is not a near-duplicate of a test one")
        out.append((train, test))
    return out
