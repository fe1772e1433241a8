"""Readers are never refused: queries in other processes keep working while a full `tickerwire run`
rebuilds and swaps the warehouse, and each sees the old or the new complete warehouse."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE_INBOX
from tests.test_end_to_end import tickerwire

pytestmark = pytest.mark.slow

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


def test_readers_see_the_old_or_the_new_warehouse_during_a_build(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(SAMPLE_INBOX, home / "inbox")
    tickerwire("run", "--home", str(home))
    before = int(tickerwire("query", "--home", str(home), "--format", "csv", COUNT_SQL).stdout.split()[1])

    stop = tmp_path / "stop"
    readers = []
    for mode in ("duckdb", "cli"):
        out = tmp_path / f"{mode}.json"
        command = [sys.executable, "-c", READER, str(home), mode, str(stop), str(out), COUNT_SQL]
        readers.append((out, subprocess.Popen(command, cwd=ROOT)))
    (home / "inbox" / "2024-03-08-globex.txt").write_text(NEW_ARTICLE)
    started = time.perf_counter()
    tickerwire("run", "--home", str(home))
    build_seconds = time.perf_counter() - started
    time.sleep(1)  # a few queries on the new file
    stop.touch()
    results = []
    for out, process in readers:
        assert process.wait(timeout=60) == 0
        results.append(json.loads(out.read_text()))
    after = int(tickerwire("query", "--home", str(home), "--format", "csv", COUNT_SQL).stdout.split()[1])

    assert after > before
    seen = [value for result in results for value in result["seen"]]
    failures = [failure for result in results for failure in result["failures"]]
    print(f"reader loop: {len(seen)} queries, {len(failures)} failed during a {build_seconds:.0f}s build")
    assert failures == []
    assert set(seen) <= {before, after} and after in seen
    assert all(len(result["seen"]) > 1 for result in results)
