from roleclass.clean import clean_text
from roleclass.duties import statements


def test_statements_carry_sections_weights_and_exact_offsets(case_posting):
    text = clean_text(case_posting)
    _, spans = statements(text)
    by_text = {s.text: s for s in spans}
    duty = next(s for t, s in by_text.items() if t.startswith("Make at least 50 outbound calls"))
    assert duty._.section == "duties"
    assert duty._.weight > 1.0  # counted sales activities weigh more
    requirement = next(s for t, s in by_text.items() if t.startswith("3+ years"))
    assert requirement._.section == "requirements" and requirement._.weight < duty._.weight
    assert all(s._.weight == 0 for s in spans if s._.section == "benefits")
    for span in spans:
        assert text[span.start_char : span.end_char] == span.text
        assert not span.text.startswith("- ")


def test_a_line_with_several_sentences_gives_several_statements():
    _, spans = statements("Close deals with new clients. Hit your monthly quota. Report weekly to the head of sales.")
    assert len(spans) == 3


def test_headings_are_not_statements_and_collapsed_labels_switch_section():
    _, spans = statements("Company blurb about our great culture and values. Responsibilities: call prospects every day.")
    assert [s._.section for s in spans] == ["body", "duties"]
    assert spans[1].text == "call prospects every day."


def test_german_postings_use_the_german_pipeline():
    doc, spans = statements("Ihre Aufgaben:\n- Neukundengewinnung im Außendienst\n- Erstellung von Angeboten", "de")
    assert doc.lang_ == "de"
    assert [s._.section for s in spans] == ["duties", "duties"]


def test_long_runs_without_a_space_tokenize_as_spacys_default_and_quickly() -> None:
    """One pipeline reads every text: its suffix search tries only the starts a suffix can have,
    so a run of 200 characters (the longest cleaning leaves) costs little, and its tokens are
    spaCy's default tokenizer's, long runs of dots included."""
    import time

    import spacy

    texts = [
        "Wait" + "." * 94 + " then call",
        "Make 50+ outbound calls/day (cold-calling), e.g. to prospects... Close deals!!! Boost CTR by 20%.",
        "Visit https://example.com/careers/sales-development-representative?utm_source=board&id=1234567890",
        " ".join(["?" * 200, "(" * 200, "🚀" * 200, "x." * 100, "." * 200, "a" * 199 + ")"] * 5),
    ]
    default = spacy.blank("en")
    started = time.perf_counter()
    for text in texts:
        doc, _ = statements(text, "en")
        assert [t.text for t in doc] == [t.text for t in default.make_doc(text)]
    assert time.perf_counter() - started < 30  # a hang guard only: a few milliseconds


def test_pipelines_are_rebuilt_after_many_texts_and_read_the_same(monkeypatch) -> None:
    """Memory stays flat over a long batch: the vocabulary is dropped every REFRESH_DOCS texts."""
    from roleclass import duties

    texts = [f"- Call {n} new prospects (ref-{n}x{n * 7}) and close deals.\n- Plan campaign {n}." for n in range(7)]
    before = [[(s.text, s.start_char, s.end_char, s._.weight) for s in statements(t, "en")[1]] for t in texts]
    monkeypatch.setattr(duties, "REFRESH_DOCS", 3)
    duties._READS.read = 0
    first = duties._pipeline("en")
    after = [[(s.text, s.start_char, s.end_char, s._.weight) for s in statements(t, "en")[1]] for t in texts]
    assert after == before
    assert duties._pipeline("en") is not first
    assert len(duties._pipeline("en").vocab.strings) < len(first.vocab.strings)


def test_sentence_starts_are_the_sentencizers_own():
    """``sentence_starts`` gives spaCy's ``Sentencizer.predict`` on every posting of the corpus and on edge cases."""
    import json
    from pathlib import Path

    import spacy

    from roleclass.duties import sentence_starts
    from roleclass.tokens import token_table

    nlp = spacy.blank("en")
    sentencizer = nlp.add_pipe("sentencizer")
    texts = [
        "", ".", "Hi.", "... Sell more. Call 50 prospects! Then?? Close ;) deals", "!!! -- ?", "a . b . . c",
        "Wir suchen dich. Du verkaufst (m/w/d)! Los?", "One sentence without a stop",
    ]
    for path in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("postings*.jsonl")):
        texts += [json.loads(line).get("text") or "" for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    for text in texts:
        doc = nlp.make_doc(text)
        expected = [1 if tag else -1 for tag in sentencizer.predict([doc])[0]] if len(doc) else []
        assert sentence_starts(token_table(doc), sentencizer.punct_chars) == expected, text[:80]
    # other sentence-final characters: a letter (a final token that is no punctuation), "]" and "^"
    # (special in a character class), several characters in one (searched token by token), none
    for punct_chars in (["x", ".", "]", "^"], ["...", "!"], []):
        other = spacy.blank("en").add_pipe("sentencizer", config={"punct_chars": punct_chars})
        for text in [*texts[:40], "Sell x more ] then ^ close... x x. ok", "x"]:
            doc = nlp.make_doc(text)
            expected = [1 if tag else -1 for tag in other.predict([doc])[0]] if len(doc) else []
            assert sentence_starts(token_table(doc), other.punct_chars) == expected, (punct_chars, text[:80])


def _walked_sentences(doc, starts: list[int], start: int, end: int) -> list[tuple[int, int]]:
    """The splitter's sentence ranges of one line as it found them before: a walk over the line's tokens."""
    from roleclass.tokens import token_table

    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return [(start, end)]
    idx = token_table(doc).idx
    bounds, current = [], start
    for i in range(span.start + 1, span.end):
        if starts[i] == 1 and idx[i] > current:
            bounds.append((current, idx[i]))
            current = idx[i]
    bounds.append((current, end))
    return bounds


def test_sentence_ranges_and_contracted_spans_by_bisection_are_spacys_on_every_line_and_stretch() -> None:
    import json
    from pathlib import Path

    from roleclass.duties import StatementSplitter, _contracted, pipeline, sentence_starts
    from roleclass.tokens import TEXT_KEY, token_table

    texts = ["Sell. Call!  Close  deals.\n   Indented line. Two sentences here.\n\n\n- Bullet. Another one", "x", "  a. b."]
    for path in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("postings*.jsonl")):
        texts += [json.loads(line).get("text") or "" for line in path.read_text(encoding="utf-8").split("\n") if line.strip()][:60]
    nlp = pipeline("en")
    punct = nlp.get_pipe("sentencizer").punct_chars
    compared = 0
    for text in texts:
        doc = nlp.make_doc(text)
        doc.user_data[TEXT_KEY] = text
        table = token_table(doc)
        starts = sentence_starts(table, punct)
        sentence_tokens = [i for i, s in enumerate(starts) if s == 1]
        stretches = [(a, b) for a in range(0, len(text), 7) for b in (a, a + 1, a + 13, len(text)) if b <= len(text)]
        line_start = 0
        for line in text.split("\n"):  # the lines the splitter reads, and arbitrary stretches
            if line.strip():
                stretches.append((line_start, line_start + len(line)))
            line_start += len(line) + 1
        for start, end in stretches:
            got = StatementSplitter._sentences(table, len(text), sentence_tokens, start, end)
            assert got == _walked_sentences(doc, starts, start, end), (text[:60], start, end)
            span = doc.char_span(start, end, alignment_mode="contract")
            expected = None if span is None else (span.start, span.end)
            first, end_token = _contracted(table, len(text), start, end)
            assert (first, end_token) == expected or (expected is None and first == end_token), (text[:60], start, end)
            compared += 1
    assert compared > 5000


def test_span_extensions_read_and_write_the_docs_attribute_table() -> None:
    from roleclass.attributes import StatementAttributes, statement_attributes

    text = (
        "What you'll do:\n- Make at least 50 outbound calls a day to new prospects.\n"
        "Benefits:\n- Health insurance and paid time off for everyone.\n"
    )
    _, spans = statements(text)
    calls, benefits = spans
    table_row = statement_attributes(calls)
    assert isinstance(table_row, StatementAttributes)
    assert (calls._.section, calls._.weight, calls._.base_weight) == (table_row.section, table_row.weight, table_row.base_weight)
    assert calls._.section == "duties" and [a.activity for a in calls._.activities] == ["outbound calls"]
    assert benefits._.section == "benefits" and benefits._.weight == 0.0  # boilerplate weighs nothing
    calls._.weight = 0.25  # a write through the extension is what the pipeline reads
    assert statement_attributes(calls).weight == 0.25
    other = calls.doc[0:2]  # a span the splitter never made keeps the defaults until written
    assert (other._.section, other._.weight, other._.base_weight, other._.activities) == ("body", 0.0, None, None)


def test_attributes_of_the_splitters_list_are_the_tables_and_any_other_list_reads_them_too() -> None:
    from roleclass.attributes import attributes_of, statement_attributes

    text = "Responsibilities:\n- Call 40 prospects a day.\n- Plan the newsletter with the team.\nBenefits:\n- Paid time off for all.\n"
    _, spans = statements(text)
    kept = attributes_of(spans)  # the splitter's own list: kept in order beside it
    assert [id(a) for a in kept] == [id(statement_attributes(span)) for span in spans]
    assert [a.section for a in kept] == ["duties", "duties", "benefits"]
    reordered = list(reversed(spans))  # another list of the same statements is read span by span
    assert [id(a) for a in attributes_of(reordered)] == [id(a) for a in reversed(kept)]
    kept[0].weight = 0.5  # one object per statement: a write is what every reader sees
    assert spans[0]._.weight == 0.5 and attributes_of([]) == []
