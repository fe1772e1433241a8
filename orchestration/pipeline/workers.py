"""Worker processes for the CPU-bound parts of a run: reading inbox files and extracting articles."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")

WORKERS_SETTING = "TICKERWIRE_WORKERS"


def default_workers() -> int:
    """$TICKERWIRE_WORKERS, else one worker process per core this process may use."""
    configured = os.environ.get(WORKERS_SETTING, "").strip()
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"{WORKERS_SETTING} must be a whole number of at least 1, not {configured!r}")
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    """Spawned, not forked: the caller runs threads (Dagster's, the warehouse copy), which a fork would
    copy in whatever state they were. A pool costs about a second to start."""
    return ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=initializer, initargs=initargs
    )


def taken_ahead(items: Iterable[T], count: int) -> Iterator[T]:
    """`items` in order, each taken `count` items before it is handed on: the work that taking one starts
    (tasks submitted to a pool) runs while the caller handles the ones before it."""
    waiting: deque[T] = deque()
    for item in items:
        waiting.append(item)
        if len(waiting) > count:
            yield waiting.popleft()
    yield from waiting
