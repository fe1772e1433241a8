"""Local files replaced whole: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def replaced_atomically(path: Path) -> Iterator[BinaryIO]:
    """A handle that writes `path` whole: the bytes go under a hidden .tmp name beside it (which the
    inbox and lake readers skip), are synced, then renamed into place. On an error the old file stays.
    The name is unique among live writers; a same-named leftover of a killed process is overwritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with temporary.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    with replaced_atomically(path) as handle:
        handle.write(data)
