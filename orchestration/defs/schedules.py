"""Jobs, the nightly schedule, and the sensors that keep late articles and new inbox files moving."""

import hashlib
import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.defs.ingest.assets import LANDED_KEY
from orchestration.defs.resources import TickerwireHome
from orchestration.ingestion.readers import iter_inbox_files

SCHEDULE_TIMEZONE = os.environ.get("TICKERWIRE_SCHEDULE_TIMEZONE", "UTC")
# Tests and operators can make the same job tick sooner (e.g. "* * * * *") without another schedule.
SCHEDULE_CRON = os.environ.get("TICKERWIRE_SCHEDULE_CRON", "0 2 * * *")
# How often the sensors look (at least): a minute, or less where an operator wants it sooner.
SENSOR_SECONDS = int(os.environ.get("TICKERWIRE_SENSOR_SECONDS", "60"))
LAUNCHED_BY_TAG = "tickerwire/launched_by"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

ingest_job = dg.define_asset_job(
    "ingest_job", selection=dg.AssetSelection.groups("ingest"), description="Land new inbox files."
)
build_job = dg.define_asset_job(
    "build_job",
    selection=dg.AssetSelection.groups("extract", "warehouse"),
    description="Extract the given days and rebuild the warehouse.",
)
extract_job = dg.define_asset_job(
    "extract_job", selection=dg.AssetSelection.groups("extract"), description="Extract the given days."
)
warehouse_job = dg.define_asset_job(
    "warehouse_job", selection=dg.AssetSelection.groups("warehouse"), description="Rebuild the warehouse."
)
market_job = dg.define_asset_job(
    "market_job",
    selection=dg.AssetSelection.groups("market", "warehouse"),
    description="Reload the daily bars (lake/daily_bars) and rebuild the warehouse checked against them.",
)

nightly_job = dg.define_asset_job(
    "nightly_job",
    selection=dg.AssetSelection.groups("ingest", "extract", "warehouse"),
    description="Land the inbox, extract yesterday, rebuild the warehouse.",
)


# Dagster records every partition of a range run, even days without articles (about 0.2 s each here),
# so sparse days are split into windows: a gap longer than this starts a new window.
MAX_EMPTY_DAYS_IN_WINDOW = 7


def partition_range_tags(first: date, last: date) -> dict[str, str]:
    """Tags that make one run cover every day from the first to the last."""
    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}


def day_windows(days: list[date]) -> list[tuple[date, date]]:
    """Group days into (first, last) windows with at most MAX_EMPTY_DAYS_IN_WINDOW missing days in a row."""
    windows: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if windows and (day - windows[-1][1]).days <= MAX_EMPTY_DAYS_IN_WINDOW + 1:
            windows[-1] = (windows[-1][0], day)
        else:
            windows.append((day, day))
    return windows


def nightly_partition(scheduled_at: datetime) -> str:
    """The day that has just ended where the schedule runs: a run at 02:00 on the 8th builds the 7th."""
    local = scheduled_at.astimezone(ZoneInfo(SCHEDULE_TIMEZONE))
    return (local.date() - timedelta(days=1)).isoformat()


@dg.schedule(
    job=nightly_job,
    cron_schedule=SCHEDULE_CRON,
    execution_timezone=SCHEDULE_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 (TICKERWIRE_SCHEDULE_CRON, TICKERWIRE_SCHEDULE_TIMEZONE, default UTC).",
)
def nightly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    partition = nightly_partition(context.scheduled_execution_time)
    return dg.RunRequest(run_key=partition, partition_key=partition)


@dg.asset_sensor(
    asset_key=LANDED_KEY,
    job=build_job,
    minimum_interval_seconds=SENSOR_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Re-builds the days a landing touched that its own run did not cover (late articles).",
)
def landed_days_sensor(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry):
    materialization = asset_event.asset_materialization
    touched = materialization.metadata.get("touched_dates") if materialization else None
    days = {date.fromisoformat(day) for day in (touched.value if touched else [])}
    run = context.instance.get_run_by_id(asset_event.run_id)
    tags = run.tags if run else {}
    if tags.get(LAUNCHED_BY_TAG) == "cli":
        return dg.SkipReason("the CLI builds what it lands")
    if run and run.job_name == nightly_job.name and "dagster/partition" in tags:
        days.discard(date.fromisoformat(tags["dagster/partition"]))
    if not days:
        return dg.SkipReason("no days beyond the run's own partition")
    return [
        dg.RunRequest(run_key=f"landed-{asset_event.run_id}-{first}", tags=partition_range_tags(first, last))
        for first, last in day_windows(sorted(days))
    ]


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=SENSOR_SECONDS,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Lands new or changed inbox files within a minute (turn on in the UI; "
    "TICKERWIRE_SENSOR_SECONDS sets how often it looks).",
)
def inbox_sensor(context: dg.SensorEvaluationContext, tickerwire: TickerwireHome):
    inbox = tickerwire.paths().inbox
    listing = hashlib.sha256()
    for path in iter_inbox_files(inbox):
        stat = path.stat()
        listing.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    cursor = listing.hexdigest()
    if cursor == context.cursor:
        return dg.SkipReason(f"nothing new in {inbox}")
    context.update_cursor(cursor)
    return dg.RunRequest(run_key=cursor)
