import pytest

from roleclass.duties import statements


def activities(sentence: str) -> list[dict]:
    _, spans = statements(sentence)
    return [a.to_dict() for span in spans for a in span._.activities]


def test_the_case_sentence_gives_two_activities_per_day():
    found = activities("Make at least 50 outbound calls and 50 outbound emails a day to your own rolodex of prospects.")
    assert found == [
        {"activity": "outbound calls", "count": 50, "per": "day"},
        {"activity": "outbound emails", "count": 50, "per": "day"},
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Make fifty cold calls a day.", [("cold calls", 50, "day")]),
        ("Book twenty-five meetings per month with new prospects.", [("meetings", 25, "month")]),
        ("Run three demos a week for qualified leads.", [("demos", 3, "week")]),
        ("Visit 15 stores weekly across the region.", [("stores", 15, "week")]),
        ("Publish 4 blog posts each month.", [("blog posts", 4, "month")]),
        ("Handle 1,000 calls per quarter.", [("calls", 1000, "quarter")]),
        ("Send 30 outbound emails daily.", [("outbound emails", 30, "day")]),
    ],
)
def test_counts_in_digits_and_words_with_periods(sentence, expected):
    assert [(a["activity"], a["count"], a["per"]) for a in activities(sentence)] == expected


def test_a_count_without_a_period_has_none():
    assert activities("Close 12 new accounts this year and beyond.")[0]["per"] in (None, "year")
    assert activities("Manage 5 direct reports.") == []


def test_activity_offsets_point_at_the_phrase():
    text = "Make fifty cold calls a day."
    _, spans = statements(text)
    activity = spans[0]._.activities[0]
    assert text[activity.start : activity.end] == "fifty cold calls"


def _corpus_texts() -> list[str]:
    import json
    from pathlib import Path

    texts = []
    for path in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("postings*.jsonl")):
        for row in map(json.loads, filter(str.strip, path.read_text(encoding="utf-8").split("\n"))):
            if row.get("text"):
                texts.append(row["text"])
    return texts


_NUMBER_EDGES = (
    "Make fifty-five calls, Twenty One demos and ZWÖLF Termine; one-on-one coaching for x-1 reps.\n"
    "- Run ٣ workshops and ²5 webinars, 1,000+ emails, 12.5k impressions, -five, five- and fünf Anrufe\n"
    "İki hundred and twenty-five visits a week, 3rd-party tools, v2-launch and 7"
)


def test_count_openers_are_found_among_the_possible_ones_only():
    """``count_starts`` asks only the tokens ``possible_openers`` marks; the positions are those
    of asking every token, on our postings and on edge cases (digits of other scripts,
    hyphens, capitals, German number words)."""
    from roleclass.quantities import count_starts, default_words, possible_openers
    from roleclass.tokens import token_table

    lex = default_words()
    seen = 0
    for text in [*_corpus_texts(), _NUMBER_EDGES, "", "5", "five", "-", "   "]:  # and Docs of one token or none
        doc, _ = statements(text, "en")
        every = [i for i, lower in enumerate(token_table(doc).lower) if lex.may_start_count(lower)]
        assert count_starts(doc, lex) == every, text[:80]
        assert set(every) <= set(possible_openers(doc, lex))
        seen += len(every)
    assert seen > 500
    doc, _ = statements(_NUMBER_EDGES, "en")
    found = {doc[i].text for i in count_starts(doc, lex)}
    assert {"fifty", "Twenty", "٣", "1,000", "hundred", "five-", "7"} <= found
    assert not {"ZWÖLF", "3rd", "İki", "-five", "²5", "12.5k"} & found  # no number words, or not whole counts


def test_the_walk_that_jumps_to_the_next_opener_finds_what_the_full_walk_finds():
    """``parse_activities`` jumps over the tokens before the next possible count while no activity
    waits for a period; given every token as a possible opener it walks them all, as it used
    to: the activities are the same on every statement of our postings."""
    from roleclass.quantities import count_starts, default_words, parse_activities

    lex = default_words()
    with_activities = 0
    for text in [*_corpus_texts(), _NUMBER_EDGES]:
        doc, spans = statements(text, "en")
        starts, every = count_starts(doc, lex), list(range(len(doc)))
        for span in spans:
            found = parse_activities(span, lex, starts)
            assert found == parse_activities(span, lex, every), span.text
            with_activities += bool(found)
    assert with_activities > 30
