"""The lake's layout: where the zero-row schema files sit, and which folders count as days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from orchestration.lake import NO_DAY, SCHEMA_FILE, Lake
from orchestration.lake_schema import TABLES


def test_schema_files_sit_outside_the_days_and_older_lakes_are_moved(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    (root / "claims").mkdir(parents=True)
    pq.write_table(TABLES["claims"].empty_table(), root / "claims" / SCHEMA_FILE)  # the layout before
    lake = Lake(root)
    lake.ensure_schema_files()
    assert not (root / "claims" / SCHEMA_FILE).exists()
    assert (root / "claims" / f"published_date={NO_DAY}" / SCHEMA_FILE).exists()
    assert (root / "ticker_reference" / SCHEMA_FILE).exists()  # not a day table: beside its files
    assert lake.days("claims") == []
    lake.write_rows(f"{lake.partition_dir('claims', date(2024, 3, 5))}/data.parquet", "claims", [])
    assert lake.days("claims") == [date(2024, 3, 5)]
    assert lake.data_files(f"{lake.table_dir('claims')}/published_date={NO_DAY}") == []
