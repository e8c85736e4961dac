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
                rows[row["id"]] = {
                    "title": row.get("title") or "",
                    "description": row.get("description") or "",
                }
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
