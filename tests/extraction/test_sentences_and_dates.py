"""Sentence splitting on news copy, amounts, and as-of dates resolved from the publication date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from orchestration.extraction.amounts import find_amounts
from orchestration.extraction.dates import publication_day, resolve_as_of
from orchestration.extraction.sentences import split_sentences


def _split(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text).spans]


def test_abbreviations_prices_and_ranks_do_not_split():
    text = (
        "Oracle Corp. and Home Depot Inc. beat the U.S. estimate of $174.66 a share. It is the No. 1 seller."
    )
    assert _split(text) == [
        "Oracle Corp. and Home Depot Inc. beat the U.S. estimate of $174.66 a share.",
        "It is the No. 1 seller.",
    ]


def test_run_together_sentences_and_line_breaks_split():
    text = "Margins held up in the quarter.Growth slowed in Europe\nPhoto via Wikimedia"
    assert _split(text) == [
        "Margins held up in the quarter.",
        "Growth slowed in Europe",
        "Photo via Wikimedia",
    ]


def test_company_suffix_can_end_a_sentence():
    assert _split("Investors sold Pfizer Inc. The company declined to comment.") == [
        "Investors sold Pfizer Inc.",
        "The company declined to comment.",
    ]


def test_amounts():
    text = (
        "It paid $2.5 billion, or 300 million yuan, for 1,200 vehicles; "
        "margins rose 40 basis points to 5.1 percent."
    )
    found = [(a.text, a.kind, a.value, a.currency, a.unit) for a in find_amounts(text)]
    assert found == [
        ("$2.5 billion", "money", 2.5e9, "USD", "billion"),
        ("300 million yuan", "money", 3e8, "CNY", "million"),
        ("1,200 vehicles", "count", 1200.0, None, "vehicles"),
        ("5.1 percent", "percent", 5.1, None, "%"),
    ]


WEDNESDAY = date(2024, 3, 6)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Friday", date(2024, 3, 1)),
        ("on Tuesday", date(2024, 3, 5)),
        ("Wednesday", WEDNESDAY),
        ("last Wednesday", date(2024, 2, 28)),
        ("yesterday", date(2024, 3, 5)),
        ("today", WEDNESDAY),
    ],
)
def test_as_of_resolution(words, expected):
    assert resolve_as_of(words, WEDNESDAY) == expected


def test_no_publication_date_means_no_as_of():
    assert resolve_as_of("Friday", None) is None


def test_publication_day_is_local_to_the_timestamp():
    eastern = timezone(timedelta(hours=-5))
    assert publication_day(datetime(2024, 3, 6, 1, 0, tzinfo=UTC).astimezone(eastern)) == date(2024, 3, 5)
