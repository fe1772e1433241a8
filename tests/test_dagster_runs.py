"""Real in-process Dagster runs on a temporary home: the nightly job, the late-article sensor, checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.resources import TickerwireHome, WarehouseDbt, dbt_executable
from orchestration.defs.schedules import RANGE_END_TAG, RANGE_START_TAG
from orchestration.defs.warehouse.assets import COPIED_AHEAD, ON_PREVIOUS, warehouse
from orchestration.defs.warehouse.copy_ahead import copying_ahead
from orchestration.defs.warehouse.project import dbt_project
from orchestration.home import Home
from orchestration.lake import Lake
from orchestration.runner import QUIET_RUN_CONFIG, definitions
from tests.test_crash_recovery import warehouse_tables

ARTICLES = [
    {
        "id": "wire-0607",
        "title": "Ford shares slip after recall",
        "published_at": "2024-06-07T14:05:00Z",
        "url": "https://news.example.com/ford-recall",
        "body": "Ford Motor Co. F said on Friday it would recall 40,000 pickups, according to a filing "
        "with regulators. Ford shares fell 1.4% to $12.08 in afternoon trading.",
    },
    {
        "id": "wire-0606",
        "title": "Nvidia extends rally",
        "published_at": "2024-06-06T20:30:00Z",
        "url": "https://news.example.com/nvidia-rally",
        "body": "Nvidia Corp NVDA reportedly plans to open a research centre in Israel, people familiar with "
        "the matter told Bloomberg. Nvidia shares closed 2.1% higher at $121.40 on Thursday.",
    },
]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "wire.json").write_text(json.dumps(ARTICLES))
    monkeypatch.setenv("TICKERWIRE_HOME", str(tmp_path))
    monkeypatch.setenv("TICKERWIRE_INBOX", str(inbox))
    return tmp_path


def _articles_by_day(home: Path) -> dict[str, int]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.sql(
            "select published_date::varchar, count(*) from marts.dim_articles group by 1"
        ).fetchall()
    return dict(rows)


def _run_logs(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    job: str,
    day: str | None = None,
    selection: list[dg.AssetKey] | None = None,
) -> set[str]:
    """Run `job` in process (for `day`, as the schedules tag a one-day range; untagged without one) and
    return its log messages; it must succeed."""
    tags = {RANGE_START_TAG: day, RANGE_END_TAG: day} if day else {}
    result = defs.resolve_job_def(job).execute_in_process(
        instance=instance, tags=tags, run_config=QUIET_RUN_CONFIG, asset_selection=selection
    )
    assert result.success
    return {entry.user_message for entry in instance.all_logs(result.run_id)}


def test_nightly_run_then_the_sensor_builds_the_late_day(home: Path) -> None:
    defs = definitions()
    with dg.instance_for_test() as instance:
        nightly = defs.resolve_job_def("nightly_job").execute_in_process(
            instance=instance, partition_key="2024-06-07", run_config=QUIET_RUN_CONFIG
        )
        assert nightly.success
        checks = nightly.get_asset_check_evaluations()
        assert checks and all(check.passed for check in checks), [
            c.check_name for c in checks if not c.passed
        ]
        names = {check.check_name for check in checks}
        assert {"share_rejected", "no_volume_drop", "articles_without_ticker"} <= names
        assert _articles_by_day(home) == {"2024-06-07": 1}

        sensor = defs.resolve_sensor_def("landed_days_sensor")
        with dg.build_sensor_context(instance=instance, definitions=defs) as context:
            tick = sensor.evaluate_tick(context)
        (request,) = tick.run_requests
        assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2024-06-06", "2024-06-06")

        # as `tickerwire run` does, the copy for the build is made before the run and taken by it
        with copying_ahead(home / "warehouse.duckdb"):
            late = defs.resolve_job_def("build_job").execute_in_process(
                instance=instance, tags=request.tags, run_config=QUIET_RUN_CONFIG
            )
        assert late.success
        assert COPIED_AHEAD in {entry.user_message for entry in instance.all_logs(late.run_id)}
        assert sorted(path.name for path in home.glob("warehouse*")) == [
            "warehouse.duckdb",
            "warehouse.lock",
            "warehouse.previous.duckdb",  # the first build's, for the next build to start from
        ]
        assert _articles_by_day(home) == {"2024-06-06": 1, "2024-06-07": 1}
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            notes = con.sql(
                "select symbol, direction, change_pct, price from marts.fct_price_notes order by 1"
            ).fetchall()
        assert notes == [("F", "down", 1.4, 12.08), ("NVDA", "up", 2.1, 121.40)]


LATE_ARTICLE = {
    "id": "wire-0605",
    "title": "Apple supplier lifts outlook",
    "published_at": "2024-06-05T12:40:00Z",
    "url": "https://news.example.com/apple-supplier",
    "body": "Apple Inc AAPL shares rose 0.8% to $195.10 in premarket trading after a supplier reportedly "
    "raised its forecast, according to a report from Reuters.",
}


def test_a_windowed_build_starts_from_the_warehouse_the_last_build_replaced(home: Path) -> None:
    """Once a build has replaced a warehouse, the next windowed build starts from that file instead of a
    copy, and takes in the days it misses; with a reader holding that file open, the build copies the
    current warehouse instead. Either way the marts equal a full refresh's."""
    defs = definitions()
    previous = home / "warehouse.previous.duckdb"
    with dg.instance_for_test() as instance:
        _run_logs(defs, instance, "nightly_job", "2024-06-07")  # a full refresh from nothing
        assert not previous.exists()
        # a copy: no previous yet
        assert ON_PREVIOUS not in _run_logs(defs, instance, "build_job", "2024-06-06")
        assert previous.exists()  # the first warehouse, without 2024-06-06
        (home / "inbox" / "late.json").write_text(json.dumps([LATE_ARTICLE]))
        _run_logs(defs, instance, "ingest_job")
        logs = _run_logs(defs, instance, "build_job", "2024-06-05")
        assert ON_PREVIOUS in logs
        assert any(line.endswith("for 2024-06-05 to 2024-06-06") for line in logs), "the day it missed too"
        assert _articles_by_day(home) == {"2024-06-05": 1, "2024-06-06": 1, "2024-06-07": 1}
        windowed = warehouse_tables(home / "warehouse.duckdb")

        reader = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import duckdb, sys, time; reader = duckdb.connect(sys.argv[1], read_only=True);"
                " print('open', flush=True); time.sleep(600)",
                str(previous),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert reader.stdout.readline() == "open\n"
            assert ON_PREVIOUS not in _run_logs(defs, instance, "build_job", "2024-06-05")
        finally:
            reader.kill()
            reader.wait()
        assert warehouse_tables(home / "warehouse.duckdb") == windowed

        _run_logs(defs, instance, "warehouse_job")  # no partition tags: a full refresh from an empty file
        assert warehouse_tables(home / "warehouse.duckdb") == windowed


def test_a_build_of_some_models_copies_the_warehouse(home: Path) -> None:
    """A run that builds some of the models starts from a copy of the current warehouse, not from the
    file the last build replaced: the models it leaves out would keep that file's rows, without the last
    build's days."""
    defs = definitions()
    with dg.instance_for_test() as instance:
        _run_logs(defs, instance, "nightly_job", "2024-06-07")  # a full refresh from nothing
        _run_logs(defs, instance, "build_job", "2024-06-06")  # a copy; keeps the first as the previous
        (home / "inbox" / "late.json").write_text(json.dumps([LATE_ARTICLE]))
        _run_logs(defs, instance, "ingest_job")
        # its previous file lacks 2024-06-05
        assert ON_PREVIOUS in _run_logs(defs, instance, "build_job", "2024-06-05")
        fct_claims_only = [dg.AssetKey(["marts", "fct_claims"])]
        logs = _run_logs(defs, instance, "warehouse_job", "2024-06-07", fct_claims_only)
        assert _articles_by_day(home) == {"2024-06-05": 1, "2024-06-06": 1, "2024-06-07": 1}
        assert ON_PREVIOUS not in logs


def test_a_range_run_does_not_give_each_day_the_runs_row_count(home: Path) -> None:
    """Dagster copies a range run's metadata to every day of the range, so the run's total is recorded
    as rows_in_run there; a one-day run records the day's row count, also when the day was unchanged."""
    defs = definitions()
    with dg.instance_for_test() as instance:
        for job, tags in (
            ("ingest_job", {}),
            ("extract_job", {RANGE_START_TAG: "2024-06-06", RANGE_END_TAG: "2024-06-07"}),
        ):
            result = defs.resolve_job_def(job).execute_in_process(
                instance=instance, tags=tags, run_config=QUIET_RUN_CONFIG
            )
            assert result.success
        per_day = {
            event.partition: event.materialization.metadata
            for event in result.get_asset_materialization_events()
            if event.asset_key == dg.AssetKey(["lake", "articles"])
        }
        assert sorted(per_day) == ["2024-06-06", "2024-06-07"]
        for metadata in per_day.values():
            assert "dagster/row_count" not in metadata
            assert metadata["rows_in_run"].value == 2

        one_day = defs.resolve_job_def("extract_job").execute_in_process(
            instance=instance, partition_key="2024-06-07", run_config=QUIET_RUN_CONFIG
        )
        (event,) = [
            e
            for e in one_day.get_asset_materialization_events()
            if e.asset_key == dg.AssetKey(["lake", "articles"])
        ]
        assert event.materialization.metadata["days_unchanged"].value == 1
        assert event.materialization.metadata["dagster/row_count"].value == 1, "the day's file, kept"


def test_a_failed_dbt_build_leaves_the_previous_warehouse_serving(home: Path) -> None:
    defs = definitions()
    with dg.instance_for_test() as instance:
        first = defs.resolve_job_def("nightly_job").execute_in_process(
            instance=instance, partition_key="2024-06-07", run_config=QUIET_RUN_CONFIG
        )
        assert first.success
        before = (home / "warehouse.duckdb").read_bytes()
        # A damaged lake file is a real failure for dbt: its source cannot be read.
        damaged = home / "lake" / "ticker_mentions" / "published_date=2024-06-07" / "data.parquet"
        damaged.write_bytes(b"not parquet")
        failed = defs.resolve_job_def("build_job").execute_in_process(
            instance=instance,
            tags={RANGE_START_TAG: "2024-06-07", RANGE_END_TAG: "2024-06-07"},
            run_config=QUIET_RUN_CONFIG,
            raise_on_error=False,
        )
        assert not failed.success
        assert (home / "warehouse.duckdb").read_bytes() == before


def test_the_warehouse_build_runs_dbt_once_without_asking_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dagster-dbt's own resource runs `dbt --version` (dbt then asks PyPI for its latest release) before
    every command; the project's resource runs dbt once per build, for the build."""
    home = Home.at(tmp_path)
    for name, value in home.environment().items():
        monkeypatch.setenv(name, value)  # the asset exports them; restored after the test
    home.create()
    Lake(home.lake.url).ensure_schema_files()
    calls = tmp_path / "dbt-calls"
    recorder = tmp_path / "dbt"
    recorder.write_text(f'#!/bin/sh\necho "$*" >> {calls}\nexec {dbt_executable()} "$@"\n')
    recorder.chmod(0o755)
    dbt = WarehouseDbt(project_dir=dbt_project, dbt_executable=str(recorder))
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [warehouse],
            resources={"dbt": dbt, "tickerwire": TickerwireHome(home=str(tmp_path))},
            instance=instance,
        )
    assert result.success
    (call,) = calls.read_text().splitlines()
    assert call.startswith("build --exclude-resource-type unit_test --full-refresh --threads 1"), call
    assert (tmp_path / "warehouse.duckdb").exists()
