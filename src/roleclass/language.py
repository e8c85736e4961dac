"""Language detection: the model reads English and German, and says so for anything else.

py3langid (a maintained fork of langid.py) ships its model inside the package, so
nothing is downloaded; the identifier is restricted to the languages job boards in
our data carry, which makes short texts far less error-prone. Never give a confident
verdict on text the model cannot read: other languages get an explicit status.

The restricted model is read from roleclass's own pack of py3langid's arrays
(``language_pack``): the same identifier, without unpacking py3langid's whole LZMA model
or holding its 40 MB automaton. It reads two short windows of a posting, and the
scorer hands it a whole chunk of postings at once (``detect_languages``): its cost is
mostly the fixed cost of a few dozen array operations, paid once per chunk.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from roleclass.labels import SUPPORTED_LANGUAGES

if TYPE_CHECKING:
    from roleclass.language_pack import PackedIdentifier

SUPPORTED = SUPPORTED_LANGUAGES
CANDIDATES = ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "no", "fi", "cs", "tr", "ru", "ar", "he", "zh", "ja"]
SAMPLE_CHARS = 2000
# Two short windows read first (issue 12): the opening and a stretch further in. When they
# agree, that is the language; when they don't (an English company blurb over a German
# posting), the whole sample decides, as it always did. Over the 2,013 postings of
# ../shared/realdata and our corpus no language changed (`bench/language_windows.py`); it
# reads 800 characters instead of 2,000 for most postings.
WINDOW_CHARS = 400
SECOND_WINDOW_AT = 1000
MIN_LETTERS = 20  # below this, detection is noise: assume English
FIRST_LOOK_CHARS = 100  # where ``too_few_letters`` counts first: nearly every posting has enough there


_LOCK = threading.Lock()
_LOADED: list[PackedIdentifier] = []


def _identifier() -> PackedIdentifier:
    """The identifier over CANDIDATES, loaded once per process from the package's language pack."""
    if not _LOADED:
        with _LOCK:
            if not _LOADED:
                from roleclass import language_pack

                arrays = language_pack.read_arrays(language_pack.pack_path())
                if set(arrays["classes"].tolist()) != set(CANDIDATES):
                    raise RuntimeError("the language pack is not built for language.CANDIDATES: rebuild it "
                                       "with `python -m roleclass.language_pack`")
                _LOADED.append(language_pack.identifier(arrays))
    return _LOADED[0]


def preload() -> None:
    """Start loading the identifier in a background thread.

    The model is unpacked (zlib, which releases the GIL) while the caller loads
    the roleclass model and builds the spaCy pipeline, so a cold ``roleclass score``
    does not wait for the two one after the other.
    """
    if not _LOADED:
        threading.Thread(target=_identifier, name="roleclass-langid", daemon=True).start()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ("en" for text too short to tell)."""
    return detect_languages([text])[0]


def too_few_letters(text: str) -> bool:
    """Too few letters in the sample to tell a language: read as English."""
    return all(sum(map(str.isalpha, text[:chars])) < MIN_LETTERS for chars in (FIRST_LOOK_CHARS, SAMPLE_CHARS))


def windows(text: str) -> tuple[str, str] | None:
    """The two windows read first (the opening, and a stretch further in), or None for a
    text too short for both: it is read whole."""
    if len(text) < SECOND_WINDOW_AT + WINDOW_CHARS:
        return None
    return text[:WINDOW_CHARS], text[SECOND_WINDOW_AT : SECOND_WINDOW_AT + WINDOW_CHARS]


def detect_languages(texts: list[str]) -> list[str]:
    """``detect_language`` of each text, every window of them identified in one pass.

    Two windows that agree decide; otherwise (and for a text too short for two) the
    first ``SAMPLE_CHARS`` characters do. Each text's answer is the one it gets alone:
    the identifier counts each window's n-grams apart (``PackedIdentifier.classify_many``).
    """
    codes: list[str | None] = ["en" if too_few_letters(text) else None for text in texts]
    pairs = {i: pair for i, text in enumerate(texts) if codes[i] is None and (pair := windows(text)) is not None}
    whole = [i for i, code in enumerate(codes) if code is None and i not in pairs]
    if pairs:
        found = [code for code, _ in _identifier().classify_many([w for pair in pairs.values() for w in pair])]
        for k, i in enumerate(pairs):
            if found[2 * k] == found[2 * k + 1]:
                codes[i] = found[2 * k]
            else:
                whole.append(i)
    if whole:
        whole.sort()
        samples = [texts[i][:SAMPLE_CHARS] for i in whole]
        for i, (code, _) in zip(whole, _identifier().classify_many(samples), strict=True):
            codes[i] = code
    return [str(code) for code in codes]


def is_supported(language: str) -> bool:
    return language in SUPPORTED
