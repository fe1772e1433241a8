"""Operations: failed runs leave a record and call the hook; retries, freshness; a configurable cron."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.failures import failure_record_sensor
from orchestration.defs.ingest.assets import inbox_landing, ticker_reference
from orchestration.defs.resources import TickerwireHome
from orchestration.pipeline.quality import VolumeDrop, volume_drops


@dg.op
def broken() -> None:
    raise RuntimeError("inbox mount went away")


@dg.job
def failing_job() -> None:
    broken()


def test_failed_run_is_recorded_and_the_hook_gets_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook_output = tmp_path / "hook.json"
    monkeypatch.setenv("TICKERWIRE_ON_FAILURE", f"sh -c 'cat > {hook_output}'")
    instance = dg.DagsterInstance.ephemeral()
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    context = dg.build_run_status_sensor_context(
        sensor_name=failure_record_sensor.name,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
        resources={"tickerwire": TickerwireHome(home=str(tmp_path / "home"))},
    ).for_run_failure()
    failure_record_sensor(context)

    [record_file] = (tmp_path / "home" / "failures").glob("*.jsonl")
    [record] = [json.loads(line) for line in record_file.read_text().splitlines()]
    assert record["job"] == "failing_job"
    assert record["run_id"] == result.run_id
    assert "broken" in record["message"]
    assert json.loads(hook_output.read_text()) == record


def test_ingest_assets_retry_transient_failures_with_backoff() -> None:
    for asset in (inbox_landing, ticker_reference):
        policy = asset.op.retry_policy
        assert policy is not None and policy.max_retries >= 1 and policy.backoff == dg.Backoff.EXPONENTIAL


def test_nightly_cron_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon test ticks the real schedule every minute; the module reads the cron once at import."""
    monkeypatch.setenv("TICKERWIRE_SCHEDULE_CRON", "* * * * *")
    code = "from orchestration.defs.schedules import nightly_schedule as s; print(s.cron_schedule)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "* * * * *"


def test_every_mart_has_a_freshness_policy() -> None:
    """A mart the nightly run has not rebuilt for a day shows as stale (warn) in the UI, two days fails."""
    from orchestration.defs.warehouse.assets import MARTS_FRESHNESS, warehouse

    marts = {spec.key: spec for spec in warehouse.specs if spec.key.path[0] == "marts"}
    assert dg.AssetKey(["marts", "fct_claim_price_links"]) in marts
    assert all(spec.freshness_policy == MARTS_FRESHNESS for spec in marts.values())


def test_volume_drop_compares_each_day_with_the_previous_day_with_articles() -> None:
    counts = {date(2024, 6, 3): 100, date(2024, 6, 4): 90, date(2024, 6, 6): 10, date(2024, 6, 7): 50}
    drops = volume_drops(counts, [date(2024, 6, 4), date(2024, 6, 6), date(2024, 6, 7)])
    assert drops == [VolumeDrop(date(2024, 6, 6), 10, date(2024, 6, 4), 90)]
    # the first day of the history has nothing to compare with
    assert volume_drops({date(2024, 6, 3): 1}, [date(2024, 6, 3)]) == []
