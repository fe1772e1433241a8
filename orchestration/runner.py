"""In-process Dagster runs for the CLI: the same jobs the schedule runs, recorded in the home's instance."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import sys
from dataclasses import dataclass
from datetime import date

import dagster as dg
import pyarrow as pa

from orchestration.defs.ingest.assets import LANDED_KEY
from orchestration.defs.schedules import LAUNCHED_BY_TAG, day_windows, partition_range_tags
from orchestration.event_log import RANGE_RUN_SETTINGS
from orchestration.lake import Lake
from orchestration.pipeline.extraction import pending_days, reference_version
from orchestration.pipeline.landing import OUTCOMES

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
    for name, value in RANGE_RUN_SETTINGS.items():
        os.environ.setdefault(name, value)  # the caller's values win
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


@dataclass(frozen=True)
class Landed:
    """What the ingest run's landing reported."""

    touched_days: list[date]
    counts: dict[str, int]
    run_id: str


def land() -> Landed:
    """Run the ingest job; returns what its landing pass did."""
    result = _execute(definitions(), "ingest_job", {})
    for event in result.get_asset_materialization_events():
        if event.asset_key == LANDED_KEY:
            metadata = {key: value.value for key, value in event.materialization.metadata.items()}
            touched = [date.fromisoformat(day) for day in metadata["touched_dates"]]
            counts = {outcome: metadata[outcome] for outcome in OUTCOMES}
            return Landed(touched, counts, metadata["run_id"])
    raise RunFailed("the ingest run reported no landing")


def pending(lake: Lake) -> list[date]:
    """Landed days not yet extracted with the current reference (a stopped run leaves some)."""
    return pending_days(lake, reference_version(lake))


def release_free_memory() -> None:
    """Give the memory landing and extraction freed back to the system before dbt's process starts:
    Arrow's pool and glibc's malloc keep freed pages for reuse, and this process lives on through the
    build, so its size adds to dbt's in the run's peak."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # a libc without malloc_trim (musl)
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def build(days: list[date]) -> None:
    """Extract the given days (one run per window of nearby days), then build the warehouse once.

    The build covers the first to the last of the days (the days in the gaps between windows are
    rebuilt too, which is harmless); the warehouse asset widens it to any other lake day written since
    the last build, and builds in full when there are no days or the dbt project changed."""
    defs = definitions()
    windows = day_windows(days)
    for first, last in windows:
        _execute(defs, "extract_job", partition_range_tags(first, last))
    release_free_memory()
    _execute(defs, "warehouse_job", partition_range_tags(windows[0][0], windows[-1][1]) if windows else {})
