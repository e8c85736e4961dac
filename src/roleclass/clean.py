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

import itertools
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

MAX_WORD_CHARS = 200  # longer runs without a space are broken up (long URLs stay whole)
# [^<>]* not [^>]*: with no '>' ahead, [^>]* rescans the rest of the text at every '<p' (quadratic).
_HTML_HINT = re.compile(r"<\s*/?\s*(p|br|li|ul|ol|div|span|h[1-6]|strong|b|em|i|table|tr|td|a|script|style)\b[^<>]*>|&(nbsp|amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);", re.I)
# Two or more non-ASCII characters in a row; spelled as positive classes, which ``re`` scans for
# faster than "[^\x00-\x7f]{2,}" (the same matches: tests/test_clean.py; bench/bench_regex_forms.py)
_NON_ASCII_RUN = re.compile("[\x80-\U0010ffff][\x80-\U0010ffff]+")
_BULLET = re.compile(r"^\s*(?:[*•·▪●◦‣∙\-–—]|\d{1,2}[.)])\s+")
_BULLET_MARKS = frozenset("*•·▪●◦‣∙-–—")  # what a stripped line ``_BULLET`` matches starts with, but for a digit
_ODD_SPACES = "\t\u00a0\u2000-\u200b\u202f\u205f\u3000"  # the spaces tidied into " " (a class's contents)
_SPACES = re.compile(f"[ {_ODD_SPACES}]+")
_ODD_SPACE = re.compile(f"[{_ODD_SPACES}]")  # what ``_SPACES`` changes, but for "  "
# The runs of ``_SPACES`` that are not a single " ": two or more of its characters, or one that is
# not " ". One class opens it, so ``re`` skips to the next space, and a lone " " fails at once;
# replaced by " " in the whole text, they give what ``_SPACES`` gives line by line
# (tests/test_clean.py), where asking each line first took half again as long.
_SPACES_TO_TIDY = re.compile(f"[ {_ODD_SPACES}](?:(?<=[{_ODD_SPACES}])|[ {_ODD_SPACES}])[ {_ODD_SPACES}]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200c-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_WORD_CHARS + 1},}}")  # anchored at a run's start: linear
_TABLE_TAGS = ("table", "tr", "td", "th")
# Text of these characters only is left as is by ftfy: no fixer acts on them, and no
# byte sequence they make in any encoding ftfy tries is valid UTF-8 (the quotes and
# dashes are UTF-8 continuation bytes in Windows-1252 and lead bytes in Mac-Roman,
# with no lead or continuation byte of the other kind beside them).
_PLAIN = re.compile("[^\t\n\x20-\x7e\u2018\u2019\u201c\u201d\u2013\u2014\u2026]")
_BAD_LINE_START = re.compile("\n[ÃÂ] ")  # ftfy.badness's "^[ÃÂ][ ]", at a line's start after the first
_ENTITY = re.compile(r"&#?[0-9A-Za-z]{1,24};")  # ftfy.chardata.HTML_ENTITY_RE: what ftfy unescapes


@lru_cache(maxsize=1)
def _parser_config() -> Any:
    """inscriptis' settings, built (and inscriptis imported) only when a posting is HTML."""
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.html_properties import Display
    from inscriptis.model.config import ParserConfig
    from inscriptis.model.html_element import HtmlElement
    from inscriptis.model.tag import CustomHtmlTagHandlerMapping

    css = {**CSS_PROFILES["strict"], **{tag: HtmlElement(display=Display.block) for tag in (*_TABLE_TAGS, "caption")}}
    no_table_layout = CustomHtmlTagHandlerMapping(
        start_tag_mapping={tag: lambda state, attrs: None for tag in _TABLE_TAGS},
        end_tag_mapping={tag: lambda state: None for tag in _TABLE_TAGS},
    )
    return ParserConfig(css=css, display_links=False, display_images=False, custom_html_tag_handler_mapping=no_table_layout)


def _render_html(text: str) -> str:
    from inscriptis import get_text

    return get_text(text, _parser_config())


@lru_cache(maxsize=1)
def _ftfy_targets() -> re.Pattern[str]:
    """Every character one of ftfy's fixers (other than mojibake repair and entities) acts on.

    Built from ftfy's own tables (control characters, ligatures, full/half width), plus
    C1 controls, line separators, surrogates and the terminal escape.
    """
    from ftfy.chardata import CONTROL_CHARS, LIGATURES, WIDTH_MAP

    chars = sorted({*CONTROL_CHARS, *LIGATURES, *WIDTH_MAP})
    listed = "".join(re.escape(chr(c)) for c in chars)
    return re.compile(f"[{listed}\x80-\x9f\r\u2028\u2029\x1b\ud800-\udfff]")


def ftfy_would_change(text: str) -> bool:
    """False when ``ftfy.fix_text`` (as ``clean_text`` calls it) would return ``text`` unchanged.

    ftfy works line by line: it unescapes entities until a line holds ``<``, repairs a
    line's encoding only when ``ftfy.badness.is_bad`` finds mojibake in it, applies
    fixers that each act on known characters, and NFC-normalises. The same checks are
    made here once, without ftfy's per-line, per-fixer passes, and only a posting that
    fails one goes through ftfy: of our corpus and the real postings (2,013), 1,880 skip it,
    and the 133 that ftfy changes are exactly the ones sent to it (tests/test_clean_gate.py).
    """
    tag = text.find("<")
    return _would_change(text, text if tag < 0 else text[: text.rfind("\n", 0, tag) + 1])


def _would_change(text: str, unescaped: str) -> bool:
    """``ftfy_would_change`` of a text whose part ``unescaped`` ftfy would unescape entities in."""
    if _ENTITY.search(unescaped):
        return True
    if not _PLAIN.search(text):
        return False  # decided without importing ftfy
    if _ftfy_targets().search(text) or not unicodedata.is_normalized("NFC", text):
        return True
    if text.isascii():
        return False
    # ftfy asks ``is_bad`` (a BADNESS_RE search) of each line. One search over the whole
    # text finds every match a line has (the regex has no lookaround, and a match found
    # across a line break only sends the text to ftfy, which then changes nothing), except
    # its one "^" alternative, "^[ÃÂ] ", at a line's start: that one is searched for too.
    return _mojibake_search()(text) or bool(_BAD_LINE_START.search(text))


def fix_with_ftfy(text: str) -> str:
    """``ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")``, asking ftfy only about
    the lines it would change.

    ``ftfy.fix_text`` cuts the text into lines (of at most ``max_decode_length``
    characters) and fixes each alone, unescaping entities until a line holds "<"; this is
    that loop, with each line first put to the checks of ``ftfy_would_change``: a posting
    sent to ftfy for one "&amp;" (most of those sent) has ftfy read that line, not all of
    them (``tests/test_clean_gate.py`` compares the two on every posting we have).
    """
    import ftfy

    config = ftfy.TextFixerConfig(explain=False, uncurl_quotes=False, normalization="NFC")
    out, pos = [], 0
    while pos < len(text):
        end = text.find("\n", pos) + 1 or len(text)
        end = min(end, pos + config.max_decode_length)
        line = text[pos:end]
        if config.unescape_html == "auto" and "<" in line:
            config = config._replace(unescape_html=False)
        changes = _would_change(line, line if config.unescape_html else "")
        out.append(ftfy.fix_and_explain(line, config).text if changes else line)
        pos = end
    return "".join(out)


@lru_cache(maxsize=1)
def _mojibake_search() -> Callable[[str], bool]:
    """``BADNESS_RE.search`` over a text, searching only where a match could hold.

    Read out of ftfy's mojibake regex with ``re``'s own parser (``_mojibake_triggers``):
    every alternative needs either two non-ASCII characters side by side ("Ã©", "â€")
    or one of a few characters that mojibake alone brings (C1 controls, "Ã", "Â", "Œ"),
    and no match is longer than a few characters. So every match lies within that many
    characters of such a trigger, and searching those stretches alone (``pos``/``endpos``,
    so the regex sees what it saw before) finds a match exactly when the whole search does.
    Most postings' non-ASCII characters stand alone (quotes, dashes, bullets, umlauts:
    "für", "Köln"), so little is searched. Should an ftfy release break these properties,
    the whole text is searched as before.
    """
    from re import _parser as sre_parse  # the parser ``re`` compiles with

    from ftfy.badness import BADNESS_RE

    parsed = sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    reach = parsed.getwidth()[1] - 1  # how far a match reaches past a character it holds
    triggers = _mojibake_triggers(parsed)
    if triggers is None:
        return lambda text: bool(BADNESS_RE.search(text))

    def search(text: str) -> bool:
        n = len(text)
        found = itertools.chain.from_iterable(trigger.finditer(text) for trigger in triggers)
        return any(BADNESS_RE.search(text, max(0, m.start() - reach), min(n, m.end() + reach)) for m in found)

    return search


# Two non-ASCII characters side by side: a positive class of two single characters, which
# ``re`` scans for faster than "[^\x00-\x7f]{2}", as it does the one below (bench/bench_regex_forms.py)
_NON_ASCII_PAIR = re.compile("[\x80-\U0010ffff][\x80-\U0010ffff]")


def _mojibake_triggers(parsed: Any) -> tuple[re.Pattern[str], ...] | None:
    """What every match of the parsed regex holds, as regexes to find it with: two non-ASCII
    characters side by side, or one of the characters of an alternative that has no two
    non-ASCII-only elements side by side; None when an alternative has no element that
    matches non-ASCII characters only.

    ``finditer`` finds pairs without overlap, so a character of a run of non-ASCII
    characters may sit in no pair it finds; but each pair of a run shares a character with
    one it finds, and the windows around what it finds cover that character.
    """
    from re import _constants as sre

    def non_ascii_only(op: Any, arg: Any) -> set[int] | None:
        """The characters a one-character element matches, when all are non-ASCII."""
        if op is sre.LITERAL and arg >= 0x80:
            return {arg}
        if op is sre.IN and all((o is sre.LITERAL and a >= 0x80) or (o is sre.RANGE and a[0] >= 0x80) for o, a in arg):
            return {c for o, a in arg for c in ([a] if o is sre.LITERAL else range(a[0], a[1] + 1))}
        return None

    items = parsed.data
    alternatives = items[0][1][1] if len(items) == 1 and items[0][0] is sre.BRANCH else [parsed]
    alone: set[int] = set()  # characters one of which a match of a pairless alternative holds
    for alternative in alternatives:
        sets = [non_ascii_only(op, arg) for op, arg in alternative.data]
        if any(a is not None and b is not None for a, b in itertools.pairwise(sets)):
            continue  # two non-ASCII characters side by side
        found = [chars for chars in sets if chars is not None]
        if not found:
            return None
        alone |= min(found, key=len)
    listed = "".join(re.escape(chr(c)) for c in sorted(alone))
    return (_NON_ASCII_PAIR, re.compile(f"[{listed}]")) if listed else (_NON_ASCII_PAIR,)


def looks_like_html(text: str) -> bool:
    """True when the posting carries markup or HTML entities worth rendering.

    A match starts at a "<" or an "&": the search starts at the first of them (``str.find``
    runs far faster than the regex's scan), and a text with neither has none.
    """
    starts = [at for at in (text.find("<"), text.find("&")) if at >= 0]
    return bool(starts) and _HTML_HINT.search(text, min(starts)) is not None


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


def _has_spaces_to_tidy(text: str) -> bool:
    """Whether ``_SPACES`` would change the text: two spaces in a row, or a space of another kind."""
    return "  " in text or _ODD_SPACE.search(text) is not None


def _tidy_lines(text: str) -> list[str]:
    """The text's lines, each with its runs of spaces made one space, stripped, its runs of over
    ``MAX_WORD_CHARS`` characters broken and its bullet made "- ".

    Each step is asked only of the text or lines it can change, found with string methods and
    one-character classes that scan far faster than ``_SPACES`` and ``_LONG_RUN`` over
    every line (a posting has hundreds of single spaces, and most lines are short).
    """
    if _has_spaces_to_tidy(text):
        text = _SPACES_TO_TIDY.sub(" ", text)  # no run of spaces holds a line break: line by line alike
    lines = list(map(str.strip, text.split("\n")))
    if any(len(line) > MAX_WORD_CHARS for line in lines):  # a long run needs a long line
        lines = [_LONG_RUN.sub(_break_run, line) if len(line) > MAX_WORD_CHARS else line for line in lines]
    # a stripped line starts with no space, so only one that starts with a mark or a digit can be a bullet
    return [
        _BULLET.sub("- ", line) if (line[:1] in _BULLET_MARKS or line[:1].isdecimal()) and _BULLET.match(line) else line
        for line in lines
    ]


def clean_text(raw: str) -> str:
    """Return clean text: repaired encoding, HTML rendered, one list item per line.

    Bullets of any style become ``- `` so downstream stages see one marker; runs of
    blank lines shrink to one, which keeps paragraph boundaries for sentence and
    section detection.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _repair_mac_roman(text)
    if ftfy_would_change(text):
        text = fix_with_ftfy(text)  # ftfy imported only for text that needs it
    if looks_like_html(text):
        text = _render_html(text)
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    out: list[str] = []
    for line in _tidy_lines(text):
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
