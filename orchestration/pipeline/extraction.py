"""Extraction of one published day: landed articles in, one Parquet file per mention table out."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orchestration import lake
from orchestration.extraction import TickerReference, extract
from orchestration.extraction.records import ArticleExtraction
from orchestration.pipeline.landing import LANDED, landed_days

MENTION_TABLES = ("ticker_mentions", "price_notes", "claims", "amounts", "entities")
OUTPUT_TABLES = ("articles", *MENTION_TABLES)
PARTITION_FILE = "data.parquet"
FINGERPRINT_KEY = "tickerwire.inputs"
REFERENCE_FILE = "tickers.parquet"


@dataclass
class DayReport:
    """Rows written for one day; `skipped` when its inputs had not changed since the last extraction."""

    day: date
    skipped: bool = False
    landed_rows: int = 0
    articles_without_ticker: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def duplicates(self) -> int:
        """Landed rows that were another copy of an article already counted."""
        return self.landed_rows - self.rows.get("articles", 0) if not self.skipped else 0


def _fingerprint(files: Iterable[Path], reference_version: str) -> str:
    """Changes when a landed file is added, replaced or removed, or the ticker reference changes."""
    digest = hashlib.sha256(reference_version.encode())
    for path in files:
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _latest_per_article(rows: list[dict]) -> list[dict]:
    """One row per article id: the most recently ingested version (an updated article replaces)."""
    latest: dict[str, dict] = {}
    for row in rows:
        current = latest.get(row["article_id"])
        if current is None or row["ingested_at"] >= current["ingested_at"]:
            latest[row["article_id"]] = row
    return sorted(latest.values(), key=lambda row: (row["published_at"] is None, row["article_id"]))


def mention_rows(article_id: str, day: date, result: ArticleExtraction) -> dict[str, list[dict]]:
    """Flatten one article's records into lake rows, table by table."""
    base = {"article_id": article_id, "published_date": day}
    notes = [(note, False) for note in result.price_notes] + [(note, True) for note in result.index_moves]
    return {
        "ticker_mentions": [
            {
                **base,
                "mention_index": i,
                "symbol": m.symbol,
                "company_key": m.company_key,
                "mention_text": m.text,
                "start_char": m.start,
                "end_char": m.end,
                "method": m.method,
                "is_primary": m.primary,
            }
            for i, m in enumerate(result.tickers)
        ],
        "price_notes": [
            {
                **base,
                "note_index": i,
                "symbol": n.ticker,
                "company_key": n.company_key,
                "direction": n.direction,
                "change_pct": n.change_pct,
                "change_qualifier": n.change_qualifier,
                "price": n.price,
                "currency": n.currency,
                "session": n.session,
                "period": n.period,
                "as_of": n.as_of,
                "as_of_text": n.as_of_text,
                "sentence": n.sentence,
                "start_char": n.start,
                "end_char": n.end,
                "is_index_move": is_index,
            }
            for i, (n, is_index) in enumerate(notes)
        ],
        "claims": [
            {
                **base,
                "claim_index": i,
                "claim_text": c.text,
                "attributed_source": c.source,
                "attribution_phrase": c.attribution,
                "hedges": list(c.hedges),
                "tickers": list(c.tickers),
                "is_forward_looking": c.forward_looking,
                "start_char": c.start,
                "end_char": c.end,
            }
            for i, c in enumerate(result.claims)
        ],
        "amounts": [
            {
                **base,
                "amount_index": i,
                "amount_text": a.text,
                "kind": a.kind,
                "value": a.value,
                "currency": a.currency,
                "unit": a.unit,
                "start_char": a.start,
                "end_char": a.end,
            }
            for i, a in enumerate(result.amounts)
        ],
        "entities": [
            {
                **base,
                "entity_index": i,
                "entity_text": e.text,
                "label": e.label,
                "start_char": e.start,
                "end_char": e.end,
            }
            for i, e in enumerate(result.entities)
        ],
    }


def _reference_path(lake_dir: Path) -> Path:
    return lake.table_dir(lake_dir, "ticker_reference") / REFERENCE_FILE


def reference_version(lake_dir: Path) -> str:
    """Changes with the contents of the ticker reference the ingest job wrote."""
    return hashlib.sha256(_reference_path(lake_dir).read_bytes()).hexdigest()


def load_reference(lake_dir: Path) -> tuple[TickerReference, str]:
    """The ticker reference the ingest job wrote, and its version."""
    rows = lake.read_files([_reference_path(lake_dir)], "ticker_reference").to_pylist()
    return TickerReference.from_rows(rows), reference_version(lake_dir)


def _is_current(lake_dir: Path, day: date, reference_version: str) -> tuple[bool, list[Path], str]:
    landed = lake.data_files(lake.partition_dir(lake_dir, LANDED, day))
    articles_path = lake.partition_dir(lake_dir, "articles", day) / PARTITION_FILE
    fingerprint = _fingerprint(landed, reference_version)
    current = not landed or lake.file_metadata(articles_path, FINGERPRINT_KEY) == fingerprint
    return current, landed, fingerprint


def pending_days(lake_dir: Path, reference_version: str) -> list[date]:
    """Landed days whose extraction is missing or out of date, e.g. after a run that stopped half-way."""
    return [day for day in landed_days(lake_dir) if not _is_current(lake_dir, day, reference_version)[0]]


def extract_day(lake_dir: Path, day: date, reference: TickerReference, reference_version: str) -> DayReport:
    """Re-extract a day when its landed inputs changed. Articles are written last, with the
    fingerprint of the inputs, so a crash half-way leaves a mismatch and the day is redone."""
    report = DayReport(day)
    current, landed, fingerprint = _is_current(lake_dir, day, reference_version)
    if current:
        report.skipped = True
        return report
    articles_path = lake.partition_dir(lake_dir, "articles", day) / PARTITION_FILE
    landed_rows = lake.read_files(landed, "articles").to_pylist()
    articles = _latest_per_article(landed_rows)
    tables: dict[str, list[dict]] = {name: [] for name in MENTION_TABLES}
    for article in articles:
        result = extract(
            article["body"], reference=reference, published_at=article["published_at"], title=article["title"]
        )
        report.articles_without_ticker += not result.tickers
        for name, rows in mention_rows(article["article_id"], day, result).items():
            tables[name].extend(rows)
    for name, rows in tables.items():
        report.rows[name] = lake.write_rows(
            lake.partition_dir(lake_dir, name, day) / PARTITION_FILE, name, rows
        )
    report.rows["articles"] = lake.write_rows(
        articles_path, "articles", articles, metadata={FINGERPRINT_KEY: fingerprint}
    )
    report.landed_rows = len(landed_rows)
    return report
