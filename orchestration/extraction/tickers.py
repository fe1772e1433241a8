"""Ticker mentions: cashtags, exchange-qualified and Reuters-coded symbols, company names, and bare
symbols, which count only where they cannot be an ordinary word ("IT", "ON", "CAT" need context)."""

from __future__ import annotations

import re
import string
from bisect import bisect_right
from collections import Counter
from datetime import date

from orchestration.extraction.records import MentionMethod, TickerMention
from orchestration.extraction.reference import SYMBOL, Listing, TickerReference
from orchestration.extraction.sentences import Sentences

_CASHTAG = re.compile(rf"\$(?<![\w$]\$)({SYMBOL})(?![\w&])")
# The lookahead ("(" or an exchange's first letter) skips other positions in one step (3x faster).
_EXCHANGE = re.compile(
    r"(?=[(NACOB])(\()?\b(?:NASDAQ|Nasdaq|NasdaqGS|NasdaqGM|NYSE(?:\s?(?:American|Arca|MKT))?|NYSEARCA"
    rf"|NYSEAMERICAN|AMEX|OTC(?:QX|QB|\s?Markets)?|Cboe|CBOE|BATS)\s?:\s?({SYMBOL})(?![\w&])(?(1)\))"
)
# A cheap test before the exchange pattern: one of these is inside every match. Found by `extract`'s one
# automaton pass over the article, inside words too ("NYSEARCA").
EXCHANGE_HINTS = [
    (name, None) for name in ("NASDAQ", "Nasdaq", "NYSE", "AMEX", "OTC", "Cboe", "CBOE", "BATS")
]
_REUTERS = re.compile(r"[<(] ?([A-Z]{1,5})\.(?:N|O|OQ|K|A|P|PK|OB|L|T|TO|HK|DE|PA) ?[>)]")
# A bare symbol stands alone: no word character, "$", ".", "&", "/" or "-" before it, no word character,
# "&", "/", "-" or "." with a letter or digit after it ("BRK.B" is one symbol, "F.N" a Reuters code).
_NOT_BEFORE_BARE = frozenset("_$.&/-")
_NOT_AFTER_BARE = frozenset("_&/-")
_LETTERS_AND_DIGITS = frozenset(string.ascii_letters + string.digits)
_INDEX_NAME_AFTER = re.compile(r"(?: [A-Z][\w-]*){0,3} [Ii]nd(?:ex|exes|ices)\b")  # "MSCI China Index"
_TICKER_WORD = re.compile(r"(?:ticker|symbol)(?: symbol)?:?\s*\(?$")
_TICKER_WORD_REACH = 16  # characters before a symbol that "ticker" or "symbol" may start in

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
_MAX_GAP = 4  # characters between a company name and its symbol


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
    while position > 0 and start - position < _MAX_GAP and text[position - 1] in _GAP_BEFORE_SYMBOL:
        position -= 1
    return name_ends.get(position) == company_key


def _stands_bare(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (
        before.isalnum()
        or before in _NOT_BEFORE_BARE
        or after.isalnum()
        or after in _NOT_AFTER_BARE
        or (after == "." and text[end + 1 : end + 2] in _LETTERS_AND_DIGITS)
    )


def _bare_symbols(
    text: str,
    reference: TickerReference,
    found_symbols: list[tuple[int, int, None]],
    name_ends: dict[int, str],
) -> list[tuple[int, int]]:
    """Spans of the reference's symbols standing bare in the text, in text order. A single letter counts
    only right after a company name or the word "ticker" or "symbol", so only there is one looked for
    (the phrase pass finding every capital "F" and "T" cost more than it saved)."""
    spans = [(start, end) for start, end, _ in found_symbols if _stands_bare(text, start, end)]
    if reference.single_letter_symbols:
        places = {position for end in name_ends for position in range(end, end + _MAX_GAP + 1)}
        for word in ("ticker", "symbol"):
            found = text.find(word)
            while found >= 0:
                places.update(range(found + len(word), found + _TICKER_WORD_REACH + 1))
                found = text.find(word, found + 1)
        spans += [
            (position, position + 1)
            for position in places
            if text[position : position + 1] in reference.single_letter_symbols
            and _stands_bare(text, position, position + 1)
        ]
        spans.sort()
    return spans


def find_tickers(
    text: str,
    reference: TickerReference,
    day: date | None,
    found_names: list[tuple[int, int, str]],
    found_symbols: list[tuple[int, int, None]],
    has_exchange: bool,
) -> list[TickerMention]:
    """Every mention of a reference security, in text order, with `primary` still unset. `found_names`
    and `found_symbols` are the reference's `name_phrases` and `symbol_phrases` found in the text and
    `has_exchange` whether an `EXCHANGE_HINTS` is, as `find_phrase_sets` gives them."""
    mentions = _structured(text, reference, day, has_exchange)
    structured = _Spans([(m.start, m.end) for m in mentions])
    names = [name for name in found_names if not structured.overlaps(name[0], name[1])]
    for start, end, company_key in names:
        mentions.append(_mention(text, start, end, reference.for_company(company_key, day), "company_name"))
    taken = _Spans([(m.start, m.end) for m in mentions])
    name_ends = {end: company_key for _, end, company_key in names}
    for start, end in _bare_symbols(text, reference, found_symbols, name_ends):
        symbol = text[start:end]
        if taken.overlaps(start, end) or _INDEX_NAME_AFTER.match(text, end):
            continue
        listing = reference.for_symbol(symbol, day)
        if (len(symbol) == 1 or symbol in _WORDLIKE_SYMBOLS) and not (
            _follows_name(text, start, name_ends, listing.company_key)
            or _TICKER_WORD.search(text, max(0, start - _TICKER_WORD_REACH), start)
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
