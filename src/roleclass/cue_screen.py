"""Which of a set of cue regexes can match a statement, without running them all.

The duty detector asks 18 cue regexes of every statement and the duty model 19 more,
and Python's regex engine scans the whole statement for each: a third of a posting's
scoring time, although a cue is found in few statements. Nearly every cue alternative
starts with ``\\b`` and a word ("quota", "we", "unser\\w*"), so a match can only begin
where a word of the statement begins with that word's letters. A ``CueScreen`` reads
those leading letters out of each regex once (``leading_words``), and per statement it
looks up the statement's words to find the cues that *may* match; only those regexes
run. The answer is exactly the regexes' answer:

- an alternative may also start with one of a few caseless non-word characters
  ("[$€£]\\s?\\d"): then the text must hold one of them;
- a cue with an alternative that starts neither way is never screened out (it always runs);
- a statement holding a character that case-insensitive matching treats differently
  from ``str.lower`` ("İ", "ſ", "ı", Greek and Cyrillic variants: ``_CASE_SPECIAL``)
  runs every regex.

The regexes that do run, run case-sensitively on the lower-cased text where that is the
same (``lowered_twin``): ignoring case made ``re`` fold every character it tried. And the
screens share one layout of bits (``_SharedLayout``): the boilerplate, duty-detector and
duty-model screens all ask about each statement, and its words are looked up once for all.

``tests/test_cue_screen.py`` checks both rules against the regexes on the corpus and on
generated text.
"""

from __future__ import annotations

import operator
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache, reduce
from typing import NamedTuple

try:  # Python 3.11+
    from re import _casefix as _casefix_module
    from re import _constants as _sre_constants
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older layout
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

    _casefix_module = None  # type: ignore[assignment]

_WORD = re.compile(r"\w+")
# ``_WORD`` on text of Latin-1 characters alone: its word characters listed, which ``re`` checks
# by a table, where ``\w`` asks each character's category
_LATIN1_WORD = re.compile("[" + re.escape("".join(c for c in map(chr, range(256)) if _WORD.match(c))) + "]+")
BEYOND_LATIN1 = re.compile("[\u0100-\U0010ffff]")  # a character past Latin-1 (a class scans faster than ``max``)
# What makes alternatives of one regex behave unlike the same patterns compiled apart: a
# reference to a group by number or name, or a conditional on one (numbers and names change
# when patterns are joined, or some of them taken apart).
GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
_AT, _AT_BOUNDARY = _sre_constants.AT, _sre_constants.AT_BOUNDARY
_LITERAL, _SUBPATTERN, _BRANCH = _sre_constants.LITERAL, _sre_constants.SUBPATTERN, _sre_constants.BRANCH
_REPEATS = (_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT)
DIGIT = "\x00digit"  # the leading "letters" of a match that starts with a digit: no text word holds \x00
CHAR = "\x01"  # CHAR + "$": a match that starts at the (non-word) character "$" of the text


def _starts_with_digit(op: object, av: object) -> bool:
    r"""``\d`` or ``\d+`` (a repeat of at least one digit)."""
    if op in _REPEATS and av[0] >= 1 and len(av[2]) == 1:  # type: ignore[index,arg-type]
        op, av = av[2][0]  # type: ignore[index]
    return op is _sre_constants.IN and av == [(_sre_constants.CATEGORY, _sre_constants.CATEGORY_DIGIT)]


def _leading_chars(op: object, av: object) -> frozenset[str] | None:
    r"""The characters a pattern item matches when it is a literal or a set of literals (``$``,
    ``[$€£]``) that are no word characters and have no case: a match that begins with it
    begins at one of them, whether or not the pattern ignores case. None otherwise."""
    if op is _LITERAL:
        items = [(op, av)]
    elif op is _sre_constants.IN:
        items = av  # type: ignore[assignment]
    else:
        return None
    chars = set()
    for item_op, value in items:  # type: ignore[attr-defined]
        if item_op is not _LITERAL or not isinstance(value, int):
            return None  # a range, a category, a negated set: too wide to screen on
        char = chr(value)
        if _WORD.fullmatch(char) or char in _CASE_SPECIAL or not char.lower() == char == char.upper():
            return None
        chars.add(char)
    return frozenset(chars)


def _case_special() -> frozenset[str]:
    """Characters for which ``re.IGNORECASE`` and ``str.lower`` disagree.

    sre matches ``c`` to a pattern letter ``x`` when their simple lower cases are equal
    or when the two are one of its extra case pairs (``re._casefix``: "s"/"ſ", "i"/"ı",
    Greek and Cyrillic variants); ``str.lower`` turns "İ" into two characters.
    """
    chars = {"\u0130"}
    extra = getattr(_casefix_module, "_EXTRA_CASES", None)
    if extra is None:  # pragma: no cover - keep the rule conservative without the table
        chars |= {"ı", "ſ", "K", "µ", "ͅ", "ẛ", "ﬅ", "ﬆ", "ϐ", "ϵ", "ϑ", "ϰ", "ϖ", "ϱ", "ς", "ϕ"}
    else:
        for key, values in extra.items():
            chars.add(chr(key))
            chars.update(chr(v) for v in values)
    # ASCII letters ("s", "i") are in the table as partners of "ſ" and "ı"; a text's "s"
    # is screened correctly against a pattern's "s", so only the non-ASCII ones are special.
    # (A pattern whose leading letters hold a special character is never screened.)
    return frozenset(c for c in chars if not c.isascii())


_CASE_SPECIAL = _case_special()
# Whether a text holds one: a class of them scans a statement faster than ``isdisjoint`` (bench/bench_regex_forms.py)
_HAS_CASE_SPECIAL = re.compile("[" + "".join(map(re.escape, sorted(_CASE_SPECIAL))) + "]")


# A path through a regex's opening: (letters read so far, whether a \b came first,
# whether the word is known to end right after the letters).
_Path = tuple[str, bool, bool]


def _walk(items: Iterable[tuple[object, object]], paths: set[_Path]) -> tuple[set[_Path], set[_Path]]:
    """Follow each path over a parsed sequence while it reads word letters.

    Returns (finished paths, paths still open at the sequence's end). A ``\b`` or a
    non-word character right after the letters closes the word: the statement's word
    there is exactly those letters, not merely one starting with them.
    """
    finished: set[_Path] = set()
    for op, av in items:
        if not paths:
            break
        if op is _SUBPATTERN:
            done, paths = _walk(av[-1], paths)  # type: ignore[index]
            finished |= done
            continue
        if op is _BRANCH:
            still_open: set[_Path] = set()
            for branch in av[1]:  # type: ignore[index]
                done, branch_open = _walk(branch, set(paths))
                finished |= done
                still_open |= branch_open
            paths = still_open
            continue
        if op in _REPEATS and av[0] == 0:  # type: ignore[index]
            # "(sales )?pipeline": the pattern goes on without the group, or through it once
            done, taken = _walk(av[2], set(paths))  # type: ignore[index]
            finished |= done
            if av[1] == 1:  # type: ignore[index]
                paths = paths | taken
            else:  # it may repeat: a path that went through it stops here
                finished |= {(letters, boundary, False) for letters, boundary, _ in taken}
            continue
        following: set[_Path] = set()
        for letters, boundary, _ in paths:
            if op is _AT and av is _AT_BOUNDARY and not letters:
                following.add((letters, True, False))
            elif boundary and not letters and _starts_with_digit(op, av):
                finished.add((DIGIT, True, False))  # "\b\d+ years": a word that starts with a digit
            elif not letters and (chars := _leading_chars(op, av)):
                finished.update((CHAR + char, False, True) for char in chars)  # "[$€£]\s?\d": at a "$", "€" or "£"
            elif op is _LITERAL and isinstance(av, int) and (chr(av) in _CASE_SPECIAL or len(chr(av).lower()) != 1):
                finished.add(("", False, False))  # a letter sre folds unlike str.lower ("İ"): cannot screen
            elif op is _LITERAL and isinstance(av, int) and _WORD.fullmatch(chr(av)):
                following.add((letters + chr(av).lower(), boundary, False))
            elif letters and (op is _LITERAL or (op is _AT and av is _AT_BOUNDARY)):
                finished.add((letters, boundary, True))
            else:
                finished.add((letters, boundary, False))
        paths = following
    return finished, paths


def _scoped_ascii(items: Iterable[tuple[object, object]]) -> bool:
    """Whether any group of a parsed pattern turns on ASCII matching (``(?a:...)``)."""
    for op, av in items:
        if op is _SUBPATTERN and (av[1] & re.ASCII or _scoped_ascii(av[-1])):  # type: ignore[index,operator]
            return True
        if op is _BRANCH and any(_scoped_ascii(branch) for branch in av[1]):  # type: ignore[index,union-attr]
            return True
        if op in _REPEATS and _scoped_ascii(av[2]):  # type: ignore[index]
            return True
    return False


@lru_cache(maxsize=256)  # a layout placing a new screen re-reads the regexes placed before
def leading_words(pattern: str, flags: int = 0) -> tuple[frozenset[str], frozenset[str]] | None:
    """(whole words, word starts): every match of ``pattern`` starts at a word of the text
    that is one of the whole words or begins with one of the starts (lower-cased), or at a
    character ``c`` of the lower-cased text for a whole "word" ``CHAR + c``.

    None when some alternative need not start with ``\b`` and a word character or with one
    of a few caseless non-word characters, or its letters hold a ``_CASE_SPECIAL``
    character: such a pattern cannot be screened.
    """
    parsed = _sre_parse.parse(pattern, flags)
    if (parsed.state.flags | flags) & re.ASCII or _scoped_ascii(parsed):
        return None  # \b and \w are ASCII-only there, unlike the screen's words
    finished, still_open = _walk(parsed, {("", False, False)})
    paths = finished | still_open
    if not paths or any(
        not letters or not (boundary or letters.startswith(CHAR)) or not _CASE_SPECIAL.isdisjoint(letters)
        for letters, boundary, _ in paths
    ):
        return None
    whole = frozenset(letters for letters, _, closed in paths if closed)
    starts = frozenset(letters for letters, _, closed in paths if not closed)
    return whole, starts


def _lower_stable(char: str) -> bool:
    """A pattern character that matches a lower-cased text's character exactly where, ignoring
    case, it matches the original's: lower case already, and no special case pair."""
    return char.lower() == char and char not in _CASE_SPECIAL


def _all_lower_stable(items: Iterable[tuple[object, object]]) -> bool:
    r"""Whether every character a parsed pattern names is ``_lower_stable`` (categories such
    as ``\w`` and ``\d`` name none, and the lower-casing keeps them, see ``lowered_twin``)."""
    for op, av in items:
        if op in (_LITERAL, _sre_constants.NOT_LITERAL):
            if not _lower_stable(chr(av)):  # type: ignore[arg-type]
                return False
        elif op is _sre_constants.IN:
            for item_op, value in av:  # type: ignore[attr-defined]
                if item_op in (_LITERAL, _sre_constants.NOT_LITERAL) and not _lower_stable(chr(value)):
                    return False
                if item_op is _sre_constants.RANGE and not all(_lower_stable(chr(c)) for c in range(value[0], value[1] + 1)):
                    return False
        elif op is _SUBPATTERN:
            if not _all_lower_stable(av[-1]):  # type: ignore[index]
                return False
        elif op is _BRANCH:
            if not all(_all_lower_stable(branch) for branch in av[1]):  # type: ignore[index]
                return False
        elif op in _REPEATS:
            if not _all_lower_stable(av[2]):  # type: ignore[index]
                return False
        elif op in (_sre_constants.ASSERT, _sre_constants.ASSERT_NOT):
            if not _all_lower_stable(av[1]):  # type: ignore[index]
                return False
        elif op is _sre_constants.GROUPREF_EXISTS:
            return False
    return True


def lowered_twin(regex: re.Pattern[str]) -> re.Pattern[str] | None:
    r"""A case-sensitive regex that matches the lower-cased text (``str.lower``) exactly where
    ``regex``, which ignores case, matches the text; None when there is no such twin here.

    Ignoring case costs ``re`` a case fold per character tried: the twin finds the same
    matches, at the same offsets, two to three times faster. It is ``regex`` without its
    case-insensitive flag (global, or a ``(?i:...)`` group around the whole pattern), and
    it exists only when every character the pattern names is lower case with no special
    case pair. It holds for a text without a ``_CASE_SPECIAL`` character (``read_statement``
    reads no other): there ``str.lower`` maps each character to one character, the one
    ``re`` folds it to when ignoring case, and keeps what ``\w``, ``\d``, ``\s`` and
    ``\b`` see (``tests/test_cue_screen.py`` checks all of Unicode).
    """
    pattern, flags = regex.pattern, regex.flags
    if flags & re.ASCII:
        return None  # \w and \b are ASCII-only there, and "K" (Kelvin) lower-cases to an ASCII "k"
    if flags & re.IGNORECASE:
        inner, inner_flags = pattern, flags & ~re.IGNORECASE
    else:
        parsed = _sre_parse.parse(pattern, flags)
        whole = len(parsed) == 1 and parsed[0][0] is _SUBPATTERN and parsed[0][1][0] is None
        if not (whole and parsed[0][1][1] & re.IGNORECASE and pattern.startswith("(?i:") and pattern.endswith(")")):
            return None
        inner, inner_flags = pattern[len("(?i:") : -1], flags
    twin_parsed = _sre_parse.parse(inner, inner_flags)
    if _scoped_ascii(twin_parsed) or not _all_lower_stable(twin_parsed):
        return None
    return re.compile(inner, inner_flags)


class _Read(NamedTuple):
    """What every screen reads of a text: its lower-cased words (in order, repeats kept: a set of
    them cost more to make than the repeats cost to look up), and the lower-cased text."""

    words: list[str]
    lowered: str
    masks: dict[int, int]  # the shared layout's mask of this text, by the layout's version (``_SharedLayout``)


@lru_cache(maxsize=1024)  # three screens ask within one posting; a posting has tens of statements
def read_statement(text: str) -> _Read | None:
    """The lower-cased words (``\\w+`` runs) of a text and the text lower-cased; None when
    the text holds a ``_CASE_SPECIAL`` character (then no screening).

    Remembered for the last thousand texts: the boilerplate, duty-detector and duty-model
    screens all ask about each statement.
    """
    if text.isascii():
        words = _LATIN1_WORD
    elif _HAS_CASE_SPECIAL.search(text) is not None:
        return None
    else:
        words = _LATIN1_WORD if BEYOND_LATIN1.search(text) is None else _WORD
    lowered = text.lower()
    return _Read(words.findall(lowered), lowered, {})


# Words remembered with the cues they may start (most words start none); past this many
# they are all forgotten, so a long batch's vocabulary cannot grow the table without end.
MAX_REMEMBERED_WORDS = 200_000
MAX_REMEMBERED_MASKS = 20_000  # likewise each screen's cue lists of the masks seen


def _mask(indices: Iterable[int]) -> int:
    mask = 0
    for i in indices:
        mask |= 1 << i
    return mask


class _Layout:
    """The leading words of a list of regexes (``leading_words``), each regex one bit, and the
    bits each word of a text may start: a word's are worked out once and remembered."""

    def __init__(self, regexes: Sequence[re.Pattern[str]], version: int) -> None:
        self.version = version
        always: list[int] = []
        self.whole: dict[str, list[int]] = {}  # a word that is exactly this (DIGIT: any word starting with a digit)
        self.starts: dict[str, list[int]] = {}  # a word that starts with this
        chars: dict[str, list[int]] = {}  # a (caseless, non-word) character of the text
        for i, regex in enumerate(regexes):
            words = leading_words(regex.pattern, regex.flags)
            if words is None:
                always.append(i)
                continue
            for letters in words[0] | (words[1] & {DIGIT}):
                if letters.startswith(CHAR):
                    chars.setdefault(letters[len(CHAR) :], []).append(i)
                else:
                    self.whole.setdefault(letters, []).append(i)
            for letters in words[1] - {DIGIT}:
                self.starts.setdefault(letters, []).append(i)
        self.start_tuple = tuple(sorted(self.starts))
        self.always_mask = _mask(always)
        self.char_masks = [(char, _mask(bits)) for char, bits in sorted(chars.items())]
        self.word_masks: dict[str, int] = {}  # word -> the regexes it may start, as bits (0: none)

    def word_mask(self, word: str) -> int:
        """The regexes a match may start with at this word of a text, as bits."""
        mask = _mask(self.whole.get(word, ()))
        if word[:1].isdecimal():  # what \d matches
            mask |= _mask(self.whole.get(DIGIT, ()))
        if self.start_tuple and word.startswith(self.start_tuple):  # one C call rules most words out
            for letters, bits in self.starts.items():
                if word.startswith(letters):
                    mask |= _mask(bits)
        return mask

    def mask(self, read: _Read) -> int:
        """The regexes that may match the text ``read`` was read from, as bits."""
        words = read.words
        masks = self.word_masks
        found = list(map(masks.get, words))  # each word's bits, looked up in a C loop
        if None in found:  # words never seen before
            if len(masks) > MAX_REMEMBERED_WORDS:  # start afresh (a new dict: a thread reading the old one is unharmed)
                masks = self.word_masks = {}
            for word in words:
                if word not in masks:
                    masks[word] = self.word_mask(word)
            found = list(map(masks.__getitem__, words))
        mask = reduce(operator.or_, found, self.always_mask)
        if self.char_masks:
            # sre matches a caseless character c only to c itself, even ignoring case: a text
            # char whose (simple) lower case is c, so c is in the lower-cased text (text with a
            # character whose lower case is longer or differs under sre, "İ", runs every regex above)
            lowered = read.lowered
            for char, char_mask in self.char_masks:
                if char in lowered:
                    mask |= char_mask
        return mask


class _SharedLayout:
    """The regexes of every screen in one layout, each screen's a run of bits at its offset.

    The splitter's boilerplate screen, the duty detector's and the duty model's all ask about
    every statement: with one layout a statement's words are looked up once for all three,
    not once each, and each word is remembered once. A screen made again with the same
    regexes (a pipeline rebuilt) gets the same offset; one with new regexes is appended.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offsets: dict[tuple[tuple[str, int], ...], int] = {}
        self._regexes: list[re.Pattern[str]] = []
        self.layout = _Layout([], 0)

    def place(self, regexes: Sequence[re.Pattern[str]]) -> int:
        """The offset of these regexes' bits, placing them when new."""
        key = tuple((regex.pattern, regex.flags) for regex in regexes)
        with self._lock:
            offset = self._offsets.get(key)
            if offset is None:
                offset = self._offsets[key] = len(self._regexes)
                self._regexes.extend(regexes)
                self.layout = _Layout(self._regexes, self.layout.version + 1)
            return offset

    def mask(self, read: _Read) -> int:
        """The text's mask over every placed regex, worked out once per text (kept on ``read``)."""
        layout = self.layout
        mask = read.masks.get(layout.version)
        if mask is None:
            mask = read.masks[layout.version] = layout.mask(read)
        return mask


_SHARED = _SharedLayout()


class CueScreen:
    """Named regexes, and which of them may match a text (``candidates``), exactly."""

    def __init__(self, cues: Sequence[tuple[str, re.Pattern[str]]]) -> None:
        self.cues = list(cues)
        self._offset = _SHARED.place([regex for _, regex in self.cues])
        self._all_mask = _mask(range(len(self.cues)))
        # per cue, the search each text gets: its lowered twin's over the lower-cased text, or its own
        self._twins = [lowered_twin(regex) for _, regex in self.cues]
        self._by_mask: dict[int, tuple[list[int], list[tuple[str, re.Pattern[str], bool]]]] = {}

    def _text_mask(self, text: str) -> int:
        return self._mask_of(read_statement(text))

    def _mask_of(self, read: _Read | None) -> int:
        if read is None:
            return self._all_mask
        return _SHARED.mask(read) >> self._offset & self._all_mask

    def _cues_of(self, mask: int) -> tuple[list[int], list[tuple[str, re.Pattern[str], bool]]]:
        """The cues of a mask, and the regex each runs: (name, its lowered twin or itself, whether
        that reads the lower-cased text)."""
        found = self._by_mask.get(mask)
        if found is None:
            if len(self._by_mask) > MAX_REMEMBERED_MASKS:
                self._by_mask = {}
            indices = [i for i in range(len(self.cues)) if mask >> i & 1]
            runs = [
                (self.cues[i][0], twin, True) if (twin := self._twins[i]) else (self.cues[i][0], self.cues[i][1], False)
                for i in indices
            ]
            found = self._by_mask[mask] = (indices, runs)
        return found

    def candidates(self, text: str) -> list[int]:
        """Indices (in order) of the cues whose regex may match ``text``; the others cannot."""
        return list(self._cues_of(self._text_mask(text))[0])

    def present(self, text: str) -> list[str]:
        """The names of the cues whose regex matches ``text`` (``regex.search``), in order."""
        return [name for name, regex, on in self._runs(text) if regex.search(on)]

    def matches(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(name, start, end) of every match of every cue in ``text``: each cue's ``finditer``, cue by cue."""
        for name, regex, on in self._runs(text):
            for match in regex.finditer(on):
                yield name, match.start(), match.end()

    def _runs(self, text: str) -> list[tuple[str, re.Pattern[str], str]]:
        """The cues that may match ``text``, in order: (name, the regex to run, the text to run it on)."""
        read = read_statement(text)
        if read is None:  # every regex, on the text itself
            return [(name, regex, text) for name, regex in self.cues]
        lowered = read.lowered
        return [(name, regex, lowered if on_lowered else text) for name, regex, on_lowered in self._cues_of(self._mask_of(read))[1]]
