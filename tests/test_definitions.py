"""The Dagster definitions: they load, draw one lineage graph, and schedule the right partition."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.schedules import day_windows, nightly_partition
from orchestration.home import Home
from orchestration.runner import definitions
from tests.conftest import ROOT

LANDING = dg.AssetKey(["lake", "landed_articles"])
LINKS = dg.AssetKey(["marts", "fct_claim_price_links"])
MARTS = [
    "dim_articles",
    "dim_tickers",
    "fct_ticker_mentions",
    "fct_price_notes",
    "fct_claims",
    "fct_claim_price_links",
]


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return definitions()


def test_definitions_load_with_jobs_schedule_and_sensors(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)
    for job in ("ingest_job", "extract_job", "warehouse_job", "build_job", "nightly_job"):
        assert defs.resolve_job_def(job).name == job
    schedule = defs.resolve_schedule_def("nightly_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert {s.name for s in defs.sensors} >= {"landed_days_sensor", "inbox_sensor"}


def test_one_lineage_graph_from_the_inbox_to_the_claim_price_links(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    upstream = graph.get(LINKS).parent_keys
    seen, frontier = set(), set(upstream)
    while frontier:
        key = frontier.pop()
        seen.add(key)
        frontier |= set(graph.get(key).parent_keys) - seen
    assert LANDING in seen
    assert dg.AssetKey(["lake", "ticker_reference"]) in seen
    # dbt's sources are the Python assets themselves, not dangling external assets.
    assert all(graph.get(key).is_materializable for key in seen), sorted(
        k.to_user_string() for k in seen if not graph.get(k).is_materializable
    )
    for mart in MARTS:
        assert graph.has(dg.AssetKey(["marts", mart])), mart


def test_dbt_tests_are_asset_checks(defs: dg.Definitions) -> None:
    checks = defs.resolve_asset_graph().asset_check_keys
    on_links = {check.name for check in checks if check.asset_key == LINKS}
    assert any(name.startswith("unique_") for name in on_links), on_links
    assert any(name.startswith("relationships_") for name in on_links), on_links


def test_models_carry_their_descriptions_and_kinds(defs: dg.Definitions) -> None:
    spec = defs.resolve_assets_def(LINKS).specs_by_key[LINKS]
    assert spec.description
    assert "dbt" in spec.kinds and "duckdb" in spec.kinds
    assert spec.group_name == "warehouse"


@pytest.mark.parametrize(
    ("scheduled", "partition"),
    [
        (datetime(2024, 6, 8, 2, 0, tzinfo=UTC), "2024-06-07"),
        (datetime(2024, 3, 1, 2, 0, tzinfo=UTC), "2024-02-29"),
        (datetime(2025, 1, 1, 2, 0, tzinfo=UTC), "2024-12-31"),
    ],
)
def test_nightly_schedule_runs_the_day_that_just_ended(defs, scheduled, partition) -> None:
    schedule = defs.resolve_schedule_def("nightly_schedule")
    with dg.build_schedule_context(
        scheduled_execution_time=scheduled, repository_def=defs.get_repository_def()
    ) as context:
        data = schedule.evaluate_tick(context)
    assert [request.partition_key for request in data.run_requests] == [partition]
    assert nightly_partition(scheduled) == partition


def test_sparse_days_are_split_into_windows_and_near_days_share_one() -> None:
    days = [date(2024, 3, 5), date(2024, 3, 8), date(2024, 3, 6), date(2026, 11, 25), date(2024, 3, 17)]
    assert day_windows(days) == [
        (date(2024, 3, 5), date(2024, 3, 8)),
        (date(2024, 3, 17), date(2024, 3, 17)),
        (date(2026, 11, 25), date(2026, 11, 25)),
    ]
    assert day_windows([]) == []


def test_python_asset_checks_beyond_dbt_tests(defs: dg.Definitions) -> None:
    checks = {
        (key.asset_key.to_user_string(), key.name)
        for key in defs.resolve_asset_graph().asset_check_keys
        if not key.name.startswith(("not_null", "unique", "accepted_values", "relationships", "assert_"))
    }
    assert {
        ("lake/articles", "no_volume_drop"),
        ("lake/articles", "articles_without_ticker"),
        ("lake/ingest_ledger", "share_rejected"),
    } <= checks


def test_dg_check_defs_is_clean(tmp_path: Path) -> None:
    """The `dg` CLI loads the project as users run it, with no warnings (and none from our code)."""
    venv = Path(sys.executable).parent.parent
    env = {
        **os.environ,
        **Home.resolve(tmp_path / "home").create().environment(),
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
    }
    result = subprocess.run(
        [str(venv / "bin" / "dg"), "check", "defs"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "All definitions loaded successfully" in output
    assert "warning" not in output.lower(), output
