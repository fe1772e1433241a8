"""The accuracy table: the extractor against the team's gold file, FiNER-ORD and fin-num-claim.

The gold files hold only ids and expected tuples, annotated by reading each article's lead (not from the
extractor's output); the text itself stays in `../shared/data`. `gold/articles.jsonl` (the random sample):
the symbols named, as of the article's date, the price notes (ticker, direction, percent, price) and the
named sources statements are attributed to. `gold/price_notes.jsonl` (the share-move sample): price notes.
Claims are statements about companies, so attribution is also scored on the articles naming one."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from orchestration.evaluation.corpus import (
    SHARED_DATA,
    NewsArticle,
    lead,
    sample_articles,
    share_move_sample,
    yahoo_articles,
)
from orchestration.evaluation.scoring import Tally
from orchestration.extraction import ArticleExtraction, TickerReference, extract
from orchestration.extraction.claims import is_forward_looking_numeric
from orchestration.extraction.records import PriceNote
from orchestration.reference import load_bundled_reference_rows

GOLD_ARTICLES = Path(__file__).parent / "gold" / "articles.jsonl"
GOLD_PRICE_NOTES = Path(__file__).parent / "gold" / "price_notes.jsonl"
FINER_ORD_VAL = SHARED_DATA / "gold" / "finer_ord" / "val.csv"
NUMCLAIM = SHARED_DATA / "gold" / "numclaim.csv"
FINER_LABELS = {"1": "PERSON", "3": "PLACE", "5": "ORG"}  # B- tags; the I- tag is the B- tag plus one
_NAME_FILLERS = frozenset({"the", "of", "and", "a", "an", "inc", "co", "corp", "ltd", "plc", "group"})


@dataclass(frozen=True, slots=True)
class Row:
    measure: str
    data: str
    items: int
    tally: Tally
    target: float | None


def _note_key(note: PriceNote) -> tuple:
    return (note.ticker, note.direction, note.change_pct, note.price)


def _same_note(found: tuple, gold: list) -> bool:
    def close(a: float | None, b: float | None) -> bool:
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, abs_tol=0.005)

    return (
        found[0] == gold[0] and found[1] == gold[1] and close(found[2], gold[2]) and close(found[3], gold[3])
    )


def _name_tokens(name: str) -> set[str]:
    words = name.replace("'s", "").replace("’s", "").lower().split()
    return {word.strip(".,") for word in words} - _NAME_FILLERS


def _same_source(found: str, gold: str) -> bool:
    """Names match on any shared word: "Musk" is "Elon Musk", "the Journal" is "Wall Street Journal"."""
    return bool(_name_tokens(found) & _name_tokens(gold))


def _distinct_sources(names: Iterable[str]) -> list[str]:
    """One name per source: "Stephen Girsky" then "Girsky" is one speaker, as in the gold."""
    distinct: list[str] = []
    for name in names:
        if not any(_same_source(name, seen) for seen in distinct):
            distinct.append(name)
    return distinct


def _read_gold(path: Path) -> dict[str, dict]:
    return {row["id"]: row for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def _extract_lead(article: NewsArticle, reference: TickerReference) -> ArticleExtraction:
    return extract(
        lead(article.body), reference=reference, published_at=article.published_at, title=article.title
    )


def gold_article_rows(reference: TickerReference) -> list[Row]:
    gold = _read_gold(GOLD_ARTICLES)
    articles = [article for article in sample_articles() if article.article_id in gold]
    tickers, notes, sources, company_sources, with_company = Tally(), Tally(), Tally(), Tally(), 0
    for article in articles:
        expected = gold[article.article_id]
        found = _extract_lead(article, reference)
        tickers.add({mention.symbol for mention in found.tickers}, expected["tickers"])
        notes.add_matched(
            [_note_key(note) for note in found.price_notes], expected["price_notes"], _same_note
        )
        found_sources = _distinct_sources(claim.source for claim in found.claims if claim.source)
        sources.add_matched(found_sources, expected["sources"], _same_source)
        if expected["tickers"]:
            company_sources.add_matched(found_sources, expected["sources"], _same_source)
            with_company += 1
    data = f"random sample ({len(articles)})"
    return [
        Row("tickers (set per article)", data, len(articles), tickers, 0.95),
        Row("price notes (ticker, dir, %, price)", data, len(articles), notes, 0.95),
        Row("claim attribution sources", data, len(articles), sources, None),
        Row(
            "claim attribution sources",
            f"sample naming a company ({with_company})",
            with_company,
            company_sources,
            0.85,
        ),
    ]


def share_move_row(reference: TickerReference) -> Row:
    gold = _read_gold(GOLD_PRICE_NOTES)
    articles = [article for article in share_move_sample() if article.article_id in gold]
    notes = Tally()
    for article in articles:
        found = [_note_key(note) for note in _extract_lead(article, reference).price_notes]
        notes.add_matched(found, gold[article.article_id]["price_notes"], _same_note)
    return Row(
        "price notes (ticker, dir, %, price)",
        f"share-move sample ({len(articles)})",
        len(articles),
        notes,
        0.95,
    )


def yahoo_tag_row(reference: TickerReference) -> Row:
    """Second opinion only: Yahoo's model-made tags, in today's symbols, limited to the reference."""
    known = {listing.symbol for listing in reference.listings}
    tally, count = Tally(), 0
    for article in yahoo_articles():
        found = extract(
            article.body, reference=reference, published_at=article.published_at, title=article.title
        )
        today = {reference.for_company(mention.company_key, None).symbol for mention in found.tickers}
        tally.add(today, article.tagged_symbols & known)
        count += 1
    return Row("tickers vs Yahoo tags (noisy)", "Yahoo 2017-2019, all", count, tally, None)


def _finer_documents() -> Iterator[tuple[str, set[tuple[int, int, str]]]]:
    """FiNER-ORD documents as text (tokens joined by spaces, a line a sentence) and gold spans."""
    with FINER_ORD_VAL.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    documents: dict[str, list[dict]] = {}
    for row in rows:
        documents.setdefault(row["doc_idx"], []).append(row)
    for tokens in documents.values():
        parts, spans, open_span, position, sentence = [], set(), None, 0, tokens[0]["sent_idx"]
        for token in tokens:
            if parts:
                separator = "\n" if token["sent_idx"] != sentence else " "
                parts.append(separator)
                position += 1
            sentence = token["sent_idx"]
            start, position = position, position + len(token["gold_token"])
            parts.append(token["gold_token"])
            label = token["gold_label"]
            if open_span and label == str(int(open_span[2]) + 1):
                open_span = (open_span[0], position, open_span[2])
                continue
            if open_span:
                spans.add((open_span[0], open_span[1], FINER_LABELS[open_span[2]]))
            open_span = (start, position, label) if label in FINER_LABELS else None
        if open_span:
            spans.add((open_span[0], open_span[1], FINER_LABELS[open_span[2]]))
        yield "".join(parts), spans


def finer_row(reference: TickerReference) -> Row:
    tally, count = Tally(), 0
    for text, expected in _finer_documents():
        found = extract(text, reference=reference).entities
        tally.add({(entity.start, entity.end, entity.label) for entity in found}, expected)
        count += 1
    return Row("entities PERSON/ORG/PLACE (exact span)", "FiNER-ORD val (docs)", count, tally, 0.80)


def numclaim_row() -> Row:
    tally, count = Tally(), 0
    with NUMCLAIM.open(encoding="utf-8") as file:
        for number, row in enumerate(csv.DictReader(file)):
            tally.add(
                [number] if is_forward_looking_numeric(row["text"]) else [],
                [number] if row["label"] == "1" else [],
            )
            count += 1
    return Row("forward-looking numeric claims", "fin-num-claim (sentences)", count, tally, None)


def format_table(rows: list[Row]) -> str:
    header = ("measure", "data", "n", "P", "R", "F1", "target", "")
    lines = [header] + [
        (
            row.measure, row.data, str(row.items), f"{row.tally.precision:.3f}", f"{row.tally.recall:.3f}",
            f"{row.tally.f1:.3f}", f"{row.target:.2f}" if row.target else "-",
            "" if row.target is None else ("ok" if row.tally.f1 >= row.target else "BELOW"),
        )
        for row in rows
    ]  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def main() -> None:
    reference = TickerReference.from_rows(load_bundled_reference_rows())
    rows = [
        *gold_article_rows(reference),
        share_move_row(reference),
        yahoo_tag_row(reference),
        finer_row(reference),
        numclaim_row(),
    ]
    print(format_table(rows))
