"""The Parquet lake: one folder per table, daily `published_date=` folders, atomic file writes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.lake_schema import TABLES

SCHEMA_FILE = "_schema.parquet"


def table_dir(lake: Path, table: str) -> Path:
    return lake / table


def partition_dir(lake: Path, table: str, day: date) -> Path:
    return lake / table / f"published_date={day.isoformat()}"


def write_table(path: Path, table: pa.Table, *, metadata: Mapping[str, str] | None = None) -> None:
    """Write to a temp file beside `path`, fsync, then rename: readers see the old file or the new one."""
    if metadata:
        merged = dict(table.schema.metadata or {})
        merged.update({key.encode(): value.encode() for key, value in metadata.items()})
        table = table.replace_schema_metadata(merged)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pq.write_table(table, handle, compression="zstd")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_rows(path: Path, table: str, rows: Iterable[Mapping[str, object]], **kwargs) -> int:
    """Write rows (dicts keyed by column) with the table's schema; returns the row count."""
    arrow_table = pa.Table.from_pylist(list(rows), schema=TABLES[table])
    write_table(path, arrow_table, **kwargs)
    return arrow_table.num_rows


def ensure_schema_files(lake: Path) -> None:
    """Give every table a zero-row file, so dbt's sources read an empty table rather than fail."""
    for name, schema in TABLES.items():
        path = table_dir(lake, name) / SCHEMA_FILE
        if not path.exists():
            write_table(path, schema.empty_table())


def data_files(folder: Path) -> list[Path]:
    """The table's data files in a folder (sorted), leaving out the schema file and temp files."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.parquet") if p.name != SCHEMA_FILE)


def read_files(paths: Iterable[Path], table: str) -> pa.Table:
    """Read Parquet files as one table in the lake schema (empty when there are none)."""
    schema = TABLES[table]
    parts = [pq.read_table(path, schema=schema) for path in paths]
    return pa.concat_tables(parts) if parts else schema.empty_table()


def row_count(paths: Iterable[Path]) -> int:
    """Rows in Parquet files, from their footers (no data is read)."""
    return sum(pq.read_metadata(path).num_rows for path in paths)


def file_metadata(path: Path, key: str) -> str | None:
    """One key of a Parquet file's schema metadata, or None when the file or key is missing."""
    if not path.exists():
        return None
    value = (pq.read_schema(path).metadata or {}).get(key.encode())
    return value.decode() if value is not None else None
