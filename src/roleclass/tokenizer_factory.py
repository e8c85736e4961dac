"""spaCy's default tokenizer, built with the settings ``duties.pipeline`` reads postings with.

The tokens are exactly spaCy's; four settings make it faster on a stream of postings:

- the suffix search tries only the starts a suffix can have (``exact_suffix_search``):
  spaCy's tries every character of the word against some 80 patterns, the largest part of
  tokenizing a word the cache does not hold.
- the infix search runs only on a word holding a character an infix can start with
  (``screened_infix_finditer``): a hyphen, a dot, a colon... which most words lack; the
  prefix search only on a word starting with a character a prefix can start with, and the
  URL match only on a word holding the characters every URL match holds (a dot)
  (``screened_match``).
- no special cases for strings of whitespace alone ("\\n", "\\t", " "): spaCy lists them
  with no attribute but their own text, and the tokenizer makes a run of whitespace one
  token of itself anyway (no prefix, suffix or infix pattern matches whitespace). But a
  special case found in a text stops the tokenizer caching any new word of the rest of that
  text (``has_special`` in spaCy's ``Tokenizer._tokenize_affixes`` is set for the whole
  text), so the first line break of nearly every posting turned its cache off. Without
  them, a word is cached unless a real special case ("we're", "e.g.") came before it.
- a larger cache (``CACHE_CHUNKS`` runs of non-space characters, against spaCy's 10,000,
  which a few hundred postings fill, after which no new word is cached). The pipelines are
  rebuilt every ``duties.REFRESH_DOCS`` texts, which bounds the memory it takes.

The searches are built into the tokenizer from the start, as ``spacy.Tokenizer.v1`` builds
spaCy's own: set on a built tokenizer, they make spaCy reload every special case (about
0.05 s of a cold ``roleclass score``). ``spacy.blank(lang, config=blank_config())`` uses it;
``tests/test_tokenizer_factory.py`` checks the tokens against spaCy's default tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from spacy import util
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import registry

from roleclass.cue_screen import GROUP_REFERENCE, _sre_constants, _sre_parse

TOKENIZER = "roleclass.PostingTokenizer.v2"  # v1 took tail_suffixes: the suffix search it chose is exact now
CACHE_CHUNKS = 100_000  # runs of non-space characters the tokenizer remembers (spaCy's default: 10,000)


def blank_config() -> dict[str, Any]:
    """The ``spacy.blank`` config that builds this tokenizer."""
    return {"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}}


Search = Callable[[str], "re.Match[str] | None"]
_END = (_sre_constants.AT, _sre_constants.AT_END)
_ZERO_WIDTH = (_sre_constants.AT, _sre_constants.ASSERT, _sre_constants.ASSERT_NOT)
_CLASS_ITEMS = (_sre_constants.LITERAL, _sre_constants.RANGE)
_REPEATS = (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT)
_ClassItem = tuple[object, Any]
_ASCII = frozenset(map(chr, range(128)))


def exact_suffix_search(suffixes: Sequence[str]) -> Search:
    """spaCy's suffix search (``util.compile_suffix_regex(suffixes).search``), trying only the
    starts a match can have: the same match, at the same place.

    spaCy joins the suffix patterns, each ending with ``$``, into one alternation, and its
    search tries every character of the word as a start, against every pattern. But a match
    ends where the word does (``$``: or before a final line break), so a pattern that matches
    at most ``w`` characters can start only in the last ``w + 1``; of spaCy's patterns all but
    the run of dots match five or fewer. So the search starts there, or earlier where a
    pattern of unbounded width matches earlier (searched apart: a few patterns, and the dots'
    literal start lets ``re`` skip to it). ``Pattern.search(string, pos)`` finds the leftmost
    match at or after ``pos`` and its lookbehinds still see the characters before it, and no
    match starts before ``pos``, so it is the leftmost match of the whole word, which spaCy's
    search returns. And a word that ends with an ASCII character no pattern's match can end
    with (a letter that ends no unit, as "e" or "y"; read out of the patterns) has none.
    Where a pattern does not end with ``$`` (a bare ``|`` inside it), refers to a group or
    sets multi-line matching or ignored case, this is spaCy's search itself. The function
    carries the regex as ``__self__``, where spaCy's serializer reads a search's pattern.
    """
    pieces = [piece for piece in suffixes if piece.strip()]
    regex = util.compile_suffix_regex(pieces)
    widest, unbounded = 0, []
    ends: list[_ClassItem] | None = []  # the characters a match can end with
    unbounded_ends: list[_ClassItem] | None = []  # those of the unbounded patterns alone
    for piece in pieces:
        try:
            parsed = _sre_parse.parse(piece + "$")
        except re.error:
            return regex.search
        if GROUP_REFERENCE.search(piece) or parsed.state.flags & (re.MULTILINE | re.IGNORECASE) or not len(parsed) or parsed[-1] != _END:
            return regex.search
        high = parsed.getwidth()[1]
        last = _edge_characters(parsed, last=True)
        ends = None if ends is None or last is None else ends + last
        if high >= _sre_constants.MAXREPEAT:
            unbounded.append(piece)
            unbounded_ends = None if unbounded_ends is None or last is None else unbounded_ends + last
        else:
            widest = max(widest, high)
    search = regex.search
    early = re.compile("|".join(piece + "$" for piece in unbounded)).search if unbounded else None
    reach = widest + 1
    # ASCII characters no match can end with: a word ending with one has no suffix; and those no
    # match of an unbounded pattern ends with, where that search is not needed
    no_end, no_early_end = _no_end(ends), _no_end(unbounded_ends)

    def suffix_search(string: str) -> re.Match[str] | None:
        last = string[-1:]
        if last in no_end:
            return None
        start = len(string) - reach
        if start <= 0:
            return search(string)
        if early is not None and last not in no_early_end and (found := early(string)) is not None and found.start() < start:
            start = found.start()
        return search(string, start)

    suffix_search.__self__ = regex  # type: ignore[attr-defined]
    return suffix_search


def _edge_characters(items: Any, last: bool = False) -> list[_ClassItem] | None:
    """The characters a match of a parsed pattern can start with (``last``: end with), as
    character-class items (single characters and ranges); None when that cannot be told this
    simply (a category such as ``\\w``, a negated set, any character, ignored case) or the
    match can be empty.

    Zero-width items (lookarounds, anchors) consume nothing, so the first character a match
    consumes is the first of the first item that does consume (the last, of the last).
    """
    for op, av in reversed(items) if last else items:
        if op in _ZERO_WIDTH:
            continue
        if op is _sre_constants.LITERAL:
            return [(op, av)]
        if op is _sre_constants.IN:
            return list(av) if all(item_op in _CLASS_ITEMS for item_op, _ in av) else None
        if op is _sre_constants.SUBPATTERN:
            if av[1] & re.IGNORECASE or av[2] or av[-1].getwidth()[0] == 0:
                return None
            return _edge_characters(av[-1], last)
        if op is _sre_constants.BRANCH:
            found: list[_ClassItem] = []
            for branch in av[1]:
                edge = _edge_characters(branch, last)
                if edge is None:
                    return None
                found += edge
            return found
        if op in _REPEATS and av[0] >= 1:
            return _edge_characters(av[2], last)
        return None
    return None  # nothing consumed: the match may be empty


def _character_class(items: list[_ClassItem]) -> str:
    return "[" + "".join(
        re.escape(chr(av)) if op is _sre_constants.LITERAL else f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}"
        for op, av in items
    ) + "]"


def _ascii_in(items: list[_ClassItem]) -> frozenset[str]:
    """The ASCII characters among character-class items: the screens rule a word out by them."""
    members = re.compile(_character_class(items))
    return frozenset(char for char in _ASCII if members.match(char))


def screened_infix_finditer(infixes: Sequence[str]) -> Callable[[str], Iterable[re.Match[str]]]:
    """spaCy's infix search (``util.compile_infix_regex(infixes).finditer``), run only on a word
    holding a character an infix match can start with: the same matches.

    spaCy runs it on every word its cache does not hold, and it tries every character of the
    word against every infix pattern; but each of spaCy's patterns starts by consuming one of
    a set of characters (a dot, a hyphen, a comma, a colon, a symbol), read out of the
    patterns here, and most words hold none of them. An ASCII word is screened with the ASCII
    characters of the set alone (a short class ``re`` checks by a table). Where a pattern
    could start otherwise (a category, any character, ignored case) or match nothing, this
    is spaCy's search itself. The function carries the regex as ``__self__``, where spaCy's
    serializer reads a search's pattern.
    """
    regex = util.compile_infix_regex(infixes)
    parsed = _sre_parse.parse(regex.pattern, regex.flags)
    first = None if parsed.state.flags & re.IGNORECASE or GROUP_REFERENCE.search(regex.pattern) else _edge_characters(parsed)
    if first is None:
        return regex.finditer
    ascii_starts = _ascii_in(first)
    in_ascii = re.compile("[" + re.escape("".join(sorted(ascii_starts))) + "]").search if ascii_starts else None
    in_any, finditer = re.compile(_character_class(first)).search, regex.finditer

    def infix_finditer(string: str) -> Iterable[re.Match[str]]:
        if string.isascii():
            if in_ascii is None or in_ascii(string) is None:
                return ()
        elif in_any(string) is None:
            return ()
        return finditer(string)

    infix_finditer.__self__ = regex  # type: ignore[attr-defined]
    return infix_finditer


def _required_characters(items: Any) -> set[str]:
    """Characters every match of a parsed pattern consumes: literals it cannot match without
    (a branch's, those all its alternatives require; an optional part's, none)."""
    required: set[str] = set()
    for op, av in items:
        if op is _sre_constants.LITERAL:
            required.add(chr(av))
        elif op is _sre_constants.SUBPATTERN and not av[1] & re.IGNORECASE:
            required |= _required_characters(av[-1])
        elif op is _sre_constants.BRANCH:
            required |= set.intersection(*(_required_characters(branch) for branch in av[1]))
        elif op in _REPEATS and av[0] >= 1:
            required |= _required_characters(av[2])
    return required


def screened_match(search: Search, anchored: bool = False) -> Search:
    """A regex's ``match`` or ``search`` (``search.__self__``), tried only on a string that can
    hold a match: the same answers.

    The string must hold every character each match consumes (``_required_characters``:
    spaCy's URL match needs a dot); and with ``anchored``, where every alternative starts at
    the string's start (``^``: spaCy's prefix search), the string's first character must be
    one a match can start with (``_edge_characters``). ASCII characters are ruled out by a
    table; a non-ASCII first character always runs the regex. Where nothing can be read out
    of the pattern (ignored case, a category first), this is the regex's own method.
    """
    regex = getattr(search, "__self__", None)
    if not isinstance(regex, re.Pattern) or regex.flags & re.IGNORECASE or GROUP_REFERENCE.search(regex.pattern):
        return search
    parsed = _sre_parse.parse(regex.pattern, regex.flags)
    required = "".join(sorted(_required_characters(parsed)))
    no_start: frozenset[str] = frozenset()
    branches = parsed[0][1][1] if len(parsed) == 1 and parsed[0][0] is _sre_constants.BRANCH else [parsed]
    if anchored and not regex.flags & re.MULTILINE and all(
        len(branch) and branch[0] == (_sre_constants.AT, _sre_constants.AT_BEGINNING) for branch in branches
    ):
        first = _edge_characters(parsed)
        if first is not None:
            no_start = _ASCII - _ascii_in(first)
    if not required and not no_start:
        return search

    def screened(string: str) -> re.Match[str] | None:
        if string[:1] in no_start:
            return None
        for char in required:
            if char not in string:
                return None
        return search(string)

    screened.__self__ = regex  # type: ignore[attr-defined]
    return screened


def _no_end(ends: list[_ClassItem] | None) -> frozenset[str]:
    """The ASCII characters that are not among ``ends`` (none when ``ends`` is None: unknown). A
    match may also end before a final line break, so that is never one of them."""
    return _ASCII - _ascii_in(ends) - {"\n"} if ends else frozenset()


def without_whitespace_cases(rules: dict[str, list[dict[int, str]]]) -> dict[str, list[dict[int, str]]]:
    """The special cases less those of whitespace alone that only give the string as its one token
    (what the tokenizer makes of a run of whitespace without them)."""
    return {string: tokens for string, tokens in rules.items() if string.strip() or tokens != [{ORTH: string}]}


@registry.tokenizers(TOKENIZER)
def create_posting_tokenizer() -> Callable[[Language], Tokenizer]:
    """spaCy's ``create_tokenizer`` (``spacy.Tokenizer.v1``) with the settings above."""

    def tokenizer_factory(nlp: Language) -> Tokenizer:
        prefixes = nlp.Defaults.prefixes
        suffixes = nlp.Defaults.suffixes
        infixes = nlp.Defaults.infixes
        prefix_search = screened_match(util.compile_prefix_regex(prefixes).search, anchored=True) if prefixes else None
        suffix_search = exact_suffix_search(suffixes) if suffixes else None
        infix_finditer = screened_infix_finditer(infixes) if infixes else None
        return Tokenizer(
            nlp.vocab,
            rules=without_whitespace_cases(nlp.Defaults.tokenizer_exceptions),
            prefix_search=prefix_search,
            suffix_search=suffix_search,
            infix_finditer=infix_finditer,
            token_match=nlp.Defaults.token_match,
            url_match=screened_match(nlp.Defaults.url_match) if nlp.Defaults.url_match else None,
            max_cache_size=CACHE_CHUNKS,
        )

    return tokenizer_factory
