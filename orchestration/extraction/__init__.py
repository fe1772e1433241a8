"""Extraction library: article text and metadata in, typed records out. Pure (no I/O, no Dagster), so the
pipeline, the CLI and the tests all call the same `extract`."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from orchestration.extraction.amounts import find_amounts
from orchestration.extraction.claims import ATTRIBUTION_HINTS, KEYWORDS, find_claims
from orchestration.extraction.dates import publication_day
from orchestration.extraction.entities import GAZETTEER, find_entities
from orchestration.extraction.price_notes import DIRECTION_WORDS, find_price_notes
from orchestration.extraction.records import ArticleExtraction, TickerMention
from orchestration.extraction.reference import (
    Listing,
    PhraseSets,
    TickerReference,
    build_phrase_sets,
    find_phrase_sets,
)
from orchestration.extraction.sentences import split_sentences
from orchestration.extraction.tickers import EXCHANGE_HINTS, find_tickers, mark_primary, primary_companies

__all__ = ["ArticleExtraction", "TickerReference", "extract"]


@lru_cache(maxsize=4)
def _phrase_sets(reference: TickerReference) -> PhraseSets | None:
    """The reference's company names, the gazetteer, the claim keywords and the hints that gate the
    exchange and attribution patterns in one automaton, so that one pass over an article finds them all
    (scans of their own for the names and the hints took 13% of `extract`'s time on the Reuters file)."""
    return build_phrase_sets(
        {
            "names": reference.name_phrases,
            "symbols": reference.symbol_phrases,
            "exchange_hints": EXCHANGE_HINTS,
            "gazetteer": GAZETTEER,
            "keywords": KEYWORDS,
            "attribution_hints": ATTRIBUTION_HINTS,
            "directions": DIRECTION_WORDS,
        },
        inside_words=("exchange_hints", "attribution_hints"),
    )


def _tickers(
    text: str, reference: TickerReference, day: date | None, phrases: dict[str, list]
) -> list[TickerMention]:
    return find_tickers(
        text,
        reference,
        day,
        phrases.get("names", []),
        phrases.get("symbols", []),
        "exchange_hints" in phrases,
    )


def _subject_listings(
    reference: TickerReference, mentions: list[TickerMention], keys: set[str], day: date | None
) -> list[Listing]:
    """The subject companies' listings, in order of first mention: what "the company" resolves to."""
    ordered = dict.fromkeys([m.company_key for m in mentions if m.company_key in keys] + sorted(keys))
    return [reference.for_company(key, day) for key in ordered]


def extract(
    text: str | None,
    *,
    reference: TickerReference,
    published_at: datetime | date | None = None,
    title: str | None = None,
) -> ArticleExtraction:
    """Tickers, price notes, claims, amounts and entities of one article. Offsets index into `text`;
    relative dates ("Friday") resolve against `published_at` and stay None without it."""
    if not text or not text.strip():
        return ArticleExtraction()
    day = publication_day(published_at)
    sentences = split_sentences(text)
    phrase_sets = _phrase_sets(reference)
    phrases = find_phrase_sets(phrase_sets, text)
    found = _tickers(text, reference, day, phrases)
    title_companies = (
        {m.company_key for m in _tickers(title, reference, day, find_phrase_sets(phrase_sets, title))}
        if title
        else set()
    )
    primary_keys = primary_companies(found, sentences, title_companies)
    mentions = list(mark_primary(found, primary_keys))
    primary = _subject_listings(reference, mentions, primary_keys, day)
    amounts = find_amounts(text)
    entities = find_entities(text, mentions, phrases.get("gazetteer", []))
    notes, index_moves = find_price_notes(
        text, sentences, mentions, amounts, primary, day, phrases.get("directions", [])
    )
    note_sentences = {sentences.index_of(note.start) for note in (*notes, *index_moves)}
    claims = find_claims(
        text, sentences, mentions, entities, amounts, primary, note_sentences, phrases.get("keywords", []),
        phrases.get("attribution_hints", []),
    )  # fmt: skip
    return ArticleExtraction(
        tickers=tuple(mentions),
        price_notes=tuple(notes),
        claims=tuple(claims),
        amounts=tuple(amounts),
        entities=tuple(entities),
        index_moves=tuple(index_moves),
    )
