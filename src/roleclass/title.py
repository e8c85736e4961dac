"""Stage 6: what the title alone claims: sales, marketing, both or other.

LABELING.md lists the title words for each function and two structural rules: a
title naming both functions ("Sales and Marketing Manager") claims both, and a title
where the function word only qualifies another job ("Sales Research Analyst",
"Marketing Technology Engineer") claims neither. Job-board noise (" Job in City",
"(m/w/d)", reference codes) is stripped first. The word lists are the title lexicon
(``lexicons/titles.toml``).
"""

from __future__ import annotations

import html
import itertools
import re
from functools import lru_cache

from roleclass.lexicon import lexicons


@lru_cache(maxsize=1)
def _compiled() -> dict[str, re.Pattern[str]]:
    def join(patterns: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)

    words = lexicons().titles
    return {
        "sales": join(words["sales"]),
        "marketing": join(words["marketing"]),
        "other_head": join(words["other_heads"]),
        "sales_override": join(words["sales_overrides"]),
        "noise": re.compile("|".join(words["noise"]), re.I),
        "joiner": re.compile(words["joiner"], re.I),
        "role": re.compile(words["role_nouns"], re.I),
    }


def normalise_title(title: str) -> str:
    """Strip job-board noise and collapse whitespace."""
    cleaned = _compiled()["noise"].sub(" ", title)
    return re.sub(r"\s+", " ", cleaned).strip(" -–|,")


def _matches(text: str) -> list[tuple[int, int, str]]:
    patterns = _compiled()
    found = [(m.start(), m.end(), "sales") for m in patterns["sales"].finditer(text)]
    found += [(m.start(), m.end(), "sales") for m in patterns["sales_override"].finditer(text)]
    found += [(m.start(), m.end(), "marketing") for m in patterns["marketing"].finditer(text)]
    return sorted(set(found))


def _is_head(text: str, match: tuple[int, int, str]) -> bool:
    """A function word that names the role: followed by, or containing, a role noun."""
    role = _compiled()["role"]
    return bool(role.match(text, match[1]) or role.search(text[match[0] : match[1]]))


def _claim_of_two(text: str, matches: list[tuple[int, int, str]]) -> str:
    """Both functions are named: "both" when joined ("Sales and Marketing"), else the head's."""
    joiner = _compiled()["joiner"]
    joined_seconds = [
        b for a, b in itertools.pairwise(matches)
        if a[2] != b[2] and b[0] >= a[1] and joiner.match(text[a[1] : b[0]])
    ]
    heads = [m for m in matches if _is_head(text, m)]
    if joined_seconds and (not heads or heads[-1] in joined_seconds):
        return "both"
    if heads:
        return heads[-1][2]
    return "both" if joined_seconds else matches[0][2]


def title_claim(title: str | None) -> str:
    """The function the title claims, by LABELING.md's rules; "other" for no title."""
    if not title or not title.strip():
        return "other"
    text = normalise_title(title)
    patterns = _compiled()
    matches = _matches(text)
    functions = {m[2] for m in matches}
    if not functions:
        return "other"
    if patterns["sales_override"].search(text) and "marketing" not in functions:
        return "sales"
    if patterns["other_head"].search(text) and not patterns["sales_override"].search(text):
        return "other"
    if len(functions) == 2:
        return _claim_of_two(text, matches)
    return functions.pop()


_HTML_TITLE = re.compile(r"<title[^>]{0,200}>([^<]{1,300})</title>", re.I)
MAX_GUESSED_TITLE_WORDS = 10
TITLE_FROM_HTML = "html <title>"
TITLE_FROM_FIRST_LINE = "first line"


def guess_title(raw: str, cleaned: str) -> tuple[str | None, str | None]:
    """A title for a posting given without one, and where it was found.

    People paste whole postings: an HTML page names the job in ``<title>``, a pasted
    posting usually opens with it. The first line counts only when it looks like a job
    title (a few words, no sentence, naming a role or a function), so a posting that
    opens with its blurb is left without a title rather than given a wrong one.
    """
    found = _HTML_TITLE.search(raw[:20_000])
    if found:
        text = " ".join(html.unescape(found.group(1)).split())
        if text:
            return text, TITLE_FROM_HTML
    first = next((line.strip(" #*-•\t") for line in cleaned.splitlines() if line.strip()), "")
    if first and _looks_like_title(first):
        return first, TITLE_FROM_FIRST_LINE
    return None, None


def _looks_like_title(line: str) -> bool:
    words = line.split()
    if not 1 <= len(words) <= MAX_GUESSED_TITLE_WORDS or line.endswith((".", ":", "!", "?", ",")):
        return False
    patterns = _compiled()
    text = normalise_title(line)
    return bool(patterns["role"].search(" " + text) or _matches(text) or patterns["other_head"].search(text))
