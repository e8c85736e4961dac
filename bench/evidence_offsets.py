"""How many evidence phrases can a user find in their own input? (issue 10 item 9)

    .venv/bin/python bench/evidence_offsets.py

Scores the corpus's own postings and the labeled real postings of ../shared (read by id,
never copied), and for every evidence phrase counts: ``raw[start:end] == phrase`` with the
clean-text offsets (what batch output gave before), and ``raw[input_start:input_end] ==
phrase`` with the offsets ``offsets.OffsetMap`` maps back (``input_exact``), overall and on
HTML postings; plus the time the map takes per posting. Writes bench/results/evidence_offsets.json.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from roleclass.clean import looks_like_html
from roleclass.data import default_shared_dir, load_own_postings, load_real_postings, repo_root
from roleclass.offsets import input_evidence
from roleclass.scorer import Scorer


def main() -> None:
    corpus = repo_root() / "corpus"
    postings = load_own_postings(corpus) + load_real_postings(corpus, default_shared_dir())
    scorer = Scorer.load()
    counts = {key: {"phrases": 0, "clean_offsets_in_raw": 0, "input_exact": 0, "input_nonempty": 0} for key in ("all", "html")}
    times = []
    for posting in postings:
        result = scorer.score(posting.text, posting.title or None)
        began = time.perf_counter()
        mapped = input_evidence(posting.text, result.text, result.evidence)
        times.append(time.perf_counter() - began)
        for item in mapped:
            for key in ("all", "html") if looks_like_html(posting.text) else ("all",):
                tally = counts[key]
                tally["phrases"] += 1
                tally["clean_offsets_in_raw"] += posting.text[item["start"]:item["end"]] == item["phrase"]
                tally["input_exact"] += bool(item["input_exact"])
                tally["input_nonempty"] += item["input_end"] > item["input_start"]
    figures = {"postings": len(postings), **counts,
               "map_ms_median": round(1000 * statistics.median(times), 2), "map_ms_max": round(1000 * max(times), 2)}
    out = Path(repo_root() / "bench" / "results" / "evidence_offsets.json")
    out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
