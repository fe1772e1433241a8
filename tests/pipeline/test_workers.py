"""Worker processes: landing with reader processes and extraction with worker processes write what one
process writes; how many there are."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestration.pipeline.landing import land_inbox
from orchestration.pipeline.workers import default_workers, taken_ahead
from tests.ingestion.test_landing import OTHER, STORY, jsonl, landed_rows, ledger

NOW = datetime(2025, 3, 6, 9, 0, tzinfo=UTC)


def _inbox(inbox: Path) -> None:
    """Files whose outcomes depend on the files before them: a later version, a copy of a story's text
    under another URL, a file of the same bytes as another, and a line that is not JSON."""
    updated = {**STORY, "body": STORY["body"] + " The company confirmed the orders."}
    jsonl(inbox, "a-first.jsonl", STORY, OTHER)
    jsonl(inbox, "b-update.jsonl", updated, "{not json")
    jsonl(inbox, "c-same-text.jsonl", {**OTHER, "id": "n-9", "url": "https://other.example.com/ford"})
    shutil.copyfile(inbox / "a-first.jsonl", inbox / "d-same-bytes.jsonl")
    jsonl(inbox, "e-more.jsonl", *({**OTHER, "id": f"m-{i}", "url": f"https://x.example.com/{i}",
                                    "body": f"Story {i}: {OTHER['body']}"} for i in range(30)))  # fmt: skip


def test_landing_with_reader_processes_writes_what_one_process_writes(tmp_path: Path) -> None:
    _inbox(tmp_path / "inbox")
    serial = land_inbox(tmp_path / "inbox", tmp_path / "serial", now=NOW)
    parallel = land_inbox(tmp_path / "inbox", tmp_path / "parallel", now=NOW, workers=2, parallel_from=0)
    assert (serial.readers, parallel.readers) == (1, 2)
    assert parallel == serial
    assert serial.counts == {"landed": 32, "duplicate": 2, "updated": 1, "rejected": 1}

    def without_lake(rows: list[dict]) -> list[str]:
        return sorted(json.dumps(row, default=str, sort_keys=True) for row in rows)

    assert without_lake(ledger(tmp_path / "parallel")) == without_lake(ledger(tmp_path / "serial"))
    assert without_lake(landed_rows(tmp_path / "parallel")) == without_lake(landed_rows(tmp_path / "serial"))


def test_worker_count_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TICKERWIRE_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.setenv("TICKERWIRE_WORKERS", "two")
    with pytest.raises(ValueError, match=r"TICKERWIRE_WORKERS .* not 'two'"):
        default_workers()
    monkeypatch.delenv("TICKERWIRE_WORKERS")
    assert default_workers() >= 1


def test_each_item_is_taken_the_given_count_ahead_and_handed_on_in_order() -> None:
    taken: list[int] = []

    def items():
        for item in range(5):
            taken.append(item)
            yield item

    handed = [(item, len(taken)) for item in taken_ahead(items(), 2)]
    assert handed == [(0, 3), (1, 4), (2, 5), (3, 5), (4, 5)]
    assert list(taken_ahead(range(3), 0)) == [0, 1, 2]
