"""In-process Dagster runs for the CLI: the same jobs the schedule runs, recorded in the home's instance."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.defs.ingest.assets import LANDED_KEY
from orchestration.defs.schedules import LAUNCHED_BY_TAG, day_windows, partition_range_tags
from orchestration.pipeline.extraction import pending_days, reference_version

# The CLI draws its own progress; Dagster's console log would interleave with it.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
CLI_TAGS = {LAUNCHED_BY_TAG: "cli"}


def definitions() -> dg.Definitions:
    """Loaded per run, so the resources read the home folder the caller set."""
    from orchestration.definitions import defs

    return defs()


class RunFailed(Exception):
    """A Dagster run that did not succeed; the message names the failed steps and their errors."""


def _execute(defs: dg.Definitions, job_name: str, tags: dict[str, str]) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def(job_name)
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance, run_config=QUIET_RUN_CONFIG, tags=CLI_TAGS | tags, raise_on_error=False
        )
    if not result.success:
        failures = [
            f"{event.step_key}: {event.step_failure_data.error.message.strip()}"
            for event in result.get_step_failure_events()
        ]
        raise RunFailed(f"{job_name} run {result.run_id} failed\n" + "\n".join(failures))
    return result


def land() -> list[date]:
    """Run the ingest job; returns the published dates it landed articles for."""
    result = _execute(definitions(), "ingest_job", {})
    for event in result.get_asset_materialization_events():
        if event.asset_key == LANDED_KEY:
            touched = event.materialization.metadata["touched_dates"].value
            return [date.fromisoformat(day) for day in touched]
    return []


def pending(lake_dir: Path) -> list[date]:
    """Landed days not yet extracted with the current reference (a stopped run leaves some)."""
    return pending_days(lake_dir, reference_version(lake_dir))


def build(days: list[date]) -> None:
    """Extract the given days (one run per window of nearby days), then rebuild the warehouse once."""
    defs = definitions()
    for first, last in day_windows(days):
        _execute(defs, "extract_job", partition_range_tags(first, last))
    _execute(defs, "warehouse_job", {})
