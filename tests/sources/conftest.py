"""Fixtures for the feed and API tests: real servers on 127.0.0.1, and a fast fetch policy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.ingestion.http_fetch import FetchPolicy
from orchestration.pipeline.fetching import FetchReport, SourcesConfig, fetch_sources
from tests.sources.httpserver import Server

# Small timeouts and backoffs so retries are exercised in well under a second.
FAST = FetchPolicy(
    connect_timeout=1.0,
    read_timeout=0.5,
    retries=2,
    backoff=0.05,
    max_backoff=0.2,
    max_retry_after=1.5,
    min_interval=0.0,
    max_bytes=1_000_000,
)


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server().start()
    yield running
    running.stop()


@pytest.fixture
def other_server() -> Iterator[Server]:
    """A second host (another port), for redirects and next URLs that leave the first one."""
    running = Server().start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def dbt_manifest() -> None:
    """Overrides the suite's autouse `dbt parse`: nothing here reads the dbt manifest."""
    return None


def fetch_into(tmp_path: Path, config: SourcesConfig) -> tuple[FetchReport, list[Path]]:
    """Fetch the configured sources into tmp_path/inbox; the report and every file written."""
    inbox = tmp_path / "inbox"
    report = fetch_sources(config, inbox, tmp_path / "state")
    return report, sorted(p for p in inbox.rglob("*") if p.is_file())


def records_in(paths: list[Path]) -> list[dict]:
    """The article records of the JSON Lines files among paths."""
    return [
        json.loads(line)
        for path in paths
        if path.suffix == ".jsonl"
        for line in path.read_text().splitlines()
    ]
