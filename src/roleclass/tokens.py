"""One read of a Doc's tokens, shared by every stage that walks them.

Iterating a spaCy Doc makes a Python ``Token`` object per token per pass; statements,
features, act features, counted activities and duty units each walked every
statement's tokens again, so a posting's tokens were built five times over. This
table reads the attributes those stages use once per Doc, from ``Doc.to_array``: the
same values ``Token.idx``, ``.is_alpha``, ``.is_punct``, ``.is_space`` and the hash of
``.lower_`` give, and the token texts as slices of the Doc's text, made only when a stage
asks for them (scoring does not).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from functools import cached_property

import numpy as np
from spacy.attrs import IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, LENGTH, LOWER
from spacy.lang.lex_attrs import lower as str_lower  # spaCy's LOWER of a word: ``str.lower()`` of it
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

_KEY = "roleclass_tokens"
# The lexical attributes a token table reads (``IDX`` and ``LENGTH`` are the token's own): the
# only ones roleclass's pipelines compute for a new word (``duties.pipeline``)
LEXEME_ATTRS = (IS_ALPHA, IS_PUNCT, IS_SPACE, LOWER)
TEXT_KEY = "roleclass_text"  # the Doc's text when the caller knows it (Doc.text joins every token)


class TokenTable:
    """Per-token attributes of one Doc, indexed by token position.

    The token texts and their lower case (``text``, ``lower``) are made on first use: the
    scoring path reads tokens by offset (``idx``, ``end``), by spaCy's hash of the lower case
    (``lower_hash``, for look-ups) and by their flags, and making a string per token twice
    over was a tenth of a posting's non-tokenizer time. Training's feature definitions read
    the strings.
    """

    def __init__(
        self, source: str, idx: list[int], end: list[int], alpha: list[bool], punct: list[bool], space: list[bool],
        lower_hash: list[int], starts: np.ndarray, ends: np.ndarray, skipped: np.ndarray,
    ) -> None:
        self.source = source  # the Doc's text, which ``idx`` and ``end`` index
        self.idx = idx
        self.end = end  # each token's end offset (``idx`` + its length)
        self.alpha = alpha
        self.punct = punct
        self.space = space
        self.lower_hash = lower_hash  # the hash (spaCy's, ``get_string_id``) of ``str.lower()`` of each token's text
        self.starts = starts  # int64 arrays of the same offsets and flags, for the stages that read
        self.ends = ends  # a whole Doc at once (``known_features``)
        self.skipped = skipped  # bool: a space or punctuation token

    @cached_property
    def text(self) -> list[str]:
        """Each token's text (``Token.text``): a slice of the Doc's text."""
        source = self.source
        return [source[a:b] for a, b in zip(self.idx, self.end, strict=True)]

    @cached_property
    def lower(self) -> list[str]:
        """Each token's text lower-cased (``Token.lower_``)."""
        return [t.lower() for t in self.text]

    def token_text(self, i: int) -> str:
        """Token ``i``'s text, without making every token's."""
        return self.source[self.idx[i] : self.end[i]]

    def token_lower(self, i: int) -> str:
        """Token ``i``'s lower case, without making every token's."""
        return self.token_text(i).lower()

    def characters_at(self, offsets: Sequence[int]) -> Sequence[str]:
        """The Doc's text's characters at these offsets (``idx``: each token's first; none is
        empty), read in one C call."""
        if len(offsets) == 1:  # ``itemgetter`` of one item gives it bare, not in a tuple
            return [self.source[offsets[0]]]
        return operator.itemgetter(*offsets)(self.source) if offsets else []


def doc_text(doc: Doc) -> str:
    """The Doc's text, without re-joining its tokens when ``duties.statements`` stored it."""
    text = doc.user_data.get(TEXT_KEY)
    return text if text is not None else doc.text


def span_text(span: Span) -> str:
    """``span.text`` as a slice of the Doc's text: the same string, without a Token object
    per token (spaCy's ``Span.text`` joins each token's ``text_with_ws``)."""
    return doc_text(span.doc)[span.start_char : span.end_char]


def token_table(doc: Doc) -> TokenTable:
    """The Doc's token table, built on first use and kept in ``doc.user_data``."""
    table = doc.user_data.get(_KEY)
    if table is None:
        read = doc.to_array([IDX, LENGTH, *LEXEME_ATTRS]) if len(doc) else np.zeros((0, 6), np.uint64)
        array = read[:, :5].astype(np.int64)
        ends = array[:, 0] + array[:, 1]
        flags = array[:, 2:].astype(bool)  # ``tolist`` of a bool array gives Python bools, in C
        table = TokenTable(
            doc_text(doc),
            array[:, 0].tolist(),
            ends.tolist(),
            flags[:, 0].tolist(),
            flags[:, 1].tolist(),
            flags[:, 2].tolist(),
            read[:, 5].tolist(),
            array[:, 0],
            ends,
            (array[:, 3] | array[:, 4]).astype(bool),
        )
        if doc.vocab.lex_attr_getters.get(LOWER) is not str_lower:  # a vocabulary of the caller's, lower-casing its own way
            table.lower_hash = [get_string_id(word) for word in table.lower]
        doc.user_data[_KEY] = table
    return table
