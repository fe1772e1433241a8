"""Market data: daily bars that price notes are checked against (dbt's fct_price_note_checks)."""

import dagster as dg

from orchestration.defs.resources import TickerwireHome
from orchestration.pipeline.market_data import PRICES_ENV, TABLE, load_daily_bars, prices_dir

DAILY_BARS_KEY = dg.AssetKey(["lake", TABLE])


class DailyBarsConfig(dg.Config):
    source: str = (
        ""  # folder of CSV/Parquet bar files; empty: $TICKERWIRE_PRICES_DIR, else ../shared/data/prices
    )


@dg.asset(
    key=DAILY_BARS_KEY,
    description=(
        "Daily OHLCV bars per ticker, from every CSV/Parquet file in the prices folder "
        f"(config `source`, else ${PRICES_ENV}, else ../shared/data/prices), in `year=` folders."
    ),
    kinds={"python", "parquet"},
    group_name="market",
)
def daily_bars(context: dg.AssetExecutionContext, config: DailyBarsConfig, tickerwire: TickerwireHome):
    source = prices_dir(config.source)
    summary = load_daily_bars(source, tickerwire.paths().lake)
    if summary["skipped_files"]:
        context.log.warning(f"skipped files without ticker/date/OHLC columns: {summary['skipped_files']}")
    rows = summary["rows_per_year"]
    return dg.MaterializeResult(
        metadata={
            "source": str(source),
            "dagster/row_count": sum(rows.values()),
            "rows_per_year": rows,
            "skipped_files": summary["skipped_files"],
        }
    )
