"""Fuzz the cleaning and duty-extraction path: clean_text -> statements -> features.

    .venv/bin/python bench/fuzz_clean.py --seconds 60                      # atheris if installed
    .venv/bin/python bench/fuzz_clean.py --seconds 60 --engine hypothesis  # no atheris needed

atheris (``pip install atheris``; optional, not a dependency) runs coverage-guided
libFuzzer over roleclass, ftfy and inscriptis, mutating UTF-8 bytes seeded with the test
fixtures and examples; invalid bytes become lone surrogates, as undecodable argv does.
The hypothesis engine generates text (arbitrary Unicode and posting-like fragments,
fixtures spliced in) for the same bounded time. Each input must:

- clean without an exception, to text with no control characters or bidi overrides
  and no run of more than ``MAX_WORD_CHARS`` characters without a space;
- split into statements whose offsets index the clean text, with a finite, non-negative
  weight and a known section; each feature and counted activity inside its statement;
- take under ``--slow`` seconds (input is at most ``--max-len`` bytes), since time
  quadratic in the input is a finding too. Random inputs are rarely long and repetitive,
  which is what exposes quadratic code, so one short input in ``AMPLIFY_EVERY`` is also
  run repeated to a quarter of ``--max-len``.

Findings are grouped by kind and place; the first input of each is saved under
``--out`` (default bench/results/fuzz_<engine>) with a JSON report, written as the run goes
(libFuzzer ends the process when its time is up). Exit status 1 when anything is found.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [*sorted((ROOT / "tests" / "fixtures").glob("*.*")), *sorted((ROOT / "examples").glob("*.*"))]
AMPLIFY_EVERY = 8
AMPLIFY_MAX_CHARS = 64
CONTROL = {chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x202A, 0x202F)]}


class Findings:
    """Problems grouped by a signature; the first input of each is kept, the report rewritten."""

    def __init__(self, out: Path, engine: str, seconds: float) -> None:
        self.out = out
        self.out.mkdir(parents=True, exist_ok=True)
        self.report = {"engine": engine, "seconds": seconds, "inputs": 0, "findings": {}}
        self.started = time.monotonic()
        self.last_write = 0.0

    def record(self, signature: str, detail: str, text: str) -> None:
        entry = self.report["findings"].setdefault(signature, {"count": 0, "detail": detail, "input": None})
        entry["count"] += 1
        if entry["input"] is None:
            name = hashlib.sha256(signature.encode()).hexdigest()[:12] + ".txt"
            (self.out / name).write_bytes(text.encode("utf-8", "surrogatepass"))
            entry["input"] = name
            print(f"finding: {signature}: {detail[:200]}", file=sys.stderr, flush=True)
            self.write()

    def tick(self) -> None:
        self.report["inputs"] += 1
        if time.monotonic() - self.last_write > 5:
            self.write()

    def write(self) -> None:
        self.last_write = time.monotonic()
        self.report["elapsed_s"] = round(self.last_write - self.started, 1)
        self.report["inputs_per_s"] = round(self.report["inputs"] / max(self.report["elapsed_s"], 1e-9), 1)
        (self.out / "report.json").write_text(json.dumps(self.report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def problems(text: str) -> list[tuple[str, str]]:
    """Run one input down the path; return (signature, detail) for everything wrong with it."""
    from roleclass.clean import MAX_WORD_CHARS, clean_text
    from roleclass.duties import statements
    from roleclass.features import span_features
    from roleclass.language import detect_language, is_supported
    from roleclass.patterns import SECTION_WEIGHTS

    found: list[tuple[str, str]] = []
    try:
        cleaned = clean_text(text)
        if not isinstance(cleaned, str):
            return [("clean_text: not a str", type(cleaned).__name__)]
        if CONTROL & set(cleaned):
            found.append(("clean_text: control characters left", repr(sorted(CONTROL & set(cleaned)))))
        if any(len(word) > MAX_WORD_CHARS for word in cleaned.split()):
            found.append(("clean_text: run longer than MAX_WORD_CHARS", str(max(map(len, cleaned.split())))))
        if not cleaned.strip():
            return found
        language = detect_language(cleaned)
        _, spans = statements(cleaned, language if is_supported(language) else "en")
        for span in spans:
            if cleaned[span.start_char : span.end_char] != span.text:
                found.append(("statements: offsets do not index the text", repr(span.text[:80])))
            if not (math.isfinite(span._.weight) and span._.weight >= 0):
                found.append(("statements: bad weight", repr(span._.weight)))
            if span._.section not in SECTION_WEIGHTS:
                found.append(("statements: unknown section", repr(span._.section)))
            for feature in span_features(span):
                if not span.start_char <= feature.start < feature.end <= span.end_char:
                    found.append(("features: outside the statement", f"{feature} in {span.start_char}:{span.end_char}"))
            for activity in span._.activities:
                if not (span.start_char <= activity.start < activity.end <= span.end_char and activity.count >= 0):
                    found.append(("activities: outside the statement or negative", repr(activity)))
    except Exception as exc:  # every exception is a finding, located by its innermost roleclass frame
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "roleclass" in f.filename] or traceback.extract_tb(
            exc.__traceback__
        )
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
        found.append((f"{type(exc).__name__} at {where}", f"{exc}"))
    return found


def check(findings: Findings, text: str, slow: float, max_len: int) -> None:
    variants = [text]
    if text.strip() and len(text) <= AMPLIFY_MAX_CHARS and findings.report["inputs"] % AMPLIFY_EVERY == 0:
        variants.append(text * (max_len // 4 // len(text)))
    for variant in variants:
        start = time.perf_counter()
        for signature, detail in problems(variant):
            findings.record(signature, detail, variant)
        elapsed = time.perf_counter() - start
        if elapsed > slow:
            findings.record("slow input", f"{elapsed:.2f} s for {len(variant):,} characters", variant)
    findings.tick()


def run_atheris(findings: Findings, seconds: float, max_len: int, slow: float, extra: list[str]) -> None:
    import atheris

    with atheris.instrument_imports(include=["roleclass", "ftfy", "inscriptis"]):
        import roleclass.clean
        import roleclass.duties
        import roleclass.features
        import roleclass.language  # noqa: F401

    def one_input(data: bytes) -> None:
        check(findings, data.decode("utf-8", "surrogateescape"), slow, max_len)

    corpus = Path(tempfile.mkdtemp(prefix="fuzz_clean_"))
    for seed in SEEDS:
        (corpus / seed.name).write_bytes(seed.read_bytes()[:max_len])
    argv = [sys.argv[0], f"-max_total_time={int(seconds)}", f"-max_len={max_len}", "-rss_limit_mb=4096", *extra, str(corpus)]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()  # exits the process when the time is up; the report is already on disk


def run_hypothesis(findings: Findings, seconds: float, max_len: int, slow: float) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    seeds = [seed.read_text(encoding="utf-8", errors="surrogateescape")[:max_len] for seed in SEEDS]
    pieces = st.sampled_from(
        ["<p>", "</li><li>", "<br>", "&amp;", "<table><tr><td>", "- ", "\n", "\r\n", "Responsibilities:", "m/w/d",
         "fifty", "50 calls a day", "🚀", "\u202e", "\x00", "\ud800", "‚Äôs", "(" * 300, "e\u0301", "\U0001d160"]
    )
    fragment = st.text(max_size=40) | st.text(alphabet=st.characters(exclude_categories=()), max_size=40) | pieces
    spliced = st.tuples(st.sampled_from(seeds), st.integers(0, max_len), st.lists(fragment, max_size=8)).map(
        lambda t: (t[0][: t[1] % (len(t[0]) + 1)] + "".join(t[2]) + t[0][t[1] % (len(t[0]) + 1) :])[:max_len]
    )
    inputs = spliced | st.lists(fragment, max_size=60).map("".join)

    @settings(max_examples=500, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(inputs)
    def batch(text: str) -> None:
        check(findings, text, slow, max_len)

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        batch()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="How long to fuzz.")
    parser.add_argument("--engine", choices=["auto", "atheris", "hypothesis"], default="auto")
    parser.add_argument("--max-len", type=int, default=20_000, help="Largest input, in bytes.")
    parser.add_argument("--slow", type=float, default=2.0, help="Seconds after which one input is a finding.")
    parser.add_argument("--out", type=Path, default=None, help="Report folder (default bench/results/fuzz_<engine>).")
    args, extra = parser.parse_known_args()  # anything else goes to libFuzzer, e.g. -len_control=0
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    out = args.out or ROOT / "bench" / "results" / f"fuzz_{engine}"
    findings = Findings(out, engine, args.seconds)
    problems(SEEDS[0].read_text(encoding="utf-8"))  # build the pipelines first: their start-up is not a slow input
    print(f"fuzzing clean_text -> statements -> features with {engine} for {args.seconds:.0f} s", file=sys.stderr)
    try:
        if engine == "atheris":
            run_atheris(findings, args.seconds, args.max_len, args.slow, extra)
        else:
            run_hypothesis(findings, args.seconds, args.max_len, args.slow)
    finally:
        findings.write()
    print(json.dumps({k: v for k, v in findings.report.items() if k != "findings"}), file=sys.stderr)
    print(f"{len(findings.report['findings'])} findings; report in {out / 'report.json'}", file=sys.stderr)
    sys.exit(1 if findings.report["findings"] else 0)


if __name__ == "__main__":
    main()
