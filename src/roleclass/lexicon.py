"""The lexicons as data: section headings, duty cues, activity words and title words.

They live in ``lexicons/*.toml`` beside this module (package data), so a maintainer
extends one without touching code, and they are checked when loaded: a missing or
unknown key, a value of the wrong type or a regex that does not compile is a
``LexiconError`` naming the file and the key (``sections.toml: headings.duties[3]: ...``).

They define the model's inputs (``cue:*`` features, section weights, counted
activities, the title claim), so ``sha256`` over their parsed content is recorded in
every model at training, and ``model_io`` refuses a model trained with other lexicons.
The hash is of the parsed values in file order (order is meaning here: the first
heading kind that matches wins), so comments and layout do not count.

Loading reads four small files on first use, never at import.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from roleclass.errors import ModelError
from roleclass.labels import FUNCTIONS

LEXICON_FILES = ("sections", "duty_cues", "activities", "titles")
ACTIVITY_FUNCTIONS = FUNCTIONS[:2]  # counted activities are sales or marketing work, never "neither"
PERIODS = ("hour", "day", "week", "month", "quarter", "year")


class LexiconError(ModelError):
    """A lexicon file (or a component's lexicon config) is missing, malformed or holds a bad regex."""


@dataclass(frozen=True)
class Lexicons:
    """The four validated lexicons, as plain data, and the hash a model records."""

    sections: dict[str, Any]
    duty_cues: dict[str, list[str]]
    activities: dict[str, Any]
    titles: dict[str, Any]

    @property
    def sha256(self) -> str:
        data = {name: getattr(self, name) for name in LEXICON_FILES}
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


# -- validation ---------------------------------------------------------------------------
Check = Callable[[Any, str, str], Any]


def _fail(source: str, key: str, problem: str) -> LexiconError:
    return LexiconError(f"lexicon {source}: {key}: {problem}")


def _regex(value: Any, source: str, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(source, key, "expected a non-empty regex string")
    try:
        re.compile(value, re.I)
    except re.error as exc:
        raise _fail(source, key, f"not a valid regex ({exc})") from None
    return value


def _word(value: Any, source: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, key, "expected a non-empty string")
    return value


def _count(value: Any, source: str, key: str) -> int:
    if type(value) is not int or value < 0:
        raise _fail(source, key, "expected a whole number >= 0")
    return value


def _weight(value: Any, source: str, key: str) -> float:
    if type(value) not in (int, float) or not 0 <= value <= 10:
        raise _fail(source, key, "expected a number from 0 to 10")
    return float(value)


def _one_of(choices: tuple[str, ...]) -> Check:
    def check(value: Any, source: str, key: str) -> str:
        if value not in choices:
            raise _fail(source, key, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    return check


def _list_of(item: Check, nonempty: bool = True) -> Check:
    def check(value: Any, source: str, key: str) -> list[Any]:
        if not isinstance(value, list) or (nonempty and not value):
            raise _fail(source, key, "expected a non-empty list")
        return [item(v, source, f"{key}[{i}]") for i, v in enumerate(value)]

    return check


def _table_of(item: Check) -> Check:
    def check(value: Any, source: str, key: str) -> dict[str, Any]:
        if not isinstance(value, dict) or not value:
            raise _fail(source, key, "expected a non-empty table")
        return {k: item(v, source, f"{key}.{k}") for k, v in value.items()}

    return check


def _record(data: Any, source: str, fields: dict[str, Check]) -> dict[str, Any]:
    """Exactly these keys, each checked (unknown keys are refused: they are typos, or unread)."""
    if not isinstance(data, dict):
        raise LexiconError(f"lexicon {source}: expected a table of {', '.join(fields)}")
    for key in data:
        if key not in fields:
            raise _fail(source, key, f"unknown key (expected {', '.join(fields)})")
    missing = [key for key in fields if key not in data]
    if missing:
        raise _fail(source, missing[0], "missing")
    return {key: check(data[key], source, key) for key, check in fields.items()}


_REGEXES = _list_of(_regex)
_SCHEMAS: dict[str, dict[str, Check]] = {
    "sections": {
        "max_keyword_heading_words": _count,
        "boilerplate": _REGEXES,
        "headings": _table_of(_REGEXES),
        "keywords": _table_of(_REGEXES),
        "weights": _table_of(_weight),
    },
    "duty_cues": {"cues": _table_of(_REGEXES)},
    "activities": {
        "modifiers": _list_of(_word),
        "period_leads": _list_of(_word),
        "number_word_parts": _list_of(_word),
        "nouns": _table_of(_one_of(ACTIVITY_FUNCTIONS)),
        "periods": _table_of(_one_of(PERIODS)),
        "number_words_extra": _table_of(_count),
    },
    "titles": {
        "sales": _REGEXES,
        "marketing": _REGEXES,
        "other_heads": _REGEXES,
        "sales_overrides": _REGEXES,
        "joiner": _regex,
        "role_nouns": _regex,
        "noise": _REGEXES,
    },
}


def validate(name: str, data: Any, source: str | None = None) -> dict[str, Any]:
    """One lexicon's data checked against its schema; ``source`` names it in errors."""
    source = source or f"{name}.toml"
    checked = _record(data, source, _SCHEMAS[name])
    if name == "sections":
        weights = checked["weights"]
        if "body" not in weights:
            raise _fail(source, "weights.body", "missing (the weight of text under no known heading)")
        for table in ("headings", "keywords"):
            for kind in checked[table]:
                if kind not in weights:
                    raise _fail(source, f"{table}.{kind}", f"no weight for section kind {kind!r} in [weights]")
    return checked


# -- loading ------------------------------------------------------------------------------
def lexicon_dir() -> Path:
    return Path(str(resources.files("roleclass").joinpath("lexicons")))


def load_lexicons(folder: Path | None = None) -> Lexicons:
    """Read and check the four lexicon files of a folder (default: the package's)."""
    folder = folder if folder is not None else lexicon_dir()
    loaded: dict[str, dict[str, Any]] = {}
    for name in LEXICON_FILES:
        path = folder / f"{name}.toml"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise LexiconError(f"lexicon {path.name}: cannot read {path}: {exc.strerror}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise LexiconError(f"lexicon {path.name}: not valid TOML ({exc})") from None
        loaded[name] = validate(name, data, path.name)
    return Lexicons(loaded["sections"], loaded["duty_cues"]["cues"], loaded["activities"], loaded["titles"])


@lru_cache(maxsize=1)
def lexicons() -> Lexicons:
    """The package's lexicons, read once per process."""
    return load_lexicons()


def lexicon_digest() -> str:
    """The sha256 a model trained now records (``model_io`` compares it at load)."""
    return lexicons().sha256
