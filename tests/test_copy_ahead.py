"""The copy of the warehouse made ahead of a build, on real files: taken only when it is a whole copy of
the current file, and never left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.defs.warehouse.copy_ahead import ahead_path, copying_ahead, take_copy

CONTENT = os.urandom(3 * 2**20 + 17)  # not a multiple of the chunk or page size


def _warehouse(tmp_path: Path, content: bytes = CONTENT) -> Path:
    path = tmp_path / "warehouse.duckdb"
    path.write_bytes(content)
    return path


def _leftovers(tmp_path: Path) -> list[str]:
    return sorted(path.name for path in tmp_path.iterdir() if path.name != "warehouse.duckdb")


def test_the_build_takes_a_whole_copy_of_the_current_warehouse(tmp_path: Path) -> None:
    warehouse, building = _warehouse(tmp_path), tmp_path / "warehouse.building.duckdb"
    with copying_ahead(warehouse):
        assert take_copy(warehouse, building)
    assert building.read_bytes() == CONTENT
    assert _leftovers(tmp_path) == ["warehouse.building.duckdb"]


def test_a_warehouse_replaced_since_the_copy_is_copied_again(tmp_path: Path) -> None:
    warehouse, building = _warehouse(tmp_path), tmp_path / "warehouse.building.duckdb"
    with copying_ahead(warehouse):
        newer = tmp_path / "newer.duckdb"
        newer.write_bytes(CONTENT[::-1])
        os.replace(newer, warehouse)  # another build swapped its warehouse in
        assert not take_copy(warehouse, building)
    assert _leftovers(tmp_path) == []


def test_an_untaken_copy_is_deleted_and_none_is_made_for_a_full_refresh(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    with copying_ahead(warehouse):
        pass  # nothing new to build
    os.utime(warehouse, (0, 0))  # built before the dbt project last changed: the build is a full refresh
    with copying_ahead(warehouse):
        assert not take_copy(warehouse, tmp_path / "warehouse.building.duckdb")
    with copying_ahead(tmp_path / "missing.duckdb"):
        pass
    assert _leftovers(tmp_path) == []


def test_copies_of_dead_processes_go_and_those_of_live_ones_stay(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead, live = ahead_path(warehouse, int(finished.stdout)), ahead_path(warehouse, os.getppid())
    dead.write_bytes(b"half a copy")
    live.write_bytes(b"another run's copy in progress")
    with copying_ahead(warehouse):
        pass
    assert not dead.exists() and live.exists()
    dead.write_bytes(b"half a copy")  # and a build in a process that copied nothing ahead
    assert not take_copy(warehouse, tmp_path / "warehouse.building.duckdb")
    assert not dead.exists() and live.exists()
