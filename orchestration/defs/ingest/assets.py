"""Ingest assets: the inbox lands in the lake; the ticker reference that extraction resolves names with."""

import dagster as dg

from orchestration.defs.metadata import PREVIEW_ROWS, column_schema, table_metadata
from orchestration.defs.resources import TickerwireHome
from orchestration.lake_schema import ARTICLES, INGEST_LEDGER, TICKER_REFERENCE
from orchestration.pipeline.extraction import reference_path
from orchestration.pipeline.landing import LANDED, land_inbox
from orchestration.pipeline.quality import MAX_SHARE_REJECTED, share
from orchestration.pipeline.workers import default_workers
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
            deps=[dg.AssetKey(["sources", "fetched_news"])],
        ),
        dg.AssetSpec(
            ["lake", "ingest_ledger"],
            description="Every input item seen (article, record, whole file) and its outcome: landed, "
            "duplicate, updated or rejected with the reason. Written after the data it describes.",
            kinds={"python", "parquet"},
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "share_rejected",
            asset=["lake", "ingest_ledger"],
            description=f"At most {MAX_SHARE_REJECTED:.0%} of the items a landing pass saw were rejected "
            "(a source changed its format). Warns.",
        )
    ],
    group_name="ingest",
    retry_policy=INGEST_RETRY,
)
def inbox_landing(context: dg.AssetExecutionContext, tickerwire: TickerwireHome):
    """Land every inbox file the ledger has not seen; files already recorded are not read again."""
    home = tickerwire.paths()
    report = land_inbox(
        home.inbox,
        home.lake,
        quarantine=home.quarantine,
        digest_cache=home.digest_cache,
        workers=default_workers(),
    )
    touched = sorted(day.isoformat() for day in report.touched_dates)
    context.log.info(
        f"{report.files} new files read by {report.readers} process(es), {report.seen} items: "
        + ", ".join(f"{count} {outcome}" for outcome, count in report.counts.items())
        + f"; days {touched}"
    )
    yield dg.MaterializeResult(
        asset_key=LANDED_KEY,
        metadata={
            "dagster/row_count": report.articles,
            "dagster/column_schema": column_schema(ARTICLES),
            "run_id": report.run_id,
            "files": report.files,
            "seen": report.seen,
            **report.counts,
            "quarantined": dg.MetadataValue.json([str(path) for path in report.quarantined]),
            "touched_dates": dg.MetadataValue.json(touched),
            "inbox": dg.MetadataValue.path(str(home.inbox)),
        },
    )
    # Counts come from the Parquet footers and the preview from the newest file: the ledger only grows.
    # Ledger file names start with the run's UTC time: the last one sorted is the newest.
    files = home.lake.data_files(home.lake.table_dir("ingest_ledger"))
    sample = home.lake.read_files(files[-1:], "ingest_ledger").slice(0, PREVIEW_ROWS).to_pylist()
    yield dg.MaterializeResult(
        asset_key=["lake", "ingest_ledger"],
        metadata=table_metadata(home.lake.row_count(files), INGEST_LEDGER, sample),
    )
    rejected = share(report.counts["rejected"], report.seen)
    yield dg.AssetCheckResult(
        asset_key=["lake", "ingest_ledger"],
        check_name="share_rejected",
        passed=rejected <= MAX_SHARE_REJECTED,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"share": rejected, "seen": report.seen, "rejected": report.counts["rejected"]},
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
    home.lake.write_rows(reference_path(home.lake), "ticker_reference", rows)
    return dg.MaterializeResult(metadata=table_metadata(len(rows), TICKER_REFERENCE, rows))
