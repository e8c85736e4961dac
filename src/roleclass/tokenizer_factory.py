"""spaCy's default tokenizer, built with our tail-only suffix search from the start.

``duties.pipeline`` wants spaCy's own tokenizer with one change: its suffix search reads
only a word's tail (``duties._tail_search``). Setting ``tokenizer.suffix_search`` on a
built tokenizer makes spaCy reload all its special cases (some 2,700 for English, about
0.05 s of a cold ``roleclass score``); building the tokenizer with that search in the
first place, as spaCy's ``spacy.Tokenizer.v1`` builds it otherwise, gives the same
tokenizer once. ``spacy.blank(lang, config=BLANK_CONFIG)`` uses it.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy import util
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import registry

TOKENIZER = "roleclass.TailSuffixTokenizer.v1"
BLANK_CONFIG = {"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}}


@registry.tokenizers(TOKENIZER)
def create_tail_suffix_tokenizer() -> Callable[[Language], Tokenizer]:
    """spaCy's ``create_tokenizer`` (``spacy.Tokenizer.v1``), its suffix search wrapped by ``_tail_search``."""
    from roleclass.duties import _tail_search

    def tokenizer_factory(nlp: Language) -> Tokenizer:
        prefixes = nlp.Defaults.prefixes
        suffixes = nlp.Defaults.suffixes
        infixes = nlp.Defaults.infixes
        prefix_search = util.compile_prefix_regex(prefixes).search if prefixes else None
        suffix_search = util.compile_suffix_regex(suffixes).search if suffixes else None
        infix_finditer = util.compile_infix_regex(infixes).finditer if infixes else None
        return Tokenizer(
            nlp.vocab,
            rules=nlp.Defaults.tokenizer_exceptions,
            prefix_search=prefix_search,
            suffix_search=_tail_search(suffix_search),  # as pipeline() set it after the fact before
            infix_finditer=infix_finditer,
            token_match=nlp.Defaults.token_match,
            url_match=nlp.Defaults.url_match,
        )

    return tokenizer_factory
