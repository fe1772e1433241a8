"""The real dagster-daemon and dagster-webserver on 127.0.0.1: the nightly schedule (set to tick every
minute for the test) launches the nightly job, observed through the webserver's GraphQL API."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.home import Home
from tests.conftest import ROOT

BIN = Path(sys.executable).parent
RUNS_QUERY = "{ runsOrError { ... on Runs { results { runId jobName status tags { key value } } } } }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"]


def _wait(what: str, seconds: float, probe):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = probe()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(2)
    raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")


@pytest.fixture
def served_home(tmp_path: Path) -> Iterator[tuple[Home, int]]:
    home = Home.resolve(tmp_path / "home").create()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).replace(hour=9, minute=30)
    article = {
        "id": "wire-daemon-1",
        "title": "Ford shares slip",
        "published_at": yesterday.isoformat(),
        "body": "Ford Motor Co. F said it would recall 12,000 vans, according to a filing. "
        "Ford shares fell 1.2% to $11.90 in afternoon trading.",
    }
    (home.inbox / "wire.json").write_text(json.dumps([article]))
    env = {**os.environ, **home.environment(), "TICKERWIRE_SCHEDULE_CRON": "* * * * *"}
    port = _free_port()
    target = ["-m", "orchestration.definitions"]
    logs = home.root / "logs"
    logs.mkdir(exist_ok=True)
    processes = [
        subprocess.Popen(
            [str(BIN / name), *args, *target],
            cwd=ROOT,
            env=env,
            stdout=(logs / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for name, args in (
            ("dagster-webserver", ["-h", "127.0.0.1", "-p", str(port)]),
            ("dagster-daemon", ["run"]),
        )
    ]
    try:
        yield home, port
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_the_schedule_ticks_and_the_nightly_run_updates_the_warehouse(served_home) -> None:
    home, port = served_home
    _wait("the webserver", 120, lambda: _graphql(port, "{ version }"))
    _graphql(port, "mutation { setNuxSeen }")

    def finished_nightly_run():
        runs = _graphql(port, RUNS_QUERY)["runsOrError"]["results"]
        nightly = [run for run in runs if run["jobName"] == "nightly_job"]
        failed = [run for run in nightly if run["status"] in ("FAILURE", "CANCELED")]
        assert not failed, failed
        return next((run for run in nightly if run["status"] == "SUCCESS"), None)

    run = _wait("a scheduled nightly run to succeed", 300, finished_nightly_run)
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    assert tags["dagster/schedule_name"] == "nightly_schedule"
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert tags["dagster/partition"] == yesterday
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        notes = con.execute(
            "select symbol, direction, change_pct, price from marts.fct_price_notes"
        ).fetchall()
    assert notes == [("F", "down", 1.2, 11.90)]
