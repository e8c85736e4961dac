"""Fingerprint what `roleclass batch` and `roleclass mismatches` write on the corpus.

    .venv/bin/python bench/batch_outputs.py [--save FILE] [--against FILE]

Builds a CSV and a JSON Lines file from ``corpus/postings_*.jsonl`` (id, title,
description), runs ``batch`` to CSV, TSV, JSON Lines and Parquet and ``mismatches`` to
CSV, Markdown, JSON Lines and Parquet (scored, and read from the batch CSV), and takes a
sha256 of each output *as the earlier layout wrote it*: the columns added since (the
review flag, ``review``/``review_reason``, and the evidence items' input offsets
``input_start``/``input_end``/``input_exact``) are taken out and the file rebuilt the way
it was written (CSV/TSV/JSONL byte for byte; Parquet as its table). ``--save`` writes the
digests, ``--against`` compares with saved ones and exits 1 if any output changed.
The digests saved at the start of the layout move are ``bench/results/batch_outputs_before_layout.json``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDED_COLUMNS = ("review", "review_reason")  # added to batch output and the report by the layout move
ADDED_EVIDENCE_KEYS = ("input_start", "input_end", "input_exact")


def corpus_rows() -> list[dict[str, str]]:
    rows = []
    for path in sorted((ROOT / "corpus").glob("postings_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            posting = json.loads(line)
            rows.append(
                {"id": posting["id"], "title": posting.get("title") or "", "description": posting["text"]}
            )
    return rows


def _evidence(value: object) -> object:
    if isinstance(value, list):
        return [{k: v for k, v in e.items() if k not in ADDED_EVIDENCE_KEYS} for e in value]
    return value


def old_text_bytes(path: Path, delimiter: str) -> bytes:
    """A CSV/TSV output rebuilt without the added columns (cells re-encoded as batch does)."""
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle, delimiter=delimiter))
    header = records[0]
    keep = [k for k, name in enumerate(header) if name not in ADDED_COLUMNS]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", delimiter=delimiter, quotechar='"', doublequote=True)
    for number, record in enumerate(records):
        cells = [record[k] for k in keep]
        if number and "evidence" in header:
            k = [header[j] for j in keep].index("evidence")
            if cells[k]:
                cells[k] = json.dumps(
                    _evidence(json.loads(cells[k])), ensure_ascii=False, separators=(",", ":")
                )
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def old_jsonl_bytes(path: Path) -> bytes:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        obj = {
            k: (_evidence(v) if k == "evidence" else v)
            for k, v in json.loads(line).items()
            if k not in ADDED_COLUMNS
        }
        lines.append(json.dumps(obj, ensure_ascii=False) + "\n")
    return "".join(lines).encode("utf-8")


def old_parquet_bytes(path: Path) -> bytes:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    rows = [
        {k: (_evidence(v) if k == "evidence" else v) for k, v in r.items() if k not in ADDED_COLUMNS}
        for r in table.to_pylist()
    ]
    names = [n for n in table.column_names if n not in ADDED_COLUMNS]
    return json.dumps({"columns": names, "rows": rows}, sort_keys=True, default=str).encode("utf-8")


def old_bytes(path: Path) -> bytes:
    suffix = path.suffix
    if suffix == ".jsonl":
        return old_jsonl_bytes(path)
    if suffix == ".parquet":
        return old_parquet_bytes(path)
    if suffix == ".md":
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        header = [c.strip() for c in lines[0].strip().strip("|").split("|")]
        keep = [k for k, name in enumerate(header) if name not in ADDED_COLUMNS]
        if len(keep) == len(header):
            return path.read_bytes()
        out = ["| " + " | ".join(header[k] for k in keep) + " |\n", "|" + "---|" * len(keep) + "\n"]
        for line in lines[2:]:  # cells hold escaped pipes (\|): split on the unescaped ones
            import re

            cells = re.split(r"(?<!\\) \| ", line.rstrip("\n")[2:-2])
            out.append("| " + " | ".join(cells[k] for k in keep) + " |\n")
        return "".join(out).encode("utf-8")
    return old_text_bytes(path, "\t" if suffix == ".tsv" else ",")


def fingerprints() -> dict[str, str]:
    from roleclass.batch import classify_file, mismatch_report

    run = {"workers": 1, "progress": False}
    found = {}
    with tempfile.TemporaryDirectory(prefix="roleclass-bench-") as folder:
        work = Path(folder)
        rows = corpus_rows()
        source = work / "corpus.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, ["id", "title", "description"])
            writer.writeheader()
            writer.writerows(rows)
        jsonl = work / "corpus.jsonl"
        jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        outputs = []
        for fmt in ("csv", "tsv", "jsonl", "parquet"):
            out = work / f"batch.{fmt}"
            classify_file(source, out, **run)
            outputs.append(out)
        out = work / "batch_from_jsonl.jsonl"
        classify_file(jsonl, out, **run)
        outputs.append(out)
        for fmt in ("csv", "md", "jsonl", "parquet"):
            out = work / f"report.{fmt}"
            mismatch_report(work / "batch.csv" if fmt != "md" else source, out, **run)
            outputs.append(out)
        for out in outputs:
            rebuilt = old_bytes(out)
            found[out.name] = hashlib.sha256(rebuilt).hexdigest()
            if out.suffix != ".parquet":
                print(
                    f"{out.name}: {'written as the old layout wrote it' if rebuilt == out.read_bytes() else 'rebuilt without the added columns'}"
                )
        found["rows"] = str(len(rows))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args()
    found = fingerprints()
    print(json.dumps(found, indent=1, sort_keys=True))
    if args.save:
        args.save.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.against:
        before = json.loads(args.against.read_text(encoding="utf-8"))
        changed = sorted(k for k in before.keys() | found.keys() if before.get(k) != found.get(k))
        print(
            f"{len(changed)} of {len(before)} outputs changed"
            + (f": {', '.join(changed)}" if changed else "")
        )
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
