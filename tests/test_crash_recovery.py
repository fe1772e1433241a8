"""The warehouse survives what happens to it: SIGKILL `tickerwire run` during landing, during extraction
and during the dbt build, then run it again, and the warehouse equals the one an uninterrupted run
builds; and readers in other processes are never refused while a later run rebuilds and swaps it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.lake import SCHEMA_FILE
from tests.conftest import ROOT
from tests.crash_inbox import write_inbox
from tests.test_end_to_end import tickerwire

pytestmark = pytest.mark.slow

# Set by each run (landing pass, its ledger file's name, ingestion time), so they differ between two runs
# of the same inbox.
VOLATILE_COLUMNS = {"run_id", "ledger_file", "ingested_at", "rejected_at"}
SCHEMAS = ("marts", "audit")


def _start(home: Path, inbox: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "orchestration.cli", "run", "--home", str(home), "--inbox", str(inbox)]
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    log = (home.parent / f"{home.name}.log").open("a")
    # its own session, so the kill reaches dbt's subprocess too, as a machine crash would
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)


def _run(home: Path, inbox: Path) -> None:
    process = _start(home, inbox)
    assert process.wait(timeout=600) == 0, (home.parent / f"{home.name}.log").read_text()[-3000:]


def _kill_when(home: Path, inbox: Path, stage: str, reached: Callable[[], bool]) -> None:
    process = _start(home, inbox)
    deadline = time.monotonic() + 300
    while not reached():
        assert process.poll() is None, f"the run ended before reaching {stage}"
        assert time.monotonic() < deadline, f"timed out waiting for {stage}"
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _files(folder: Path, pattern: str) -> list[Path]:
    return [path for path in folder.glob(pattern) if path.name != SCHEMA_FILE]


def warehouse_tables(warehouse: Path) -> dict[str, set[tuple]]:
    """Every marts and audit table as a multiset of rows (volatile columns left out)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables"
            f" where table_schema in {SCHEMAS} and table_type = 'BASE TABLE' order by all"
        ).fetchall()
        tables = {}
        for schema, table in names:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if name not in VOLATILE_COLUMNS
            ]
            select = ", ".join(f'"{column}"' for column in columns)
            rows = con.execute(f'select {select}, count(*) from "{schema}"."{table}" group by all').fetchall()
            tables[f"{schema}.{table}"] = {tuple(map(repr, row)) for row in rows}
        return tables


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(inbox, reference home, crashed home): one uninterrupted run, and one killed three times and rerun."""
    root = tmp_path_factory.mktemp("crash")
    inbox, reference, crashed = root / "inbox", root / "reference", root / "crashed"
    write_inbox(inbox, files=100, per_file=10, first_day=datetime(2024, 3, 4, 9, tzinfo=UTC))
    _run(reference, inbox)
    lake = crashed / "lake"

    _kill_when(crashed, inbox, "landing", lambda: bool(_files(lake, "landed_articles/*/*.parquet")))
    assert not _files(lake, "ingest_ledger/*.parquet"), "the kill came after landing had finished"

    _kill_when(crashed, inbox, "extraction", lambda: bool(_files(lake, "ticker_mentions/*/*.parquet")))
    assert _files(lake, "ingest_ledger/*.parquet") and not (crashed / "warehouse.duckdb").exists()

    building = crashed / "warehouse.building.duckdb"
    _kill_when(crashed, inbox, "the dbt build", building.exists)
    assert building.exists() and not (crashed / "warehouse.duckdb").exists()

    _run(crashed, inbox)
    return inbox, reference, crashed


def test_killed_runs_then_a_rerun_build_the_same_warehouse(homes: tuple[Path, Path, Path]) -> None:
    _, reference, crashed = homes
    expected, got = (
        warehouse_tables(reference / "warehouse.duckdb"),
        warehouse_tables(crashed / "warehouse.duckdb"),
    )
    assert set(got) == set(expected)
    for table in expected:
        assert got[table] == expected[table], f"{table} differs after the crashes"
    with duckdb.connect(str(crashed / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_articles").fetchone()[0] == 1000
        assert con.execute("select sum(landed), sum(seen) from audit.ingest_runs").fetchone() == (1000, 1000)


COUNT_SQL = (
    "select (select count(*) from marts.dim_articles) * 1000 + (select count(*) from marts.fct_claims) as n"
)

# One reader: a loop of fresh read-only connections, or of `tickerwire query` processes, until `stop` exists.
READER = """
import json, subprocess, sys, time, duckdb
from pathlib import Path
home, mode, stop, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
seen, failures = [], []
while not stop.exists():
    try:
        if mode == "duckdb":
            with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
                seen.append(con.execute(sys.argv[5]).fetchone()[0])
        else:
            done = subprocess.run([sys.executable, "-m", "orchestration.cli", "query", "--home", str(home),
                                   "--format", "csv", sys.argv[5]], capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(done.stderr)
            seen.append(int(done.stdout.splitlines()[1]))
    except Exception as error:
        failures.append(repr(error))
    time.sleep(0.02)  # leave the build its CPU on a small machine
out.write_text(json.dumps({"seen": seen, "failures": failures}))
"""

NEW_ARTICLE = (
    "Globex shares rose 4% to $52.10 on Tuesday after the company said it expects record orders, "
    "according to its chief executive.\n"
)


def test_readers_see_the_old_or_the_new_warehouse_during_a_build(
    homes: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    inbox, _, home = homes
    count = ["query", "--home", str(home), "--format", "csv", COUNT_SQL]
    before = int(tickerwire(*count).stdout.split()[1])
    stop = tmp_path / "stop"
    readers = []
    for mode in ("duckdb", "cli"):
        out = tmp_path / f"{mode}.json"
        command = [sys.executable, "-c", READER, str(home), mode, str(stop), str(out), COUNT_SQL]
        readers.append((out, subprocess.Popen(command, cwd=ROOT)))
    (inbox / "2024-03-08-globex.txt").write_text(NEW_ARTICLE)
    started = time.perf_counter()
    tickerwire("run", "--home", str(home), "--inbox", str(inbox))
    build_seconds = time.perf_counter() - started
    time.sleep(1)  # a few queries on the new file
    stop.touch()
    results = []
    for out, process in readers:
        assert process.wait(timeout=60) == 0
        results.append(json.loads(out.read_text()))
    after = int(tickerwire(*count).stdout.split()[1])

    assert after > before
    seen = [value for result in results for value in result["seen"]]
    failures = [failure for result in results for failure in result["failures"]]
    print(f"reader loop: {len(seen)} queries, {len(failures)} failed during a {build_seconds:.0f}s build")
    assert failures == []
    assert set(seen) <= {before, after} and after in seen
    assert all(len(result["seen"]) > 1 for result in results)
