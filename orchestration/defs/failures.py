"""Failed runs leave a record an operator can read without the UI, and can call a hook they configure."""

import json
import os
import shlex
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from orchestration.defs.resources import TickerwireHome
from orchestration.home import Home

ON_FAILURE_ENV = "TICKERWIRE_ON_FAILURE"
HOOK_TIMEOUT_SECONDS = 60


def failure_record(run: dg.DagsterRun, message: str) -> dict[str, object]:
    return {
        "failed_at": datetime.now(UTC).isoformat(),
        "run_id": run.run_id,
        "job": run.job_name,
        "partition": run.tags.get("dagster/partition"),
        "message": message,
    }


def write_failure(home: Home, record: dict[str, object]) -> Path:
    """Append to `<home>/failures/YYYY-MM-DD.jsonl`: one line per failed run, one file per day."""
    folder = home.root / "failures"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{str(record['failed_at'])[:10]}.jsonl"
    with path.open("a") as handle:
        handle.write(json.dumps(record) + "\n")
    return path


def run_hook(command: str, record_path: Path, record: dict[str, object]) -> None:
    """Run the operator's command with the record on stdin and its file in $TICKERWIRE_FAILURE_FILE."""
    subprocess.run(
        shlex.split(command),
        input=json.dumps(record),
        text=True,
        env={**os.environ, "TICKERWIRE_FAILURE_FILE": str(record_path)},
        timeout=HOOK_TIMEOUT_SECONDS,
        check=True,
    )


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Writes <home>/failures/<day>.jsonl for each failed run and runs ${ON_FAILURE_ENV} if set.",
)
def failure_record_sensor(context: dg.RunFailureSensorContext, tickerwire: TickerwireHome) -> None:
    record = failure_record(context.dagster_run, context.failure_event.message or "run failed")
    path = write_failure(tickerwire.paths(), record)
    context.log.info(f"recorded failed run {record['run_id']} in {path}")
    command = os.environ.get(ON_FAILURE_ENV)
    if command:
        run_hook(command, path, record)
