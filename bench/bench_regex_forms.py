"""This round's text scans against the forms they replaced, on the same real postings.

    .venv/bin/python bench/bench_regex_forms.py [--repeats 5]

``re`` checks a character against a class of ranges by a table, but against ``\\w``, ``\\s``
or a negated class by a category look-up, and an alternation or a repeated class defeats
its fast scan for a first character. Each row times one step of cleaning or of the
detector as it was at 9a3cb6c (written out here) and as it is now (the package's), over
every distinct description of ../shared/realdata (our corpus when ../shared is absent),
each prepared as the step receives it (and ftfy's whole-text call against its changing lines
only, on the postings the gate sends it); the fastest of ``--repeats`` passes, in
microseconds a posting. Both forms give the same answers (checked here too, and by the
tests). Writes bench/results/regex_forms.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
RESULTS = ROOT / "bench" / "results" / "regex_forms.json"

_OLD_CLUSTER = re.compile(r"[^\x00-\x7f](?:[\x00-\x7f]{0,12}[^\x00-\x7f])*")  # 9a3cb6c's mojibake windows
_OLD_RUN = re.compile(r"[^\x00-\x7f]{2,}")


def old_mojibake(text: str) -> bool:
    from ftfy.badness import BADNESS_RE

    n = len(text)
    return any(BADNESS_RE.search(text, max(0, m.start() - 6), min(n, m.end() + 6)) for m in _OLD_CLUSTER.finditer(text))


def old_tidy(text: str) -> list[str]:
    from roleclass.clean import _BULLET, _LONG_RUN, _SPACES, _break_run

    out = []
    for line in text.split("\n"):
        line = _LONG_RUN.sub(_break_run, _SPACES.sub(" ", line).strip())
        out.append(_BULLET.sub("- ", line) if _BULLET.match(line) else line)
    return out


def old_html(text: str) -> bool:
    from roleclass.clean import _HTML_HINT

    return bool(_HTML_HINT.search(text))


def old_words(text: str) -> list[str]:
    from roleclass.duty_detector import _WORD

    text = text.replace("’", "'")
    if text.isascii() or max(text) <= "\xff":
        return _WORD.findall(text.lower())
    return [w.lower() for w in _WORD.findall(text)]


def old_case_special(text: str) -> bool:
    from roleclass.cue_screen import _CASE_SPECIAL

    return not text.isascii() and not _CASE_SPECIAL.isdisjoint(text)


def old_few_letters(text: str) -> bool:
    return sum(map(str.isalpha, text[:2000])) < 20


def best_of(repeats: int, step: Callable[[str], object], texts: list[str]) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for text in texts:
            step(text)
        best = min(best, time.perf_counter() - started)
    return round(best / len(texts) * 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from bench_speed import distinct_postings

    from roleclass import clean
    from roleclass.cue_screen import _HAS_CASE_SPECIAL
    from roleclass.duties import statements
    from roleclass.duty_detector import _words
    from roleclass.language import too_few_letters

    rows, source = distinct_postings()
    raw = [r["description"] for r in rows]
    prepared = [clean._repair_mac_roman(t.replace("\r\n", "\n").replace("\r", "\n")) for t in raw]  # what the gate reads
    non_ascii = [t for t in prepared if not t.isascii()]
    tidied = []  # what the line tidying reads: after ftfy, HTML and control characters
    for text in prepared:
        text = clean.fix_with_ftfy(text) if clean.ftfy_would_change(text) else text
        text = clean._render_html(text) if clean.looks_like_html(text) else text
        tidied.append(unicodedata.normalize("NFC", clean._CONTROL.sub("", text)))
    cleaned = [clean.clean_text(t) for t in raw]
    sentences = [s.text for t in cleaned[:400] for s in statements(t)[1]]  # the detector's and screens' statements
    mojibake = clean._mojibake_search()
    sent = [t for t in prepared if clean.ftfy_would_change(t)]

    def whole_ftfy(text: str) -> str:
        import ftfy

        return ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")

    steps = [
        ("ftfy on the postings the gate sends it (whole text / changing lines)", sent, whole_ftfy, clean.fix_with_ftfy),
        ("mojibake search of the ftfy gate (non-ASCII postings)", non_ascii, old_mojibake, mojibake),
        ("non-ASCII runs (Mac-Roman repair)", raw, _OLD_RUN.findall, clean._NON_ASCII_RUN.findall),
        ("HTML hint", raw, old_html, clean.looks_like_html),
        ("tidy lines (spaces, long runs, bullets)", tidied, old_tidy, clean._tidy_lines),
        ("language sample's letters", cleaned, old_few_letters, too_few_letters),
        ("detector words of a statement (per statement)", sentences, old_words, _words),
        (
            "special-case characters of a statement (per statement)",
            sentences,
            old_case_special,
            lambda t: not t.isascii() and _HAS_CASE_SPECIAL.search(t) is not None,
        ),
    ]
    out: dict[str, object] = {"command": "python bench/bench_regex_forms.py " + " ".join(sys.argv[1:]), "source": source, "steps": {}}
    print("| step | texts | before (us) | now (us) |\n|---|---:|---:|---:|")
    for name, texts, before, now in steps:
        if [before(t) for t in texts] != [now(t) for t in texts]:
            raise SystemExit(f"{name}: the two forms disagree")
        row = {"texts": len(texts), "before_us": best_of(args.repeats, before, texts), "now_us": best_of(args.repeats, now, texts)}
        out["steps"][name] = row  # type: ignore[index]
        print(f"| {name} | {row['texts']:,} | {row['before_us']} | {row['now_us']} |")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
