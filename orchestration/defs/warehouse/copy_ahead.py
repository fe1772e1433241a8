"""The copy of the current warehouse that a windowed build starts from when there is no previous one to
start from (previous.py), made while landing runs.

The atomic swap needs a build on a copy, and the copy grows with the warehouse, not with the night (10 s
at 1M articles, 7.7 GB, most of it kernel CPU). `tickerwire run` starts it in a thread of its own process
while landing keeps one core busy; the warehouse asset, running in the same process, takes it if the file
it copied is still the current warehouse, and otherwise copies as before. The warehouse is replaced by
renames and never written in place, so the inode, size and mtime of the file the copy read stand for its
content. Runs in other processes (the daemon's) copy in the warehouse step, and remove copies that killed
processes left."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, NamedTuple

from orchestration.defs.warehouse.previous import usable_previous
from orchestration.defs.warehouse.project import windowed_build_base

CHUNK_BYTES = 64 * 2**20  # how often the copy looks whether it is still wanted


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def ahead_path(warehouse: Path, pid: int | None = None) -> Path:
    """Named by process: two runs on one home each copy their own (their builds then take turns)."""
    return warehouse.with_name(f"{warehouse.stem}.ahead-{pid or os.getpid()}{warehouse.suffix}")


def _remove_leftovers(warehouse: Path) -> None:
    """Copies of killed processes."""
    for path in warehouse.parent.glob(f"{warehouse.stem}.ahead-*{warehouse.suffix}"):
        pid = path.name.removeprefix(f"{warehouse.stem}.ahead-").removesuffix(warehouse.suffix)
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        pass
    return True


class _Copy(NamedTuple):
    cancelled: threading.Event
    done: Future  # the identity of the file it copied, or None when it stopped short


def _copy(source: BinaryIO, target: Path, cancelled: threading.Event) -> tuple[int, int, int, int] | None:
    """Copy the open file with sendfile in chunks (the kernel copies; the GIL is free), stopping when
    cancelled; the identity of the file copied, or None."""
    with source, target.open("wb") as copy:
        stat = os.fstat(source.fileno())
        offset = 0
        while offset < stat.st_size:
            if cancelled.is_set():
                return None
            count = min(CHUNK_BYTES, stat.st_size - offset)
            sent = os.sendfile(copy.fileno(), source.fileno(), offset, count)
            if sent == 0:  # the file is shorter than it was: not a copy of it
                return None
            offset += sent
    return _identity(stat)


_COPIES: dict[Path, _Copy] = {}  # by warehouse path, in this process


@contextmanager
def copying_ahead(warehouse: Path) -> Iterator[None]:
    """Copy `warehouse` in the background for the block's build, unless that build will be a full
    refresh (which starts from an empty file) or start from the previous warehouse; the copy is deleted
    afterwards if the build did not take it (nothing new to build, a failure)."""
    needed = windowed_build_base(warehouse) is not None and usable_previous(warehouse) is None
    if warehouse in _COPIES or not needed:
        yield
        return
    _remove_leftovers(warehouse)
    cancelled = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warehouse-copy-ahead")
    source = warehouse.open("rb")  # opened here: the copy is of the warehouse current when the block starts
    job = _COPIES[warehouse] = _Copy(cancelled, pool.submit(_copy, source, ahead_path(warehouse), cancelled))
    pool.shutdown(wait=False)
    try:
        yield
    finally:
        _COPIES.pop(warehouse, None)
        job.cancelled.set()
        with contextlib.suppress(OSError):  # the build copied again and reported its own error
            job.done.result()
        ahead_path(warehouse).unlink(missing_ok=True)


def take_copy(warehouse: Path, building: Path) -> bool:
    """Move this process's copy ahead of `warehouse` to `building` if it is a whole copy of the current
    file; False when there is none, it failed, or the warehouse was replaced since."""
    job = _COPIES.pop(warehouse, None)
    if job is None:
        _remove_leftovers(warehouse)
        return False
    try:
        copied = job.done.result()
    except OSError:
        copied = None
    if copied is None or copied != _identity(warehouse.stat()):
        ahead_path(warehouse).unlink(missing_ok=True)
        return False
    os.replace(ahead_path(warehouse), building)
    return True
