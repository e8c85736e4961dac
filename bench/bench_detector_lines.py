"""The duty detector's lines: taken from the splitter's reading, or worked out again from the text.

    .venv/bin/python bench/bench_detector_lines.py [--postings 800] [--rounds 6]

The detector reads a posting's non-blank lines with their heading kinds (``duty_detector._lines``).
Since f618173 the splitter keeps them on the Doc (``attributes.remember_lines``) and the detector
takes them from there; without the statements it splits the text and asks each line's kind again.
Both are timed in one process, alternating which goes first, on the same seeded distinct real
postings (as ``bench_speed.py`` draws them), each read once by the splitter beforehand; their
answers are checked equal. A change worth about 1% of a posting's time is below what whole runs
can show on these machines (``bench_ab.py``), so it is timed here. Writes
bench/results/detector_lines.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results" / "detector_lines.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()

    from bench_speed import postings

    from roleclass.clean import clean_text
    from roleclass.duties import statements
    from roleclass.duty_detector import _lines
    from roleclass.language import detect_language

    read = []
    for posting in postings(args.postings)[0]:
        clean = clean_text(posting["description"])
        spans = statements(clean, detect_language(clean))[1]
        if spans:
            read.append((clean, spans))
            assert _lines(clean, spans) == _lines(clean)
    shared = asked = 0.0
    for round_ in range(args.rounds):
        for clean, spans in read:
            for from_splitter in (round_ % 2 == 0, round_ % 2 == 1):  # who goes first alternates by round
                started = time.process_time()
                _lines(clean, spans if from_splitter else ())
                spent = time.process_time() - started
                if from_splitter:
                    shared += spent
                else:
                    asked += spent
    n = args.rounds * len(read)
    results = {
        "command": "python bench/bench_detector_lines.py " + " ".join(sys.argv[1:]),
        "postings": len(read),
        "rounds": args.rounds,
        "from_the_splitter_us": round(shared / n * 1e6, 1),
        "asked_again_us": round(asked / n * 1e6, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"{len(read)} postings x {args.rounds}: lines from the splitter {results['from_the_splitter_us']} us a posting, "
          f"asked again {results['asked_again_us']} us")


if __name__ == "__main__":
    main()
