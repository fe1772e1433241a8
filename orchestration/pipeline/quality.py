"""Health measures of a run that dbt's tests cannot see: volume drops, untagged articles, rejects."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

from orchestration.lake import Lake, LakeLocation
from orchestration.pipeline.extraction import extracted_file
from orchestration.pipeline.landing import landed_days

# A day with fewer than this share of the previous day's articles is a likely lost feed or inbox.
MIN_SHARE_OF_PREVIOUS_DAY = 0.2
# Financial news almost always names a company; more untagged articles than this means the reference
# or a source is off.
MAX_SHARE_WITHOUT_TICKER = 0.5
# More rejects than this in one landing pass means a source changed its format.
MAX_SHARE_REJECTED = 0.1


@dataclass(frozen=True)
class VolumeDrop:
    day: date
    articles: int
    previous_day: date
    previous_articles: int


def article_counts(lake_location: LakeLocation, days: list[date]) -> dict[date, int]:
    """Articles per extracted day, from the Parquet footers, for the given days and the day before each."""
    lake = Lake.at(lake_location)
    all_days = landed_days(lake)  # sorted
    wanted = set(days)
    for day in days:
        before = bisect_left(all_days, day)
        if before:
            wanted.add(all_days[before - 1])
    counts = {}
    for day in sorted(wanted):
        path = extracted_file(lake, "articles", day)
        if lake.exists(path):
            counts[day] = lake.row_count([path])
    return counts


def volume_drops(counts: dict[date, int], days: list[date]) -> list[VolumeDrop]:
    """Days whose article count fell below MIN_SHARE_OF_PREVIOUS_DAY of the previous day with articles."""
    previous_of = {day: before for before, day in itertools.pairwise(sorted(counts))}
    drops = []
    for day in days:
        previous = previous_of.get(day)
        if previous is not None and counts[day] < MIN_SHARE_OF_PREVIOUS_DAY * counts[previous]:
            drops.append(VolumeDrop(day, counts[day], previous, counts[previous]))
    return drops


def share(part: int, whole: int) -> float:
    """part / whole, 0 when there is nothing."""
    return part / whole if whole else 0.0
