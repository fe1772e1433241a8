"""Extraction in worker processes writes the same lake as extraction in this process, day by day."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from orchestration.lake import Lake
from orchestration.pipeline import extraction
from orchestration.pipeline.extraction import MENTION_TABLES, extract_days, load_reference
from orchestration.pipeline.landing import land_inbox, landed_days
from orchestration.reference import load_bundled_reference_rows

FIRST_DAY = date(2025, 6, 2)
COMPANIES = [("Tesla Inc", "TSLA"), ("Apple Inc.", "AAPL"), ("Ford Motor Co.", "F"), ("Boeing Co.", "BA")]


def _story(index: int) -> dict:
    """Short wire stories written for this test: a price note, a hedged claim and an amount each."""
    company, symbol = COMPANIES[index % len(COMPANIES)]
    day = FIRST_DAY + timedelta(days=index % 3)
    return {
        "id": f"w-{index}",
        "url": f"https://wire.example.com/story/{index}",
        "title": f"{company} shares move on supplier report",
        "published_at": datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=14).isoformat(),
        "body": (
            f"{company} ({symbol}) shares rose {1 + index % 7}.{index % 10}% to ${100 + index}.25 on "
            f"{day:%A}. The company is reportedly weighing a ${index + 2} million plant, according to "
            f"a report from Reuters. Story {index}."
        ),
    }


@pytest.fixture(scope="module")
def landed_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lake with 60 articles landed over three days and the bundled ticker reference."""
    root = tmp_path_factory.mktemp("landed")
    inbox, lake_dir = root / "inbox", root / "lake"
    inbox.mkdir()
    (inbox / "wire.jsonl").write_text("".join(json.dumps(_story(i)) + "\n" for i in range(60)))
    land_inbox(inbox, lake_dir, now=datetime(2025, 6, 5, tzinfo=UTC))
    lake = Lake(lake_dir)
    lake.write_rows(extraction.reference_path(lake), "ticker_reference", load_bundled_reference_rows())
    return lake_dir


def _extract(landed: Path, target: Path, workers: int) -> list:
    """Copy the landed lake to `target` and extract every day there."""
    shutil.copytree(landed, target)
    reference, version = load_reference(target)
    return list(
        extract_days(target, landed_days(target), reference, version, workers=workers, parallel_from=0)
    )


def _tables(lake_dir: Path) -> dict[str, list[dict]]:
    lake = Lake(lake_dir)
    return {
        name: [
            row
            for day in landed_days(lake)
            for row in pq.read_table(extraction.extracted_file(lake, name, day)).to_pylist()
        ]
        for name in ("articles", *MENTION_TABLES)
    }


def test_workers_write_what_one_process_writes(landed_lake: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(extraction, "CHUNK_ARTICLES", 7)  # several chunks per day, finished out of order
    serial = _extract(landed_lake, tmp_path / "serial", workers=1)

    def not_here(*_args):
        raise AssertionError("extracted in the calling process, not in a worker")

    monkeypatch.setattr(extraction, "_extract_articles", not_here)  # spawned workers import their own
    parallel = _extract(landed_lake, tmp_path / "parallel", workers=2)
    assert [r.day for r in parallel] == [r.day for r in serial] == landed_days(landed_lake)
    assert [(r.rows, r.articles_without_ticker) for r in parallel] == [
        (r.rows, r.articles_without_ticker) for r in serial
    ]
    assert sum(r.rows["articles"] for r in serial) == 60
    assert all(r.rows["price_notes"] for r in serial), "each day has price notes to compare"
    assert _tables(tmp_path / "parallel") == _tables(tmp_path / "serial")
    again = list(
        extract_days(
            tmp_path / "parallel",
            landed_days(landed_lake),
            *load_reference(tmp_path / "parallel"),
            workers=2,
            parallel_from=0,
        )
    )
    assert all(report.skipped for report in again), "unchanged days are not extracted twice"
