"""As-of dates: "Friday", "on Tuesday", "yesterday" resolved against the publication date."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The leading lookahead (letters that can start a match) lets the scan skip other positions quickly.
AS_OF = re.compile(
    r"(?=[OoLlTtMWFSYy])(?:\b(?:(?:[Oo]n|[Ll]ast|[Tt]his)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:[Yy]esterday|[Tt]oday|[Tt]onight|[Tt]his (?:morning|afternoon|evening))\b)"
)


def publication_day(published_at: datetime | date | None) -> date | None:
    """The calendar day of publication in the timestamp's own time zone."""
    if isinstance(published_at, datetime):
        return published_at.date()
    return published_at


def resolve_as_of(words: str, published: date | None) -> date | None:
    """The day `words` (as matched by AS_OF) denote: the latest such weekday on or before publication,
    strictly before for "last Friday"; None without a publication date."""
    if published is None:
        return None
    lowered = words.lower()
    if "yesterday" in lowered:
        return published - timedelta(days=1)
    weekday = next((i for i, name in enumerate(_WEEKDAYS) if name in lowered), None)
    if weekday is None:
        return published
    back = (published.weekday() - weekday) % 7
    if back == 0 and lowered.startswith("last"):
        back = 7
    return published - timedelta(days=back)
