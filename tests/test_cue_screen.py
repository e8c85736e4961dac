"""The cue screen gives exactly the regexes' answers, only faster.

``CueScreen.present`` must name the same cues as running every regex on the text, for
both cue sets (the duty detector's statement cues and the duty model's duty cues), on
every statement of our written postings and on generated text full of the cases the
screen reasons about: case, apostrophes, hyphens, words that merely start like a cue
word, German, and the characters case-insensitive matching treats specially.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from roleclass import cue_screen, duty_detector, features, sections
from roleclass.clean import clean_text
from roleclass.cue_screen import _CASE_SPECIAL, CHAR, DIGIT, CueScreen, leading_words, lowered_twin
from roleclass.data import load_own_postings, repo_root
from roleclass.duties import statements

SCREENS = {
    "statement cues": duty_detector._cue_screen,
    "duty cues": features._cue_screen,
    "boilerplate": lambda: sections.default_reader()._boilerplate_screen,
}


def _by_regex(screen: CueScreen, text: str) -> list[str]:
    return [name for name, regex in screen.cues if regex.search(text)]


def _spans_by_regex(screen: CueScreen, text: str) -> list[tuple[str, int, int]]:
    return [(name, m.start(), m.end()) for name, regex in screen.cues for m in regex.finditer(text)]


def test_leading_words_reads_whole_words_and_word_starts() -> None:
    assert leading_words(r"(?i:\b(we|we're|our|ours|us)\b)") == (frozenset({"we", "our", "ours", "us"}), frozenset())
    whole, starts = leading_words(r"\bquotas?\b|\b(sales|revenue) targets?\b", re.I)  # type: ignore[misc]
    assert whole == {"sales", "revenue", "quota", "quotas"} and not starts  # "s?": with or without it
    # \w* may add letters or none: the word is "suchmaschinen" or starts with it
    assert leading_words(r"\bSuchmaschinen\w*\b") == (frozenset({"suchmaschinen"}), frozenset({"suchmaschinen"}))
    # an optional group: the match starts at "sales" or, without it, at "pipeline"
    assert leading_words(r"\b(sales )?pipeline\b") == (frozenset({"sales", "pipeline"}), frozenset())
    assert leading_words(r"\b\d+ years") == (frozenset(), frozenset({DIGIT}))


def test_a_pattern_that_may_start_anywhere_is_never_screened() -> None:
    assert leading_words(r"[$€£]?\s?\d") is None
    assert leading_words(r"[$a]\s?\d") is None  # "a" is a word character: it could sit inside a word
    assert leading_words(r"(?i:ⓐ\d)") is None  # a symbol with a case ("Ⓐ")
    assert leading_words(r"[^$]\d") is None
    assert leading_words(r"quota") is None  # no \b: may start inside a word ("aquota")
    assert leading_words(r"(?i:\bſales\b)") is None  # a letter case-insensitive matching treats specially
    # ASCII-only \b: "cafémarketing" has a boundary before "marketing" there, not in the screen's words
    assert leading_words(r"\bmarketing\b", re.ASCII) is None
    assert leading_words(r"(?i:\bİstanbul\b)") is None  # sre folds "İ" to "i", str.lower to two characters
    assert leading_words(r"(?a:\bmarketing)") is None
    assert leading_words(r"x|(?:y|(?a:\bmarketing))") is None
    screen = CueScreen([("m", re.compile(r"\bmarketing", re.ASCII))])
    assert screen.present("cafémarketing") == ["m"]


def test_a_pattern_that_starts_at_a_currency_sign_is_screened_on_the_sign() -> None:
    assert leading_words(r"[$€£]\s?\d") == (frozenset({CHAR + "$", CHAR + "€", CHAR + "£"}), frozenset())
    whole, starts = leading_words(r"(?i:[$€£]\s?\d|\b\d+\s?(k|eur)\b|\b(salary|pay)\b)")  # type: ignore[misc]
    assert whole == {CHAR + "$", CHAR + "€", CHAR + "£", "salary", "pay"} and starts == {DIGIT}
    screen = CueScreen([("money", re.compile(r"[$€£]\s?\d")), ("years", re.compile(r"\b\d+\+? years\b"))])
    assert screen.present("a salary of $ 50,000") == ["money"]
    assert screen.present("5+ years in sales") == ["years"]
    assert screen.candidates("many years in sales") == []
    assert screen.candidates("$ signs and 3 dollars") == [0, 1]
    assert screen.present("€5 and EUR 5") == ["money"]


def test_screen_matches_the_regexes_on_every_statement_of_our_postings() -> None:
    postings = load_own_postings(repo_root() / "corpus")
    assert len(postings) > 100
    checked = 0
    for posting in postings:
        text = clean_text(posting.text)
        for span in statements(text, "en")[1]:
            for screen in SCREENS.values():
                assert screen().present(span.text) == _by_regex(screen(), span.text), span.text
                assert list(screen().matches(span.text)) == _spans_by_regex(screen(), span.text), span.text
            checked += 1
    assert checked > 1000


def test_screen_rules_out_words_that_only_start_like_a_cue_word() -> None:
    screen = duty_detector._cue_screen()
    names = [name for name, _ in screen.cues]
    candidates = {names[i] for i in screen.candidates("Useful website tools were used weekly")}
    assert "we" not in candidates  # "website", "were", "used" only start like "we" / "us"
    assert "we" in screen.present("Join us and we will train you")


def test_special_case_characters_run_every_regex() -> None:
    screen = features._cue_screen()
    # "ſ" (long s) matches "s" case-insensitively, though "ſ".lower() is not "s"
    text = "Hit your ſales quota and cold-call proſpects"
    assert screen.candidates(text) == list(range(len(screen.cues)))
    assert screen.present(text) == _by_regex(screen, text)
    assert screen.present("İnside SALES: hit your QUOTA") == _by_regex(screen, "İnside SALES: hit your QUOTA")


WORDS = [
    "we", "We're", "our", "us", "user", "website", "you", "You'll", "your", "Sie", "sie", "Ihr", "du", "wir", "unsere",
    "quota", "Quotas", "prospect", "prospecting", "prospects", "cold-calling", "cold calls", "outbound", "dials", "dial",
    "SEO", "seo-", "social media", "social-media", "paid social", "brand", "branding", "Marken", "pipeline", "sales",
    "sales pipeline", "experience", "years of", "5+ years", "$5", "€ 40k", "salary", "benefits", "401k", "apply",
    "Bewerbung", "m/w/d", "equal opportunity", "ability to", "strong", "Kenntnisse", "ſ", "İ", "ı", "K", "ß", "ẞ",
    "-", "'", "’", "_", "$", "€", "£", "$50k", "€ 40", "e-mail", "Kaltakquise", "Neukundengewinnung", "Außendienst", "AUSSENDIENST", "territory",
    "in this role", "in", "this", "role", "we’re", "looking for", "ideal candidate", "upsell", "cross-sell", "ote",
]
TEXTS = st.lists(
    st.one_of(st.sampled_from(WORDS), st.text(alphabet="abcdefsuoqwyé ſİıK-'’_.,:;!?\n0123456789$€£", max_size=6)),
    max_size=14,
).map(lambda parts: "".join(p + (" " if i % 3 else "") for i, p in enumerate(parts)))


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_screen_matches_the_regexes_on_generated_text(text: str) -> None:
    for screen in SCREENS.values():
        assert screen().present(text) == _by_regex(screen(), text)
        assert list(screen().matches(text)) == _spans_by_regex(screen(), text)


def test_lower_casing_keeps_what_case_insensitive_matching_sees_in_all_of_unicode() -> None:
    """What ``lowered_twin`` rests on: outside ``_CASE_SPECIAL``, ``str.lower`` maps a character
    to one character, the one ``re`` folds it to, and keeps it a word, digit or space character or not."""
    import _sre

    word, digit, space = re.compile(r"\w"), re.compile(r"\d"), re.compile(r"\s")
    for code in range(0x110000):
        char = chr(code)
        if char in _CASE_SPECIAL:
            continue
        lower = char.lower()
        assert len(lower) == 1 and ord(lower) == _sre.unicode_tolower(code), hex(code)
        for regex in (word, digit, space):
            assert (regex.match(char) is None) == (regex.match(lower) is None), hex(code)


def test_lowered_twins_exist_for_the_shipped_cues_and_only_where_they_hold() -> None:
    twins = {name: sum(t is not None for t in screen()._twins) for name, screen in SCREENS.items()}
    assert twins["statement cues"] >= 16 and twins["duty cues"] >= 18 and twins["boilerplate"] == 1
    assert lowered_twin(re.compile(r"(?i:\bquota\b)")).pattern == r"\bquota\b"
    assert lowered_twin(re.compile(r"\bau[sß]endienst\b", re.I)).flags & re.I == 0
    assert lowered_twin(re.compile(r"\bquota\b")) is None  # case-sensitive already
    assert lowered_twin(re.compile(r"(?i:\bSie\b)")) is None  # an upper-case letter in the pattern
    assert lowered_twin(re.compile(r"(?i:[A-Z]\d)")) is None
    assert lowered_twin(re.compile(r"(?i:\bſales\b)")) is None  # a letter with a special case pair
    assert lowered_twin(re.compile(r"\bsales\b", re.I | re.ASCII)) is None
    assert lowered_twin(re.compile(r"(?i:\bsales\b)|\bSie\b")) is None  # only part of it ignores case


def test_remembered_words_give_the_same_answers_and_are_forgotten_past_the_limit(monkeypatch) -> None:
    """The screen remembers each word's cues; asking again, or after it forgot them all, changes nothing."""
    monkeypatch.setattr("roleclass.cue_screen.MAX_REMEMBERED_WORDS", 8)
    screen = CueScreen(duty_detector._cue_regexes())
    texts = [
        "Join us and we will train you", "Useful website tools were used weekly", "5+ years in sales, $50k OTE",
        "Sie betreuen unsere Kunden im Außendienst", "Apply with your CV and cover letter", "We're looking for a closer",
    ]
    expected = [_by_regex(screen, text) for text in texts]
    for _ in range(3):
        cue_screen.read_statement.cache_clear()  # each text's words looked up again
        assert [screen.present(text) for text in texts] == expected
        assert len(cue_screen._SHARED.layout.word_masks) <= 8 + max(len(text.split()) for text in texts)
    assert [screen.present(text) for text in reversed(texts)] == expected[::-1]


def test_screens_share_one_layout_and_the_same_regexes_share_their_place() -> None:
    """The three screens a statement meets read its words once between them; a screen made again
    (a rebuilt pipeline's) takes the first one's place, and a new one is added without moving any."""
    detector, duty = duty_detector._cue_screen(), features._cue_screen()
    assert CueScreen(duty_detector._cue_regexes())._offset == detector._offset
    assert {detector._offset, duty._offset} == {detector._offset, duty._offset} and detector._offset != duty._offset
    text = "Join us: you will own a quota of 50 calls a day and our benefits include PTO"
    before = (detector.present(text), duty.present(text))
    new = CueScreen([("calls", re.compile(r"\bcalls?\b"))])
    assert new._offset >= len(duty.cues) + len(detector.cues) and new.present(text) == ["calls"]
    assert (detector.present(text), duty.present(text)) == before == (_by_regex(detector, text), _by_regex(duty, text))


def test_the_special_case_class_finds_exactly_the_special_case_characters() -> None:
    from roleclass.cue_screen import _CASE_SPECIAL, _HAS_CASE_SPECIAL

    for char in map(chr, [*range(0x3000), *(ord(c) for c in _CASE_SPECIAL)]):
        assert (_HAS_CASE_SPECIAL.search(char) is not None) == (char in _CASE_SPECIAL), repr(char)


def test_a_statements_words_are_its_word_character_runs_in_every_script() -> None:
    # every Latin-1 character, in and out of words, and text past Latin-1 (read by ``\w`` itself)
    latin1 = "".join(map(chr, range(256)))
    texts = [latin1, latin1[::-1], "Vertriebsmitarbeiter:in (m/w/d) – Außendienst, ½ Tag, ²nd µs", "naïve café ÆØÅ þ", "Ωmega ŁÓDŹ 東京 e-mail"]
    texts += [latin1[i : i + 7] + " " + latin1[j : j + 5] for i in range(0, 250, 3) for j in range(0, 250, 37)]
    for text in texts:
        read = cue_screen.read_statement(text)
        if read is None:  # a case-special character: no screening at all
            assert cue_screen._HAS_CASE_SPECIAL.search(text)
            continue
        assert read.words == re.findall(r"\w+", text.lower()), text
