"""Reading CSV, TSV and JSON Lines one record at a time, so a bad record costs one row.

CSV and TSV are read with the csv module from a binary stream, line by line: a line
that is not UTF-8 makes its row an ``undecodable`` error, a record that cannot be
parsed (an unterminated quote) becomes an error row made of its first line and reading
resumes on the next line, and a record over ``MAX_RECORD_CHARS`` is read through and
kept as an error row with its id and title. JSON Lines are read the same way, one
object per line, the text column named from the first object.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Sequence
from typing import IO, Any

from roleclass.errors import InputError
from roleclass.rows import (
    ID_COLUMN,
    TEXT_COLUMNS,
    TITLE_COLUMN,
    Columns,
    Row,
    make_row,
    resolve_columns,
    title_value,
)

MAX_RECORD_CHARS = 4_000_000  # a CSV record or JSON line longer than this is an error row
JSONL_PEEK_LINES = 1000  # lines read ahead to find the first object (to name the text column)
OVERSIZED_HEAD_BYTES = 1 << 16  # of a record too large, this much is parsed for its id and title
SNIFFED_DELIMITERS = (",", ";", "\t", "|")
TOO_LARGE = "field too large"
SURROGATE = re.compile("[\udc80-\udcff]")


class _Lines:
    """Numbered text lines from a binary stream, decoded one by one, with push-back.

    A line that is not UTF-8 is decoded with surrogate escapes (and flagged by the
    row that holds it); a line longer than MAX_RECORD_CHARS is read through and
    returned as None.
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self._back: list[tuple[int, str | None]] = []
        self.number = 0
        self.oversized_head = ""  # the start of the last line too long to keep (for its id and title)

    def _raw(self) -> bytes | None:
        line = self._handle.readline(MAX_RECORD_CHARS + 1)
        if not line:
            raise StopIteration
        if len(line) > MAX_RECORD_CHARS and not line.endswith(b"\n"):
            self.oversized_head = line[:OVERSIZED_HEAD_BYTES].decode("utf-8", "replace")
            while True:  # read the rest of the oversized line and drop it
                rest = self._handle.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    return None
        return line

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> tuple[int, str | None]:
        if self._back:
            return self._back.pop()
        raw = self._raw()
        self.number += 1
        if raw is None:
            return self.number, None
        if self.number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            return self.number, raw.decode("utf-8")
        except UnicodeDecodeError:
            return self.number, raw.decode("utf-8", "surrogateescape")

    def push_back(self, lines: list[tuple[int, str | None]]) -> None:
        self._back.extend(reversed(lines))


class _RecordTooLarge(Exception):
    pass


def csv_dialect(fmt: str, delimiter: str | None = None) -> dict[str, Any]:
    default = "\t" if fmt == "tsv" else ","
    return {"delimiter": delimiter or default, "quotechar": '"', "doublequote": True}


def sniff_delimiter(header: str) -> str:
    """The separator of a CSV header line: the most frequent of , ; tab | outside quotes
    (a German Excel export uses ';'); ',' when none appears."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside.count(d) for d in SNIFFED_DELIMITERS}
    best = max(SNIFFED_DELIMITERS, key=lambda d: counts[d])  # ties: the first, ','
    return best if counts[best] else ","


def check_delimiter(delimiter: str | None) -> str | None:
    """'\\t' and 'tab' spelled out mean a tab; a delimiter is one character, not a quote."""
    if delimiter is None:
        return None
    delimiter = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(delimiter, delimiter)
    if len(delimiter) != 1 or delimiter in ('"', "\n", "\r"):
        raise InputError(
            f"--delimiter must be one character other than a quote or newline, not {delimiter!r}"
        )
    return delimiter


def _csv_records(
    lines: _Lines, fmt: str, delimiter: str | None = None
) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(first line number, fields, error) per record; a broken record costs its first line."""
    dialect = csv_dialect(fmt, delimiter)
    csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_CHARS + 1))
    while True:
        taken: list[tuple[int, str | None]] = []

        def feed(taken: list[tuple[int, str | None]] = taken) -> Iterator[str]:
            size = 0
            for number, text in lines:
                taken.append((number, text))
                if text is None:
                    raise _RecordTooLarge
                size += len(text)
                if size > MAX_RECORD_CHARS:
                    raise _RecordTooLarge
                yield text

        try:
            fields = next(csv.reader(feed(), strict=True, **dialect))
        except StopIteration:
            return
        except (csv.Error, _RecordTooLarge) as exc:
            first_number, first_text = taken[0]
            lines.push_back(taken[1:])
            if isinstance(exc, _RecordTooLarge):
                head = lines.oversized_head if first_text is None else first_text
                leading = next(csv.reader([head[:OVERSIZED_HEAD_BYTES]], strict=False, **dialect), [])
                yield (
                    first_number,
                    leading,
                    f"{TOO_LARGE}: the record is over {MAX_RECORD_CHARS:,} characters",
                )
                continue
            partial = next(csv.reader([first_text or ""], strict=False, **dialect), [])
            yield first_number, partial, f"malformed CSV record at line {first_number}: {exc}"
            continue
        if not fields:  # a blank line is not a row
            continue
        yield taken[0][0], fields, None


def header_columns(
    header: list[str], wanted: tuple[str | None, str | None, str | None], name: str
) -> Columns:
    """The text, title and id columns of a table's header (whose names must be unique)."""
    if len(set(header)) != len(header):
        duplicates = sorted({h for h in header if header.count(h) > 1})
        raise InputError(f"{name} has duplicate column names: {', '.join(map(repr, duplicates))}")
    return resolve_columns(header, *wanted)


class CsvReader:
    """CSV or TSV rows from a binary stream, one record at a time."""

    def __init__(
        self,
        handle: IO[bytes],
        fmt: str,
        wanted: tuple[str | None, str | None, str | None],
        name: str,
        delimiter: str | None = None,
    ):
        self._lines = _Lines(handle)
        if delimiter is None and fmt == "csv":
            first = next(self._lines, None)
            if first is not None:
                self._lines.push_back([first])
                delimiter = sniff_delimiter(first[1] or "")
        self.delimiter = delimiter or csv_dialect(fmt)["delimiter"]
        self._records = _csv_records(self._lines, fmt, self.delimiter)
        first = next(self._records, None)
        if first is None:
            raise InputError(f"{name} is empty")
        _, header, error = first
        if error or header is None:
            raise InputError(f"cannot read the header of {name}: {error}")
        if any(SURROGATE.search(h) for h in header):
            raise InputError(f"the header of {name} is not valid UTF-8")
        self.fieldnames = header
        self.columns = header_columns(header, wanted, name)

    def __iter__(self) -> Iterator[Row]:
        width = len(self.fieldnames)
        for number, (_, fields, error) in enumerate(self._records, start=1):
            fields = list(fields or [])
            if error is None and len(fields) != width:
                error = f"ragged row: {len(fields)} fields where the header has {width}"
            if error is None and any(SURROGATE.search(f) for f in fields):
                error = "undecodable bytes: the row is not valid UTF-8"
            fields = [SURROGATE.sub("\ufffd", f) for f in fields[:width]] + [""] * (width - len(fields))
            values = dict(zip(self.fieldnames, fields, strict=True))
            if error is not None and error.startswith(TOO_LARGE):  # only its id and title are kept whole
                keep = (self.columns.id, self.columns.title)
                values = {k: (v if k in keep else "") for k, v in values.items()}
            row = make_row(number, values, self.columns, error)
            if error is not None:
                row.text = None
            yield row


class JsonlReader:
    """JSON Lines rows; the text column is named from the first object."""

    def __init__(self, handle: IO[bytes], wanted: tuple[str | None, str | None, str | None], name: str):
        self._lines = _Lines(handle)
        peeked: list[tuple[int, str | None]] = []
        first_object = None
        for number, text in self._lines:
            peeked.append((number, text))
            if text is not None and text.strip():
                try:
                    value = json.loads(text)
                except ValueError:
                    value = None
                if isinstance(value, dict):
                    first_object = value
                    break
            if len(peeked) >= JSONL_PEEK_LINES:
                break
        self._lines.push_back(peeked)
        if not any(text is None or text.strip() for _, text in peeked):
            raise InputError(f"{name} is empty")
        text_col, title_col, id_col = wanted
        self.first_keys: list[str] = list(first_object) if first_object is not None else []
        if first_object is not None:
            self.columns = resolve_columns(list(first_object), text_col, title_col, id_col)
        else:  # no object to learn from: every row is an error anyway
            self.columns = Columns(
                text_col or TEXT_COLUMNS[0], title_col or TITLE_COLUMN, id_col or ID_COLUMN
            )
        self._explicit_text = text_col is not None

    def columns_for(self, values: dict[str, Any]) -> Columns:
        if self._explicit_text or self.columns.text in values:
            return self.columns
        for name in TEXT_COLUMNS:  # a row that names its text the other default way
            if name in values:
                return Columns(name, self.columns.title, self.columns.id)
        return self.columns

    def __iter__(self) -> Iterator[Row]:
        number = 0
        for line_number, text in self._lines:
            if text is not None and not text.strip():
                continue
            number += 1
            if text is None:
                values = _json_head_values(self._lines.oversized_head, (self.columns.id, self.columns.title))
                yield Row(
                    number,
                    values,
                    title=title_value(values.get(self.columns.title)) if self.columns.title else None,
                    error=f"{TOO_LARGE}: line {line_number} is over {MAX_RECORD_CHARS:,} characters",
                )
                continue
            undecodable = bool(SURROGATE.search(text))
            try:  # an undecodable line keeps its columns (bad bytes shown as U+FFFD) and an error
                values = json.loads(SURROGATE.sub("\ufffd", text) if undecodable else text)
            except ValueError as exc:
                yield Row(number, {}, error=f"malformed JSON at line {line_number}: {exc}")
                continue
            if not isinstance(values, dict):
                yield Row(
                    number, {}, error=f"line {line_number} is JSON {type(values).__name__}, not an object"
                )
                continue
            error = f"undecodable bytes: line {line_number} is not valid UTF-8" if undecodable else None
            row = make_row(number, values, self.columns_for(values), error)
            if error is not None:
                row.text = None
            yield row


def _json_head_values(head: str, keys: Sequence[str | None]) -> dict[str, Any]:
    """The values of ``keys`` among the top-level members that are complete at the start of
    a JSON object too large to parse (its id and title, which usually come before the text)."""
    decoder = json.JSONDecoder()
    wanted = {k for k in keys if k is not None}
    found: dict[str, Any] = {}
    position = len(head) - len(head.lstrip())
    if not head.startswith("{", position):
        return found
    position += 1
    try:
        while wanted - set(found):
            key, position = decoder.raw_decode(head, _skip(head, position))
            position = _skip(head, position)
            if not head.startswith(":", position):
                break
            value, position = decoder.raw_decode(head, _skip(head, position + 1))
            if key in wanted and isinstance(value, (str, int, float)):
                found[key] = value
            position = _skip(head, position)
            if not head.startswith(",", position):
                break
            position += 1
    except ValueError:  # the member cut off by the size limit
        pass
    return found


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position
