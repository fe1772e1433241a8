"""What ingestion produces from an input: articles that parsed, and rejects with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One article as read from an input, before identity and extraction."""

    body: str
    input_file: str  # the path it came from
    input_position: str  # where in that file: "whole file", "line 3", "row 12", "record 5"
    source_id: str | None = None  # the input's own id, when it has one
    title: str | None = None
    published_at: datetime | None = None  # timezone-aware UTC; None when missing or unparseable
    published_raw: str | None = None  # the date exactly as the input gave it
    source: str | None = None  # publisher or feed, e.g. "Reuters", "Benzinga"
    url: str | None = None
    authors: str | None = None


@dataclass(frozen=True, slots=True)
class RejectedInput:
    """An input (or a part of one) that could not become an article, and why."""

    input_file: str
    input_position: str
    reason: str
