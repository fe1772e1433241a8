"""The warehouse: dbt builds the next DuckDB file beside the current one, which it replaces only when the
build passed.

Only dbt writes the warehouse. Building another file keeps readers of the current one unblocked and makes
a failed or killed build leave the previous warehouse serving.

The fact marts are incremental by published date (dbt_project/macros/published_window.sql). A run for
some days (a partition, or a partition range) builds with the window TICKERWIRE_WINDOW_START / _END: those
days, widened to every lake day written since the file the build starts from was built: the warehouse a
build replaced (previous.py), which misses the last build's days, or a copy of the current one, which misses
the days a failed or another build has not taken in yet. A run without partition tags, a first build, or a
build after the dbt project changed is a --full-refresh build."""

import fcntl
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.resources import TickerwireHome
from orchestration.defs.schedules import RANGE_END_TAG, RANGE_START_TAG
from orchestration.defs.warehouse.copy_ahead import take_copy
from orchestration.defs.warehouse.previous import swap_in, take_previous
from orchestration.defs.warehouse.project import dbt_project, windowed_build_base
from orchestration.home import Home

PARTITION_TAG = "dagster/partition"
# The build's log line of where its time went outside dbt too (the bench reads it back).
WAREHOUSE_SECONDS = "warehouse build seconds: "
WAREHOUSE_PARTS = ("copy", "dbt", "swap", "row counts")
COPIED_AHEAD = "the build starts from the copy of the warehouse made while landing ran"
ON_PREVIOUS = "the build starts from the warehouse the last build replaced"
# Pipeline builds leave out dbt's unit tests: they check the models' logic on fixed rows, not the night's
# data, and run in the test suite's own dbt builds.
BUILD = ("build", "--exclude-resource-type", "unit_test")
# A full refresh builds one model at a time: the link and market-move marts each join and sort the whole
# history, and the two at once ran out of DuckDB's memory limit at 1M articles (one alone fits, spilling).
FULL_REFRESH = ("--full-refresh", "--threads", "1")
WINDOW_ENV = ("TICKERWIRE_WINDOW_START", "TICKERWIRE_WINDOW_END")

# The nightly run is daily: the UI warns on marts older than a day and fails them after two missed nights.
MARTS_FRESHNESS = dg.FreshnessPolicy.time_window(
    warn_window=timedelta(hours=26), fail_window=timedelta(hours=50)
)


class TickerwireTranslator(DagsterDbtTranslator):
    """Models are keyed by their warehouse schema (marts/fct_claims), so keys read like the SQL names."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] not in ("model", "seed", "snapshot"):
            return spec
        schema = props["config"].get("schema") or "main"
        spec = spec.replace_attributes(key=dg.AssetKey([schema, props["name"]]), group_name="warehouse")
        return spec.replace_attributes(freshness_policy=MARTS_FRESHNESS) if schema == "marts" else spec


def _manifest_path() -> Path:
    path = dbt_project.manifest_path
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `make manifest` (dbt parse) before loading the definitions"
        )
    return path


@contextmanager
def _build_lock(warehouse: Path) -> Iterator[None]:
    """One build at a time per warehouse; a second run waits rather than racing the swap."""
    with open(warehouse.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _row_counts(warehouse: Path) -> dict[tuple[str, str], int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        return {(s, t): con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0] for s, t in tables}


def run_window(tags: Mapping[str, str]) -> tuple[date, date] | None:
    """The days a run is for: its partition range, or its one partition; None for a run of no days."""
    try:
        if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
            return date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags[RANGE_END_TAG])
        if PARTITION_TAG in tags:
            day = date.fromisoformat(tags[PARTITION_TAG])
            return day, day
    except ValueError:
        return None
    return None


def build_window(home: Home, tags: Mapping[str, str], built: float | None) -> tuple[date, date] | None:
    """The days a `dbt build` replaces: the run's days widened to the lake days written since `built`, the
    build time of the file it starts from; None for a full refresh (no days, or no file to start from)."""
    window = run_window(tags)
    if window is None or built is None:
        return None
    days = {*window, *home.lake.days_written_after(built)}
    return min(days), max(days)


def _start_building(home: Home, building: Path, log: Any, every_model: bool) -> float | None:
    """Put the file a windowed build starts from at `building`: the warehouse the last build replaced (for
    a build of every model: a model left out would keep that file's rows, without the last build's days),
    else the copy made ahead, else a copy made now. Its build time, or None when there is no warehouse to
    start from or the dbt project changed since it was built (a full refresh)."""
    built = take_previous(home.warehouse, building) if every_model else None
    if built is not None:
        log.info(ON_PREVIOUS)
        return built
    built = windowed_build_base(home.warehouse)
    if built is None:
        return None
    if take_copy(home.warehouse, building):
        log.info(COPIED_AHEAD)
    else:
        shutil.copyfile(home.warehouse, building)
    return built


@contextmanager
def _environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Environment variables for the dbt process (None unsets one), restored afterwards."""
    previous = {name: os.environ.get(name) for name in values}

    def apply(settings: Mapping[str, str | None]) -> None:
        for name, value in settings.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    apply(values)
    try:
        yield
    finally:
        apply(previous)


@dbt_assets(manifest=_manifest_path(), project=dbt_project, dagster_dbt_translator=TickerwireTranslator())
def warehouse(context: dg.AssetExecutionContext, dbt: DbtCliResource, tickerwire: TickerwireHome):
    """`dbt build` into warehouse.building.duckdb, then an atomic rename.

    A windowed build starts from the warehouse the last build replaced (previous.py), else from a copy of
    the current file (made ahead by `tickerwire run` when it can: copy_ahead.py); a full refresh from an
    empty one, since it rebuilds every table (a copy would cost the time to copy it and leave the old
    tables' blocks as free space in the new file)."""
    home = tickerwire.export_environment()
    home.lake.ensure_schema_files()  # the sources need every table, in this version's layout
    building = home.warehouse.with_name("warehouse.building.duckdb")
    seconds: dict[str, float] = {}
    with _build_lock(home.warehouse):
        for leftover in (building, Path(f"{building}.wal")):
            leftover.unlink(missing_ok=True)
        started = time.perf_counter()
        every_model = not context.is_subset  # a subset that leaves out only dbt tests copies too
        built = (
            _start_building(home, building, context.log, every_model)
            if run_window(context.run.tags)
            else None
        )
        seconds["copy"] = time.perf_counter() - started
        window = build_window(home, context.run.tags, built)
        args = [*BUILD] if window else [*BUILD, *FULL_REFRESH]
        # The window goes in the environment, not --vars: a change of vars makes dbt re-parse the
        # whole project, every night (macros/published_window.sql). A full refresh unsets it.
        start, end = (day.isoformat() for day in window) if window else (None, None)
        context.log.info(f"dbt {' '.join(args)}" + (f" for {start} to {end}" if window else ""))
        dbt_env = {"TICKERWIRE_WAREHOUSE_PATH": str(building), WINDOW_ENV[0]: start, WINDOW_ENV[1]: end}
        with _environment(dbt_env):
            # A target folder per home keeps dbt's partial-parse state between nightly runs.
            started = time.perf_counter()
            invocation = dbt.cli(args, context=context, target_path=home.root / "dbt-target")
            events = list(invocation.stream())
            seconds["dbt"] = time.perf_counter() - started
        started = time.perf_counter()
        # DuckDB checkpoints the file as dbt closes it, attached with its row group size (profiles.yml); a
        # session opened here to do it would merge every row group back to DuckDB's default size.
        wal = Path(f"{building}.wal")
        if wal.exists():
            raise dg.Failure(f"dbt's build left {wal} (no checkpoint); the warehouse was not replaced")
        swap_in(building, home.warehouse)
        seconds["swap"] = time.perf_counter() - started
    started = time.perf_counter()
    counts = _row_counts(home.warehouse)
    seconds["row counts"] = time.perf_counter() - started
    # Where a nightly build's time goes outside dbt (the copy grows with the warehouse, not the night).
    context.log.info(WAREHOUSE_SECONDS + ", ".join(f"{part} {seconds[part]:.1f}" for part in WAREHOUSE_PARTS))
    for event in events:
        if isinstance(event, dg.Output):
            key = tuple(context.asset_key_for_output(event.output_name).path)
            if key in counts:
                event = event.with_metadata({**event.metadata, "dagster/row_count": counts[key]})
        yield event
