"""The warehouse a build replaced, kept as the file the next windowed build starts from.

A build writes a file of its own (readers keep the current one, and a failed build must leave it
serving). Copying the current warehouse for every night costs what the history weighs, not what the
night brings: at 1M articles 7.6 GB, 12-13 s of kernel CPU taken from landing and extraction, or waited
for. So the swap keeps the file it replaces as `warehouse.previous.duckdb`, and the next windowed build
moves that to its building file and builds the lake days written since it was built: the last build's
days and its own (assets.build_window). That build copies the current warehouse instead (copy_ahead.py)
when there is no previous file (the first build after one from nothing, or after a failed build), when
the dbt project changed since it was built, when a process holds it open (DuckDB locks a file for
readers too, and it must not change under one), or when the run builds only some of the models
(assets._start_building). Deleting it is safe at any time (the next build copies);
keeping it doubles the warehouse's disk space. The swap keeps it as a hard link; on a filesystem without
them none is kept."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestration.defs.warehouse.project import windowed_build_base


def previous_path(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.stem}.previous{warehouse.suffix}")


def _unlocked(path: Path) -> bool:
    """No process holds a DuckDB connection to the file (DuckDB takes a POSIX lock, shared for readers)."""
    try:
        with path.open("rb+") as handle:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def usable_previous(warehouse: Path) -> float | None:
    """The build time of the previous warehouse if the next windowed build can start from it, else None."""
    previous = previous_path(warehouse)
    built = windowed_build_base(previous)
    return built if built is not None and _unlocked(previous) else None


def take_previous(warehouse: Path, building: Path) -> float | None:
    """Move the previous warehouse to `building`; its build time, or None when it cannot be used."""
    built = usable_previous(warehouse)
    if built is not None:
        os.replace(previous_path(warehouse), building)
    return built


@contextmanager
def _freed_later(path: Path) -> Iterator[None]:
    """Keep the file the block unlinks open, and close it in a thread afterwards: freeing a large file's
    blocks takes seconds (2.8 s for the 7.7 GB warehouse of 1M articles on ext4), and the last close pays
    it instead of the swap, off the build's path."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        handle = None
    try:
        yield
    finally:
        if handle is not None:
            threading.Thread(target=handle.close, name="free-old-warehouse").start()


def swap_in(building: Path, warehouse: Path) -> None:
    """Make `building` the warehouse in one rename, keeping the file it replaces as the previous one (a
    second name for it, made first) and dropping the older previous one. On a filesystem without hard
    links none is kept, and the next build copies."""
    previous = previous_path(warehouse)
    with _freed_later(previous):
        previous.unlink(missing_ok=True)
        if warehouse.exists():
            with contextlib.suppress(OSError):
                os.link(warehouse, previous)
        os.replace(building, warehouse)
