"""Fingerprint what roleclass outputs on the corpus, to show a refactor changed nothing.

    .venv/bin/python bench/corpus_outputs.py [--real | --every-real] [--save FILE] [--against FILE]

Scores every posting of ``corpus/postings_*.jsonl`` (with ``--real`` also the labeled
real postings under ../shared, read by id, never copied) with the default model and
takes the sha256 of each result's JSON (verdict, probabilities, evidence phrases and
offsets, duty spans and sections). ``--every-real`` instead scores every description of
``../shared/realdata/*.jsonl``, labeled or not, through ``Scorer.score_many`` (keyed by
file and line). Prints the count and one digest over all of them;
``--save`` writes the per-posting digests, ``--against`` compares with a saved file and
lists the postings whose output changed (exit 1 if any did).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from roleclass.data import default_shared_dir, load_own_postings, load_real_postings, repo_root
from roleclass.scorer import Scorer


def fingerprints(real: bool) -> dict[str, str]:
    corpus = repo_root() / "corpus"
    postings = load_own_postings(corpus) + (load_real_postings(corpus, default_shared_dir()) if real else [])
    scorer = Scorer.load()
    out = {}
    for posting in postings:
        result = scorer.score(posting.text, posting.title or None).to_dict()
        result.pop("model", None)  # the model's sha256 is not the scoring
        out[posting.id] = hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()
    return out


def every_real_fingerprint() -> dict[str, str]:
    """Every real description, scored in chunks as a batch scores them."""
    keys, texts, titles = [], [], []
    for path in sorted((default_shared_dir() / "realdata").glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            row = json.loads(line) if line.strip() else {}
            if row.get("description"):
                keys.append(f"{path.name}:{number}")
                texts.append(row["description"])
                titles.append(row.get("title") or None)
    out = {}
    for key, outcome in zip(keys, Scorer.load().score_many(texts, titles), strict=True):
        result = outcome.to_dict() if hasattr(outcome, "to_dict") else {"error": outcome.message, "kind": outcome.kind}
        result.pop("model", None)
        out[key] = hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="also the labeled real postings of ../shared")
    parser.add_argument("--every-real", action="store_true", help="every description of ../shared/realdata instead")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args()
    found = every_real_fingerprint() if args.every_real else fingerprints(args.real)
    overall = hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()
    print(f"{len(found)} postings, outputs sha256 {overall}")
    if args.save:
        args.save.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.against:
        before = json.loads(args.against.read_text(encoding="utf-8"))
        changed = sorted(k for k in before.keys() | found.keys() if before.get(k) != found.get(k))
        print(f"{len(changed)} of {len(before)} postings changed" + (f": {', '.join(changed[:20])}" if changed else ""))
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
