"""The swap that keeps the warehouse it replaces for the next build, and the check before replaying the
last build from the current one, on real files."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.warehouse.previous import previous_path, replayable, swap_in
from tests.conftest import duckdb_held_open


def _files(tmp_path: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(tmp_path.iterdir())}


def _build(tmp_path: Path, content: bytes) -> Path:
    building = tmp_path / "warehouse.building.duckdb"
    building.write_bytes(content)
    return building


def test_the_swap_keeps_the_replaced_warehouse_and_drops_the_older_one(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    swap_in(_build(tmp_path, b"first"), warehouse)
    assert _files(tmp_path) == {"warehouse.duckdb": b"first"}
    swap_in(_build(tmp_path, b"second"), warehouse)
    swap_in(_build(tmp_path, b"third"), warehouse)
    assert _files(tmp_path) == {"warehouse.duckdb": b"third", "warehouse.previous.duckdb": b"second"}
    assert previous_path(warehouse).stat().st_nlink == 1  # its own file, no longer the warehouse's


def test_without_hard_links_the_swap_keeps_no_previous_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    swap_in(_build(tmp_path, b"first"), warehouse)

    def no_hard_links(*_: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_hard_links)
    swap_in(_build(tmp_path, b"second"), warehouse)
    assert _files(tmp_path) == {"warehouse.duckdb": b"second"}


def test_a_warehouse_is_replayable_when_its_last_build_recorded_its_window(tmp_path: Path) -> None:
    """What the build asks before replaying: the record there (a real DuckDB file), and a warehouse that a
    process holds open for writing, which DuckDB locks readers out of, counts as not replayable."""
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema replay")
    assert not replayable(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table replay.last_build as select date '2024-06-05' as window_start")
    assert replayable(warehouse)
    with duckdb_held_open(warehouse, read_only=False):
        assert not replayable(warehouse)
