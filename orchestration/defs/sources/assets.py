"""The fetch step: feeds and news APIs in sources.toml written into the inbox, which landing then reads."""

import dagster as dg

from orchestration.defs.resources import TickerwireHome
from orchestration.pipeline.fetching import (
    SourcesConfigError,
    fetch_sources,
    load_sources,
    sources_path,
    state_dir,
)

FETCHED_KEY = dg.AssetKey(["sources", "fetched_news"])
# Feeds and APIs fail transiently (a busy server, a dropped connection) beyond the client's own retries.
FETCH_RETRY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)


@dg.asset(
    key=FETCHED_KEY,
    group_name="ingest",
    kinds={"python"},
    retry_policy=FETCH_RETRY,
    description=(
        "Feeds and news APIs listed in <home>/sources.toml ($TICKERWIRE_SOURCES), written into "
        "<inbox>/sources/<name>/ as one file per fetch or page. No config file: nothing is fetched."
    ),
)
def fetched_news(context: dg.AssetExecutionContext, tickerwire: TickerwireHome) -> dg.MaterializeResult:
    """A failing source is reported, not raised: landing still runs for everything else in the inbox."""
    home = tickerwire.paths()
    try:
        config = load_sources(sources_path(home))
    except SourcesConfigError as error:  # an operator's mistake: retrying would not fix it
        raise dg.Failure(description=str(error), allow_retries=False) from error
    report = fetch_sources(config, home.inbox, state_dir(home))
    for source in report.sources:
        for error in source.errors:
            context.log.warning(f"{source.name}: {error}")
    per_source = {
        source.name: {
            "kind": source.kind,
            "items": source.items,
            "already_fetched": source.already_fetched,
            "pages": source.pages,
            "requests": source.requests,
            "files": len(source.files),
            "not_modified": source.not_modified,
            "errors": len(source.errors),
            "warnings": len(source.warnings),
        }
        for source in report.sources
    }
    written, sources = report.files_written, len(report.sources)
    context.log.info(f"fetched {report.items} new items into {written} files from {sources} sources")
    return dg.MaterializeResult(
        metadata={
            "config": report.config or "(none: no sources configured)",
            "sources": len(report.sources),
            "items": report.items,
            "files_written": report.files_written,
            "errors": dg.MetadataValue.json(report.errors),
            "per_source": dg.MetadataValue.json(per_source),
            "files": dg.MetadataValue.json([f for s in report.sources for f in s.files]),
            "inbox": dg.MetadataValue.path(str(home.inbox)),
        }
    )
