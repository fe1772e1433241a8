"""Extraction of one published day: landed articles in, one Parquet file per mention table out."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa

from orchestration.extraction import TickerReference, extract
from orchestration.extraction.records import ArticleExtraction
from orchestration.lake import Lake, LakeLocation
from orchestration.lake_schema import TABLES
from orchestration.pipeline.landing import LANDED, landed_days
from orchestration.pipeline.workers import taken_ahead, worker_pool

MENTION_TABLES = ("ticker_mentions", "price_notes", "claims", "amounts", "entities")
OUTPUT_TABLES = ("articles", *MENTION_TABLES)
PARTITION_FILE = "data.parquet"
FINGERPRINT_KEY = "tickerwire.inputs"
REFERENCE_FILE = "tickers.parquet"
ARTICLE_INPUTS = ("article_id", "body", "title", "published_at")  # what a worker needs of an article
CHUNK_ARTICLES = 250  # articles per task handed to a worker process
PARALLEL_FROM_ARTICLES = 2_000  # below this, starting worker processes costs more than it saves


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


def _fingerprint(lake: Lake, files: Iterable[str], reference_version: str) -> str:
    """Changes when a landed file is added, replaced or removed, or the ticker reference changes."""
    digest = hashlib.sha256(reference_version.encode())
    for path in files:
        digest.update(f"{path.rsplit('/', 1)[-1]}:{lake.version(path)}".encode())
    return digest.hexdigest()


def _latest_per_article(landed: pa.Table) -> pa.Table:
    """One row per article id: the most recently ingested version (an updated article replaces), dated
    articles first, then by id. Chosen from three columns; the texts stay in Arrow."""
    ids = landed.column("article_id").to_pylist()
    ingested = landed.column("ingested_at").to_pylist()
    undated = landed.column("published_at").is_null().to_pylist()
    latest: dict[str, int] = {}
    for row, article_id in enumerate(ids):
        current = latest.get(article_id)
        if current is None or ingested[row] >= ingested[current]:
            latest[article_id] = row
    return landed.take(sorted(latest.values(), key=lambda row: (undated[row], ids[row])))


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


def extracted_file(lake: Lake, table: str, day: date) -> str:
    """The one file of a table's day: extraction rewrites a day whole."""
    return f"{lake.partition_dir(table, day)}/{PARTITION_FILE}"


def reference_path(lake: Lake) -> str:
    return f"{lake.table_dir('ticker_reference')}/{REFERENCE_FILE}"


def reference_version(lake_location: LakeLocation) -> str:
    """Changes with the contents of the ticker reference the ingest job wrote."""
    lake = Lake.at(lake_location)
    return _version_of(lake.read_bytes(reference_path(lake)))


def _version_of(reference_bytes: bytes) -> str:
    return hashlib.sha256(reference_bytes).hexdigest()


def load_reference(lake_location: LakeLocation) -> tuple[TickerReference, str]:
    """The ticker reference the ingest job wrote, and its version: the file is read once."""
    lake = Lake.at(lake_location)
    data = lake.read_bytes(reference_path(lake))
    rows = Lake.table_from_bytes(data, "ticker_reference").to_pylist()
    return TickerReference.from_rows(rows), _version_of(data)


def _is_current(lake: Lake, day: date, reference_version: str) -> tuple[bool, list[str], str]:
    landed = lake.data_files(lake.partition_dir(LANDED, day))
    articles_path = extracted_file(lake, "articles", day)
    fingerprint = _fingerprint(lake, landed, reference_version)
    current = not landed or lake.file_metadata(articles_path, FINGERPRINT_KEY) == fingerprint
    return current, landed, fingerprint


def pending_days(lake_location: LakeLocation, reference_version: str) -> list[date]:
    """Landed days whose extraction is missing or out of date, e.g. after a run that stopped half-way."""
    lake = Lake.at(lake_location)
    return [day for day in landed_days(lake) if not _is_current(lake, day, reference_version)[0]]


@dataclass
class _Chunk:
    """What some articles of one day gave: a table of rows per mention table (Arrow, so it crosses from
    a worker process as buffers, not as millions of pickled dicts)."""

    tables: dict[str, pa.Table]
    articles_without_ticker: int


def _extract_articles(day: date, articles: pa.Table, reference: TickerReference) -> _Chunk:
    rows: dict[str, list[dict]] = {name: [] for name in MENTION_TABLES}
    without_ticker = 0
    for article in articles.to_pylist():
        result = extract(
            article["body"], reference=reference, published_at=article["published_at"], title=article["title"]
        )
        without_ticker += not result.tickers
        for name, table_rows in mention_rows(article["article_id"], day, result).items():
            rows[name].extend(table_rows)
    tables = {name: pa.Table.from_pylist(rows[name], schema=TABLES[name]) for name in MENTION_TABLES}
    return _Chunk(tables, without_ticker)


_worker_reference: TickerReference | None = None


def _start_worker(reference: TickerReference) -> None:
    global _worker_reference
    _worker_reference = reference


def _extract_in_worker(day: date, articles: pa.Table) -> _Chunk:
    return _extract_articles(day, articles, _worker_reference)


def _done(chunk: _Chunk) -> Future:
    future: Future = Future()
    future.set_result(chunk)
    return future


@dataclass
class _DayInFlight:
    """A day read and handed out in chunks, waiting for its chunks to be written."""

    report: DayReport
    articles: pa.Table | None = None
    fingerprint: str = ""
    chunks: list[Future] = field(default_factory=list)


def _write_day(lake: Lake, day: _DayInFlight) -> DayReport:
    """Mention tables first, articles last with the fingerprint of the inputs, so a crash half-way
    leaves a mismatch and the day is redone."""
    report = day.report
    if report.skipped:
        return report
    chunks: list[_Chunk] = [future.result() for future in day.chunks]
    report.articles_without_ticker = sum(chunk.articles_without_ticker for chunk in chunks)
    for name in MENTION_TABLES:
        table = pa.concat_tables([chunk.tables[name] for chunk in chunks] or [TABLES[name].empty_table()])
        lake.write_table(extracted_file(lake, name, report.day), table)
        report.rows[name] = table.num_rows
    articles_path = extracted_file(lake, "articles", report.day)
    lake.write_table(articles_path, day.articles, metadata={FINGERPRINT_KEY: day.fingerprint})
    report.rows["articles"] = day.articles.num_rows
    return report


def extract_days(
    lake_location: LakeLocation,
    days: Iterable[date],
    reference: TickerReference,
    reference_version: str,
    *,
    workers: int = 1,
    parallel_from: int = PARALLEL_FROM_ARTICLES,
) -> Iterator[DayReport]:
    """Re-extract, in order, each day whose landed inputs changed; the others come back `skipped`.

    With `workers` > 1 and at least `parallel_from` landed rows to extract, chunks of a day's articles
    go to that many worker processes (extraction is CPU-bound: one core each; a pool costs about a
    second to start). Days are read and written here, a few ahead of the chunks being extracted, so
    memory holds a few days, never the corpus."""
    lake = Lake.at(lake_location)
    stale: dict[date, tuple[list[str], str]] = {}
    days = list(days)
    for day in days:
        current, landed, fingerprint = _is_current(lake, day, reference_version)
        if not current:
            stale[day] = (landed, fingerprint)
    parallel = (
        workers > 1 and lake.row_count(f for landed, _ in stale.values() for f in landed) >= parallel_from
    )
    with contextlib.ExitStack() as stack:
        if parallel:
            pool = stack.enter_context(worker_pool(workers, _start_worker, (reference,)))

        def read_and_submitted() -> Iterator[_DayInFlight]:
            for day in days:
                if day not in stale:
                    yield _DayInFlight(DayReport(day, skipped=True))
                    continue
                landed, fingerprint = stale[day]
                landed_rows = lake.read_files(landed, "articles")
                articles = _latest_per_article(landed_rows)
                inputs = articles.select(ARTICLE_INPUTS)
                chunks = [inputs.slice(i, CHUNK_ARTICLES) for i in range(0, inputs.num_rows, CHUNK_ARTICLES)]
                yield _DayInFlight(
                    DayReport(day, landed_rows=landed_rows.num_rows),
                    articles,
                    fingerprint,
                    [
                        pool.submit(_extract_in_worker, day, chunk)
                        if parallel
                        else _done(_extract_articles(day, chunk, reference))
                        for chunk in chunks
                    ],
                )

        for day in taken_ahead(read_and_submitted(), 2 * workers if parallel else 0):
            yield _write_day(lake, day)
