"""The home's event log writes a range run's materializations in batches and records what Dagster's own
SQLite event log records: real runs on real SQLite instances, one of each."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from orchestration.event_log import RANGE_RUN_SETTINGS, BatchingSqliteEventLogStorage
from orchestration.home import Home

DAYS = dg.DailyPartitionsDefinition(start_date="2024-01-01")
TABLES = ("articles", "claims")


@dg.multi_asset(
    specs=[dg.AssetSpec(["lake", name]) for name in TABLES],
    partitions_def=DAYS,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def daily_tables():
    for name in TABLES:
        yield dg.MaterializeResult(asset_key=["lake", name], metadata={"rows": len(name)})


def _range_run(dagster_home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dg.DagsterInstance, list, str]:
    """Materialize 2024-01-01..20 in one run: the instance, materializations stored one by one, the run."""
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    for name, value in RANGE_RUN_SETTINGS.items():
        monkeypatch.setenv(name, value)
    instance = dg.DagsterInstance.get()
    stored_singly = []
    store_event = instance.event_log_storage.store_event

    def counting_store_event(event):
        if event.is_dagster_event and event.dagster_event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            stored_singly.append(event)
        store_event(event)

    monkeypatch.setattr(instance.event_log_storage, "store_event", counting_store_event)
    job = dg.Definitions(assets=[daily_tables], jobs=[dg.define_asset_job("days", [daily_tables])])
    result = job.resolve_job_def("days").execute_in_process(
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": "2024-01-01",
            "dagster/asset_partition_range_end": "2024-01-20",
        },
    )
    assert result.success
    return instance, stored_singly, result.run_id


def _recorded(instance: dg.DagsterInstance, run_id: str) -> dict:
    recorded = {}
    for name in TABLES:
        key = dg.AssetKey(["lake", name])
        records = instance.fetch_materializations(key, limit=100).records
        recorded[name] = {
            "partitions": sorted(instance.get_materialized_partitions(key)),
            "events": sorted(
                (r.partition_key, r.asset_materialization.metadata["rows"].value) for r in records
            ),
            "latest": instance.get_latest_materialization_event(key).dagster_event.partition,
            "tags": len(instance.get_event_tags_for_asset(key)),
        }
    recorded["run"] = [event.dagster_event_type for event in instance.all_logs(run_id)]
    return recorded


def test_a_range_run_is_recorded_in_batches_as_dagsters_sqlite_log_records_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = Home.at(tmp_path / "home").create()
    batching, batched_singly, batching_run = _range_run(home.dagster_home, monkeypatch)
    assert type(batching.event_log_storage) is BatchingSqliteEventLogStorage
    plain_home = tmp_path / "dagster-default"
    plain_home.mkdir()
    plain, plain_singly, plain_run = _range_run(plain_home, monkeypatch)
    assert type(plain.event_log_storage).__name__ == "SqliteEventLogStorage"

    assert batched_singly == []  # 40 materializations, none written on its own
    assert len(plain_singly) == 2 * 20
    recorded = _recorded(batching, batching_run)
    assert recorded == _recorded(plain, plain_run)
    assert recorded["articles"]["partitions"][-1] == "2024-01-20"
    # Dagster's default place for the run databases, so a home's history is found again
    assert (home.dagster_home / "history" / "runs" / f"{batching_run}.db").exists()
