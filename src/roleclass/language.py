"""Language detection: the model reads English and German, and says so for anything else.

py3langid (a maintained fork of langid.py) ships its model inside the package, so
nothing is downloaded; the identifier is restricted to the languages job boards in
our data carry, which makes short texts far less error-prone. Never give a confident
verdict on text the model cannot read: other languages get an explicit status.
"""

from __future__ import annotations

from functools import lru_cache

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

SUPPORTED = ("en", "de")
CANDIDATES = [
    "en",
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "pt",
    "pl",
    "sv",
    "da",
    "no",
    "fi",
    "cs",
    "tr",
    "ru",
    "ar",
    "he",
    "zh",
    "ja",
]
SAMPLE_CHARS = 2000
MIN_LETTERS = 20  # below this, detection is noise: assume English


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(CANDIDATES)
    return identifier


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ("en" for text too short to tell)."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return "en"
    code, _ = _identifier().classify(sample)
    return str(code)


def is_supported(language: str) -> bool:
    return language in SUPPORTED
