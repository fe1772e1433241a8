"""Which dbt build the Dagster `warehouse` asset runs: a window of days from the run's partition tags,
widened to the lake days the warehouse has not taken in yet, or a full refresh. No dbt run here: the
windowed build itself is tested against a full refresh in test_dbt_build.py."""

import os
from pathlib import Path

import pytest

from orchestration.home import Home


def _window(home: Home, tags: dict[str, str]) -> tuple[str, str] | None:
    # imported late: the module loads the dbt manifest, which the session fixture parses first
    from orchestration.defs.warehouse.assets import build_window
    from orchestration.defs.warehouse.project import windowed_build_base

    window = build_window(home, tags, windowed_build_base(home.warehouse))
    return window and (window[0].isoformat(), window[1].isoformat())


def _touch(path: Path, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path, (mtime, mtime))


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """A warehouse built at t=2e9 (in 2033: newer than the dbt project files); lake days before it."""
    home = Home(tmp_path)
    lake = Path(home.lake.root)
    _touch(lake / "claims" / "published_date=2024-03-05" / "data.parquet", 1.9e9)
    _touch(lake / "articles" / "published_date=2024-03-04" / "data.parquet", 1.9e9)
    _touch(home.warehouse, 2e9)
    return home


def test_partition_tags_give_the_window(home: Home) -> None:
    assert _window(home, {"dagster/partition": "2024-03-07"}) == ("2024-03-07", "2024-03-07")
    range_tags = {
        "dagster/asset_partition_range_start": "2024-03-01",
        "dagster/asset_partition_range_end": "2024-03-08",
    }
    assert _window(home, range_tags) == ("2024-03-01", "2024-03-08")


def test_no_partition_a_new_warehouse_or_a_changed_project_build_in_full(home: Home) -> None:
    assert _window(home, {}) is None
    assert _window(home, {"dagster/partition": "not-a-day"}) is None
    # the dbt project's files are newer than a warehouse built at t=1e9 (2001)
    os.utime(home.warehouse, (1e9, 1e9))
    assert _window(home, {"dagster/partition": "2024-03-07"}) is None
    home.warehouse.unlink()
    assert _window(home, {"dagster/partition": "2024-03-07"}) is None


def test_lake_days_written_after_the_last_build_widen_the_window(home: Home) -> None:
    """A day written after the warehouse (e.g. its build failed) is taken in by the next windowed build."""
    _touch(Path(home.lake.root) / "price_notes" / "published_date=2024-02-20" / "data.parquet", 2.1e9)
    assert _window(home, {"dagster/partition": "2024-03-07"}) == ("2024-02-20", "2024-03-07")
    _touch(Path(home.lake.root) / "claims" / "published_date=2024-03-05" / "data.parquet", 2.1e9)
    assert _window(home, {"dagster/partition": "2024-03-01"}) == ("2024-02-20", "2024-03-05")
