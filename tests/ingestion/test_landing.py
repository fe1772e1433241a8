"""Landing into a real Parquet lake: every item of every input gets one ledger outcome, exactly once."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.lake import Lake
from orchestration.pipeline import landing
from orchestration.pipeline.landing import LANDED, OUTCOMES, LedgerError, LedgerIndex, land_inbox

NOW = datetime(2025, 3, 6, 9, 0, tzinfo=UTC)
LATER = datetime(2025, 3, 7, 9, 0, tzinfo=UTC)

STORY = {
    "id": "n-1",
    "url": "https://news.example.com/boeing-orders?utm_source=feed",
    "title": "Boeing books jet orders",
    "published_at": "2025-03-05T14:00:00Z",
    "body": "Boeing Co. said on Wednesday it booked 40 orders for its 737 jets, according to a filing.",
}
OTHER = {
    "id": "n-2",
    "url": "https://news.example.com/ford-recall",
    "title": "Ford recalls vans",
    "published_at": "2025-03-05T16:00:00Z",
    "body": "Ford Motor Co. is recalling 12,000 vans over a seat-belt fault, the company said.",
}


def jsonl(inbox: Path, name: str, *records: dict | str) -> Path:
    lines = [record if isinstance(record, str) else json.dumps(record) for record in records]
    path = inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def ledger(lake_dir: Path) -> list[dict]:
    lake = Lake(lake_dir)
    return lake.read_files(lake.data_files(lake.table_dir("ingest_ledger")), "ingest_ledger").to_pylist()


def landed_rows(lake_dir: Path) -> list[dict]:
    files = sorted((lake_dir / LANDED).glob("published_date=*/*.parquet"))
    return [row for path in files for row in pq.read_table(path).to_pylist()]


def test_each_item_gets_one_outcome_and_seen_is_their_sum(tmp_path: Path) -> None:
    inbox, lake_dir = tmp_path / "inbox", tmp_path / "lake"
    jsonl(inbox, "wire.jsonl", STORY, "{not json", OTHER, {"id": "n-3", "title": "no body"})
    report = land_inbox(inbox, lake_dir, now=NOW)
    assert report.counts == {"landed": 2, "duplicate": 0, "updated": 0, "rejected": 2}
    assert report.seen == 4 == len(ledger(lake_dir))
    outcomes = {row["input_position"]: (row["outcome"], row["detail"]) for row in ledger(lake_dir)}
    assert outcomes["line 1"] == ("landed", None)
    assert outcomes["line 2"][0] == "rejected" and "JSON" in outcomes["line 2"][1]
    assert outcomes["line 4"][0] == "rejected" and "body" in outcomes["line 4"][1]
    assert {row["title"] for row in landed_rows(lake_dir)} == {STORY["title"], OTHER["title"]}


def test_the_same_article_from_another_file_or_source_is_a_duplicate(tmp_path: Path) -> None:
    inbox, lake_dir = tmp_path / "inbox", tmp_path / "lake"
    jsonl(inbox, "a.jsonl", STORY)
    land_inbox(inbox, lake_dir, now=NOW)
    # another feed: tracking parameters differ; a third copy carries no URL but the same text
    jsonl(inbox, "b.jsonl", {**STORY, "url": "https://news.example.com/boeing-orders/?utm_medium=x"})
    (inbox / "c.txt").write_text(STORY["body"])
    report = land_inbox(inbox, lake_dir, now=LATER)
    assert report.counts == {"landed": 0, "duplicate": 2, "updated": 0, "rejected": 0}
    assert len(landed_rows(lake_dir)) == 1


def test_the_same_bytes_under_another_name_are_one_duplicate_row(tmp_path: Path) -> None:
    inbox, lake_dir = tmp_path / "inbox", tmp_path / "lake"
    first = jsonl(inbox, "a.jsonl", STORY, OTHER)
    land_inbox(inbox, lake_dir, now=NOW)
    (inbox / "copy.jsonl").write_bytes(first.read_bytes())
    report = land_inbox(inbox, lake_dir, now=LATER)
    assert report.counts["duplicate"] == 1 and report.seen == 1
    (row,) = [row for row in ledger(lake_dir) if row["input_file"].endswith("copy.jsonl")]
    assert row["input_position"] == "whole file" and row["detail"] == f"same bytes as {first}"


def test_an_updated_article_replaces_the_old_text_and_the_ledger_keeps_both(tmp_path: Path) -> None:
    inbox, lake_dir = tmp_path / "inbox", tmp_path / "lake"
    jsonl(inbox, "a.jsonl", STORY)
    land_inbox(inbox, lake_dir, now=NOW)
    corrected = {**STORY, "body": STORY["body"].replace("40 orders", "45 orders")}
    jsonl(inbox, "b.jsonl", corrected)
    report = land_inbox(inbox, lake_dir, now=LATER)
    assert report.counts["updated"] == 1
    rows = ledger(lake_dir)
    assert [row["outcome"] for row in rows] == ["landed", "updated"]
    assert rows[0]["article_id"] == rows[1]["article_id"]
    assert rows[0]["content_hash"][:12] in rows[1]["detail"]
    versions = sorted(landed_rows(lake_dir), key=lambda row: row["ingested_at"])
    assert [row["body"] for row in versions] == [STORY["body"], corrected["body"]]
    # the same correction dropped again is a duplicate of the new version
    jsonl(inbox, "c.jsonl", corrected)
    assert land_inbox(inbox, lake_dir, now=LATER).counts["duplicate"] == 1


def test_rejects_are_quarantined_and_the_fixed_file_lands(tmp_path: Path) -> None:
    inbox, lake_dir, quarantine = tmp_path / "inbox", tmp_path / "lake", tmp_path / "quarantine"
    broken = jsonl(inbox, "wire.jsonl", STORY, '{"id": "n-2", "body": "Ford Motor Co. is recalling')
    report = land_inbox(inbox, lake_dir, quarantine=quarantine, now=NOW)
    assert report.counts["rejected"] == 1
    (copy,) = report.quarantined
    assert copy.parent == quarantine and copy.read_bytes() == broken.read_bytes()
    jsonl(inbox, "wire.jsonl", STORY, OTHER)  # fixed in place
    report = land_inbox(inbox, lake_dir, quarantine=quarantine, now=LATER)
    assert report.counts == {"landed": 1, "duplicate": 1, "updated": 0, "rejected": 0}
    assert report.quarantined == []


def test_unusable_dates_are_explained_and_old_ones_rejected(tmp_path: Path) -> None:
    inbox, lake_dir = tmp_path / "inbox", tmp_path / "lake"
    jsonl(
        inbox,
        "dates.jsonl",
        {**STORY, "published_at": "2095-03-05T14:00:00Z"},
        {**OTHER, "published_at": "1987-10-19"},
    )
    report = land_inbox(inbox, lake_dir, now=NOW)
    assert report.counts == {"landed": 1, "duplicate": 0, "updated": 0, "rejected": 1}
    (kept,) = landed_rows(lake_dir)
    assert kept["date_is_estimated"] and kept["published_date"] == NOW.date()
    details = [row["detail"] for row in ledger(lake_dir)]
    assert "2095-03-05" in details[0] and "ingestion date" in details[0]
    assert "1987-10-19" in details[1] and "before the history starts" in details[1]


def test_links_out_of_the_inbox_are_recorded_not_read(tmp_path: Path) -> None:
    inbox, lake_dir = tmp_path / "inbox", tmp_path / "lake"
    secret = tmp_path / "secret" / "keys.txt"
    secret.parent.mkdir()
    secret.write_text("Apple Inc. shares rose 2% to $180.")
    inbox.mkdir()
    (inbox / "escape.txt").symlink_to(secret)
    (inbox / "escape-dir").symlink_to(secret.parent, target_is_directory=True)
    report = land_inbox(inbox, lake_dir, now=NOW)
    assert report.counts["rejected"] == 2 and landed_rows(lake_dir) == []
    assert all("leaves the inbox" in row["detail"] for row in ledger(lake_dir))
    # recorded once: the next pass has nothing new
    assert land_inbox(inbox, lake_dir, now=LATER).seen == 0


def test_a_second_pass_with_nothing_new_writes_nothing(tmp_path: Path) -> None:
    inbox, lake_dir = tmp_path / "inbox", tmp_path / "lake"
    jsonl(inbox, "wire.jsonl", STORY, OTHER)
    land_inbox(inbox, lake_dir, now=NOW)
    files_before = sorted(p for p in lake_dir.rglob("*") if p.is_file())
    report = land_inbox(inbox, lake_dir, now=LATER)
    assert report.seen == 0 and report.counts == dict.fromkeys(OUTCOMES, 0)
    assert sorted(p for p in lake_dir.rglob("*") if p.is_file()) == files_before


def test_the_ledger_index_is_read_as_if_recorded_row_by_row(tmp_path: Path) -> None:
    """The index is built from whole columns, its texts as they are asked about; it must equal `record`
    applied to each row in order."""
    inbox, lake_dir = tmp_path / "inbox", tmp_path / "lake"
    first = jsonl(inbox, "a.jsonl", STORY, OTHER, "{not json")
    land_inbox(inbox, lake_dir, now=NOW)
    corrected = {**STORY, "body": STORY["body"].replace("40 orders", "45 orders")}
    jsonl(inbox, "b.jsonl", corrected, {**OTHER, "id": "n-9", "url": "https://news.example.com/ford-2"})
    (inbox / "copy.jsonl").write_bytes(first.read_bytes())
    # the story again, now with the other article's text: an update, and that text stays the other's
    jsonl(inbox, "c.jsonl", {**STORY, "body": OTHER["body"]})
    land_inbox(inbox, lake_dir, now=LATER)
    rows = ledger(lake_dir)
    assert {row["outcome"] for row in rows} == set(OUTCOMES)
    row_by_row = LedgerIndex()
    for row in rows:
        row_by_row.record(row)
    index = LedgerIndex.read(Lake(lake_dir))
    assert index.recorded == row_by_row.recorded and index.first_file == row_by_row.first_file
    # the texts come in as a pass asks about them: before, none; once all are asked about, all
    assert index.current_text == {} and index.article_of_text == {}
    index.load((row["article_id"] for row in rows), (row["content_hash"] for row in rows))
    assert index == row_by_row


def test_texts_committed_mid_pass_leave_the_lookups_and_outcomes_stay_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ledger batch per file: each commit moves its texts from the index's lookups to its Arrow table,
    so a long pass holds one batch of lookups; later files of the pass still see the earlier ones."""
    inbox = tmp_path / "inbox"
    corrected = {**STORY, "body": STORY["body"].replace("40 orders", "45 orders")}
    jsonl(inbox, "a.jsonl", STORY, OTHER)
    jsonl(inbox, "b.jsonl", corrected, {**OTHER, "id": "n-9", "url": "https://news.example.com/ford-2"})
    jsonl(inbox, "c.jsonl", corrected, {**STORY, "url": "https://news.example.com/boeing-again"})
    land_inbox(inbox, tmp_path / "one_batch", now=NOW)
    indexes = []
    read = LedgerIndex.read.__func__
    monkeypatch.setattr(
        LedgerIndex, "read", classmethod(lambda cls, lake: indexes.append(read(cls, lake)) or indexes[-1])
    )
    monkeypatch.setattr(landing, "LEDGER_BATCH_ROWS", 1)
    land_inbox(inbox, tmp_path / "batch_per_file", now=NOW)

    def outcomes(lake_dir: Path) -> list[tuple]:
        return [
            (row["input_position"], row["outcome"], row["detail"], row["article_id"])
            for row in ledger(lake_dir)
        ]

    expected = ["landed", "landed", "updated", "duplicate", "duplicate", "duplicate"]
    assert [outcome for _, outcome, _, _ in outcomes(tmp_path / "batch_per_file")] == expected
    assert outcomes(tmp_path / "batch_per_file") == outcomes(tmp_path / "one_batch")
    batches = list((tmp_path / "batch_per_file" / "ingest_ledger").glob("2*.parquet"))
    assert len(batches) == 3  # one per file
    (index,) = indexes
    assert index.current_text == {} and index.article_of_text == {} and index.loaded_ids == set()
    assert index.texts.num_rows == 3  # two landed, one updated


def test_an_unreadable_ledger_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    inbox, lake_dir = tmp_path / "inbox", tmp_path / "lake"
    jsonl(inbox, "wire.jsonl", STORY)
    old = lake_dir / "ingest_ledger" / "20240101T000000000000Z-0000.parquet"
    old.parent.mkdir(parents=True)
    pq.write_table(pa.table({"input_file": ["a.json"], "outcome": ["landed"]}), old)  # the old format
    with pytest.raises(
        LedgerError,
        match=f"{old}: a ledger file without the columns file_hash, article_id, content_hash; .* aside",
    ):
        land_inbox(inbox, lake_dir, now=NOW)


def settled(path: Path, hours_ago: float = 1) -> Path:
    """The file last modified hours ago: older than the racy window, so its digest can be cached."""
    then = time.time_ns() - int(hours_ago * 3600e9)
    os.utime(path, ns=(then, then))
    return path


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files landing reads to hash, in order (file_digest itself still does the hashing)."""
    calls: list[Path] = []
    real = landing.file_digest

    def counted(path: Path) -> str:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(landing, "file_digest", counted)
    return calls


def test_a_second_pass_reads_only_new_files(tmp_path: Path, hashed: list[Path]) -> None:
    inbox, lake_dir, cache = tmp_path / "inbox", tmp_path / "lake", tmp_path / "digests.json"
    story, other = settled(jsonl(inbox, "a.jsonl", STORY)), settled(jsonl(inbox, "b.jsonl", OTHER))
    land_inbox(inbox, lake_dir, digest_cache=cache, now=NOW)
    assert hashed == [story, other]
    hashed.clear()
    new = jsonl(inbox, "c.jsonl", {**OTHER, "id": "n-3", "url": None, "body": "Tesla Inc. cut prices."})
    report = land_inbox(inbox, lake_dir, digest_cache=cache, now=LATER)
    assert hashed == [new] and report.counts["landed"] == 1
    # a file gone from the inbox leaves the cache when it is written again
    other.unlink()
    land_inbox(inbox, lake_dir, digest_cache=cache, now=LATER + timedelta(days=1))
    assert str(story) in cache.read_text() and str(other) not in cache.read_text()


def test_a_file_rewritten_in_place_is_hashed_again_and_lands(tmp_path: Path, hashed: list[Path]) -> None:
    inbox, lake_dir, cache = tmp_path / "inbox", tmp_path / "lake", tmp_path / "digests.json"
    story = settled(jsonl(inbox, "a.jsonl", STORY), hours_ago=4)
    settled(jsonl(inbox, "b.jsonl", OTHER))
    land_inbox(inbox, lake_dir, digest_cache=cache, now=NOW)
    passes = (NOW + timedelta(days=day) for day in range(1, 4))
    # new text, new size and mtime
    hashed.clear()
    longer = {**STORY, "body": STORY["body"] + " Deliveries resume in May."}
    settled(jsonl(inbox, "a.jsonl", longer), hours_ago=3)
    assert land_inbox(inbox, lake_dir, digest_cache=cache, now=next(passes)).counts["updated"] == 1
    assert hashed == [story]
    # new text of the same size, new mtime
    hashed.clear()
    size = story.stat().st_size
    settled(jsonl(inbox, "a.jsonl", {**longer, "body": longer["body"].replace("40", "45")}), hours_ago=2)
    assert story.stat().st_size == size
    assert land_inbox(inbox, lake_dir, digest_cache=cache, now=next(passes)).counts["updated"] == 1
    assert hashed == [story]
    # new text of the same size under the old mtime (a copy that keeps times, cp -p): the ctime tells
    hashed.clear()
    before = story.stat()
    jsonl(inbox, "a.jsonl", {**longer, "body": longer["body"].replace("40", "46")})
    os.utime(story, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (story.stat().st_size, story.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert land_inbox(inbox, lake_dir, digest_cache=cache, now=next(passes)).counts["updated"] == 1
    assert hashed == [story]


def test_a_damaged_or_missing_cache_only_costs_hashing(tmp_path: Path, hashed: list[Path]) -> None:
    inbox, lake_dir, cache = tmp_path / "inbox", tmp_path / "lake", tmp_path / "digests.json"
    story, other = settled(jsonl(inbox, "a.jsonl", STORY)), settled(jsonl(inbox, "b.jsonl", OTHER))
    land_inbox(inbox, lake_dir, digest_cache=cache, now=NOW)
    rows = ledger(lake_dir)

    def swapped_digests(text: str) -> str:
        """Well-formed, but a file's digest is another's: the checksum line no longer matches."""
        entries = json.loads(text.partition("\n")[2])
        entries[str(story)][-1], entries[str(other)][-1] = entries[str(other)][-1], entries[str(story)][-1]
        return text.partition("\n")[0] + "\n" + json.dumps(entries)

    damages = {
        "truncated": lambda: cache.write_text(cache.read_text()[:100]),
        "not text": lambda: cache.write_bytes(b"\xff\xfe\x00garbage"),
        "swapped digests": lambda: cache.write_text(swapped_digests(cache.read_text())),
        "deleted": cache.unlink,
    }
    passes = (NOW + timedelta(days=day) for day in range(1, 10))
    for damage, damage_cache in damages.items():
        damage_cache()
        hashed.clear()
        assert land_inbox(inbox, lake_dir, digest_cache=cache, now=next(passes)).seen == 0, damage
        assert hashed == [story, other], damage
        hashed.clear()  # the pass wrote the cache again
        land_inbox(inbox, lake_dir, digest_cache=cache, now=next(passes))
        assert hashed == [], damage
    assert ledger(lake_dir) == rows


def test_a_file_modified_within_the_racy_window_is_hashed_until_it_is_older(
    tmp_path: Path, hashed: list[Path]
) -> None:
    """With coarse file timestamps, a rewrite in the same tick as the hashing keeps the size and times
    (the test cannot make that happen: a real rewrite moves the ctime here), so a digest is not kept for
    a file modified within the racy window before it was hashed."""
    inbox, lake_dir, cache = tmp_path / "inbox", tmp_path / "lake", tmp_path / "digests.json"
    fresh = jsonl(inbox, "a.jsonl", STORY)
    land_inbox(inbox, lake_dir, digest_cache=cache, now=NOW)
    hashed.clear()
    assert land_inbox(inbox, lake_dir, digest_cache=cache, now=LATER).seen == 0
    assert hashed == [fresh]
    # older now (the ctime moves with utime: this pass hashes it once more, then keeps its digest)
    settled(fresh)
    land_inbox(inbox, lake_dir, digest_cache=cache, now=LATER + timedelta(days=1))
    hashed.clear()
    land_inbox(inbox, lake_dir, digest_cache=cache, now=LATER + timedelta(days=2))
    assert hashed == []
