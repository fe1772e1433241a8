"""The real dagster-daemon and dagster-webserver on 127.0.0.1, used as an operator uses them.

One startup serves the module: the nightly schedule (set to tick every minute) launches the nightly job;
the inbox sensor, switched on through the GraphQL API, lands a new file and the landed-days sensor builds
its day; a headless Chromium shows the lineage, the schedule and the passing checks in the UI. Screenshots
go to test-artifacts/."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.home import Home
from tests.conftest import ROOT, free_port
from tests.ui import chromium_page, save_screenshot

BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "test-artifacts"
RUNS_QUERY = "{ runsOrError { ... on Runs { results { runId jobName status tags { key value } } } } }"
REPOSITORY_QUERY = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
  name location { name }
  schedules { name cronSchedule scheduleState { id status } }
  sensors { name sensorState { id status } } } } } }"""
FINAL_KEY = ["marts", "fct_claim_price_links"]


_NOW = datetime.now(UTC)
# The daemon's schedule runs in a fixed-offset zone where it is midday now (TICKERWIRE_SCHEDULE_TIMEZONE),
# so its ticks, minutes after this module reads the date, fall on the same day: with UTC, a run started
# before midnight found "yesterday" moved under it. Midday there is on UTC's calendar day, so TODAY is UTC's.
# Etc/GMT names count the other way: Etc/GMT+5 is five hours behind.
SCHEDULE_ZONE = f"Etc/GMT{_NOW.hour - 12:+d}"
TODAY = _NOW.date()
YESTERDAY = datetime.fromisoformat(f"{TODAY - timedelta(days=1)}T09:30:00+00:00")
# The sensor's article is three days old: not the nightly partition (yesterday), so the landed-days
# sensor has a day to build, and the nightly test's day holds only its own article.
SENSOR_DAY = datetime.fromisoformat(f"{TODAY - timedelta(days=3)}T14:05:00+00:00")
SENSOR_ARTICLE_ID = "wire-daemon-sensor-1"


@dataclass(frozen=True)
class Served:
    home: Home
    port: int
    location: str
    repository: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        return _graphql(self.port, query, variables)

    def runs(self) -> list[dict]:
        runs = self.graphql(RUNS_QUERY)["runsOrError"]["results"]
        return [{**run, "tags": {tag["key"]: tag["value"] for tag in run["tags"]}} for run in runs]

    def repository_nodes(self) -> dict:
        (node,) = self.graphql(REPOSITORY_QUERY)["repositoriesOrError"]["nodes"]
        return node


def _graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    assert not body.get("errors"), body["errors"]
    return body["data"]


def _wait(what: str, seconds: float, probe: Callable[[], object]):
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


def _no_failures(runs: list[dict]) -> None:
    failed = [
        (run["jobName"], run["runId"], run["status"])
        for run in runs
        if run["status"] in ("FAILURE", "CANCELED")
    ]
    assert not failed, f"runs failed: {failed} (see the run logs in the UI or <home>/dagster)"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Daemon and webserver on one temporary home with yesterday's article in the inbox; UI nux seen."""
    home = Home.resolve(tmp_path_factory.mktemp("daemon") / "home").create()
    article = {
        "id": "wire-daemon-1",
        "title": "Ford shares slip",
        "published_at": YESTERDAY.isoformat(),
        "body": "Ford Motor Co. F said it would recall 12,000 vans, according to a filing. "
        "Ford shares fell 1.2% to $11.90 in afternoon trading.",
    }
    (home.inbox / "wire.json").write_text(json.dumps([article]))
    env = {
        **os.environ,
        **home.environment(),
        "TICKERWIRE_SCHEDULE_CRON": "* * * * *",
        "TICKERWIRE_SCHEDULE_TIMEZONE": SCHEDULE_ZONE,
        "TICKERWIRE_SENSOR_SECONDS": "5",
    }
    port = free_port()
    target = ["-m", "orchestration.definitions"]
    logs = home.root / "logs"
    logs.mkdir(exist_ok=True)
    # Create the instance's SQLite storages once: the webserver's code server and the daemon would
    # otherwise both create them at startup and can race on the schema version table.
    subprocess.run(
        [str(BIN / "dagster"), "instance", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True
    )
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
        _wait("the webserver", 120, lambda: _graphql(port, "{ version }"))
        # An operator who has seen the "join the community" pop-up once: the UI must not show it.
        assert _graphql(port, "mutation { setNuxSeen }")["setNuxSeen"] is True
        assert _graphql(port, "{ shouldShowNux }")["shouldShowNux"] is False
        (node,) = _graphql(port, REPOSITORY_QUERY)["repositoriesOrError"]["nodes"]
        yield Served(home, port, node["location"]["name"], node["name"])
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def inbox_sensor_started(served: Served, nightly_run: dict) -> None:
    """A new file in the inbox, and the inbox sensor (off by default) switched on through the API as the
    UI's toggle does. Only after the nightly run: runs that build the warehouse at the same time take
    turns correctly, but the UI then ties the checks to the earlier materialization."""
    article = {
        "id": SENSOR_ARTICLE_ID,
        "title": "Apple opens an Austin design centre",
        "published_at": SENSOR_DAY.isoformat(),
        "body": "Apple Inc. AAPL said it would open a design centre in Austin with 400 engineers, "
        "according to a company statement. Apple shares rose 2.1% to $190.50 in morning trading.",
    }
    (served.home.inbox / "sensor-drop.jsonl").write_text(json.dumps(article) + "\n")
    (sensor,) = [s for s in served.repository_nodes()["sensors"] if s["name"] == "inbox_sensor"]
    assert sensor["sensorState"]["status"] == "STOPPED", "inbox_sensor must be off until switched on"
    selector = {
        "repositoryLocationName": served.location,
        "repositoryName": served.repository,
        "sensorName": "inbox_sensor",
    }
    started = served.graphql(
        "mutation($selector: SensorSelector!) { startSensor(sensorSelector: $selector) { __typename "
        "... on Sensor { sensorState { status } } ... on PythonError { message } } }",
        {"selector": selector},
    )["startSensor"]
    assert started == {"__typename": "Sensor", "sensorState": {"status": "RUNNING"}}, started


@pytest.fixture(scope="module")
def nightly_run(served: Served) -> dict:
    """The first scheduled nightly run, once it succeeded. The schedule is stopped as soon as it has
    launched that run: at one tick a minute it would otherwise start a new run every minute."""

    def nightly_runs() -> list[dict]:
        return [run for run in served.runs() if run["jobName"] == "nightly_job"]

    _wait("the schedule to launch a nightly run", 240, nightly_runs)
    (schedule,) = [s for s in served.repository_nodes()["schedules"] if s["name"] == "nightly_schedule"]
    stopped = served.graphql(
        "mutation($id: String) { stopRunningSchedule(id: $id) { __typename "
        "... on ScheduleStateResult { scheduleState { status } } ... on PythonError { message } } }",
        {"id": schedule["scheduleState"]["id"]},
    )["stopRunningSchedule"]
    assert stopped == {"__typename": "ScheduleStateResult", "scheduleState": {"status": "STOPPED"}}, stopped

    def succeeded() -> dict | None:
        runs = nightly_runs()
        _no_failures(runs)
        return next((run for run in runs if run["status"] == "SUCCESS"), None)

    run = _wait("the scheduled nightly run to succeed", 300, succeeded)
    assert len(nightly_runs()) == 1, "the stopped schedule launched another run"
    return run


def _warehouse_rows(home: Home, sql: str, params: list) -> list[tuple] | None:
    """Rows from a read-only connection opened for this probe only: builds swap the file atomically."""
    if not home.warehouse.exists():
        return None
    try:
        with duckdb.connect(str(home.warehouse), read_only=True) as con:
            return con.execute(sql, params).fetchall()
    except duckdb.Error:
        return None


def test_the_schedule_ticks_and_the_nightly_run_updates_the_warehouse(
    served: Served, nightly_run: dict
) -> None:
    assert nightly_run["tags"]["dagster/schedule_name"] == "nightly_schedule"
    assert nightly_run["tags"]["dagster/partition"] == YESTERDAY.date().isoformat()
    notes = _warehouse_rows(
        served.home,
        "select symbol, direction, change_pct, price from marts.fct_price_notes where published_date = ?",
        [YESTERDAY.date()],
    )
    assert notes == [("F", "down", 1.2, 11.90)]


def test_the_inbox_sensor_lands_a_new_file_and_its_day_is_built(
    served: Served, inbox_sensor_started: None
) -> None:
    """The sensor's ingest_job run succeeds, and the landed-days sensor builds the new file's day."""

    def run_of(sensor_name: str) -> Callable[[], dict | None]:
        def probe() -> dict | None:
            runs = [run for run in served.runs() if run["tags"].get("dagster/sensor_name") == sensor_name]
            _no_failures(runs)
            return next((run for run in runs if run["status"] == "SUCCESS"), None)

        return probe

    ingest = _wait("an inbox_sensor run to succeed", 420, run_of("inbox_sensor"))
    assert ingest["jobName"] == "ingest_job"
    build = _wait("a landed_days_sensor run to succeed", 450, run_of("landed_days_sensor"))
    assert build["jobName"] == "build_job"
    day = SENSOR_DAY.date().isoformat()
    assert build["tags"]["dagster/asset_partition_range_start"] == day
    assert build["tags"]["dagster/asset_partition_range_end"] == day
    rows = _warehouse_rows(
        served.home,
        "select a.title, n.symbol, n.direction, n.change_pct, n.price from marts.dim_articles a "
        "join marts.fct_price_notes n using (article_id) where a.source_id = ?",
        [SENSOR_ARTICLE_ID],
    )
    assert rows == [("Apple opens an Austin design centre", "AAPL", "up", 2.1, 190.50)]


def _upstream_keys(served: Served, key: list[str]) -> set[tuple[str, ...]]:
    """The asset and everything upstream of it, from the webserver's asset graph."""
    nodes = served.graphql("{ assetNodes { assetKey { path } dependencyKeys { path } } }")["assetNodes"]
    deps = {tuple(n["assetKey"]["path"]): [tuple(d["path"]) for d in n["dependencyKeys"]] for n in nodes}
    found, todo = set(), [tuple(key)]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(deps[current])
    return found


def _graph_node_names(page) -> list[str]:
    """The names drawn on the lineage graph's asset nodes, as shown: a long name may be cut in the
    middle ("fct_c…_price_links") when the graph is zoomed out."""
    return page.eval_on_selector_all(
        "svg foreignObject [class*='AssetNode_assetName']", "els => els.map(e => e.textContent.trim())"
    )


def _shows(shown: str, name: str) -> bool:
    if shown == name:
        return True
    head, cut, tail = shown.partition("\u2026")
    return bool(cut) and len(head) + len(tail) < len(name) and name.startswith(head) and name.endswith(tail)


def _missing_from_graph(page, names: set[str]) -> list[str]:
    """Expected names no graph node shows, and nodes that show no expected name (or more than one)."""
    shown = _graph_node_names(page)
    problems = [f"missing {name}" for name in sorted(names) if not any(_shows(s, name) for s in shown)]
    problems += [f"unexpected node {s!r}" for s in shown if sum(_shows(s, name) for name in names) != 1]
    return problems


def _check_statuses(text: str, names) -> dict[str, str | None]:
    """Each check's status on the asset's Checks tab, whose list gives a check's short name, its full
    name (once when short), then its status; the first occurrence counts (the selected check's details
    follow the list)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    found: dict[str, str | None] = dict.fromkeys(names)
    for name, status in itertools.pairwise(lines):
        if name in found and found[name] is None and status != name:
            found[name] = status
    return found


def _no_community_popup(page) -> None:
    assert not page.get_by_text("Join the Dagster community").is_visible(), "the community pop-up is shown"


def test_the_ui_shows_the_lineage_the_schedule_and_passing_checks(
    served: Served, nightly_run: dict, inbox_sensor_started: None
) -> None:
    expected = _upstream_keys(served, FINAL_KEY)
    assert ("lake", "landed_articles") in expected and len(expected) > 5, expected
    names = {key[-1] for key in expected}
    assert len(names) == len(expected), "asset names are not unique: the graph check cannot tell them apart"

    def check_statuses() -> dict[str, str | None]:
        checks = served.graphql(
            "query($key: AssetKeyInput!) { assetNodeOrError(assetKey: $key) { ... on AssetNode { "
            "assetChecksOrError { ... on AssetChecks { checks { name "
            "executionForLatestMaterialization { status } } } } } } }",
            {"key": {"path": FINAL_KEY}},
        )["assetNodeOrError"]["assetChecksOrError"]["checks"]
        return {c["name"]: (c["executionForLatestMaterialization"] or {}).get("status") for c in checks}

    def settled() -> bool:
        """No run in flight (the sensors' build may still be evaluating its checks) and all passed."""
        busy = [run for run in served.runs() if run["status"] in ("QUEUED", "STARTING", "STARTED")]
        return not busy and set(check_statuses().values()) == {"SUCCEEDED"}

    statuses = check_statuses()
    assert statuses, "fct_claim_price_links has no asset checks"
    _wait("every check on fct_claim_price_links to pass with no run in flight", 300, settled)

    asset_url = f"{served.url}/assets/{'/'.join(FINAL_KEY)}"
    # Tall enough that the zoomed-to-width upstream graph is drawn whole (off-screen nodes are not drawn).
    with chromium_page(viewport={"width": 1920, "height": 1600}) as page:
        page.goto(f"{asset_url}?view=lineage&lineageScope=upstream&lineageDepth=100")
        try:
            page.locator("svg foreignObject [class*='AssetNode_assetName']").first.wait_for()
            _wait("every upstream asset on the graph", 60, lambda: not _missing_from_graph(page, names))
        finally:
            save_screenshot(page, ARTIFACTS / "daemon-lineage.png")
        assert not _missing_from_graph(page, names), _missing_from_graph(page, names)
        for group in ("ingest", "extract", "warehouse"):
            assert page.get_by_text(group, exact=True).first.is_visible(), f"group {group} is not drawn"
        _no_community_popup(page)

    with chromium_page() as page:
        page.goto(f"{asset_url}?view=checks")

        def all_succeeded() -> bool:
            return set(_check_statuses(page.inner_text("body"), statuses).values()) == {"Succeeded"}

        try:
            _wait("every check listed as succeeded", 60, all_succeeded)
        finally:
            save_screenshot(page, ARTIFACTS / "daemon-checks.png")
        assert all_succeeded(), _check_statuses(page.inner_text("body"), statuses)
        _no_community_popup(page)

        page.goto(f"{served.url}/automation")
        # The schedule's row: its name with the cron in words (the test set it to every minute).
        row = page.locator("div").filter(has_text="nightly_schedule").filter(has_text="Every minute").last
        row.wait_for()
        assert "inbox_sensor" not in row.inner_text(), "expected one automation's row"
        save_screenshot(page, ARTIFACTS / "daemon-schedules.png")
        _no_community_popup(page)
