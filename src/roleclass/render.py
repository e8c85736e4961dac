"""Human-readable terminal output for one result, evidence highlighted."""

from __future__ import annotations

import click

from roleclass.result import ScoreResult

_COLOURS = {"sales": "red", "marketing": "blue", "neither": "white"}
MAX_DUTIES_SHOWN = 15
# Duty statements are shown by the section they were read in, as a reader would name it.
_SECTION_NAMES = {"duties": "duties section", "body": "text under no heading"}


def _highlight(text: str, start: int, spans: list[tuple[int, int, str]], color: bool) -> str:
    """Mark evidence phrases inside one duty statement ([[phrase]] without colour)."""
    out, cursor = [], 0
    for s, e, function in sorted(spans):
        s, e = s - start, e - start
        if s < cursor or s < 0 or e > len(text):
            continue
        out.append(text[cursor:s])
        phrase = text[s:e]
        out.append(click.style(phrase, fg=_COLOURS.get(function), bold=True, underline=True) if color else f"[[{phrase}]]")
        cursor = e
    out.append(text[cursor:])
    return "".join(out)


def render_result(result: ScoreResult, color: bool = False, suggested_title: str = "") -> str:
    """The terminal view of one result; ``suggested_title`` (for a mismatch) is shown under the title."""
    lines = []
    verdict = (result.verdict or "no verdict").upper()
    confidence = "no confidence: nothing to base it on" if result.confidence is None else f"confidence {result.confidence:.2f}"
    head = f"Verdict: {verdict}  ({confidence})"
    lines.append(click.style(head, bold=True) if color else head)
    if result.probabilities is not None:
        probabilities = "  ".join(f"{k} {v:.2f}" for k, v in result.probabilities.items())
        lines.append(f"Probabilities: {probabilities}")
    if result.review:
        lines.append(f"Review: yes, {result.review_reason}")
    lines.append(_title_line(result))
    if suggested_title:
        lines.append(f"Suggested title: {suggested_title}")
    share = "" if result.sales_share is None else f"  (sales share of sales+marketing duties {result.sales_share:.0%})"
    lines.append(f"Duties: {result.duties or 'not read'}{share}")
    lines.append(f"Reason: {result.reason}")
    if result.status != "ok":
        lines.append(f"Status: {result.status}")
    if result.evidence:
        lines.append("")
        lines.append("Phrases that decided it:")
        for item in result.evidence:
            lines.append(f"  {item.weight:+.3f}  {item.function:<9}  {item.phrase!r}  [{item.start}:{item.end}]")
    marks = [(e.start, e.end, e.function) for e in result.evidence]
    shown = 0
    sections = list(dict.fromkeys(span.section for span in result.duty_spans))  # in reading order
    for section in sections:
        spans = [s for s in result.duty_spans if s.section == section]
        lines.append("")
        lines.append(f"Duties found ({_SECTION_NAMES.get(section, section + ' section')}):")
        for span in spans[: max(0, MAX_DUTIES_SHOWN - shown)]:
            inside = [m for m in marks if m[0] >= span.start and m[1] <= span.end]
            text = _highlight(span.text, span.start, inside, color)
            tag = f"{span.function} {span.score:.2f}"
            lines.append(f"  [{tag:<14}] {text}")
            shown += 1
    if len(result.duty_spans) > shown:
        lines.append(f"  … and {len(result.duty_spans) - shown} more (use --json for all)")
    return "\n".join(lines)


def _title_line(result: ScoreResult) -> str:
    if not result.title:
        return "Title: none given"
    found = "" if result.title_source in (None, "given") else f" (taken from the {result.title_source})"
    if result.title_claim == "other":
        line = f"Title: {result.title!r}{found} names no sales or marketing function"
    else:
        line = f"Title: {result.title!r}{found} claims {result.title_claim}"
    return line + ("  ** MISMATCH: the duties don't carry what the title claims **" if result.mismatch else "")
