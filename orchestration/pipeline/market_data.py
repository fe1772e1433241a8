"""Daily bars from CSV or Parquet files into `lake/daily_bars/year=YYYY/bars.parquet`.

Files come from elsewhere (vendors, public datasets) with their own column spelling, so columns are matched
case-insensitively. A file without a ticker column holds one symbol's bars when its name says which
(`AAPL.csv`, `vendor_aapl_daily.csv`); files without date and OHLC columns, or a symbol, are skipped."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lake import Lake, LakeLocation
from orchestration.lake_schema import DAILY_BARS

TABLE = "daily_bars"
PRICES_ENV = "TICKERWIRE_PRICES_DIR"
# orchestration/pipeline/market_data.py → the folder that holds the checkout and ../shared
DEFAULT_PRICES_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "prices"
REQUIRED = ("date", "open", "high", "low", "close")
# One symbol's bars: "AAPL.csv", "AAPL.parquet" or "<anything>_aapl_daily.csv" (FNSPID's spelling).
SINGLE_SYMBOL_NAME = re.compile(
    r"^(?:[a-z0-9]+_)*?([a-z]{1,5}(?:\.[a-z])?)(?:_daily)?\.(?:csv|csv\.gz|parquet)$", re.I
)
SUFFIXES = (".csv", ".csv.gz", ".parquet")


def prices_dir(configured: str = "") -> Path:
    """The asset's config wins, then $TICKERWIRE_PRICES_DIR, then ../shared/data/prices beside the repo."""
    return Path(configured or os.environ.get(PRICES_ENV) or DEFAULT_PRICES_DIR)


def _reader(path: Path) -> str:
    quoted = str(path).replace("'", "''")
    if path.name.endswith(".parquet"):
        return f"read_parquet('{quoted}')"
    # Text columns and try_cast: vendors write "null", "NA" or "" for missing values.
    return f"read_csv('{quoted}', header = true, all_varchar = true)"


def _select(con: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    """SQL selecting the file's bars in the lake schema, or None when the file lacks a required column."""
    described = con.execute(f"select * from {_reader(path)} limit 0").description
    columns = {column[0].lower(): column[0] for column in described}
    if not all(name in columns for name in REQUIRED):
        return None
    if "ticker" in columns:
        symbol = f'upper(trim(cast("{columns["ticker"]}" as varchar)))'
    elif match := SINGLE_SYMBOL_NAME.match(path.name):
        symbol = f"'{match.group(1).upper()}'"
    else:
        return None

    def col(name: str) -> str:
        return f'"{columns[name]}"'

    def number(name: str) -> str:
        return f"try_cast({col(name)} as double)" if name in columns else "cast(null as double)"

    source = path.name.replace("'", "''")
    return f"""
        select * from (
            select {symbol} as symbol,
                try_cast({col("date")} as date) as bar_date,
                {number("open")} as open, {number("high")} as high, {number("low")} as low,
                {number("close")} as close, {number("volume")} as volume, '{source}' as source_file
            from {_reader(path)}
        )
        where close is not null and bar_date is not null"""


def load_daily_bars(source: Path, lake_location: LakeLocation) -> dict[str, object]:
    """Rewrite the table from every usable file in `source`; returns rows per year and skipped files."""
    if not source.is_dir():
        raise FileNotFoundError(f"no market data folder at {source}: set {PRICES_ENV} or the asset's config")
    files = sorted(p for p in source.iterdir() if p.is_file() and p.name.endswith(SUFFIXES))
    with duckdb.connect() as con:
        selects = {path.name: _select(con, path) for path in files}
        usable = [sql for sql in selects.values() if sql]
        bars = (
            con.sql(" union all ".join(usable)).to_arrow_table().cast(DAILY_BARS)
            if usable
            else DAILY_BARS.empty_table()
        )
    lake = Lake.at(lake_location)
    folder = lake.table_dir(TABLE)
    years = pc.year(bars["bar_date"])
    rows_per_year: dict[str, int] = {}
    for year in sorted(pc.unique(years).to_pylist()):
        part = bars.filter(pc.equal(years, pa.scalar(year, years.type)))
        lake.write_table(f"{folder}/year={year}/bars.parquet", part)
        rows_per_year[str(year)] = part.num_rows
    # A year that is no longer in the inputs must not keep serving old bars.
    for year in lake.partitions(TABLE, "year"):
        if year not in rows_per_year:
            lake.remove_tree(f"{folder}/year={year}")
    lake.ensure_schema_files()
    return {
        "rows_per_year": rows_per_year,
        "skipped_files": sorted(n for n, sql in selects.items() if not sql),
    }
