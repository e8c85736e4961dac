"""Stage 1: turn a raw posting (plain text or job-board HTML) into clean text.

Every offset that roleclass reports indexes the string this module returns, so the
cleaning is deterministic and the result is carried in each score result.

Why these libraries: ``inscriptis`` renders HTML the way a browser lays it out
(each ``<li>``/``<p>``/``<br>`` on its own line, entities decoded, ``<script>`` and
``<style>`` dropped), which regexes get wrong on real job-board markup; ``ftfy``
repairs the common Windows-1252/Latin-1 mojibake (``â€™``). The Mac-Roman mojibake
that scraped Monster data carries (``‚Äôs``) is outside ftfy's repertoire, so one
small, conservative repair handles it.

Hostile input is bounded here, where it enters: table cells render one per line (a
browser's column layout pads every row to the widest cell, which a crafted table turns
into gigabytes), and a run of more than ``MAX_WORD_CHARS`` characters without a space is
broken with spaces, since no word is that long and spaCy's tokenizer takes time
quadratic in a word's length.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.html_properties import Display
from inscriptis.model.config import ParserConfig
from inscriptis.model.html_element import HtmlElement
from inscriptis.model.tag import CustomHtmlTagHandlerMapping

MAX_WORD_CHARS = 200  # longer runs without a space are broken up (long URLs stay whole)
# [^<>]* not [^>]*: with no '>' ahead, [^>]* rescans the rest of the text at every '<p' (quadratic).
_HTML_HINT = re.compile(
    r"<\s*/?\s*(p|br|li|ul|ol|div|span|h[1-6]|strong|b|em|i|table|tr|td|a|script|style)\b[^<>]*>|&(nbsp|amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);",
    re.I,
)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")
_BULLET = re.compile(r"^\s*(?:[*•·▪●◦‣∙\-–—]|\d{1,2}[.)])\s+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200c-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_WORD_CHARS + 1},}}")  # anchored at a run's start: linear
_TABLE_TAGS = ("table", "tr", "td", "th")
_CSS = {
    **CSS_PROFILES["strict"],
    **{tag: HtmlElement(display=Display.block) for tag in (*_TABLE_TAGS, "caption")},
}
_NO_TABLE_LAYOUT = CustomHtmlTagHandlerMapping(
    start_tag_mapping={tag: lambda state, attrs: None for tag in _TABLE_TAGS},
    end_tag_mapping={tag: lambda state: None for tag in _TABLE_TAGS},
)
_PARSER_CONFIG = ParserConfig(
    css=_CSS, display_links=False, display_images=False, custom_html_tag_handler_mapping=_NO_TABLE_LAYOUT
)


def looks_like_html(text: str) -> bool:
    """True when the posting carries markup or HTML entities worth rendering."""
    return bool(_HTML_HINT.search(text))


def _repair_mac_roman(text: str) -> str:
    """Undo UTF-8 read as Mac-Roman (``‚Äôs`` -> ``’s``) where it decodes cleanly."""

    def fix(match: re.Match[str]) -> str:
        run = match.group(0)
        try:
            repaired = run.encode("mac_roman").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return run
        return repaired if len(repaired) < len(run) else run

    return _NON_ASCII_RUN.sub(fix, text)


def _break_run(match: re.Match[str]) -> str:
    run = match.group(0)
    return " ".join(run[i : i + MAX_WORD_CHARS] for i in range(0, len(run), MAX_WORD_CHARS))


def _tidy_line(line: str) -> str:
    line = _LONG_RUN.sub(_break_run, _SPACES.sub(" ", line).strip())
    return _BULLET.sub("- ", line) if _BULLET.match(line) else line


def clean_text(raw: str) -> str:
    """Return clean text: repaired encoding, HTML rendered, one list item per line.

    Bullets of any style become ``- `` so downstream stages see one marker; runs of
    blank lines shrink to one, which keeps paragraph boundaries for sentence and
    section detection.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _repair_mac_roman(text)
    text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
    if looks_like_html(text):
        text = get_text(text, _PARSER_CONFIG)
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    lines = [_tidy_line(line) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
