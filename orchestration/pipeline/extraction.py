"""Extraction of one published day: landed articles in, one Parquet file per mention table out."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter

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


# Per mention table: the column numbering an article's records, and the lake columns named otherwise than
# the record's fields; the other columns are fields of the same name.
_SPAN = {"start_char": "start", "end_char": "end"}
_COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    "ticker_mentions": ("mention_index", {"mention_text": "text", "is_primary": "primary", **_SPAN}),
    "price_notes": ("note_index", {"symbol": "ticker", **_SPAN}),
    "claims": (
        "claim_index",
        {
            "claim_text": "text",
            "attributed_source": "source",
            "attribution_phrase": "attribution",
            "is_forward_looking": "forward_looking",
            **_SPAN,
        },
    ),
    "amounts": ("amount_index", {"amount_text": "text", **_SPAN}),
    "entities": ("entity_index", {"entity_text": "text", **_SPAN}),
}


def mention_tables(day: date, extractions: Iterable[tuple[str, ArticleExtraction]]) -> dict[str, pa.Table]:
    """Articles' records as lake tables, built column by column: a dict per row cost as much again as
    building the columns (16% of `extract()`'s time, measured on 2,000 articles)."""
    records: dict[str, list] = {name: [] for name in MENTION_TABLES}
    article_ids: dict[str, list[str]] = {name: [] for name in MENTION_TABLES}
    numbers: dict[str, list[int]] = {name: [] for name in MENTION_TABLES}
    index_moves: list[bool] = []
    for article_id, result in extractions:
        index_moves += [False] * len(result.price_notes) + [True] * len(result.index_moves)
        for name, found in (
            ("ticker_mentions", result.tickers),
            ("price_notes", result.price_notes + result.index_moves),
            ("claims", result.claims),
            ("amounts", result.amounts),
            ("entities", result.entities),
        ):
            records[name] += found
            article_ids[name] += [article_id] * len(found)
            numbers[name] += range(len(found))
    tables = {}
    for name, (number_column, renamed) in _COLUMNS.items():
        columns = {"article_id": article_ids[name], "published_date": [day] * len(records[name])}
        columns[number_column] = numbers[name]
        if name == "price_notes":
            columns["is_index_move"] = index_moves
        for column in TABLES[name].names:
            if column not in columns:
                columns[column] = list(map(attrgetter(renamed.get(column, column)), records[name]))
        tables[name] = pa.Table.from_pydict(columns, schema=TABLES[name])
    return tables


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
    extractions = []
    for article in articles.to_pylist():
        body, published_at, title = article["body"], article["published_at"], article["title"]
        result = extract(body, reference=reference, published_at=published_at, title=title)
        extractions.append((article["article_id"], result))
    without_ticker = sum(not result.tickers for _, result in extractions)
    return _Chunk(mention_tables(day, extractions), without_ticker)


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
