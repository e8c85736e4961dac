"""Human-readable terminal output for one result, evidence highlighted."""

from __future__ import annotations

import click

from roleclass.result import ScoreResult

_COLOURS = {"sales": "red", "marketing": "blue", "neither": "white"}
MAX_DUTIES_SHOWN = 15


def _highlight(text: str, start: int, spans: list[tuple[int, int, str]], color: bool) -> str:
    """Mark evidence phrases inside one duty statement ([[phrase]] without colour)."""
    out, cursor = [], 0
    for s, e, function in sorted(spans):
        s, e = s - start, e - start
        if s < cursor or s < 0 or e > len(text):
            continue
        out.append(text[cursor:s])
        phrase = text[s:e]
        out.append(
            click.style(phrase, fg=_COLOURS.get(function), bold=True, underline=True)
            if color
            else f"[[{phrase}]]"
        )
        cursor = e
    out.append(text[cursor:])
    return "".join(out)


def render_result(result: ScoreResult, color: bool = False, suggested_title: str = "") -> str:
    """The terminal view of one result; ``suggested_title`` (for a mismatch) is shown under the title."""
    lines = []
    verdict = (result.verdict or "no verdict").upper()
    head = f"Verdict: {verdict}  (confidence {result.confidence:.2f})"
    lines.append(click.style(head, bold=True) if color else head)
    probabilities = "  ".join(f"{k} {v:.2f}" for k, v in result.probabilities.items())
    lines.append(f"Probabilities: {probabilities}")
    claim = f"Title: {result.title!r} claims {result.title_claim}" if result.title else "Title: none given"
    lines.append(
        claim + ("  ** MISMATCH: the duties don't carry what the title claims **" if result.mismatch else "")
    )
    if suggested_title:
        lines.append(f"Suggested title: {suggested_title}")
    lines.append(f"Duties: {result.duties}  (sales share of sales+marketing duties {result.sales_share:.0%})")
    lines.append(f"Reason: {result.reason}")
    if result.status != "ok":
        lines.append(f"Status: {result.status}")
    if result.evidence:
        lines.append("")
        lines.append("Phrases that decided it:")
        for item in result.evidence:
            lines.append(
                f"  {item.weight:+.3f}  {item.function:<9}  {item.phrase!r}  [{item.start}:{item.end}]"
            )
    if result.duty_spans:
        lines.append("")
        lines.append("Duties found:")
        marks = [(e.start, e.end, e.function) for e in result.evidence]
        for span in result.duty_spans[:MAX_DUTIES_SHOWN]:
            inside = [m for m in marks if m[0] >= span.start and m[1] <= span.end]
            text = _highlight(span.text, span.start, inside, color)
            tag = f"{span.function} {span.score:.2f}"
            lines.append(f"  [{tag:<14}] {text}")
        if len(result.duty_spans) > MAX_DUTIES_SHOWN:
            lines.append(f"  … and {len(result.duty_spans) - MAX_DUTIES_SHOWN} more (use --json for all)")
    return "\n".join(lines)
