"""The swap that keeps the warehouse it replaces for the next build, on real files."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from orchestration.defs.warehouse.previous import previous_path, swap_in


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
