"""Extraction assets: one daily partition of articles and of each mention table, written together."""

from datetime import date

import dagster as dg

from orchestration.defs.ingest.assets import LANDED_KEY, REFERENCE_KEY
from orchestration.defs.metadata import PREVIEW_ROWS, table_metadata
from orchestration.defs.partitions import daily_partitions
from orchestration.defs.resources import TickerwireHome
from orchestration.lake_schema import TABLES
from orchestration.pipeline.extraction import (
    OUTPUT_TABLES,
    extract_days,
    extracted_file,
    load_reference,
)
from orchestration.pipeline.landing import landed_days
from orchestration.pipeline.quality import (
    MAX_SHARE_WITHOUT_TICKER,
    MIN_SHARE_OF_PREVIOUS_DAY,
    article_counts,
    share,
    volume_drops,
)
from orchestration.pipeline.workers import default_workers

ARTICLES_KEY = dg.AssetKey(["lake", "articles"])

DESCRIPTIONS = {
    "articles": "One row per article (latest version), partitioned by published date.",
    "ticker_mentions": "Each place an article names a listed security: symbol, text, offsets, method.",
    "price_notes": "Statements about a share-price move: direction, percent, price, session, as-of date.",
    "claims": "Sentences asserting something about a company, with attribution and hedges.",
    "amounts": "Money, percentages and counts with units.",
    "entities": "People, organisations and places named in articles.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["lake", name],
            description=DESCRIPTIONS[name],
            kinds={"python", "parquet"},
            deps=[LANDED_KEY, REFERENCE_KEY],
        )
        for name in OUTPUT_TABLES
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "no_volume_drop",
            asset=ARTICLES_KEY,
            description=f"No extracted day has fewer than {MIN_SHARE_OF_PREVIOUS_DAY:.0%} of the articles of "
            "the previous day with articles (a lost feed or inbox). Warns.",
        ),
        dg.AssetCheckSpec(
            "articles_without_ticker",
            asset=ARTICLES_KEY,
            description=f"At most {MAX_SHARE_WITHOUT_TICKER:.0%} of the run's articles name no listed "
            "company (a broken reference or an off-topic source). Warns.",
        ),
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="extract",
)
def article_extracts(context: dg.AssetExecutionContext, tickerwire: TickerwireHome):
    """Extract each day in the run's partition range whose landed inputs changed; others are skipped.
    Large ranges use a worker process per core ($TICKERWIRE_WORKERS to choose)."""
    home = tickerwire.paths()
    reference, reference_version = load_reference(home.lake)
    window = context.partition_key_range
    first, last = date.fromisoformat(window.start), date.fromisoformat(window.end)
    days = [day for day in landed_days(home.lake) if first <= day <= last]
    totals = dict.fromkeys(OUTPUT_TABLES, 0)
    extracted = skipped = duplicates = without_ticker = 0
    last_day = None
    extracted_days = []
    workers = default_workers()
    for report in extract_days(home.lake, days, reference, reference_version, workers=workers):
        if report.skipped:
            skipped += 1
            continue
        extracted += 1
        duplicates += report.duplicates
        without_ticker += report.articles_without_ticker
        last_day = report.day
        extracted_days.append(report.day)
        for name, count in report.rows.items():
            totals[name] += count
    context.log.info(
        f"extracted {extracted} days on {workers} workers, {skipped} unchanged, {duplicates} duplicates"
    )
    for name in OUTPUT_TABLES:
        sample = []
        if last_day is not None:
            sample = home.lake.read_files([extracted_file(home.lake, name, last_day)], name)
            sample = sample.slice(0, PREVIEW_ROWS).to_pylist()
        metadata = table_metadata(totals[name], TABLES[name], sample)
        if first != last:
            # Dagster gives every day of a range run this metadata: the run's total is no day's row count
            metadata["rows_in_run"] = metadata.pop("dagster/row_count")
        elif skipped and home.lake.exists(day_file := extracted_file(home.lake, name, first)):
            # an unchanged day keeps its file: its rows, not the none this run wrote
            metadata["dagster/row_count"] = home.lake.row_count([day_file])
        metadata |= {"days_extracted": extracted, "days_unchanged": skipped, "extract_workers": workers}
        if name == "articles":
            metadata["duplicates"] = duplicates
        yield dg.MaterializeResult(asset_key=["lake", name], metadata=metadata)
    yield from _checks(home.lake, extracted_days, totals["articles"], without_ticker)


def _checks(lake_dir, days: list[date], articles: int, without_ticker: int):
    counts = article_counts(lake_dir, days)
    drops = volume_drops(counts, days)
    yield dg.AssetCheckResult(
        asset_key=ARTICLES_KEY,
        check_name="no_volume_drop",
        passed=not drops,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "days_checked": len(days),
            "drops": dg.MetadataValue.json(
                [
                    {
                        "day": str(d.day),
                        "articles": d.articles,
                        "previous_day": str(d.previous_day),
                        "previous_articles": d.previous_articles,
                    }
                    for d in drops
                ]
            ),
        },
    )
    untagged = share(without_ticker, articles)
    yield dg.AssetCheckResult(
        asset_key=ARTICLES_KEY,
        check_name="articles_without_ticker",
        passed=untagged <= MAX_SHARE_WITHOUT_TICKER,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"share": untagged, "articles": articles, "without_ticker": without_ticker},
    )
