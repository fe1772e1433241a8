"""Daily bars: self-written files into the lake, and the Groupon note checked on real bars in place."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.lake import SCHEMA_FILE
from orchestration.lake_schema import TABLES
from orchestration.pipeline.market_data import load_daily_bars
from tests.conftest import shared_data
from tests.dbt.lake_fixtures import _article, write_lake
from tests.dbt.test_dbt_build import run_dbt

# Our own wording of the Reuters 2012-01-03 note: GRPN down 6.6 % to a $19.27 close.
GROUPON_NOTE = {
    "article_id": "grpn",
    "published_date": date(2012, 1, 3),
    "note_index": 0,
    "symbol": "GRPN",
    "direction": "down",
    "change_pct": 6.6,
    "price": 19.27,
    "session": "close",
    "is_index_move": False,
}


def test_bars_load_by_year_from_csv_and_parquet(tmp_path: Path) -> None:
    source = tmp_path / "prices"
    source.mkdir()
    (source / "a.csv").write_text(
        "Ticker,Date,Open,High,Low,Close,Volume\nacme,2019-12-31,1,2,0.5,1.5,10\nACME,2020-01-02,1,2,0.5,null,10\n"
    )
    duckdb.sql(
        "copy (select 'ZZZ' as ticker, date '2020-01-03' as date, 1.0 as open, 1.0 as high,"
        f" 1.0 as low, 1.0 as close) to '{source / 'b.parquet'}'"
    )
    # no ticker column: one symbol's bars when the name says which (FNSPID's spelling), else skipped
    (source / "vendor_grpn_daily.csv").write_text("Date,Open,High,Low,Close\n2020-01-06,1,1,1,1\n")
    (source / "no_ticker_column.csv").write_text("Date,Open,High,Low,Close\n2020-01-02,1,1,1,1\n")
    lake = tmp_path / "lake"
    (lake / "daily_bars" / "year=1999").mkdir(parents=True)
    summary = load_daily_bars(source, lake)
    assert summary == {"rows_per_year": {"2019": 1, "2020": 2}, "skipped_files": ["no_ticker_column.csv"]}
    assert sorted(p.name for p in (lake / "daily_bars").iterdir()) == [
        SCHEMA_FILE,
        "year=2019",
        "year=2020",
    ]
    rows = duckdb.sql(f"select symbol, volume from '{lake}/daily_bars/**/*.parquet' order by 1").fetchall()
    assert rows == [("ACME", 10.0), ("GRPN", None), ("ZZZ", None)]


@pytest.mark.slow
def test_groupon_note_is_confirmed_by_the_shared_bars(tmp_path: Path) -> None:
    prices = shared_data("prices")
    root = tmp_path.resolve()
    lake = root / "lake"
    day = GROUPON_NOTE["published_date"]
    note = {name: GROUPON_NOTE.get(name) for name in TABLES["price_notes"].names}
    article = _article("grpn", day, "Groupon falls", datetime(2012, 1, 3, 23, tzinfo=UTC))
    write_lake(lake, {"articles": [article], "price_notes": [note]})
    load_daily_bars(prices, lake)
    result = run_dbt(root, "run", "--select", "+fct_price_note_checks")
    assert result.returncode == 0, result.stdout[-4000:]
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        check = con.execute(
            "select market_close, market_change_pct, percent_check, price_check, verdict"
            " from marts.fct_price_note_checks"
        ).fetchall()
    assert check == [(19.27, pytest.approx(-6.5924, abs=1e-3), "confirmed", "confirmed", "confirmed")]
