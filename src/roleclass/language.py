"""Language detection: the model reads English and German, and says so for anything else.

py3langid (a maintained fork of langid.py) ships its model inside the package, so
nothing is downloaded; the identifier is restricted to the languages job boards in
our data carry, which makes short texts far less error-prone. Never give a confident
verdict on text the model cannot read: other languages get an explicit status.
"""

from __future__ import annotations

import threading

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from roleclass.labels import SUPPORTED_LANGUAGES

SUPPORTED = SUPPORTED_LANGUAGES
CANDIDATES = ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "no", "fi", "cs", "tr", "ru", "ar", "he", "zh", "ja"]
SAMPLE_CHARS = 2000
MIN_LETTERS = 20  # below this, detection is noise: assume English


_LOCK = threading.Lock()
_LOADED: list[LanguageIdentifier] = []


def _identifier() -> LanguageIdentifier:
    """The identifier, loaded once per process (its LZMA-packed model takes a few tenths of a second)."""
    if not _LOADED:
        with _LOCK:
            if not _LOADED:
                identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
                identifier.set_languages(CANDIDATES)
                _LOADED.append(identifier)
    return _LOADED[0]


def preload() -> None:
    """Start loading the identifier in a background thread.

    The model is decompressed (LZMA, which releases the GIL) while the caller loads
    the roleclass model and builds the spaCy pipeline, so a cold ``roleclass score``
    does not wait for the two one after the other.
    """
    if not _LOADED:
        threading.Thread(target=_identifier, name="roleclass-langid", daemon=True).start()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ("en" for text too short to tell)."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return "en"
    code, _ = _identifier().classify(sample)
    return str(code)


def is_supported(language: str) -> bool:
    return language in SUPPORTED
