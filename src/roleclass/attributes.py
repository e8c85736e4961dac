"""What the statement splitter says of each statement, in one table on its Doc.

A statement span carries four extensions: ``section``, ``weight``, ``base_weight``
(the weight before the section's) and ``activities``. Registered with spaCy's
``default=``, each read went through a new ``Underscore`` object and a keyed lookup in
``doc.user_data``: about 2 microseconds, and a posting's statements were read a dozen
times each (splitter, duty detector, scorer), a twentieth of its scoring time. Here the
four live in one ``StatementAttributes`` per span, in a table kept in ``doc.user_data``;
the extensions are a getter and a setter over that table, so ``span._.section`` reads
and writes the same value, and the pipeline's own stages read the table directly.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from spacy.tokens import Doc, Span

TABLE_KEY = "roleclass_statement_attributes"
LIST_KEY = "roleclass_statement_attribute_list"  # the splitter's statements and their attributes, in order
LINES_KEY = "roleclass_line_kinds"  # the splitter's non-blank lines with their heading kinds, and its section reader


@dataclass(slots=True)
class StatementAttributes:
    """One statement's section, weight, weight before the section's, and counted activities."""

    section: str = "body"
    weight: float = 0.0
    base_weight: float | None = None
    activities: list[Any] | None = None  # quantities.Activity


def attribute_table(doc: Doc) -> dict[tuple[int, int], StatementAttributes]:
    """The Doc's table of statement attributes, by (start, end) token of the span."""
    table = doc.user_data.get(TABLE_KEY)
    if table is None:
        table = doc.user_data[TABLE_KEY] = {}
    return table


def statement_attributes(span: Span) -> StatementAttributes:
    """The span's attributes, made with the defaults on first use."""
    table = attribute_table(span.doc)
    key = (span.start, span.end)
    found = table.get(key)
    if found is None:
        found = table[key] = StatementAttributes()
    return found


class StatementList(list[Span]):
    """The splitter's list of statements: a list that can be referred to weakly, so its Doc can
    keep the attributes in the list's order beside a reference to it without a cycle (a Doc
    held by a cycle lives until a collection, not until its chunk is done)."""


def remember_in_order(doc: Doc, spans: StatementList, attributes: list[StatementAttributes]) -> None:
    """Keep the splitter's list of statements with their attributes in the same order, so
    ``attributes_of`` that list is one look-up, not one per statement."""
    doc.user_data[LIST_KEY] = (weakref.ref(spans), attributes)


def attributes_of(spans: Sequence[Span]) -> list[StatementAttributes]:
    """``statement_attributes`` of each span: the splitter's own list as it kept it
    (``remember_in_order``; a posting's statements are read this way three or four times),
    others one by one."""
    if not spans:
        return []
    kept = spans[0].doc.user_data.get(LIST_KEY)
    if kept is not None and kept[0]() is spans and len(kept[1]) == len(spans):
        return kept[1]
    return [statement_attributes(span) for span in spans]


def remember_lines(doc: Doc, text: str, reader: object, lines: list[tuple[int, int, str | None]]) -> None:
    """Keep the splitter's non-blank lines of ``text`` (start, end, heading kind by ``reader``), so
    the duty detector, which reads the same lines, does not split the text and ask each kind again."""
    doc.user_data[LINES_KEY] = (text, reader, lines)


def lines_of(doc: Doc, text: str, reader: object) -> list[tuple[int, int, str | None]] | None:
    """The lines ``remember_lines`` kept, when they are lines of ``text`` with ``reader``'s kinds;
    None otherwise."""
    kept = doc.user_data.get(LINES_KEY)
    return kept[2] if kept is not None and kept[1] is reader and kept[0] == text else None


def _register() -> None:
    """The four Span extensions, as views of the table (registered once per process)."""
    for attribute in fields(StatementAttributes):
        name = attribute.name
        if Span.has_extension(name):
            continue
        Span.set_extension(
            name,
            getter=lambda span, name=name: getattr(statement_attributes(span), name),
            setter=lambda span, value, name=name: setattr(statement_attributes(span), name, value),
        )


_register()
