"""The Dagster definitions: they load, draw one lineage graph, and schedule the right partition."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg
import pytest

from orchestration.defs.schedules import day_windows, nightly_partition
from orchestration.runner import definitions

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
    assert any(name.startswith("not_null_") for name in on_links), on_links


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
