"""Published dates in the forms news inputs use, normalised to UTC; garbage and far-future dates are None."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestration.ingestion.dates import parse_published

NOW = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-06-07T08:15:00Z", utc(2024, 6, 7, 8, 15)),
        ("2024-06-07T08:15:00+02:00", utc(2024, 6, 7, 6, 15)),
        ("2024-06-07T08:15:00", utc(2024, 6, 7, 8, 15)),  # naive is UTC
        ("2024-06-07", utc(2024, 6, 7)),
        ("2019-05-03 14:20:00", utc(2019, 5, 3, 14, 20)),
        ("Tue Jan 3, 2012 5:03pm EST", utc(2012, 1, 3, 22, 3)),
        ("January 25, 2024 — 03:33 am EST", utc(2024, 1, 25, 8, 33)),
        ("March 7, 2024 – 04:15 pm EST", utc(2024, 3, 7, 21, 15)),  # en dash
        ("DEC 18, 2023", utc(2023, 12, 18)),
        ("Fri, 07 Jun 2024 08:15:00 GMT", utc(2024, 6, 7, 8, 15)),
        ("Fri, 07 Jun 2024 08:15:00 +0100", utc(2024, 6, 7, 7, 15)),
        ("  2024-06-07T08:15:00Z  ", utc(2024, 6, 7, 8, 15)),
    ],
)
def test_formats_in_the_wild(raw: str, expected: datetime) -> None:
    assert parse_published(raw, now=NOW) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("June 7, 2024 3:00 pm EDT", utc(2024, 6, 7, 19)),
        ("June 7, 2024 3:00 pm EST", utc(2024, 6, 7, 20)),  # EST is a fixed -5 even in summer
        ("June 7, 2024 at 3:00 pm ET", utc(2024, 6, 7, 19)),  # ET follows New York: daylight time in June
        ("January 7, 2024 3:00 pm ET", utc(2024, 1, 7, 20)),  # and standard time in January
        ("June 7, 2024 3:00 pm CST", utc(2024, 6, 7, 21)),
        ("June 7, 2024 3:00 pm CDT", utc(2024, 6, 7, 20)),
        ("June 7, 2024 3:00 pm PST", utc(2024, 6, 7, 23)),
        ("June 7, 2024 3:00 pm PDT", utc(2024, 6, 7, 22)),
        ("June 7, 2024 3:00 pm GMT", utc(2024, 6, 7, 15)),
        ("June 7, 2024 3:00 pm UTC", utc(2024, 6, 7, 15)),
        ("June 7, 2024 3:00 pm BST", utc(2024, 6, 7, 14)),
        ("June 7, 2024 3:00 pm CET", utc(2024, 6, 7, 14)),
    ],
)
def test_zone_abbreviations_have_their_offsets(raw: str, expected: datetime) -> None:
    assert parse_published(raw, now=NOW) == expected


@pytest.mark.parametrize(
    "raw",
    [1717748100, 1717748100.0, 1717748100000, "1717748100", "1717748100000"],
)
def test_epoch_seconds_and_milliseconds(raw: int | float | str) -> None:
    assert parse_published(raw, now=NOW) == utc(2024, 6, 7, 8, 15)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "not a date",
        "yesterday",
        "n/a",
        "June 7",  # no year: not guessed
        "2024",  # no month or day
        "June 2024",  # no day
        "32/13/2024",
        True,
        float("nan"),
        float("inf"),
        -5,
    ],
)
def test_garbage_and_incomplete_dates_are_none(raw: str | int | float | None) -> None:
    assert parse_published(raw, now=NOW) is None


def test_a_date_more_than_two_days_ahead_is_none() -> None:
    assert parse_published("2024-06-12T11:00:00Z", now=NOW) == utc(2024, 6, 12, 11)
    assert parse_published("2024-06-12T13:00:00Z", now=NOW) is None
    assert parse_published(int((NOW + timedelta(days=30)).timestamp()), now=NOW) is None


def test_now_defaults_to_the_clock() -> None:
    assert parse_published("2999-01-01T00:00:00Z") is None
    assert parse_published("2024-06-07T08:15:00Z") == utc(2024, 6, 7, 8, 15)


def test_an_unknown_zone_name_is_read_as_utc() -> None:
    assert parse_published("June 7, 2024 3:00 pm XYZT", now=NOW) == utc(2024, 6, 7, 15)


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2024, 6, 10), timezones=st.just(UTC)))
def test_iso_round_trip_is_exact_and_utc(moment: datetime) -> None:
    parsed = parse_published(moment.isoformat(), now=NOW)
    assert parsed == moment
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@given(st.text(max_size=40))
def test_any_text_gives_utc_or_none(raw: str) -> None:
    parsed = parse_published(raw, now=NOW)
    assert parsed is None or (parsed.utcoffset() == timedelta(0) and parsed <= NOW + timedelta(days=2))
