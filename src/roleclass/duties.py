"""Stage 3: split clean text into duty statements, each a span with its section.

A spaCy component (``roleclass_statements``) made with ``@Language.factory`` so the
pipeline is plain spaCy: it writes ``doc.spans["statements"]`` with the extensions
``section``, ``weight``, ``base_weight`` (the weight before the section's) and
``activities`` on each span (kept in one table on the Doc: ``attributes.py``). Pipelines
are blank (no model is downloaded) and built on first use, never at import.

A statement is a list item or line, split further into sentences when a line holds
several. Headings are not statements; they switch the section of what follows.

The component takes its lexicons as factory config, as negspacy takes its termsets:
``sections`` (headings, keywords, weights, boilerplate) and ``activities`` (the words of
counted activities), in the shape of ``lexicons/sections.toml`` and
``lexicons/activities.toml`` and checked the same way; ``None`` means the package's.
``pipeline()`` passes the package's explicitly, so ``nlp.config`` shows what it reads::

    nlp.add_pipe("roleclass_statements", config={"sections": {...}, "activities": None})
"""

from __future__ import annotations

import itertools
import operator
import threading
from bisect import bisect_right
from functools import lru_cache
from typing import Any

import spacy
from spacy.attrs import LANG, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from roleclass.attributes import (
    StatementAttributes,
    StatementList,
    attribute_table,
    remember_in_order,
    remember_lines,
)
from roleclass.language import SUPPORTED
from roleclass.lexicon import lexicons, validate
from roleclass.quantities import ActivityWords, count_starts, default_words, may_count, parse_activities
from roleclass.sections import default_reader, reader_for
from roleclass.tokens import LEXEME_ATTRS, TEXT_KEY, TokenTable, doc_text, token_table

STATEMENTS_KEY = "statements"
_SPANS_KEY = "roleclass_statement_spans"  # the splitter's own list of the statements, for ``statements``
MIN_STATEMENT_WORDS = 3
ACTIVITY_BOOST = 1.0  # a counted sales/marketing activity doubles a statement's weight
SUPPORTED_LANGUAGES = SUPPORTED  # one list, in language.py
WORDS_PER_DUTY = 12
MIN_DUTY_UNITS, MAX_DUTY_UNITS = 0.5, 3.0
# The longest clean text a pipeline reads. spaCy's default (1,000,000) guards its memory-hungry
# parsers; this blank pipeline needs little per character, and cleaning can lengthen a legal
# posting (list numbering, Unicode normalisation), so the scorer refuses only past this.
MAX_DOC_CHARS = 2_000_000
_STARTS_KEY = "roleclass_sentence_starts"
REFRESH_DOCS = 10_000  # texts read before the pipelines are rebuilt (``_ReadCounter``)


@Language.factory(
    "roleclass_statements",
    default_config={"min_words": MIN_STATEMENT_WORDS, "sections": None, "activities": None},
)
def make_statement_splitter(
    nlp: Language, name: str, min_words: int, sections: dict[str, Any] | None, activities: dict[str, Any] | None
) -> StatementSplitter:
    return StatementSplitter(min_words=min_words, sections=sections, activities=activities)


class StatementSplitter:
    """Cut a Doc into duty statements carrying section, weight and counted activities."""

    def __init__(
        self,
        min_words: int = MIN_STATEMENT_WORDS,
        sections: dict[str, Any] | None = None,
        activities: dict[str, Any] | None = None,
    ) -> None:
        self.min_words = min_words
        source = "config of roleclass_statements"
        self.sections = default_reader() if sections is None else reader_for(validate("sections", sections, source))
        self.activities = (
            default_words() if activities is None else ActivityWords.from_lexicon(validate("activities", activities, source))
        )

    def __call__(self, doc: Doc) -> Doc:
        spans = StatementList()
        kept: list[StatementAttributes] = []  # each statement's attributes, in the same order
        sections = self.sections
        section = "body"
        text = doc_text(doc)  # Doc.text joins every token: read it once, not per line (50,000-line postings)
        tokens = token_table(doc)
        alpha, idx, ends = tokens.alpha, tokens.idx, tokens.end
        sentence_tokens = doc.user_data.pop(_STARTS_KEY, None)
        if sentence_tokens is None:  # a pipeline of the caller's: the Doc's own boundaries
            sentence_tokens = [i for i, start in enumerate(doc.to_array(SENT_START).tolist() if len(doc) else []) if start == 1]
        counts_at = count_starts(doc, self.activities)
        table = attribute_table(doc)  # what the span extensions read (attributes.py)
        lines = []  # (start, end, heading kind) of each non-blank line, for the duty detector
        for line_start, line_end in _line_ranges(text):
            line = text[line_start:line_end]
            kind = sections.heading_kind(line)
            lines.append((line_start, line_end, kind))
            if kind is not None:
                section = kind
                continue
            for sent_start, sent_end in self._sentences(tokens, len(text), sentence_tokens, line_start, line_end):
                sentence = text[sent_start:sent_end]
                inline = sections.inline_heading(sentence)
                if inline is not None:
                    section = inline[0]
                    sent_start += inline[1]
                found = _trimmed(tokens, *_contracted(tokens, len(text), sent_start, sent_end))
                if found is None:
                    continue
                words = sum(alpha[found[0] : found[1]])
                if words < self.min_words:
                    continue
                span = Span(doc, *found)  # ``doc[a:b]`` without its slice normalising: a third of the time
                activities = parse_activities(span, self.activities, counts_at) if may_count(counts_at, *found) else []
                boilerplate = sections.is_boilerplate(text[idx[found[0]] : ends[found[1] - 1]])  # ``span.text``
                units = _units(words)
                weight = 0.0 if boilerplate else sections.section_weight(section) * units
                base = 0.0 if boilerplate else units  # the weight before the section's (duty_detector.base_weight)
                if activities and any(a.function in ("sales", "marketing") for a in activities):
                    weight *= 1.0 + ACTIVITY_BOOST
                    base *= 1.0 + ACTIVITY_BOOST
                attributes = table[found] = StatementAttributes(section, weight, base, activities)
                spans.append(span)
                kept.append(attributes)
        doc.spans[STATEMENTS_KEY] = spans
        remember_in_order(doc, spans, kept)
        remember_lines(doc, text, sections, lines)
        doc.user_data[_SPANS_KEY] = spans  # ``statements`` hands these on, not new Span objects read back from the group
        return doc

    @staticmethod
    def _sentences(table: TokenTable, n_chars: int, sentence_tokens: list[int], start: int, end: int) -> list[tuple[int, int]]:
        """Sentence ranges inside one line, from the sentencizer's boundaries.

        ``sentence_tokens``: the tokens that start a sentence, in order. A boundary is
        each of them after the first token of ``doc.char_span(start, end, "expand")``
        and within it, found by bisection instead of walking the line's tokens (a test
        compares the walk).
        """
        idx = table.idx
        first = _token_at(table, n_chars, start)
        if first < 0:
            return [(start, end)]
        if start == table.end[first]:  # its trailing space: "expand" starts after it
            first += 1
        last = _token_at(table, n_chars, end - 1)
        bounds: list[tuple[int, int]] = []
        current = start
        for i in sentence_tokens[bisect_right(sentence_tokens, first) : bisect_right(sentence_tokens, last)]:
            bounds.append((current, idx[i]))
            current = idx[i]
        bounds.append((current, end))
        return bounds

    def to_bytes(self, **kwargs: object) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: object) -> StatementSplitter:
        return self


def duty_units(span: Span) -> float:
    """How many duties a statement holds, roughly: long run-on sentences list several.

    LABELING.md counts duties, and postings without bullets pack three or four duties
    into one sentence ("plan the newsletter, run Instagram, write blog posts and
    organise events"), so a statement's weight grows with its length, within bounds.
    """
    return _units(sum(token_table(span.doc).alpha[span.start : span.end]))


def _units(words: int) -> float:
    """``duty_units`` of a statement of this many words."""
    return min(MAX_DUTY_UNITS, max(MIN_DUTY_UNITS, words / WORDS_PER_DUTY))


def _line_ranges(text: str) -> list[tuple[int, int]]:
    ranges, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            ranges.append((start, end))
        start = end + 1
    return ranges


def _token_at(table: TokenTable, n_chars: int, char: int) -> int:
    """The token whose text or trailing space holds the character ``char``, or -1 (spaCy's ``token_by_char``)."""
    return bisect_right(table.idx, char) - 1 if 0 <= char < n_chars else -1


def _contracted(table: TokenTable, n_chars: int, start: int, end: int) -> tuple[int, int]:
    """The tokens of ``doc.char_span(start, end, alignment_mode="contract")``: (first, last + 1),
    empty (first >= last + 1) where spaCy gives None; found by bisection, without a Span."""
    first, last = _token_at(table, n_chars, start), _token_at(table, n_chars, end - 1)
    if first < 0 or last < 0:
        return 0, 0
    if table.idx[first] < start:
        first += 1
    if end < table.end[last]:
        last -= 1
    return first, max(first, last + 1)


def _trimmed(table: TokenTable, start: int, end: int) -> tuple[int, int] | None:
    """Tokens ``start:end`` less leading bullet marks and spaces and trailing spaces, so
    offsets frame the words; None when nothing is left."""
    while start < end and (table.space[start] or table.token_text(start) in {"-", "*", "•"}):
        start += 1
    while end > start and table.space[end - 1]:
        end -= 1
    return (start, end) if end > start else None


def pipeline(language: str = "en") -> Language:
    """The blank spaCy pipeline for a language, built once per process on first use.

    Its tokens are spaCy's default tokenizer's; its vocabulary gives a word only the lexical
    attributes roleclass reads (``tokens.LEXEME_ATTRS``: lower case, alpha, punctuation,
    space) and the language, so ``token.like_num`` or ``token.shape_`` read as unset.
    """
    return _pipeline(language)


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES) + 1)
def _pipeline(language: str) -> Language:
    """``pipeline``, built with the tokenizer of ``tokenizer_factory``: spaCy's default
    tokenizer's tokens, with searches that try only what can match (a long run without a
    space costs no more than spaCy's own, and cleaning breaks runs of over 200 characters)
    and cached across postings."""
    from roleclass.tokenizer_factory import blank_config

    nlp = spacy.blank(language if language in SUPPORTED_LANGUAGES else "en", config=blank_config())
    # A word the vocabulary has not seen gets the attributes the token table reads, not spaCy's 22
    # (its shape, prefix, suffix, norm, stop word, number and URL likeness...): about 12 against
    # 4 microseconds a new word (bench/bench_lexemes.py), and a stream of distinct postings
    # brings tens a posting. A Doc of this pipeline reads as spaCy's for those attributes only
    # (and its language: ``Vocab.lang`` asks the LANG getter).
    getters = nlp.vocab.lex_attr_getters
    nlp.vocab.lex_attr_getters = {attr: getters[attr] for attr in (*LEXEME_ATTRS, LANG)}
    nlp.max_length = MAX_DOC_CHARS
    nlp.add_pipe("sentencizer")
    lexicon = lexicons()
    nlp.add_pipe("roleclass_statements", config={"sections": lexicon.sections, "activities": lexicon.activities})
    return nlp


def statements(text: str, language: str = "en") -> tuple[Doc, list[Span]]:
    """Parse clean text and return the Doc and its duty statements."""
    _READS.count()
    nlp = pipeline(language)
    doc = nlp.make_doc(text)
    doc.user_data[TEXT_KEY] = text  # the components read it instead of re-joining the tokens
    for name, component in nlp.pipeline:
        if name == "sentencizer":  # the same boundaries from the token table (the Doc keeps none)
            doc.user_data[_STARTS_KEY] = sentence_start_tokens(token_table(doc), component.punct_chars)
            continue
        doc = component(doc)
    spans = doc.user_data.pop(_SPANS_KEY, None)
    return doc, spans if spans is not None else list(doc.spans[STATEMENTS_KEY])


class _ReadCounter:
    """Rebuilds the pipelines after every ``REFRESH_DOCS`` texts read, so memory stays flat.

    A spaCy vocabulary keeps every string and lexeme it has seen and the tokenizer
    caches every new run of characters: over a catalogue of millions of postings (names,
    links, numbers) the process would grow without bound. A rebuilt pipeline tokenizes
    exactly as the old one did; rebuilding costs a few tenths of a second.
    """

    def __init__(self) -> None:
        self.read = 0
        self.lock = threading.Lock()

    def count(self) -> None:
        with self.lock:
            self.read += 1
            if self.read < REFRESH_DOCS:
                return
            self.read = 0
        _pipeline.cache_clear()


_READS = _ReadCounter()


def sentence_starts(table: TokenTable, punct_chars: set[str]) -> list[int]:
    """spaCy's ``Sentencizer.predict`` on a token table: 1 where a sentence starts, else -1."""
    starts = [-1] * len(table.idx)
    for i in sentence_start_tokens(table, punct_chars):
        starts[i] = 1
    return starts


def sentence_start_tokens(table: TokenTable, punct_chars: set[str]) -> list[int]:
    """The tokens that start a sentence, in order, by the sentencizer's rule: the first token,
    and after a sentence-final character, the next token that is neither punctuation nor one
    of those characters.

    So a token starts a sentence exactly when it is the first such token after some token
    of those characters: each of those tokens names one start. They are few (a posting's
    full stops), and found by searching the text for their characters, so no token's text
    is made; the walk over every token that spaCy's sentencizer does is not needed.
    """
    n = len(table.idx)
    if not n:
        return []
    finals = _sentence_final_tokens(table, punct_chars)
    final_set, punct = set(finals), table.punct
    found = [0]
    k = 0  # where the last look ahead stopped: a final token before it names the same start
    for j in finals:
        if j < k:
            continue
        k = j + 1
        while k < n and (punct[k] or k in final_set):  # the next token that is neither
            k += 1
        if k < n and k != found[-1]:
            found.append(k)
    return found


def _sentence_final_tokens(table: TokenTable, punct_chars: set[str]) -> list[int]:
    """The tokens whose text is one of ``punct_chars``, in order: with one-character marks (spaCy's
    are), the one-character tokens whose character is one, read with passes that iterate in C."""
    if any(len(char) != 1 for char in punct_chars):
        return [i for i, text in enumerate(table.text) if text in punct_chars]
    single = list(itertools.compress(range(len(table.idx)), map((1).__eq__, map(operator.sub, table.end, table.idx))))
    characters = table.characters_at(list(map(table.idx.__getitem__, single)))
    return list(itertools.compress(single, map(punct_chars.__contains__, characters)))
