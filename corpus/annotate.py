"""Turn a labeler's quoted duties into character-offset spans.

Labelers read a posting and quote each duty statement verbatim. The corpus must not
carry the text of the real postings, so this tool finds each quote in the posting's
raw ``description`` (or ``text`` for our own postings) and stores only offsets.
It also derives ``verdict`` and ``mismatch`` from ``duties`` and ``title_claim``
exactly as ../shared/LABELING.md defines them, and refuses inconsistent records.

Usage:
    python corpus/annotate.py SCRATCH.jsonl OUT.jsonl [--source-dir ../shared/realdata]
        [--own]   # records carry their own "text" (our written postings)
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
from roleclass.labels import DUTY_LABELS, FUNCTIONS, TITLE_CLAIMS, is_mismatch
from roleclass.labels import derive_verdict as _derive

DUTIES, CLAIMS = set(DUTY_LABELS), set(TITLE_CLAIMS)


def derive_verdict(duties: str, title_claim: str, has_duties: bool = True) -> tuple[str, bool]:
    """LABELING.md's derivation (``roleclass.labels``); returns (verdict, mismatch)."""
    return _derive(duties, title_claim), is_mismatch(duties, title_claim, has_duties)


def find_quote(text: str, quote: str, start_hint: int = 0) -> tuple[int, int] | None:
    """Find quote in text exactly, else with whitespace-insensitive matching."""
    i = text.find(quote, start_hint)
    if i < 0:
        i = text.find(quote)
    if i >= 0:
        return i, i + len(quote)
    words = quote.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, text)
    if m:
        return m.start(), m.end()
    return None


def load_sources(source_dir: str) -> dict[str, str]:
    texts = {}
    for path in glob.glob(os.path.join(source_dir, "*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                texts[row["id"]] = row["description"]
    return texts


def convert(record: dict, text: str) -> tuple[dict, list[str]]:
    problems = []
    duties, claim = record.get("duties"), record.get("title_claim")
    if duties not in DUTIES:
        problems.append(f"duties={duties!r} not in {sorted(DUTIES)}")
    if claim not in CLAIMS:
        problems.append(f"title_claim={claim!r} not in {sorted(CLAIMS)}")
    out = {k: v for k, v in record.items() if k not in ("duties_quoted", "text")}
    if not problems:
        verdict, mismatch = derive_verdict(duties, claim, bool(record.get("duties_quoted")))
        for key, value in (("verdict", verdict), ("mismatch", mismatch)):
            if key in record and record[key] != value:
                problems.append(f"{key}={record[key]!r} but LABELING.md derives {value!r}")
        out["verdict"], out["mismatch"] = verdict, mismatch
    spans = []
    cursor = 0
    for item in record.get("duties_quoted", []):
        fn = item.get("function")
        if fn not in FUNCTIONS:
            problems.append(f"function={fn!r} for quote {item.get('quote','')[:40]!r}")
            continue
        found = find_quote(text, item["quote"], cursor)
        if found is None:
            problems.append(f"quote not found verbatim: {item['quote'][:80]!r}")
            continue
        cursor = found[1]
        spans.append({"start": found[0], "end": found[1], "function": fn})
    out["duty_spans"] = spans
    return out, problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scratch")
    ap.add_argument("out")
    ap.add_argument("--source-dir", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "realdata"))
    ap.add_argument("--own", action="store_true", help="records carry their own 'text'")
    args = ap.parse_args()
    sources = {} if args.own else load_sources(args.source_dir)
    outs, bad = [], 0
    with open(args.scratch, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            text = record["text"] if args.own else sources.get(record["id"])
            if text is None:
                print(f"line {n}: unknown id {record.get('id')!r}", file=sys.stderr)
                bad += 1
                continue
            out, problems = convert(record, text)
            if args.own:
                out["text"] = record["text"]
            for p in problems:
                print(f"line {n} ({record.get('id')}): {p}", file=sys.stderr)
            bad += bool(problems)
            outs.append(out)
    with open(args.out, "w", encoding="utf-8") as f:
        for out in outs:
            f.write(json.dumps(out, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {len(outs)} records to {args.out}; {bad} with problems", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
