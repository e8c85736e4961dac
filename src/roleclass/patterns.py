"""The lexicons under their Python names (``patterns.DUTY_CUES`` and the rest), read from data.

The lists themselves live in ``lexicons/*.toml`` (see ``lexicon.py``: loading, checks,
the hash a model records); this module keeps the names other modules import, resolved
on first access (PEP 562), so importing it reads nothing.
"""

from __future__ import annotations

from typing import Any

from roleclass.lexicon import lexicons

# name -> (lexicon, key, type to build); key None: the whole lexicon
_NAMES: dict[str, tuple[str, str | None, type]] = {
    "SECTION_HEADINGS": ("sections", "headings", dict),
    "SECTION_KEYWORDS": ("sections", "keywords", dict),
    "MAX_KEYWORD_HEADING_WORDS": ("sections", "max_keyword_heading_words", int),
    "SECTION_WEIGHTS": ("sections", "weights", dict),
    "BOILERPLATE_CUES": ("sections", "boilerplate", list),
    "DUTY_CUES": ("duty_cues", None, dict),
    "ACTIVITY_NOUNS": ("activities", "nouns", dict),
    "ACTIVITY_MODIFIERS": ("activities", "modifiers", set),
    "PERIOD_WORDS": ("activities", "periods", dict),
    "PERIOD_LEADS": ("activities", "period_leads", set),
    "NUMBER_WORDS_EXTRA": ("activities", "number_words_extra", dict),
    "NUMBER_WORD_PARTS": ("activities", "number_word_parts", set),
    "TITLE_SALES": ("titles", "sales", list),
    "TITLE_MARKETING": ("titles", "marketing", list),
    "TITLE_OTHER_HEADS": ("titles", "other_heads", list),
    "TITLE_SALES_OVERRIDES": ("titles", "sales_overrides", list),
    "TITLE_JOINER": ("titles", "joiner", str),
    "TITLE_ROLE_NOUNS": ("titles", "role_nouns", str),
    "TITLE_NOISE": ("titles", "noise", list),
}
__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    lexicon, key, kind = _NAMES[name]
    data = getattr(lexicons(), lexicon)
    value = data if key is None else data[key]
    return kind(value)  # a fresh copy: callers cannot change the shared lexicon
