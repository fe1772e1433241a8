"""Ticker mentions: cashtags, exchange-qualified and Reuters-coded symbols, company names, and bare
symbols, which count only where they cannot be an ordinary word ("IT", "ON", "CAT" need context)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from datetime import date

from orchestration.extraction.records import MentionMethod, TickerMention
from orchestration.extraction.reference import Listing, TickerReference
from orchestration.extraction.sentences import Sentences

_SYMBOL = r"[A-Z]{1,5}(?:\.[A-Z]{1,2})?"
_CASHTAG = re.compile(rf"\$(?<![\w$]\$)({_SYMBOL})(?![\w&])")
# The lookahead ("(" or an exchange's first letter) skips other positions in one step (3x faster).
_EXCHANGE = re.compile(
    r"(?=[(NACOB])(\()?\b(?:NASDAQ|Nasdaq|NasdaqGS|NasdaqGM|NYSE(?:\s?(?:American|Arca|MKT))?|NYSEARCA"
    rf"|NYSEAMERICAN|AMEX|OTC(?:QX|QB|\s?Markets)?|Cboe|CBOE|BATS)\s?:\s?({_SYMBOL})(?![\w&])(?(1)\))"
)
# A cheap test before the exchange pattern: one of these is inside every match. Found by `extract`'s one
# automaton pass over the article, inside words too ("NYSEARCA").
EXCHANGE_HINTS = [
    (name, None) for name in ("NASDAQ", "Nasdaq", "NYSE", "AMEX", "OTC", "Cboe", "CBOE", "BATS")
]
_REUTERS = re.compile(r"[<(] ?([A-Z]{1,5})\.(?:N|O|OQ|K|A|P|PK|OB|L|T|TO|HK|DE|PA) ?[>)]")
_BARE = re.compile(r"[A-Z](?<![\w$.&/-][A-Z])[A-Z]{0,4}(?:\.[A-Z]{1,2})?(?![\w&/-]|\.[A-Za-z0-9])")
_INDEX_NAME_AFTER = re.compile(r"(?: [A-Z][\w-]*){0,3} [Ii]nd(?:ex|exes|ices)\b")  # "MSCI China Index"
_TICKER_WORD = re.compile(r"(?:ticker|symbol)(?: symbol)?:?\s*\(?$")

# Symbols that are also words, abbreviations or initials: bare, they need a company name or "ticker" first.
_WORDLIKE_SYMBOLS = frozenset(
    [
        "AA",
        "AI",
        "ALL",
        "ALLY",
        "AMT",
        "AN",
        "ARE",
        "ARM",
        "AT",
        "BE",
        "BIG",
        "BUD",
        "CAN",
        "CAT",
        "CB",
        "CEO",
        "CFO",
        "CI",
        "CL",
        "COIN",
        "COST",
        "DASH",
        "DD",
        "DE",
        "DIA",
        "DO",
        "EA",
        "EL",
        "ET",
        "EST",
        "EDT",
        "EU",
        "EV",
        "FOR",
        "GO",
        "HAS",
        "HD",
        "HOOD",
        "ICE",
        "IPO",
        "IT",
        "JETS",
        "KEY",
        "LI",
        "LIT",
        "LOW",
        "MA",
        "MAR",
        "MAT",
        "MET",
        "MO",
        "MS",
        "NOW",
        "O",
        "ON",
        "ONE",
        "OR",
        "OUT",
        "PM",
        "PT",
        "RACE",
        "RE",
        "RIO",
        "SEE",
        "SHOP",
        "SNAP",
        "SNOW",
        "SO",
        "SPOT",
        "TEAM",
        "TV",
        "UK",
        "UP",
        "US",
        "USA",
        "VALE",
        "WELL",
        "WM",
        "YOU",
    ]
)
_GAP_BEFORE_SYMBOL = " \t(,.:"


class _Spans:
    """Sorted, non-overlapping spans with an O(log n) containment test."""

    def __init__(self, spans: list[tuple[int, int]]):
        self._spans = sorted(spans)
        self._starts = [start for start, _ in self._spans]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, start) - 1
        if i >= 0 and self._spans[i][1] > start:
            return True
        return i + 1 < len(self._spans) and self._spans[i + 1][0] < end


def _mention(text: str, start: int, end: int, listing: Listing, method: MentionMethod) -> TickerMention:
    return TickerMention(listing.symbol, listing.company_key, text[start:end], start, end, method, False)


def _structured(
    text: str, reference: TickerReference, day: date | None, has_exchange: bool
) -> list[TickerMention]:
    """Symbols whose form alone says they are tickers: $TSLA, (NASDAQ:TSLA), <JNJ.N>, (AAPL.O)."""
    found = []
    for pattern, method, group in (
        (_CASHTAG, "cashtag", 1),
        (_EXCHANGE, "exchange", 2),
        (_REUTERS, "reuters_code", 1),
    ):
        if pattern is _EXCHANGE and not has_exchange:
            continue
        for match in pattern.finditer(text):
            listing = reference.for_symbol(match.group(group), day)
            if listing is not None:
                found.append(_mention(text, match.start(), match.end(), listing, method))
    return found


def _follows_name(text: str, start: int, name_ends: dict[int, str], company_key: str) -> bool:
    """True when a name of the same company ends right before: "Nvidia Corp NVDA", "Ford Motor (F)"."""
    position = start
    while position > 0 and start - position < 4 and text[position - 1] in _GAP_BEFORE_SYMBOL:
        position -= 1
    return name_ends.get(position) == company_key


def find_tickers(
    text: str,
    reference: TickerReference,
    day: date | None,
    found_names: list[tuple[int, int, str]],
    has_exchange: bool,
) -> list[TickerMention]:
    """Every mention of a reference security, in text order, with `primary` still unset. `found_names`
    are the reference's `name_phrases` found in the text and `has_exchange` whether an `EXCHANGE_HINTS`
    is, as `find_phrase_sets` gives them."""
    mentions = _structured(text, reference, day, has_exchange)
    structured = _Spans([(m.start, m.end) for m in mentions])
    names = [name for name in found_names if not structured.overlaps(name[0], name[1])]
    for start, end, company_key in names:
        mentions.append(_mention(text, start, end, reference.for_company(company_key, day), "company_name"))
    taken = _Spans([(m.start, m.end) for m in mentions])
    name_ends = {end: company_key for _, end, company_key in names}
    for match in _BARE.finditer(text):
        symbol, start, end = match.group(), match.start(), match.end()
        if (
            not reference.is_symbol(symbol)
            or taken.overlaps(start, end)
            or _INDEX_NAME_AFTER.match(text, end)
        ):
            continue
        listing = reference.for_symbol(symbol, day)
        if (len(symbol) == 1 or symbol in _WORDLIKE_SYMBOLS) and not (
            _follows_name(text, start, name_ends, listing.company_key)
            or _TICKER_WORD.search(text, max(0, start - 16), start)
        ):
            continue
        mentions.append(_mention(text, start, end, listing, "bare_symbol"))
    mentions.sort(key=lambda mention: mention.start)
    return mentions


def primary_companies(
    mentions: list[TickerMention], sentences: Sentences, title_companies: set[str]
) -> set[str]:
    """The article's subject: companies in the title; else those in the first sentence naming any
    (within the first three); else the most mentioned."""
    if title_companies:
        return title_companies
    if not mentions:
        return set()
    lead = sentences.index_of(mentions[0].start)
    if lead < 3:
        return {m.company_key for m in mentions if sentences.index_of(m.start) == lead}
    counts = Counter(m.company_key for m in mentions)
    top = max(counts.values())
    return {key for key, count in counts.items() if count == top}


def mark_primary(mentions: list[TickerMention], primary: set[str]) -> tuple[TickerMention, ...]:
    return tuple(
        TickerMention(m.symbol, m.company_key, m.text, m.start, m.end, m.method, True)
        if m.company_key in primary
        else m
        for m in mentions
    )
