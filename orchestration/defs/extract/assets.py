"""Extraction assets: one daily partition of articles and of each mention table, written together."""

from datetime import date

import dagster as dg

from orchestration import lake
from orchestration.defs.ingest.assets import LANDED_KEY, REFERENCE_KEY
from orchestration.defs.metadata import PREVIEW_ROWS, table_metadata
from orchestration.defs.partitions import daily_partitions
from orchestration.defs.resources import TickerwireHome
from orchestration.lake_schema import TABLES
from orchestration.pipeline.extraction import OUTPUT_TABLES, PARTITION_FILE, extract_day, load_reference
from orchestration.pipeline.landing import landed_days

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
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="extract",
)
def article_extracts(context: dg.AssetExecutionContext, tickerwire: TickerwireHome):
    """Extract each day in the run's partition range whose landed inputs changed; others are skipped."""
    home = tickerwire.paths()
    reference, reference_version = load_reference(home.lake)
    window = context.partition_key_range
    first, last = date.fromisoformat(window.start), date.fromisoformat(window.end)
    days = [day for day in landed_days(home.lake) if first <= day <= last]
    totals = dict.fromkeys(OUTPUT_TABLES, 0)
    extracted = skipped = duplicates = 0
    last_day = None
    for day in days:
        report = extract_day(home.lake, day, reference, reference_version)
        if report.skipped:
            skipped += 1
            continue
        extracted += 1
        duplicates += report.duplicates
        last_day = day
        for name, count in report.rows.items():
            totals[name] += count
    context.log.info(f"extracted {extracted} days, skipped {skipped} unchanged, {duplicates} duplicates")
    for name in OUTPUT_TABLES:
        sample = []
        if last_day is not None:
            sample = lake.read_files([lake.partition_dir(home.lake, name, last_day) / PARTITION_FILE], name)
            sample = sample.slice(0, PREVIEW_ROWS).to_pylist()
        metadata = table_metadata(totals[name], TABLES[name], sample)
        metadata |= {"days_extracted": extracted, "days_unchanged": skipped}
        if name == "articles":
            metadata["duplicates"] = duplicates
        yield dg.MaterializeResult(asset_key=["lake", name], metadata=metadata)
