"""The way out of one process: the Dagster instance on a real PostgreSQL server and the steps of every
run in subprocesses (the multiprocess executor), giving the same marts as the in-process `tickerwire run`.

The server is started here (initdb, pg_ctl on 127.0.0.1 at a free port, its socket in a temporary
folder) and stopped in teardown. Without PostgreSQL binaries the test skips, and fails when CI is set."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.schedules import day_windows, partition_range_tags
from orchestration.home import Home
from orchestration.runner import QUIET_RUN_CONFIG, definitions, pending
from tests.conftest import ROOT, SAMPLE_INBOX, free_port

PG_BIN_DIRS = [os.environ.get("TICKERWIRE_PG_BIN", ""), "/usr/lib/postgresql/15/bin"]
PG_USER, PG_PASSWORD, PG_DB = "tickerwire", "scale-out-test", "dagster"
MULTIPROCESS = {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
# Columns stamped with the time of the run, which two runs of the same input cannot share.
VOLATILE_COLUMNS = {"ingested_at", "rejected_at", "built_at", "landed_at", "extracted_at"}


def _pg_bin() -> Path | None:
    for folder in PG_BIN_DIRS:
        if folder and (Path(folder) / "initdb").exists():
            return Path(folder)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass(frozen=True)
class Postgres:
    port: int

    def instance_yaml(self) -> str:
        return (
            "telemetry:\n  enabled: false\n"
            "storage:\n  postgres:\n    postgres_db:\n"
            f"      hostname: 127.0.0.1\n      port: {self.port}\n      username: {PG_USER}\n"
            f"      password: {PG_PASSWORD}\n      db_name: {PG_DB}\n"
            # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3; the lock file has psycopg2.
            "      scheme: postgresql+psycopg2\n"
        )


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    """A real PostgreSQL server for this module; as root, it runs as the `postgres` (else `nobody`) user."""
    pg_bin = _pg_bin()
    if pg_bin is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found; set TICKERWIRE_PG_BIN"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as an unprivileged user
        if not shutil.which("runuser"):
            pytest.fail("running as root needs `runuser` to start PostgreSQL as another user")
        as_user = ["runuser", "-u", "postgres" if _has_user("postgres") else "nobody", "--"]
    root = Path(tempfile.mkdtemp(prefix="tickerwire-pg-"))  # directly in /tmp: traversable by the server user
    data, password_file, log = root / "data", root / "password", root / "server.log"
    password_file.write_text(PG_PASSWORD)
    if as_user:
        for path in (root, password_file):
            shutil.chown(path, user=as_user[2])

    def pg(tool: str, *args: str) -> None:
        subprocess.run([*as_user, str(pg_bin / tool), *args], cwd=root, check=True, capture_output=True)

    port = free_port()
    started = False
    try:
        pg("initdb", "-D", str(data), "-U", PG_USER, "--auth=scram-sha-256", f"--pwfile={password_file}")
        options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off"
        try:
            pg("pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60", "start")
        except subprocess.CalledProcessError:
            pytest.fail(f"postgres did not start:\n{log.read_text() if log.exists() else ''}")
        started = True
        subprocess.run(
            [str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", PG_USER, PG_DB],
            check=True,
            env={**os.environ, "PGPASSWORD": PG_PASSWORD},
            capture_output=True,
        )
        yield Postgres(port)
    finally:
        if started:
            pg("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def job_named(name: str) -> dg.JobDefinition:
    """Rebuilt in every step subprocess from the same definitions (the environment names the home)."""
    return definitions().resolve_job_def(name)


def _execute_multiprocess(instance: dg.DagsterInstance, name: str, tags: dict[str, str]) -> str:
    job = dg.build_reconstructable_job(
        __name__, "job_named", reconstructable_args=(name,), reconstructor_working_directory=str(ROOT)
    )
    run_config = QUIET_RUN_CONFIG | MULTIPROCESS
    with dg.execute_job(job, instance=instance, run_config=run_config, tags=tags) as result:
        assert result.success, [e.message for e in result.all_events if e.is_failure]
        return result.run_id


def _use_home(monkeypatch: pytest.MonkeyPatch, home: Home) -> None:
    for name, value in home.environment().items():
        monkeypatch.setenv(name, value)


def _marts(warehouse: Path) -> dict[str, list[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def test_postgres_instance_and_multiprocess_steps_give_the_in_process_marts(
    postgres: Postgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reference: `tickerwire run` (in-process runs, the default SQLite instance) on its own home,
    # in a subprocess alongside the runs below (it has its own Dagster instance and dbt target folder).
    local = Home.resolve(tmp_path / "local", SAMPLE_INBOX)
    log = tmp_path / "reference.log"
    command = [sys.executable, "-m", "orchestration.cli", "run", "--home", str(local.root)]
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TICKERWIRE_", "DAGSTER_"))}
    with log.open("w") as sink:
        reference = subprocess.Popen(
            [*command, "--inbox", str(local.inbox)],
            cwd=ROOT,
            env=environment | {"DO_NOT_TRACK": "1"},
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        # The same input on a home whose instance lives in PostgreSQL, each step in its own process.
        scaled = Home.resolve(tmp_path / "scaled", SAMPLE_INBOX)
        scaled.dagster_home.mkdir(parents=True)
        (scaled.dagster_home / "dagster.yaml").write_text(postgres.instance_yaml())
        scaled.create()
        _use_home(monkeypatch, scaled)
        with dg.DagsterInstance.get() as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
            run_ids = [_execute_multiprocess(instance, "ingest_job", {})]
            days = pending(scaled.lake)
            assert days and all(isinstance(day, date) for day in days)
            for first, last in day_windows(days):
                run_ids.append(
                    _execute_multiprocess(instance, "extract_job", partition_range_tags(first, last))
                )
            run_ids.append(_execute_multiprocess(instance, "warehouse_job", {}))

            # The runs are recorded in PostgreSQL, and their steps ran outside this process.
            runs = {run.run_id: run for run in instance.get_runs(dg.RunsFilter(run_ids=run_ids))}
            assert set(runs) == set(run_ids)
            assert {run.status for run in runs.values()} == {dg.DagsterRunStatus.SUCCESS}
            assert [runs[run_id].job_name for run_id in run_ids][:: len(run_ids) - 1] == [
                "ingest_job",
                "warehouse_job",
            ]
            step_pids = {
                entry.dagster_event.pid
                for run_id in run_ids
                for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)
            }
            assert step_pids and os.getpid() not in step_pids
            assert len(step_pids) >= len(run_ids)

        assert reference.wait(timeout=600) == 0, log.read_text()
    finally:
        if reference.poll() is None:
            reference.kill()
            reference.wait()

    # Every mart holds the same rows both ways (volatile run stamps aside), compared with EXCEPT ALL.
    expected, actual = _marts(local.warehouse), _marts(scaled.warehouse)
    assert actual == expected and expected
    with duckdb.connect() as con:
        con.execute(f"attach '{local.warehouse}' as local_wh (read_only)")
        con.execute(f"attach '{scaled.warehouse}' as scaled_wh (read_only)")
        compared = 0
        for table, columns in expected.items():
            kept = ", ".join(f'"{c}"' for c in columns if c not in VOLATILE_COLUMNS)
            one = f"select {kept} from local_wh.marts.{table}"
            other = f"select {kept} from scaled_wh.marts.{table}"
            for left, right in ((one, other), (other, one)):
                extra = con.execute(f"select count(*) from ({left} except all {right})").fetchone()[0]
                assert extra == 0, f"marts.{table}: {extra} row(s) of one build missing from the other"
            compared += con.execute(f"select count(*) from local_wh.marts.{table}").fetchone()[0]
        assert compared > 0
