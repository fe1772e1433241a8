"""Ingest assets: the inbox lands in the lake; the ticker reference that extraction resolves names with."""

import dagster as dg

from orchestration import lake
from orchestration.defs.metadata import PREVIEW_ROWS, table_metadata
from orchestration.defs.resources import TickerwireHome
from orchestration.lake_schema import ARTICLES, INGEST_LEDGER, REJECTED_INPUTS, TICKER_REFERENCE
from orchestration.pipeline.extraction import REFERENCE_FILE
from orchestration.pipeline.landing import LANDED, land_inbox
from orchestration.reference import load_bundled_reference_rows

LANDED_KEY = dg.AssetKey(["lake", LANDED])
REFERENCE_KEY = dg.AssetKey(["lake", "ticker_reference"])
# Inbox folders are often network mounts: a transient read error is retried before the run fails.
INGEST_RETRY = dg.RetryPolicy(max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            LANDED_KEY,
            description="Articles read from new inbox files, by published date, before de-duplication.",
            kinds={"python", "parquet"},
        ),
        dg.AssetSpec(
            ["lake", "rejected_inputs"],
            description="Inputs, or parts of inputs, that could not become articles, with the reason.",
            kinds={"python", "parquet"},
        ),
        dg.AssetSpec(
            ["lake", "ingest_ledger"],
            description="One row per inbox file seen: landed, duplicate or rejected. Written after the data.",
            kinds={"python", "parquet"},
        ),
    ],
    group_name="ingest",
    retry_policy=INGEST_RETRY,
)
def inbox_landing(context: dg.AssetExecutionContext, tickerwire: TickerwireHome):
    """Land every inbox file the ledger has not seen; files already recorded are not read again."""
    home = tickerwire.paths()
    report = land_inbox(home.inbox, home.lake)
    touched = sorted(day.isoformat() for day in report.touched_dates)
    context.log.info(f"landed {report.articles} articles from {report.files_landed} files; days {touched}")
    yield dg.MaterializeResult(
        asset_key=LANDED_KEY,
        metadata={
            "dagster/row_count": report.articles,
            "dagster/column_schema": table_metadata(0, ARTICLES, [])["dagster/column_schema"],
            "files_seen": report.files_seen,
            "files_landed": report.files_landed,
            "files_duplicate": report.files_duplicate,
            "files_rejected": report.files_rejected,
            "touched_dates": dg.MetadataValue.json(touched),
            "inbox": dg.MetadataValue.path(str(home.inbox)),
        },
    )
    # Counts come from the Parquet footers and the preview from the newest file: these tables only grow.
    for key, schema in (("rejected_inputs", REJECTED_INPUTS), ("ingest_ledger", INGEST_LEDGER)):
        files = lake.data_files(lake.table_dir(home.lake, key))
        newest = [max(files, key=lambda path: path.stat().st_mtime)] if files else []
        sample = lake.read_files(newest, key).slice(0, PREVIEW_ROWS).to_pylist()
        yield dg.MaterializeResult(
            asset_key=["lake", key], metadata=table_metadata(lake.row_count(files), schema, sample)
        )


@dg.asset(
    key=REFERENCE_KEY,
    group_name="ingest",
    retry_policy=INGEST_RETRY,
    kinds={"python", "parquet"},
    description="Listed symbols with names and short names, and the dates each symbol was in use.",
)
def ticker_reference(tickerwire: TickerwireHome) -> dg.MaterializeResult:
    home = tickerwire.paths()
    rows = load_bundled_reference_rows()
    lake.write_rows(lake.table_dir(home.lake, "ticker_reference") / REFERENCE_FILE, "ticker_reference", rows)
    return dg.MaterializeResult(metadata=table_metadata(len(rows), TICKER_REFERENCE, rows))
