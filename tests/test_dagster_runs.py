"""Real in-process Dagster runs on a temporary home: the nightly job, the late-article sensor, checks."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.resources import TickerwireHome, WarehouseDbt, dbt_executable
from orchestration.defs.schedules import RANGE_END_TAG, RANGE_START_TAG
from orchestration.defs.warehouse.assets import COPIED_AHEAD, ON_PREVIOUS, REPLAYS, warehouse
from orchestration.defs.warehouse.copy_ahead import copying_ahead
from orchestration.defs.warehouse.project import dbt_project
from orchestration.home import Home
from orchestration.lake import Lake
from orchestration.runner import QUIET_RUN_CONFIG, definitions
from tests.conftest import duckdb_held_open
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


# Articles landing after the first build, each on a day of its own: Nvidia's price note is within the link
# window of the 2024-06-06 Nvidia claim, so a build of 2024-06-05 relinks that claim, outside its window.
NVIDIA_EARLIER = {
    "id": "wire-0605-nvda",
    "title": "Nvidia edges up",
    "published_at": "2024-06-05T19:10:00Z",
    "url": "https://news.example.com/nvidia-edges-up",
    "body": "Nvidia Corp NVDA shares rose 1.2% to $118.90 in afternoon trading on Wednesday.",
}
FORD_LATER = {
    "id": "wire-0608-ford",
    "title": "Ford recall widens",
    "published_at": "2024-06-08T15:00:00Z",
    "url": "https://news.example.com/ford-recall-widens",
    "body": "Ford Motor Co. F reportedly widened the recall to 55,000 pickups, according to a report from "
    "Reuters. Ford shares were down 0.6% at $12.01 on Saturday.",
}


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
    copy: it replays the last build's changes from the current warehouse and builds its own days, or, when
    the last build recorded none (a full refresh), builds the days that file misses. With a reader holding
    that file open, the build copies the current warehouse instead. Every way, the marts equal a full
    refresh's."""
    defs = definitions()
    previous = home / "warehouse.previous.duckdb"
    with dg.instance_for_test() as instance:

        def logs_of(job: str, day: str | None = None) -> set[str]:
            tags = {RANGE_START_TAG: day, RANGE_END_TAG: day} if day else {}
            result = defs.resolve_job_def(job).execute_in_process(
                instance=instance, tags=tags, run_config=QUIET_RUN_CONFIG
            )
            assert result.success
            return {entry.user_message for entry in instance.all_logs(result.run_id)}

        def land(*articles: dict) -> None:
            (home / "inbox" / f"{articles[0]['id']}.json").write_text(json.dumps(list(articles)))
            logs_of("ingest_job")

        def built_from(logs: set[str]) -> tuple[str, str]:
            (start,) = [line for line in logs if line.startswith(ON_PREVIOUS) or line == COPIED_AHEAD] or [""]
            (window,) = [line.rsplit(" for ", 1)[1] for line in logs if line.startswith("dbt build")]
            return start, window

        nightly = defs.resolve_job_def("nightly_job").execute_in_process(
            instance=instance, partition_key="2024-06-07", run_config=QUIET_RUN_CONFIG
        )
        assert nightly.success  # a full refresh from nothing, of the one day extracted
        assert not previous.exists()
        assert built_from(logs_of("build_job", "2024-06-06")) == ("", "2024-06-06 to 2024-06-06")  # a copy
        assert previous.exists()  # the first warehouse, without 2024-06-06
        replayed = f"{ON_PREVIOUS}; {REPLAYS}"
        land(NVIDIA_EARLIER)
        # 2024-06-06 comes from the replay only: each build's window is its own day
        assert built_from(logs_of("build_job", "2024-06-05")) == (replayed, "2024-06-05 to 2024-06-05")
        land(FORD_LATER)
        # the 2024-06-06 claim's link to the 2024-06-05 note likewise (the file it starts from lacks it)
        assert built_from(logs_of("build_job", "2024-06-08")) == (replayed, "2024-06-08 to 2024-06-08")
        assert _articles_by_day(home) == {"2024-06-05": 1, "2024-06-06": 1, "2024-06-07": 1, "2024-06-08": 1}
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            relinked = con.execute(
                "select count(*) from marts.fct_claim_price_links where published_date = '2024-06-06'"
                " and note_published_date = '2024-06-05'"
            ).fetchall()
        assert relinked == [(1,)]
        windowed = warehouse_tables(home / "warehouse.duckdb")

        with duckdb_held_open(previous, read_only=True):
            assert built_from(logs_of("build_job", "2024-06-08")) == ("", "2024-06-08 to 2024-06-08")
        assert warehouse_tables(home / "warehouse.duckdb") == windowed

        logs_of("warehouse_job")  # no partition tags: a full refresh from an empty file
        assert warehouse_tables(home / "warehouse.duckdb") == windowed

        land(LATE_ARTICLE)  # 2024-06-05, after the full refresh: its previous file lacks that day
        assert built_from(logs_of("build_job", "2024-06-07")) == (ON_PREVIOUS, "2024-06-05 to 2024-06-07")
        windowed = warehouse_tables(home / "warehouse.duckdb")
        logs_of("warehouse_job")
        assert warehouse_tables(home / "warehouse.duckdb") == windowed


def test_a_build_of_some_models_copies_the_warehouse(home: Path) -> None:
    """A run that builds some of the models starts from a copy of the current warehouse, not from the
    file the last build replaced: the models it leaves out would keep that file's rows, without the last
    build's days."""
    defs = definitions()
    with dg.instance_for_test() as instance:

        def run(job: str, day: str | None = None, selection: list[dg.AssetKey] | None = None) -> set[str]:
            tags = {RANGE_START_TAG: day, RANGE_END_TAG: day} if day else {}
            result = defs.resolve_job_def(job).execute_in_process(
                instance=instance, tags=tags, run_config=QUIET_RUN_CONFIG, asset_selection=selection
            )
            assert result.success
            return {entry.user_message for entry in instance.all_logs(result.run_id)}

        run("nightly_job", "2024-06-07")  # a full refresh from nothing
        run("build_job", "2024-06-06")  # a copy; keeps the first warehouse as the previous one
        (home / "inbox" / "late.json").write_text(json.dumps([LATE_ARTICLE]))
        run("ingest_job")
        assert f"{ON_PREVIOUS}; {REPLAYS}" in run("build_job", "2024-06-05")  # its previous lacks 2024-06-05
        logs = run("warehouse_job", "2024-06-07", [dg.AssetKey(["marts", "fct_claims"])])
        assert _articles_by_day(home) == {"2024-06-05": 1, "2024-06-06": 1, "2024-06-07": 1}
        assert not any(line.startswith(ON_PREVIOUS) for line in logs)


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
