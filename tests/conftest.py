"""Shared test setup: dbt is parsed once up front, and ../shared data is found or reported loudly."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SEED_ARTICLE = SHARED_DATA / "seed" / "tesla_china_data_center.txt"
SAMPLE_INBOX = ROOT / "examples" / "inbox"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now, for servers the tests start."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def shared_data(relative: str) -> Path:
    """A file in ../shared/data: a test that needs it fails in CI when it is missing, else skips."""
    path = SHARED_DATA / relative
    if not path.exists():
        message = f"{path} is missing (../shared must sit beside the checkout)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt parse` once per session (when stale), never at import time of the definitions."""
    parse_home = tmp_path_factory.mktemp("parse-home")
    for name, value in {
        "DO_NOT_TRACK": "1",
        "TICKERWIRE_LAKE_DIR": str(parse_home / "lake"),
        "TICKERWIRE_WAREHOUSE_PATH": str(parse_home / "warehouse.duckdb"),
    }.items():
        os.environ.setdefault(name, value)
    from orchestration.defs.warehouse.project import dbt_project, manifest_is_stale, parse_manifest

    if manifest_is_stale():
        parse_manifest()
    return dbt_project.manifest_path
