"""Evidence offsets that index the input as given (issue 10 item 9).

Batch output carries the raw cell, not the clean text, so each clean-text range is mapped
back through cleaning; ``input_exact`` says whether ``raw[input_start:input_end]`` is the
phrase itself, and when cleaning changed its text (markup inside it, repaired mojibake)
the span still says where it came from.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roleclass.clean import clean_text
from roleclass.offsets import OffsetMap, clean_with_offsets, input_evidence


def _span(raw: str, phrase: str, occurrence: int = 0):
    cleaned, mapping = clean_with_offsets(raw)
    start = -1
    for _ in range(occurrence + 1):
        start = cleaned.index(phrase, start + 1)
    return mapping.to_input(start, start + len(phrase))


def test_clean_with_offsets_cleans_exactly_as_clean_text():
    raw = "<ul><li>Make 50 cold calls a day</li></ul>"
    assert clean_with_offsets(raw)[0] == clean_text(raw)


def test_plain_text_with_crlf_and_bullets_maps_exactly():
    raw = "Duties:\r\n• Make 50 outbound calls a day\r\n* Close deals in your territory\r\n"
    for phrase in ("Make 50 outbound calls a day", "Close deals", "territory"):
        span = _span(raw, phrase)
        assert span.exact and raw[span.start:span.end] == phrase


def test_html_phrases_map_into_the_markup_they_came_from():
    raw = (
        "<html><head><style>li{color:red}</style></head><body><p>Fast&nbsp;growing &amp; fun.</p>"
        "<ul><li>Make 50 <b>cold</b> calls a day</li><li>Close deals with new prospects</li></ul></body></html>"
    )
    span = _span(raw, "Close deals with new prospects")
    assert span.exact and raw[span.start:span.end] == "Close deals with new prospects"
    across = _span(raw, "Make 50 cold calls a day")  # markup inside the phrase: not exact, still its source
    assert not across.exact and raw[across.start:across.end] == "Make 50 <b>cold</b> calls a day"
    assert _span(raw, "fun").exact  # after an entity
    entity = _span(raw, "growing & fun")
    assert raw[entity.start:entity.end] == "growing &amp; fun" and not entity.exact


def test_a_word_occurring_twice_maps_to_the_right_occurrence():
    raw = "<p>Sell.</p><p>Sell software to new accounts and sell services.</p>"
    first, second = _span(raw, "Sell", 0), _span(raw, "Sell", 1)
    assert (first.start, second.start) == (raw.index("Sell"), raw.index("Sell", raw.index("Sell") + 1))


def test_windows_1252_mojibake_repaired_gives_the_input_span_it_came_from():
    raw = "Youâ€™ll own the brand and run campaigns."
    cleaned, _ = clean_with_offsets(raw)
    assert cleaned.startswith("You’ll")
    changed = _span(raw, "You’ll own")
    assert not changed.exact and raw[changed.start:changed.end] == "Youâ€™ll own"
    assert _span(raw, "the brand").exact


def test_mac_roman_mojibake_keeps_the_unchanged_part_of_a_word_exact():
    raw = "the world‚Äôs leading provider of payroll services"
    world = _span(raw, "world")
    assert world.exact and raw[world.start:world.end] == "world"
    whole = _span(raw, "world’s leading")
    assert not whole.exact and raw[whole.start:whole.end] == "world‚Äôs leading"


def test_removed_control_characters_and_byte_order_marks_do_not_shift_offsets():
    raw = "\ufeff\ufeffBetreuung bestehender Kunden\x00 und Neukundengewinnung im Au\u00dfendienst"
    for phrase in ("Betreuung bestehender", "Neukundengewinnung"):
        span = _span(raw, phrase)
        assert span.exact, (phrase, raw[span.start:span.end])


def test_input_evidence_adds_input_offsets_to_scored_evidence(scorer):
    raw = "<ul><li>Make 50 cold calls a day to new prospects</li><li>Close deals in your territory</li></ul>"
    result = scorer.score(raw)
    mapped = input_evidence(raw, result.text, result.evidence)
    assert len(mapped) == len(result.evidence) > 0
    for item, evidence in zip(mapped, result.evidence, strict=True):
        assert item["phrase"] == evidence.phrase and item["start"] == evidence.start
        assert item["input_exact"] == (raw[item["input_start"]:item["input_end"]] == item["phrase"])
    assert all(item["input_exact"] for item in mapped)


def test_a_range_outside_the_clean_text_is_refused():
    with pytest.raises(ValueError, match="outside the clean text"):
        OffsetMap("abc", "abc").to_input(1, 9)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab cé\n\t<>/&;p\u00e2\u20ac\u2122\ufeff-•")), max_size=80))
def test_every_span_is_ordered_inside_the_input_and_exact_means_equal(raw):
    cleaned, mapping = clean_with_offsets(raw)
    for start in range(0, len(cleaned) + 1, 3):
        for end in range(start, min(len(cleaned), start + 12) + 1, 4):
            span = mapping.to_input(start, end)
            assert 0 <= span.start <= span.end <= len(raw)
            assert span.exact == (raw[span.start:span.end] == cleaned[start:end])


def test_a_long_repetitive_html_list_maps_in_linear_time():
    """difflib's SequenceMatcher took over two minutes here; each item must map to its own <li>."""
    raw = "<ul>" + "".join(f"<li>Make {i} cold calls &amp; emails a day</li>" for i in range(3000)) + "</ul>"
    cleaned, mapping = clean_with_offsets(raw)
    for i in (0, 1234, 2999):
        phrase = f"Make {i} cold calls"
        start = cleaned.index(phrase + " ")
        span = mapping.to_input(start, start + len(phrase))
        assert span.exact and span.start == raw.index(f"<li>{phrase} ") + 4
