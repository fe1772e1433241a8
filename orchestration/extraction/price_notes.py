"""Price notes: sentences saying how a security's price moved ("TSLA shares are trading lower by 0.10% at
$174.66 in premarket"), and index moves (S&P 500, Dow, Nasdaq), which are kept apart.

A sentence naming several securities is cut into one clause per security, so "Ford fell 2% while GM
rose 1%" gives two notes. A sentence naming none but saying "its shares" or "the stock" is about the
article's subject."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

from orchestration.extraction.dates import AS_OF, resolve_as_of
from orchestration.extraction.records import Amount, Direction, PriceNote, TickerMention
from orchestration.extraction.reference import Listing
from orchestration.extraction.sentences import Sentences

_UP = (
    "rose", "rises", "rising", "risen", "gained", "gains", "gaining", "climbed", "climbs", "climbing",
    "jumped", "jumps", "jumping", "surged", "surges", "surging", "soared", "soars", "soaring", "rallied",
    "rallies", "rallying", "advanced", "advances", "advancing", "higher", "increased", "spiked", "popped",
    "rebounded", "edged up", "ticked up",
)  # fmt: skip
_DOWN = (
    "fell", "falls", "falling", "fallen", "dropped", "drops", "dropping", "declined", "declines", "declining",
    "slid", "slides", "sliding", "slumped", "slumps", "slumping", "tumbled", "tumbles", "tumbling", "plunged",
    "plunges", "plunging", "sank", "sinks", "sinking", "lower", "decreased", "dipped", "dips", "dipping",
    "retreated", "slipped", "slips", "slipping", "edged down", "ticked down",
)  # fmt: skip
# "up", "lost" and the like say how a price moved only before a number: "up 2%", "lost about $3".
_UP_BEFORE_NUMBER = ("up", "added", "adds", "adding")
_DOWN_BEFORE_NUMBER = ("down", "lost", "loses", "losing", "shed", "sheds", "shedding")
_NUMBER_FOLLOWS = re.compile(r"\s+(?:by\s+)?(?:[a-z]+\s+){0,2}[$\d]")
# Words saying which way a price moved, as (word, (direction, needs a number after it)): found by
# `extract`'s one automaton pass over the article (a regex search per sentence and clause took 8% of
# `extract`'s time).
DIRECTION_WORDS = [
    *((word, ("up", False)) for word in _UP),
    *((word, ("up", True)) for word in _UP_BEFORE_NUMBER),
    *((word, ("down", False)) for word in _DOWN),
    *((word, ("down", True)) for word in _DOWN_BEFORE_NUMBER),
    *((word, ("flat", False)) for word in ("unchanged", "flat")),
]


DirectionWord = tuple[int, int, tuple[Direction, bool]]  # (start, end, payload) from `find_phrase_sets`


class _Directions:
    """An article's direction words in text order, as `find_phrase_sets` gives them."""

    __slots__ = ("found", "starts", "text")

    def __init__(self, text: str, found: list[DirectionWord]):
        self.text, self.found = text, found
        self.starts = [start for start, _, _ in found]

    def first(self, start: int, end: int) -> tuple[int, Direction] | None:
        """The first direction word inside `text[start:end]`, with a number after it inside too where
        the word needs one: (position, direction)."""
        for word_start, word_end, (direction, needs_number) in self.found[bisect_left(self.starts, start) :]:
            if word_end > end:
                return None
            if not needs_number or _NUMBER_FOLLOWS.match(self.text, word_end, end):
                return word_start, direction
        return None


_STOCK_CONTEXT = re.compile(
    r"\b(?:[Ss]hares|[Ss]tocks?|share price|traded|trading|trades|premarket|pre-market|after-hours|session|"
    r"closed?|closing|Price Action)\b"
)
_SUBJECT_ANAPHOR = re.compile(
    r"\b(?:[Ii]ts (?:shares|stock)|[Tt]he (?:[a-z]+(?:'s|’s) )?(?:stock|shares)|Shares)\b"
)
_QUALIFIER = re.compile(
    r"\b(?P<qualifier>more than|less than|nearly|almost|about|around|roughly|approximately|over|under|some|"
    r"close to|as much as|as little as|just over|just under|up to)\s+$"
)
_SESSIONS = (
    ("premarket", re.compile(r"\bpre-?market\b|\bbefore the (?:opening )?bell\b")),
    ("after_hours", re.compile(r"\bafter-?hours\b|\bextended trading\b|\bpost-?market\b|\bafter the bell\b")),
    (
        "intraday",
        re.compile(r"\b(?:morning|afternoon|midday|early|late) trad(?:e|ing)\b|\bintraday\b|\bmidday\b"),
    ),
    ("close", re.compile(r"\bclosed?\b|\bclosing\b|\bsettled\b")),
    ("regular", re.compile(r"\bregular (?:trading|session)\b")),
)
_PERIOD = re.compile(
    r"\b(?:(?:the )?(?:last|past) (?:\d+ |one |two |three |four |five |six |nine |twelve |several |few )?"
    r"(?:trading )?(?:days?|sessions?|weeks?|months?|quarters?|years?)|year[- ]to[- ]date|"
    r"so far this (?:year|month|week)|this (?:year|month|week)|to date|"
    r"since the (?:start|beginning) of the year)\b"
)
INDEX = re.compile(
    r"\b(?:S&P 500|S&P500|Standard & Poor's 500|Dow Jones [Ii]ndustrial [Aa]verage|Dow [Ii]ndustrials|Dow|"
    r"Nasdaq [Cc]omposite|Nasdaq 100|Nasdaq-100|Nasdaq|Russell 2000)\b(?![:-])"
)
# "a component of the Dow", "compared with the S&P 500's drop": the index is a yardstick, not a subject.
_INDEX_AS_YARDSTICK = re.compile(
    r"\b(?:of|in|on|than|versus|vs\.|compared (?:with|to)|relative to)(?: the)? $"
)
_PRICE_LEAD = re.compile(r"\b(?:at|to|of) $")
# "Shares of Tesla rose": a move stated before the subject belongs to it only when the subject leads.
_SUBJECT_LEADS = 60
_INDEX_TICKERS = {"S": "SPX", "D": "DJI", "R": "RUT"}
_INDEX_POINTS = re.compile(
    r"\b(?:at|to)\s+(?P<points>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)\b(?!\s?%|\s?percent)"
)


@dataclass(frozen=True, slots=True)
class _Subject:
    ticker: str
    company_key: str
    start: int
    is_index: bool
    symbolic: bool  # named by a symbol ("TSLA shares"), which implies the share price; not "Ford ( F.N )"


def _index_ticker(name: str) -> str:
    if name.startswith("Nasdaq"):
        return "NDX" if "100" in name else "IXIC"
    return _INDEX_TICKERS[name[0]]


def _subjects(
    text: str, start: int, end: int, mentions: list[TickerMention], primary: list[Listing]
) -> list[_Subject]:
    """Who each part of the sentence is about, in order; consecutive mentions of one company merge."""
    subjects = [
        _Subject(m.symbol, m.company_key, m.start, False, m.method not in ("company_name", "reuters_code"))
        for m in mentions
    ]
    for match in INDEX.finditer(text, start, end):
        if _INDEX_AS_YARDSTICK.search(text, max(start, match.start() - 20), match.start()):
            continue
        if not any(m.start < match.end() and match.start() < m.end for m in mentions):
            ticker = _index_ticker(match.group())
            subjects.append(_Subject(ticker, f"index-{ticker.lower()}", match.start(), True, False))
    if not subjects and primary and _SUBJECT_ANAPHOR.search(text, start, end):
        subjects = [_Subject(m.symbol, m.company_key, start, False, False) for m in primary]
    subjects.sort(key=lambda subject: subject.start)
    merged: list[_Subject] = []
    for subject in subjects:
        if merged and merged[-1].company_key == subject.company_key:
            if subject.symbolic and not merged[-1].symbolic:
                merged[-1] = _Subject(subject.ticker, subject.company_key, merged[-1].start, False, True)
            continue
        merged.append(subject)
    return merged


def _first_after(amounts: list[Amount], position: int) -> Amount | None:
    return next((a for a in amounts if a.start >= position), amounts[0] if amounts else None)


def _quoted_price(text: str, money: list[Amount], position: int) -> Amount | None:
    """The price, not the change: "up $1.39, or 1.8 percent, at $77.87" quotes $77.87."""
    at_price = [a for a in money if _PRICE_LEAD.search(text, max(0, a.start - 8), a.start)]
    return _first_after(at_price or money, position)


def _note(
    text: str, subject: _Subject, clause: tuple[int, int], sentence: tuple[int, int],
    amounts: list[Amount], published: date | None, market_context: bool, directions: _Directions,
) -> PriceNote | None:  # fmt: skip
    """`market_context`: the sentence before was about share prices, so "Broadcom slid 2.4%" is too."""
    start, end = clause
    # The verb after the subject first: in "A fell 4%, while B slid 2%" B's move is "slid".
    moved = directions.first(max(start, subject.start), end)
    if moved is None and subject.start - start <= _SUBJECT_LEADS:
        moved = directions.first(start, end)
    if moved is None:
        return None
    moved_at, direction = moved
    session = next((name for name, pattern in _SESSIONS if pattern.search(text, start, end)), None)
    if not (
        subject.is_index
        or subject.symbolic
        or session
        or market_context
        or _STOCK_CONTEXT.search(text, start, end)
    ):
        return None
    inside = [a for a in amounts if start <= a.start and a.end <= end]
    percent = _first_after([a for a in inside if a.kind == "percent" and a.unit == "%"], moved_at)
    money = _quoted_price(text, [a for a in inside if a.kind == "money" and a.unit is None], moved_at)
    price = money.value if money else None
    currency = money.currency if money else None
    if subject.is_index and price is None:
        points = _INDEX_POINTS.search(text, start, end)
        price = float(points.group("points").replace(",", "")) if points else None
    if direction != "flat" and percent is None and price is None:
        return None
    qualifier = _QUALIFIER.search(text, max(start, percent.start - 20), percent.start) if percent else None
    period = _PERIOD.search(text, start, end)
    as_of = AS_OF.search(text, start, end) or AS_OF.search(
        text, *sentence
    )  # "..., while GM fell 1% on Friday"
    return PriceNote(
        ticker=subject.ticker,
        company_key=subject.company_key,
        direction=direction,
        change_pct=abs(percent.value) if percent else None,
        change_qualifier=qualifier.group("qualifier") if qualifier else None,
        price=price,
        currency=currency,
        session=session,
        period=period.group() if period else None,
        as_of=resolve_as_of(as_of.group(), published) if as_of else None,
        as_of_text=as_of.group() if as_of else None,
        sentence=text[sentence[0] : sentence[1]],
        start=sentence[0],
        end=sentence[1],
    )


def _about_share_prices(text: str, span: tuple[int, int], directions: _Directions) -> bool:
    return directions.first(*span) is not None and (
        _STOCK_CONTEXT.search(text, *span) is not None or any(p.search(text, *span) for _, p in _SESSIONS)
    )


def find_price_notes(
    text: str, sentences: Sentences, mentions: list[TickerMention], amounts: list[Amount],
    primary: list[Listing], published: date | None, direction_words: list[DirectionWord],
) -> tuple[list[PriceNote], list[PriceNote]]:  # fmt: skip
    """(price notes, index moves), one per security per clause that states a move with a number.
    `direction_words` are the `DIRECTION_WORDS` found in the text, as `find_phrase_sets` gives them."""
    directions = _Directions(text, direction_words)
    numbered = {sentences.index_of(a.start) for a in amounts if a.kind in ("percent", "money")}
    mentions_by_sentence = sentences.group(mentions, lambda m: m.start)
    amounts_by_sentence = sentences.group(amounts, lambda a: a.start)
    notes: list[PriceNote] = []
    index_moves: list[PriceNote] = []
    primary_keys = {listing.company_key for listing in primary}
    # "The stock" points back: not to a subject first named later (a rival named in the fourth sentence).
    first_named = min((m.start for m in mentions if m.company_key in primary_keys), default=0)
    for i in sorted(numbered):
        sentence = sentences.spans[i]
        if directions.first(*sentence) is None:
            continue
        referents = primary if first_named <= sentence[0] else []
        subjects = _subjects(text, *sentence, mentions_by_sentence[i], referents)
        market_context = i > 0 and _about_share_prices(text, sentences.spans[i - 1], directions)
        for n, subject in enumerate(subjects):
            clause_start = sentence[0] if n == 0 else subject.start
            clause_end = subjects[n + 1].start if n + 1 < len(subjects) else sentence[1]
            note = _note(
                text, subject, (clause_start, clause_end), sentence, amounts_by_sentence[i], published,
                market_context, directions,
            )  # fmt: skip
            if note is not None:
                (index_moves if subject.is_index else notes).append(note)
    return notes, index_moves
