"""One read of a Doc's tokens, shared by every stage that walks them.

Iterating a spaCy Doc makes a Python ``Token`` object per token per pass; statements,
features, act features, counted activities and duty units each walked every
statement's tokens again, so a posting's tokens were built five times over. This
table reads the attributes those stages use once per Doc, from ``Doc.to_array``, and
the token texts as slices of the Doc's text: the same values ``Token.text``,
``.idx``, ``.is_alpha``, ``.is_punct`` and ``.is_space`` give.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spacy.attrs import IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, LENGTH
from spacy.tokens import Doc, Span

_KEY = "roleclass_tokens"
TEXT_KEY = "roleclass_text"  # the Doc's text when the caller knows it (Doc.text joins every token)


@dataclass(frozen=True)
class TokenTable:
    """Per-token attributes of one Doc, indexed by token position."""

    text: list[str]
    idx: list[int]
    alpha: list[bool]
    punct: list[bool]
    space: list[bool]
    lower: list[str]  # each token's text lower-cased, read by features and counted activities
    starts: np.ndarray  # int64 arrays of the same offsets and flags, for the stages that read
    ends: np.ndarray  # a whole Doc at once (``known_features``)
    skipped: np.ndarray  # bool: a space or punctuation token


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
        text = doc_text(doc)
        array = doc.to_array([IDX, LENGTH, IS_ALPHA, IS_PUNCT, IS_SPACE]).astype(np.int64) if len(doc) else np.zeros((0, 5), np.int64)
        idx, length = array[:, :2].T.tolist()
        flags = array[:, 2:].astype(bool)  # ``tolist`` of a bool array gives Python bools, in C
        texts = [text[i : i + n] for i, n in zip(idx, length, strict=True)]
        table = TokenTable(
            texts,
            idx,
            flags[:, 0].tolist(),
            flags[:, 1].tolist(),
            flags[:, 2].tolist(),
            [t.lower() for t in texts],
            array[:, 0],
            array[:, 0] + array[:, 1],
            (array[:, 3] | array[:, 4]).astype(bool),
        )
        doc.user_data[_KEY] = table
    return table
