"""A small Parquet lake for the dbt tests, laid out like the pipeline writes it.

Every table gets its zero-row schema file (`Lake.ensure_schema_files`); the day tables get
`published_date=YYYY-MM-DD/` folders (with `published_date` also a column inside the files); the others
get plain files.

The fixture (`sample_lake_rows`) holds three articles:

* TSLA_ARTICLE: Tesla, published 2024-03-05, with a TSLA price note, an S&P 500 index move and a
  claim attributed to Reuters. An older version of it landed in the 2024-03-04 partition, with
  children of its own: staging keeps only the latest version (and its children).
* AAPL_ARTICLE: Apple, 2024-03-05, with an AAPL price note and an unattributed claim.
* FORD_ARTICLE: Ford, 2024-03-04, a claim but no price note (so no claim-price link).
* FOLLOW_ARTICLE: a Tesla follow-up, 2024-03-07, with a TSLA price note two days after the Tesla
  article (an `other_article` link both ways), a hedged $5 billion claim, people and places.
* APPLE_LATE_ARTICLE: Apple, 2024-03-08, an AAPL claim without a note of its own (linked to the AAPL
  note of 03-05).

Daily bars: TSLA 2024-03-01 to 2024-03-12 (returns after the Tesla article), AAPL 2024-03-04 to 03-06.

`relanded_lake_rows` is the same lake after one more landing day (RELANDED_DAY, 2024-03-09): the
follow-up and the Ford article re-landed under that day (their dates were corrected), plus a new
Tesla article of that day with an AAPL note too (the Apple claim of 03-08, a day before, gains a link
after it), that landing pass's ledger file, and the AAPL bars of 03-07 to 03-11 (the Apple claims of
03-05 get their 5th trading day, the one of 03-08 its next close) - for the incremental build test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.lake import Lake
from orchestration.lake_schema import DAY_TABLES, TABLES

TSLA_ARTICLE = "a-tsla"
AAPL_ARTICLE = "a-aapl"
FORD_ARTICLE = "a-ford"
FOLLOW_ARTICLE = "a-tsla-follow"
WEEKEND_ARTICLE = "a-tsla-weekend"
APPLE_LATE_ARTICLE = "a-aapl-late"

MAR_04 = date(2024, 3, 4)
MAR_05 = date(2024, 3, 5)
MAR_07 = date(2024, 3, 7)
MAR_08 = date(2024, 3, 8)
RELANDED_DAY = date(2024, 3, 9)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def write_lake(lake: Path, rows_by_table: Mapping[str, Iterable[Mapping[str, object]]]) -> None:
    """Write `rows_by_table` (table -> rows as dicts) into `lake`, plus every table's schema file.

    Rows of day tables go to their `published_date=` folder; tables without rows end up with only
    their schema file."""
    unknown = set(rows_by_table) - set(TABLES)
    if unknown:
        raise ValueError(f"not lake tables: {sorted(unknown)}")
    Lake(lake).ensure_schema_files()
    for name, schema in TABLES.items():
        folder = lake / name
        rows = [dict(row) for row in rows_by_table.get(name, ())]
        if not rows:
            continue
        if name == "ingest_ledger":  # one file per landing pass, named as the landing names them
            by_run: dict[str, list[dict]] = {}
            for row in rows:
                by_run.setdefault(row["run_id"], []).append(row)
            for run_id, run_rows in by_run.items():
                run_table = pa.Table.from_pylist(run_rows, schema=schema)
                pq.write_table(run_table, folder / f"{run_id}-0000.parquet")
            continue
        if name not in DAY_TABLES:
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "data.parquet")
            continue
        by_day: dict[date, list[dict]] = {}
        for row in rows:
            by_day.setdefault(row["published_date"], []).append(row)
        for day, day_rows in by_day.items():
            partition = folder / f"published_date={day.isoformat()}"
            partition.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(day_rows, schema=schema), partition / "data.parquet")


def _article(article_id: str, day: date, title: str, ingested_at: datetime, **extra: object) -> dict:
    return {
        "article_id": article_id,
        "source_id": f"src-{article_id}",
        "title": title,
        "body": f"{title}. Body text.",
        "published_at": _utc(day.year, day.month, day.day, 14, 30),
        "published_raw": day.isoformat(),
        "published_date": day,
        "date_is_estimated": False,
        "source": "Example Wire",
        "url": f"https://news.example.com/{article_id}",
        "canonical_url": f"https://news.example.com/{article_id}",
        "authors": "A. Writer",
        "content_hash": f"hash-{article_id}-{day.isoformat()}",
        "input_file": "wire.jsonl",
        "input_position": "1",
        "ingested_at": ingested_at,
        **extra,
    }


def _note(article_id: str, day: date, index: int, symbol: str, company_key: str | None, **extra) -> dict:
    return {
        "article_id": article_id,
        "published_date": day,
        "note_index": index,
        "symbol": symbol,
        "company_key": company_key,
        "direction": "up",
        "change_pct": None,
        "change_qualifier": None,
        "price": None,
        "currency": None,
        "session": None,
        "period": None,
        "as_of": day,
        "as_of_text": None,
        "sentence": f"{symbol} moved.",
        "start_char": 0,
        "end_char": 10,
        "is_index_move": False,
        **extra,
    }


def _claim(article_id: str, day: date, index: int, text: str, tickers: list[str], **extra) -> dict:
    return {
        "article_id": article_id,
        "published_date": day,
        "claim_index": index,
        "claim_text": text,
        "attributed_source": None,
        "attribution_phrase": None,
        "hedges": [],
        "tickers": tickers,
        "is_forward_looking": False,
        "start_char": 0,
        "end_char": len(text),
        **extra,
    }


def _mention(article_id: str, day: date, index: int, symbol: str, company_key: str, text: str) -> dict:
    return {
        "article_id": article_id,
        "published_date": day,
        "mention_index": index,
        "symbol": symbol,
        "company_key": company_key,
        "mention_text": text,
        "start_char": 0,
        "end_char": len(text),
        "method": "company_name",
        "is_primary": True,
    }


def _ticker(symbol: str, company_key: str, name: str, exchange: str, **extra: object) -> dict:
    return {
        "company_key": company_key,
        "symbol": symbol,
        "name": name,
        "aliases": [name.split(",")[0].split(" ")[0]],
        "exchange": exchange,
        "asset_type": "stock",
        "valid_from": None,
        "valid_to": None,
        **extra,
    }


def _bar(symbol: str, day: date, close: float) -> dict:
    return {
        "symbol": symbol,
        "bar_date": day,
        "open": close,
        "high": close * 1.01,
        "low": close * 0.99,
        "close": close,
        "volume": 1_000_000.0,
        "source_file": "fixture.csv",
    }


def _entity(article_id: str, day: date, index: int, text: str, label: str) -> dict:
    return {
        "article_id": article_id,
        "published_date": day,
        "entity_index": index,
        "entity_text": text,
        "label": label,
        "start_char": 0,
        "end_char": len(text),
    }


def _follow_up_rows(day: date, ingested_at: datetime) -> dict[str, list[dict]]:
    """The Tesla follow-up article and its children, landed under `day`."""
    a = FOLLOW_ARTICLE
    claim = "Tesla could spend $5 billion on the China project, people familiar with the matter said."
    return {
        "articles": [_article(a, day, "Tesla suppliers weigh a move to Shanghai", ingested_at)],
        "ticker_mentions": [_mention(a, day, 0, "TSLA", "tesla", "Tesla")],
        "price_notes": [
            _note(a, day, 0, "TSLA", "tesla", direction="up", change_pct=2.0, as_of=MAR_07, session="close")
        ],
        "claims": [
            _claim(
                a,
                day,
                0,
                claim,
                ["TSLA"],
                attributed_source="people familiar with the matter",
                attribution_phrase="people familiar with the matter said",
                hedges=["could"],
                is_forward_looking=True,
            )
        ],
        "amounts": [
            {
                "article_id": a,
                "published_date": day,
                "amount_index": 0,
                "amount_text": "$5 billion",
                "kind": "money",
                "value": 5e9,
                "currency": "USD",
                "unit": "billion",
                "start_char": 18,
                "end_char": 28,
            }
        ],
        "entities": [
            _entity(a, day, 0, "Elon Musk", "PERSON"),
            _entity(a, day, 1, "Shanghai", "PLACE"),
        ],
    }


def _ford_rows(day: date, ingested_at: datetime) -> dict[str, list[dict]]:
    return {
        "articles": [_article(FORD_ARTICLE, day, "Ford EV margins", ingested_at)],
        "ticker_mentions": [_mention(FORD_ARTICLE, day, 0, "F", "ford-motor", "Ford")],
        "claims": [_claim(FORD_ARTICLE, day, 0, "Ford is losing money on EVs.", ["F"])],
    }


def _merge(*parts: dict[str, list[dict]]) -> dict[str, list[dict]]:
    merged: dict[str, list[dict]] = {}
    for part in parts:
        for table, rows in part.items():
            merged.setdefault(table, []).extend(rows)
    return merged


def relanded_lake_rows() -> dict[str, list[dict]]:
    """The sample lake after RELANDED_DAY landed (see the module docstring); only that day's
    partitions are new, the earlier ones are unchanged."""
    day, later = RELANDED_DAY, _utc(2024, 3, 9, 20)
    weekend = {
        "articles": [_article(WEEKEND_ARTICLE, day, "Tesla weekend deliveries", later)],
        "ticker_mentions": [
            _mention(WEEKEND_ARTICLE, day, 0, "TSLA", "tesla", "Tesla"),
            _mention(WEEKEND_ARTICLE, day, 1, "AAPL", "apple", "Apple"),
        ],
        "price_notes": [
            _note(WEEKEND_ARTICLE, day, 0, "TSLA", "tesla", direction="down", change_pct=1.0),
            _note(WEEKEND_ARTICLE, day, 1, "AAPL", "apple", direction="up", change_pct=0.4),
        ],
        "claims": [_claim(WEEKEND_ARTICLE, day, 0, "Tesla deliveries reportedly slowed.", ["TSLA"])],
        "ingest_ledger": [
            {
                "run_id": "20240309T200000000000Z",
                "input_file": "weekend.jsonl",
                "input_position": "line 1",
                "file_hash": "f3",
                "article_id": WEEKEND_ARTICLE,
                "content_hash": "h-weekend",
                "outcome": "landed",
                "ingested_at": later,
            }
        ],
        "daily_bars": [
            _bar("AAPL", date(2024, 3, day), close) for day, close in ((7, 199.0), (8, 197.5), (11, 201.0))
        ],
    }
    return _merge(sample_lake_rows(), _follow_up_rows(day, later), _ford_rows(day, later), weekend)


def sample_lake_rows() -> dict[str, list[dict]]:
    """The rows of the fixture lake, by table (see the module docstring)."""
    reuters_claim = "Tesla plans to build a data center in China, according to a report from Reuters."
    rows = {
        "articles": [
            # the stale version: landed first, under the wrong day
            _article(TSLA_ARTICLE, MAR_04, "Tesla (old version)", _utc(2024, 3, 4, 9)),
            _article(TSLA_ARTICLE, MAR_05, "Tesla shares fall on China plans", _utc(2024, 3, 5, 18)),
            _article(AAPL_ARTICLE, MAR_05, "Apple rises", _utc(2024, 3, 5, 18)),
        ],
        "ticker_mentions": [
            _mention(TSLA_ARTICLE, MAR_04, 0, "TSLA", "tesla", "Tesla"),  # stale: dropped
            _mention(TSLA_ARTICLE, MAR_05, 0, "TSLA", "tesla", "Tesla"),
            _mention(AAPL_ARTICLE, MAR_05, 0, "AAPL", "apple", "Apple"),
        ],
        "price_notes": [
            _note(TSLA_ARTICLE, MAR_04, 0, "TSLA", "tesla", direction="up"),  # stale: dropped
            _note(
                TSLA_ARTICLE,
                MAR_05,
                0,
                "TSLA",
                "tesla",
                direction="down",
                change_pct=3.2,
                change_qualifier="nearly",
                price=180.5,
                currency="USD",
                session="close",
                as_of=date(2024, 3, 4),
                as_of_text="on Monday",
                sentence="Tesla shares fell nearly 3.2% to $180.50 on Monday.",
            ),
            _note(
                TSLA_ARTICLE,
                MAR_05,
                1,
                "S&P 500",
                None,
                direction="up",
                change_pct=0.5,
                session="close",
                is_index_move=True,
                sentence="The S&P 500 rose 0.5%.",
            ),
            _note(AAPL_ARTICLE, MAR_05, 0, "AAPL", "apple", direction="up", change_pct=1.1),
        ],
        # made-up bars: the TSLA notes (down 3.2 % to $180.50; up 2 % on 03-07) hold, the AAPL note
        # (up 1.1 %) does not
        "daily_bars": [
            _bar("TSLA", date(2024, 3, 1), 186.47),
            _bar("TSLA", MAR_04, 180.5),
            _bar("TSLA", MAR_05, 178.0),
            _bar("TSLA", date(2024, 3, 6), 175.5),
            _bar("TSLA", MAR_07, 179.0),
            _bar("TSLA", date(2024, 3, 8), 181.2),
            _bar("TSLA", date(2024, 3, 11), 177.9),
            _bar("TSLA", date(2024, 3, 12), 176.0),
            _bar("AAPL", MAR_04, 200.0),
            _bar("AAPL", MAR_05, 196.0),
            _bar("AAPL", date(2024, 3, 6), 198.0),
        ],
        "claims": [
            _claim(TSLA_ARTICLE, MAR_04, 0, "Stale claim.", ["TSLA"]),  # stale: dropped
            _claim(
                TSLA_ARTICLE,
                MAR_05,
                0,
                reuters_claim,
                ["TSLA"],
                attributed_source="Reuters",
                attribution_phrase="according to a report from Reuters",
                hedges=["plans"],
            ),
            # TSLA listed twice counts once; AAPL has no price note in this article
            _claim(TSLA_ARTICLE, MAR_05, 1, "Tesla could overtake Apple.", ["TSLA", "TSLA", "AAPL"]),
            _claim(
                AAPL_ARTICLE,
                MAR_05,
                0,
                "Apple will ship 10 million units.",
                ["AAPL"],
                is_forward_looking=True,
            ),
        ],
        "amounts": [
            {
                "article_id": TSLA_ARTICLE,
                "published_date": MAR_05,
                "amount_index": 0,
                "amount_text": "$180.50",
                "kind": "money",
                "value": 180.5,
                "currency": "USD",
                "unit": None,
                "start_char": 30,
                "end_char": 37,
            },
        ],
        "entities": [
            _entity(TSLA_ARTICLE, MAR_05, 0, "Elon Musk", "PERSON"),
            _entity(TSLA_ARTICLE, MAR_05, 1, "China", "PLACE"),
            _entity(TSLA_ARTICLE, MAR_05, 2, "Reuters", "ORG"),
        ],
        "ticker_reference": [
            _ticker("TSLA", "tesla", "Tesla, Inc.", "NASDAQ"),
            _ticker("AAPL", "apple", "Apple Inc.", "NASDAQ"),
            _ticker("F", "ford-motor", "Ford Motor Company", "NYSE"),
            # a rename: one row per symbol, with its validity window
            _ticker("FB", "meta-platforms", "Meta Platforms, Inc.", "NASDAQ", valid_to=date(2022, 6, 8)),
            _ticker("META", "meta-platforms", "Meta Platforms, Inc.", "NASDAQ", valid_from=date(2022, 6, 9)),
        ],
        "ingest_ledger": [
            {
                "run_id": "20240305T180000000000Z",
                "input_file": "wire.jsonl",
                "input_position": f"line {line}",
                "file_hash": "f1",
                "article_id": f"a{line}",
                "content_hash": f"h{line}",
                "outcome": "landed",
                "ingested_at": _utc(2024, 3, 5, 18),
            }
            for line in range(1, 5)
        ]
        + [
            {
                "run_id": "20240305T180000000000Z",
                "input_file": "broken.json",
                "input_position": "whole file",
                "file_hash": "f2",
                "outcome": "rejected",
                "detail": "not valid JSON",
                "ingested_at": _utc(2024, 3, 5, 18),
            },
        ],
    }
    apple_late = {
        "articles": [_article(APPLE_LATE_ARTICLE, MAR_08, "Apple suppliers", _utc(2024, 3, 8, 18))],
        "ticker_mentions": [_mention(APPLE_LATE_ARTICLE, MAR_08, 0, "AAPL", "apple", "Apple")],
        "claims": [_claim(APPLE_LATE_ARTICLE, MAR_08, 0, "Apple is said to cut orders.", ["AAPL"])],
    }
    return _merge(
        rows,
        _ford_rows(MAR_04, _utc(2024, 3, 4, 9)),
        _follow_up_rows(MAR_07, _utc(2024, 3, 7, 18)),
        apple_late,
    )


def crowded_lake_rows(mentions: int) -> dict[str, list[dict]]:
    """The relanded lake with `mentions` more ticker mentions in the weekend article of RELANDED_DAY: a day
    whose rows fill more than one of the warehouse's row groups."""
    crowd = [
        _mention(WEEKEND_ARTICLE, RELANDED_DAY, index, "TSLA", "tesla", "Tesla")
        for index in range(2, 2 + mentions)
    ]
    return _merge(relanded_lake_rows(), {"ticker_mentions": crowd})
