"""The way out of one machine, each part giving the same marts as the in-process `tickerwire run` of the
same inbox on a local home (the reference, run once for the module in a subprocess beside the tests):
- the Dagster instance on a real PostgreSQL server and the steps of every run in subprocesses (the
  multiprocess executor). The server is started here (initdb, pg_ctl on 127.0.0.1 at a free port, its
  socket in a temporary folder) and stopped in teardown;
- the lake in an S3-compatible object store: moto's server on 127.0.0.1, reached through s3fs by the
  pipeline and by dbt (the profile registers the fsspec file system with DuckDB).
Without PostgreSQL binaries or moto the tests skip, and fail when CI is set."""

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
from orchestration.event_log import RANGE_RUN_SETTINGS
from orchestration.home import Home
from orchestration.runner import QUIET_RUN_CONFIG, definitions, pending
from tests.conftest import ROOT, SAMPLE_INBOX, free_port

S3_BUCKET = "tickerwire-scale-out"

PG_BIN_DIRS = [os.environ.get("TICKERWIRE_PG_BIN", ""), "/usr/lib/postgresql/15/bin"]
PG_USER, PG_PASSWORD, PG_DB = "tickerwire", "scale-out-test", "dagster"
MULTIPROCESS = {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
# Columns stamped with the time of the run, which two runs of the same input cannot share.
VOLATILE_COLUMNS = {"ingested_at", "rejected_at", "built_at", "landed_at", "extracted_at"}


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


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
        _missing("PostgreSQL server binaries (initdb, pg_ctl) not found; set TICKERWIRE_PG_BIN")
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


def _clean_environment() -> dict[str, str]:
    """This process's environment without any home's settings, for a CLI run on its own home."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("TICKERWIRE_", "DAGSTER_", "AWS_"))}
    return kept | {"DO_NOT_TRACK": "1"}


def _cli_run(home: Path, *options: str) -> list[str]:
    command = [sys.executable, "-m", "orchestration.cli", "run", "--home", str(home)]
    return [*command, "--inbox", str(SAMPLE_INBOX), *options]


@dataclass
class Reference:
    """`tickerwire run` (in-process runs, the default SQLite instance, a local lake) on its own home."""

    process: subprocess.Popen
    home: Home
    log: Path

    def warehouse(self) -> Path:
        assert self.process.wait(timeout=600) == 0, self.log.read_text()
        return self.home.warehouse


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reference]:
    """Started once for the module, in a subprocess beside the tests' own runs (its own instance and
    dbt target folder); a test waits for it only to compare marts."""
    root = tmp_path_factory.mktemp("reference")
    home, log = Home.at(root / "home", SAMPLE_INBOX), root / "reference.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            _cli_run(home.root), cwd=ROOT, env=_clean_environment(), stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        yield Reference(process, home, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def assert_same_marts(expected_warehouse: Path, actual_warehouse: Path) -> None:
    """Every mart holds the same rows both ways (volatile run stamps aside), compared with EXCEPT ALL."""
    expected, actual = _marts(expected_warehouse), _marts(actual_warehouse)
    assert actual == expected and expected
    with duckdb.connect() as con:
        con.execute(f"attach '{expected_warehouse}' as expected_wh (read_only)")
        con.execute(f"attach '{actual_warehouse}' as actual_wh (read_only)")
        compared = 0
        for table, columns in expected.items():
            kept = ", ".join(f'"{c}"' for c in columns if c not in VOLATILE_COLUMNS)
            one = f"select {kept} from expected_wh.marts.{table}"
            other = f"select {kept} from actual_wh.marts.{table}"
            for left, right in ((one, other), (other, one)):
                extra = con.execute(f"select count(*) from ({left} except all {right})").fetchone()[0]
                assert extra == 0, f"marts.{table}: {extra} row(s) of one build missing from the other"
            compared += con.execute(f"select count(*) from expected_wh.marts.{table}").fetchone()[0]
        assert compared > 0


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
    postgres: Postgres, reference: Reference, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same input on a home whose instance lives in PostgreSQL, each step in its own process.
    scaled = Home.at(tmp_path / "scaled", SAMPLE_INBOX)
    scaled.dagster_home.mkdir(parents=True)
    (scaled.dagster_home / "dagster.yaml").write_text(postgres.instance_yaml())
    scaled.create()
    _use_home(monkeypatch, scaled)
    for name, value in RANGE_RUN_SETTINGS.items():  # as deploy/values.yaml sets them
        monkeypatch.setenv(name, value)
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        run_ids = [_execute_multiprocess(instance, "ingest_job", {})]
        days = pending(scaled.lake)
        assert days and all(isinstance(day, date) for day in days)
        for first, last in day_windows(days):
            run_ids.append(_execute_multiprocess(instance, "extract_job", partition_range_tags(first, last)))
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
        # every extracted day recorded as materialized, the range runs' batches included
        claims = dg.AssetKey(["lake", "claims"])
        assert instance.get_materialized_partitions(claims) == {day.isoformat() for day in days}

    assert_same_marts(reference.warehouse(), scaled.warehouse)


@pytest.fixture(scope="module")
def s3_environment() -> Iterator[dict[str, str]]:
    """A real S3-compatible server (moto in server mode) on 127.0.0.1, with a bucket for the lake; the
    standard AWS variables point s3fs (and through it DuckDB) at it."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        _missing("moto[server] is not installed (it is in the dev dependencies: make .venv/.synced)")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    environment = {
        "AWS_ACCESS_KEY_ID": "scale-out-test",
        "AWS_SECRET_ACCESS_KEY": "scale-out-test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_EC2_METADATA_DISABLED": "true",  # no credential lookups on the network
    }
    try:
        import boto3

        boto3.client("s3", **_boto_arguments(environment)).create_bucket(Bucket=S3_BUCKET)
        yield environment
    finally:
        server.stop()


def _boto_arguments(environment: dict[str, str]) -> dict[str, str]:
    return {
        "endpoint_url": environment["AWS_ENDPOINT_URL"],
        "aws_access_key_id": environment["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": environment["AWS_SECRET_ACCESS_KEY"],
        "region_name": environment["AWS_DEFAULT_REGION"],
    }


def test_lake_on_s3_gives_the_local_marts(
    s3_environment: dict[str, str], reference: Reference, tmp_path: Path
) -> None:
    home, lake_url = tmp_path / "home", f"s3://{S3_BUCKET}/nightly/lake"
    environment = _clean_environment() | s3_environment
    command = _cli_run(home, "--lake", lake_url)
    first = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr

    # The lake is in the bucket, not on the local disk: landed files, the ledger, extracted days.
    import boto3

    listing = boto3.client("s3", **_boto_arguments(s3_environment)).get_paginator("list_objects_v2")
    keys = [item["Key"] for page in listing.paginate(Bucket=S3_BUCKET) for item in page.get("Contents", [])]
    tables = {key.split("/")[2] for key in keys}
    assert {"landed_articles", "ingest_ledger", "articles", "price_notes", "claims"} <= tables, tables
    assert all(key.startswith("nightly/lake/") for key in keys)
    assert not (home / "lake").exists()

    # The second run (the lake named by the environment this time) reads the ledger and the day
    # fingerprints back from the bucket: nothing to do.
    environment["TICKERWIRE_LAKE"] = lake_url
    second = subprocess.run(_cli_run(home), cwd=ROOT, env=environment, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert "Nothing new" in second.stderr, second.stderr

    assert_same_marts(reference.warehouse(), Home.at(home).warehouse)
