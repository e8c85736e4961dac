"""spaCy's default tokenizer, built with the settings ``duties.pipeline`` reads postings with.

The tokens are exactly spaCy's; four settings make it faster on a stream of postings:

- the suffix search tries only the starts a suffix can have (``exact_suffix_search``):
  spaCy's tries every character of the word against some 80 patterns, the largest part of
  tokenizing a word the cache does not hold.
- the suffix search reads only a word's tail (``duties._tail_search``), for the pipeline
  that reads texts with very long runs of non-space characters. Set on a built tokenizer,
  it makes spaCy reload every special case (about 0.05 s of a cold ``roleclass score``);
  built in from the start, as ``spacy.Tokenizer.v1`` builds spaCy's own, it costs nothing.
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

``spacy.blank(lang, config=blank_config(tail_suffixes))`` uses it; ``tests/test_tokenizer_factory.py``
checks the tokens against spaCy's default tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from spacy import util
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import registry

from roleclass.cue_screen import GROUP_REFERENCE, _sre_constants, _sre_parse

TOKENIZER = "roleclass.PostingTokenizer.v1"
CACHE_CHUNKS = 100_000  # runs of non-space characters the tokenizer remembers (spaCy's default: 10,000)


def blank_config(tail_suffixes: bool) -> dict[str, Any]:
    """The ``spacy.blank`` config that builds this tokenizer."""
    return {"nlp": {"tokenizer": {"@tokenizers": TOKENIZER, "tail_suffixes": tail_suffixes}}}


Search = Callable[[str], "re.Match[str] | None"]
_END = (_sre_constants.AT, _sre_constants.AT_END)


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
    search returns. Where a pattern does not end with ``$`` (a bare ``|`` inside it), refers
    to a group or sets multi-line matching, this is spaCy's search itself. The function
    carries the regex as ``__self__``, where spaCy's serializer reads a search's pattern.
    """
    pieces = [piece for piece in suffixes if piece.strip()]
    regex = util.compile_suffix_regex(pieces)
    widest, unbounded = 0, []
    for piece in pieces:
        try:
            parsed = _sre_parse.parse(piece + "$")
        except re.error:
            return regex.search
        if GROUP_REFERENCE.search(piece) or parsed.state.flags & re.MULTILINE or not len(parsed) or parsed[-1] != _END:
            return regex.search
        high = parsed.getwidth()[1]
        if high >= _sre_constants.MAXREPEAT:
            unbounded.append(piece)
        else:
            widest = max(widest, high)
    search = regex.search
    early = re.compile("|".join(piece + "$" for piece in unbounded)).search if unbounded else None
    reach = widest + 1

    def suffix_search(string: str) -> re.Match[str] | None:
        start = len(string) - reach
        if start <= 0:
            return search(string)
        if early is not None and (found := early(string)) is not None and found.start() < start:
            start = found.start()
        return search(string, start)

    suffix_search.__self__ = regex  # type: ignore[attr-defined]
    return suffix_search


def without_whitespace_cases(rules: dict[str, list[dict[int, str]]]) -> dict[str, list[dict[int, str]]]:
    """The special cases less those of whitespace alone that only give the string as its one token
    (what the tokenizer makes of a run of whitespace without them)."""
    return {string: tokens for string, tokens in rules.items() if string.strip() or tokens != [{ORTH: string}]}


@registry.tokenizers(TOKENIZER)
def create_posting_tokenizer(tail_suffixes: bool = True) -> Callable[[Language], Tokenizer]:
    """spaCy's ``create_tokenizer`` (``spacy.Tokenizer.v1``) with the settings above; the suffix
    search wrapped by ``_tail_search`` when ``tail_suffixes``."""
    from roleclass.duties import _tail_search

    def tokenizer_factory(nlp: Language) -> Tokenizer:
        prefixes = nlp.Defaults.prefixes
        suffixes = nlp.Defaults.suffixes
        infixes = nlp.Defaults.infixes
        prefix_search = util.compile_prefix_regex(prefixes).search if prefixes else None
        suffix_search = exact_suffix_search(suffixes) if suffixes else None
        infix_finditer = util.compile_infix_regex(infixes).finditer if infixes else None
        return Tokenizer(
            nlp.vocab,
            rules=without_whitespace_cases(nlp.Defaults.tokenizer_exceptions),
            prefix_search=prefix_search,
            suffix_search=_tail_search(suffix_search) if tail_suffixes and suffix_search else suffix_search,
            infix_finditer=infix_finditer,
            token_match=nlp.Defaults.token_match,
            url_match=nlp.Defaults.url_match,
            max_cache_size=CACHE_CHUNKS,
        )

    return tokenizer_factory
