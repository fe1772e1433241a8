"""The Parquet lake: one folder per table, daily `published_date=` folders, whole-file writes.

The lake is a local folder or an object store URL that fsspec knows (`s3://bucket/prefix`, credentials and
endpoint from the usual AWS variables), so moving it is configuration. Paths inside are the file system's
own (no protocol); only `url` carries it, for DuckDB and dbt."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from orchestration.files import replaced_atomically
from orchestration.lake_schema import DAY_TABLES, TABLES

SCHEMA_FILE = "_schema.parquet"
DAY_KEY = "published_date"
# Hive's name for a partition without a value, which DuckDB reads as NULL. A day table's schema file
# sits in that folder: DuckDB prunes day folders by name only when every file of the table is in one,
# and the name sorts after the days, so the first file DuckDB opens (it estimates a scan's rows and
# threads from it) holds data whenever the table has any.
NO_DAY = "__HIVE_DEFAULT_PARTITION__"


class Lake:
    """The lake at a location; every read and write of the pipeline goes through here."""

    def __init__(self, location: str | os.PathLike[str]):
        location = os.fspath(location)
        self.fs, root = fsspec.core.url_to_fs(location)
        self.is_local = isinstance(self.fs, LocalFileSystem)
        self.root = str(Path(root).resolve()) if self.is_local else root.rstrip("/")
        self.url = self.root if self.is_local else self.fs.unstrip_protocol(self.root)
        # pyarrow reads local paths itself; other stores go through the fsspec file system.
        self._arrow_fs = None if self.is_local else self.fs

    @classmethod
    def at(cls, location: LakeLocation) -> Lake:
        return location if isinstance(location, Lake) else cls(location)

    def __repr__(self) -> str:
        return f"Lake({self.url!r})"

    def table_dir(self, table: str) -> str:
        return f"{self.root}/{table}"

    def partition_dir(self, table: str, day: date) -> str:
        return f"{self.root}/{table}/{DAY_KEY}={day.isoformat()}"

    def write_table(self, path: str, table: pa.Table, *, metadata: Mapping[str, str] | None = None) -> None:
        """Readers see the old file or the new one, never a part: locally a temp file beside `path`,
        fsync, then rename; an object store publishes an object only when its upload completes."""
        if metadata:
            merged = dict(table.schema.metadata or {})
            merged.update({key.encode(): value.encode() for key, value in metadata.items()})
            table = table.replace_schema_metadata(merged)
        opened = replaced_atomically(Path(path)) if self.is_local else self.fs.open(path, "wb")
        with opened as handle:
            pq.write_table(table, handle, compression="zstd")

    def write_rows(self, path: str, table: str, rows: Iterable[Mapping[str, object]], **kwargs) -> pa.Table:
        """Write rows (dicts keyed by column) with the table's schema; returns the table written."""
        arrow_table = pa.Table.from_pylist(list(rows), schema=TABLES[table])
        self.write_table(path, arrow_table, **kwargs)
        return arrow_table

    def schema_file(self, table: str) -> str:
        """Where the table's zero-row file is: in the `NO_DAY` folder for day tables, else the root."""
        if table in DAY_TABLES:
            return f"{self.table_dir(table)}/{DAY_KEY}={NO_DAY}/{SCHEMA_FILE}"
        return f"{self.table_dir(table)}/{SCHEMA_FILE}"

    def ensure_schema_files(self) -> None:
        """Give every table a zero-row file, so dbt's sources read an empty table rather than fail.

        Moves a day table's schema file out of its root, where lakes before 2026-12 kept it."""
        if self.is_local:
            Path(self.root).mkdir(parents=True, exist_ok=True)
        for name, schema in TABLES.items():
            path = self.schema_file(name)
            if self.exists(path):
                continue
            root_file = f"{self.table_dir(name)}/{SCHEMA_FILE}"
            if root_file != path and self.exists(root_file):  # removed first: a crash between leaves neither
                self.fs.rm(root_file)
            self.write_table(path, schema.empty_table())

    def exists(self, path: str) -> bool:
        self.fs.invalidate_cache(path)
        return self.fs.exists(path)

    def _glob(self, pattern: str) -> list[str]:
        """Sorted paths matching `pattern`, listed afresh (other processes write the lake too)."""
        self.fs.invalidate_cache()
        return sorted(self.fs.glob(pattern))

    def data_files(self, folder: str, pattern: str = "*.parquet") -> list[str]:
        """The table's data files in a folder (sorted), leaving out the schema file and temp files."""
        return [path for path in self._glob(f"{folder}/{pattern}") if _is_data(path)]

    def partitions(self, table: str, key: str) -> list[str]:
        """The values of a table's `key=value` partition folders, sorted (not the schema file's)."""
        folders = self._glob(f"{self.table_dir(table)}/{key}=*")
        values = (path.rsplit("/", 1)[1].removeprefix(f"{key}=") for path in folders)
        return sorted(value for value in values if value != NO_DAY)

    def days(self, table: str) -> list[date]:
        """The published dates a table has partition folders for, sorted."""
        return [date.fromisoformat(day) for day in self.partitions(table, DAY_KEY)]

    def days_written_after(self, moment: float) -> set[date]:
        """Published days with a partition file (of any table) written after `moment` (a POSIX time)."""
        days: set[date] = set()
        for path in self.files_written_after(moment):
            folder = path.rsplit("/", 2)[-2]
            if folder.startswith(f"{DAY_KEY}="):
                with contextlib.suppress(ValueError):
                    days.add(date.fromisoformat(folder.removeprefix(f"{DAY_KEY}=")))
        return days

    def files_written_after(self, moment: float) -> list[str]:
        """Data files (of every table) last written after `moment` (a POSIX time), sorted."""
        self.fs.invalidate_cache()
        found = self.fs.find(self.root, detail=True) if self.exists(self.root) else {}
        return sorted(path for path, info in found.items() if _is_data(path) and _modified(info) > moment)

    def version(self, path: str) -> str:
        """Changes whenever the file is replaced: size and mtime locally, the ETag in an object store."""
        if self.is_local:
            stat = os.stat(path)
            return f"{stat.st_size}:{stat.st_mtime_ns}"
        return self.fs.ukey(path)

    def read_bytes(self, path: str) -> bytes:
        return self.fs.cat_file(path)

    def read_files(self, paths: Iterable[str], table: str) -> pa.Table:
        """Read Parquet files as one table in the lake schema (empty when there are none)."""
        schema = TABLES[table]
        parts = [pq.read_table(path, schema=schema, filesystem=self._arrow_fs) for path in paths]
        return pa.concat_tables(parts) if parts else schema.empty_table()

    @staticmethod
    def table_from_bytes(data: bytes, table: str) -> pa.Table:
        """A Parquet file already read into memory, in the lake schema."""
        return pq.read_table(pa.BufferReader(data), schema=TABLES[table])

    def parquet_file(self, path: str, **options) -> pq.ParquetFile:
        """`options` go to pyarrow's ParquetFile (`metadata` to reuse a footer, `read_dictionary`)."""
        return pq.ParquetFile(path, filesystem=self._arrow_fs, **options)

    def row_count(self, paths: Iterable[str]) -> int:
        """Rows in Parquet files, from their footers (no data is read)."""
        return sum(pq.read_metadata(path, filesystem=self._arrow_fs).num_rows for path in paths)

    def file_metadata(self, path: str, key: str) -> str | None:
        """One key of a Parquet file's schema metadata, or None when the file or key is missing."""
        if not self.exists(path):
            return None
        value = (pq.read_schema(path, filesystem=self._arrow_fs).metadata or {}).get(key.encode())
        return value.decode() if value is not None else None

    def remove_tree(self, path: str) -> None:
        self.fs.rm(path, recursive=True)


# What the pipeline's functions accept: a Lake, a folder, or a URL.
LakeLocation = Lake | str | os.PathLike[str]


def _is_data(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".parquet") and name != SCHEMA_FILE and not name.startswith(".")


def _modified(info: Mapping[str, object]) -> float:
    """A listing entry's modification time: local listings give `mtime`, S3 `LastModified`."""
    if "mtime" in info:
        return float(info["mtime"])
    stamp = info.get("LastModified")
    if isinstance(stamp, datetime):
        return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()
    return float("inf")  # a store that gives no time: count the file as new, so its days are rebuilt
