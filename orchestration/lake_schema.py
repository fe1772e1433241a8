"""Arrow schemas of the Parquet lake: the contract between the Python assets and dbt's sources."""

from __future__ import annotations

import pyarrow as pa

_UTC = pa.timestamp("us", tz="UTC")

ARTICLES = pa.schema(
    [
        ("article_id", pa.string()),  # stable: hash of the canonical URL, else of the normalised text
        ("source_id", pa.string()),  # the input's own id
        ("title", pa.string()),
        ("body", pa.string()),
        ("published_at", _UTC),
        ("published_raw", pa.string()),
        ("published_date", pa.date32()),  # the partition: published date, else ingestion date
        ("date_is_estimated", pa.bool_()),  # no usable date: placed by ingestion time
        ("source", pa.string()),
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("authors", pa.string()),
        ("content_hash", pa.string()),
        ("input_file", pa.string()),
        ("input_position", pa.string()),
        ("ingested_at", _UTC),
    ]
)

TICKER_MENTIONS = pa.schema(
    [
        ("article_id", pa.string()),
        ("published_date", pa.date32()),
        ("mention_index", pa.int32()),
        ("symbol", pa.string()),
        ("company_key", pa.string()),
        ("mention_text", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("method", pa.string()),
        ("is_primary", pa.bool_()),
    ]
)

PRICE_NOTES = pa.schema(
    [
        ("article_id", pa.string()),
        ("published_date", pa.date32()),
        ("note_index", pa.int32()),
        ("symbol", pa.string()),
        ("company_key", pa.string()),
        ("direction", pa.string()),
        ("change_pct", pa.float64()),
        ("change_qualifier", pa.string()),
        ("price", pa.float64()),
        ("currency", pa.string()),
        ("session", pa.string()),
        ("period", pa.string()),
        ("as_of", pa.date32()),
        ("as_of_text", pa.string()),
        ("sentence", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("is_index_move", pa.bool_()),  # S&P 500, Dow, Nasdaq moves: not ticker price notes
    ]
)

CLAIMS = pa.schema(
    [
        ("article_id", pa.string()),
        ("published_date", pa.date32()),
        ("claim_index", pa.int32()),
        ("claim_text", pa.string()),
        ("attributed_source", pa.string()),
        ("attribution_phrase", pa.string()),
        ("hedges", pa.list_(pa.string())),
        ("tickers", pa.list_(pa.string())),
        ("is_forward_looking", pa.bool_()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
    ]
)

AMOUNTS = pa.schema(
    [
        ("article_id", pa.string()),
        ("published_date", pa.date32()),
        ("amount_index", pa.int32()),
        ("amount_text", pa.string()),
        ("kind", pa.string()),
        ("value", pa.float64()),
        ("currency", pa.string()),
        ("unit", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
    ]
)

ENTITIES = pa.schema(
    [
        ("article_id", pa.string()),
        ("published_date", pa.date32()),
        ("entity_index", pa.int32()),
        ("entity_text", pa.string()),
        ("label", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
    ]
)

TICKER_REFERENCE = pa.schema(
    [
        ("company_key", pa.string()),
        ("symbol", pa.string()),
        ("name", pa.string()),
        ("aliases", pa.list_(pa.string())),
        ("exchange", pa.string()),
        ("asset_type", pa.string()),  # stock | etf
        ("valid_from", pa.date32()),  # the symbol's first day for this company (null: always)
        ("valid_to", pa.date32()),  # its last day (null: still trading under it)
    ]
)

INGEST_LEDGER = pa.schema(
    [
        ("run_id", pa.string()),  # the landing pass (UTC start time)
        ("input_file", pa.string()),
        ("input_position", pa.string()),  # "whole file", "line 3", "row 12", "record 5"
        ("file_hash", pa.string()),  # sha256 of the file's bytes: the same bytes are read once
        ("article_id", pa.string()),
        ("content_hash", pa.string()),  # of the article's text
        ("outcome", pa.string()),  # landed | duplicate | updated | rejected
        ("detail", pa.string()),  # the reject reason, or what it duplicates or replaces
        ("ingested_at", _UTC),
    ]
)

# Daily market bars from vendor files (loaded by orchestration/pipeline/market_data.py), `year=` folders.
DAILY_BARS = pa.schema(
    [
        ("symbol", pa.string()),
        ("bar_date", pa.date32()),
        ("open", pa.float64()),
        ("high", pa.float64()),
        ("low", pa.float64()),
        ("close", pa.float64()),
        ("volume", pa.float64()),
        ("source_file", pa.string()),  # which input file; staging keeps one bar per symbol and day
    ]
)

TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "ticker_mentions": TICKER_MENTIONS,
    "price_notes": PRICE_NOTES,
    "claims": CLAIMS,
    "amounts": AMOUNTS,
    "entities": ENTITIES,
    "ticker_reference": TICKER_REFERENCE,
    "ingest_ledger": INGEST_LEDGER,
    "daily_bars": DAILY_BARS,
}
# Tables in `published_date=YYYY-MM-DD/` folders (the others: plain files, or `year=` for daily_bars).
DAY_TABLES = frozenset({"articles", "ticker_mentions", "price_notes", "claims", "amounts", "entities"})
