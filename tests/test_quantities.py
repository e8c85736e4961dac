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
