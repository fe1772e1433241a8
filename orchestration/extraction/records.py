"""Typed records the extraction library returns: plain, immutable, JSON-friendly."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

MentionMethod = Literal["cashtag", "exchange", "reuters_code", "bare_symbol", "company_name"]
Direction = Literal["up", "down", "flat"]
AmountKind = Literal["money", "percent", "count"]
EntityLabel = Literal["PERSON", "ORG", "PLACE"]


@dataclass(frozen=True, slots=True)
class TickerMention:
    """One place in the text that names a listed security."""

    symbol: str  # the symbol as of the article's date (FB in 2017, META in 2023)
    company_key: str  # stable across renames, e.g. "meta-platforms"
    text: str  # the matched text, e.g. "Nvidia Corp", "(NASDAQ:TSLA)", "$TSLA"
    start: int  # character offsets into the article text
    end: int
    method: MentionMethod
    primary: bool  # the article's main subject(s)


@dataclass(frozen=True, slots=True)
class PriceNote:
    """A statement about a security's share-price move, e.g. 'down 0.10% at $174.66 in premarket'."""

    ticker: str
    company_key: str
    direction: Direction
    change_pct: float | None  # always positive; direction carries the sign
    change_qualifier: str | None  # "more than", "nearly", "about", ...
    price: float | None
    currency: str | None  # ISO code, "USD"
    session: str | None  # "premarket" | "regular" | "after_hours" | "close" | "intraday"
    period: str | None  # "the last 12 months", "to date", "year to date", ... (None: that day)
    as_of: date | None  # resolved from the publication date ("Friday" -> the Friday before)
    as_of_text: str | None  # the words it was resolved from, e.g. "Friday", "on Tuesday"
    sentence: str
    start: int  # span of the sentence in the article text
    end: int


@dataclass(frozen=True, slots=True)
class Claim:
    """A sentence asserting something about a company, with who said it and how hedged it is."""

    text: str
    source: str | None  # who it is attributed to ("Reuters"), or None
    attribution: str | None  # the words that attribute it ("according to a report from Reuters")
    hedges: tuple[str, ...]  # hedging words found ("reportedly", "could", "plans")
    tickers: tuple[str, ...]  # symbols the claim is about (the article subject when only implied)
    forward_looking: bool  # a forward-looking numeric claim
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Amount:
    """Money, a percentage or a count with its unit."""

    text: str
    kind: AmountKind
    value: float
    currency: str | None
    unit: str | None  # "million", "vehicles", "%"...
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, organisation or place named in the text."""

    text: str
    label: EntityLabel
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ArticleExtraction:
    """Everything extracted from one article."""

    tickers: tuple[TickerMention, ...] = ()
    price_notes: tuple[PriceNote, ...] = ()
    claims: tuple[Claim, ...] = ()
    amounts: tuple[Amount, ...] = ()
    entities: tuple[Entity, ...] = ()
    index_moves: tuple[PriceNote, ...] = field(default=())  # S&P 500, Dow, Nasdaq: kept apart

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (dates as ISO strings, tuples as lists)."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
