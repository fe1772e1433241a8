"""Published dates as news inputs write them, normalised to timezone-aware UTC."""

from __future__ import annotations

import math
import warnings
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser

# Zone names news copy uses. EST/EDT are fixed offsets by definition; "ET" means whichever applies that day.
ZONES: dict[str, tzinfo] = {
    "UTC": UTC,
    "GMT": UTC,
    "Z": UTC,
    "EST": timezone(timedelta(hours=-5)),
    "EDT": timezone(timedelta(hours=-4)),
    "ET": ZoneInfo("America/New_York"),
    "CST": timezone(timedelta(hours=-6)),
    "CDT": timezone(timedelta(hours=-5)),
    "CT": ZoneInfo("America/Chicago"),
    "MST": timezone(timedelta(hours=-7)),
    "MDT": timezone(timedelta(hours=-6)),
    "PST": timezone(timedelta(hours=-8)),
    "PDT": timezone(timedelta(hours=-7)),
    "PT": ZoneInfo("America/Los_Angeles"),
    "BST": timezone(timedelta(hours=1)),
    "CET": timezone(timedelta(hours=1)),
    "CEST": timezone(timedelta(hours=2)),
}
# Inputs date articles ahead by a few hours (time zones, embargoes); beyond this a date is wrong.
FUTURE_TOLERANCE = timedelta(days=2)
# Epoch values above this are milliseconds: as seconds they would land after the year 5000.
EPOCH_MILLIS_FROM = 100_000_000_000
# Two defaults that differ in every field: a date dateutil completes from them was incomplete.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))


def parse_published(raw: str | int | float | None, *, now: datetime | None = None) -> datetime | None:
    """The moment an article was published, in UTC; None when it cannot be known rather than a guess."""
    if raw is None or isinstance(raw, bool):
        return None
    parsed = _from_epoch(raw) if isinstance(raw, int | float) else _from_text(raw.strip())
    if parsed is None:
        return None
    if parsed > (now or datetime.now(UTC)) + FUTURE_TOLERANCE:
        return None
    return parsed


def _from_epoch(value: float) -> datetime | None:
    """Epoch seconds or milliseconds, as feeds and APIs give them."""
    if not math.isfinite(value) or value < 0:
        return None
    seconds = value / 1000 if value >= EPOCH_MILLIS_FROM else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _from_text(text: str) -> datetime | None:
    if not text:
        return None
    if text.isdigit() and len(text) >= 9:  # shorter runs of digits are compact dates like 20240607
        return _from_epoch(int(text))
    try:
        return _as_utc(datetime.fromisoformat(text))
    except ValueError:
        pass
    return _from_free_text(text.replace("—", " ").replace("–", " "))


def _from_free_text(text: str) -> datetime | None:
    """Wire and web forms ("Tue Jan 3, 2012 5:03pm EST", RFC 2822); a date missing its day is refused."""
    parsed = []
    for default in _DEFAULTS:
        try:
            with warnings.catch_warnings():
                # An unknown zone name parses naive, and naive is read as UTC below.
                warnings.simplefilter("ignore", date_parser.UnknownTimezoneWarning)
                parsed.append(date_parser.parse(text, default=default, tzinfos=ZONES))
        except (ValueError, OverflowError):
            return None
    first, second = parsed
    if first.date() != second.date():
        return None
    return _as_utc(first)


def _as_utc(moment: datetime) -> datetime:
    """Naive times are taken as UTC: feeds that omit the zone mostly mean it."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
