"""Landing: inbox files become article rows in the lake, each input recorded once in the ledger."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from orchestration import lake
from orchestration.ingestion.identity import article_id, canonical_url, content_hash
from orchestration.ingestion.readers import iter_inbox_files, read_input
from orchestration.ingestion.records import RawArticle, RejectedInput

LANDED = "landed_articles"
# The first day of the partitioned history; older articles are rejected rather than misfiled.
HISTORY_START = date(1990, 1, 1)


@dataclass
class LandingReport:
    """What one landing pass did: seen = landed + duplicate + rejected (counted per input file)."""

    files_seen: int = 0
    files_landed: int = 0
    files_duplicate: int = 0
    files_rejected: int = 0
    articles: int = 0
    rejects: int = 0
    touched_dates: set[date] = field(default_factory=set)


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks: the same bytes land once, whatever the name."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _ledger(lake_dir: Path) -> tuple[set[str], set[tuple[str, str]]]:
    """Content hashes already landed, and (file, hash) pairs already recorded."""
    ledger = lake.read_files(lake.data_files(lake.table_dir(lake_dir, "ingest_ledger")), "ingest_ledger")
    hashes = ledger.column("content_hash").to_pylist()
    files = ledger.column("input_file").to_pylist()
    outcomes = ledger.column("outcome").to_pylist()
    landed = {h for h, outcome in zip(hashes, outcomes, strict=True) if outcome != "duplicate"}
    return landed, set(zip(files, hashes, strict=True))


def _article_row(raw: RawArticle, now: datetime) -> dict[str, object]:
    url = canonical_url(raw.url) if raw.url else None
    body_hash = content_hash(raw.body)
    published_date = raw.published_at.astimezone(UTC).date() if raw.published_at else now.date()
    return {
        "article_id": article_id(url, body_hash),
        "source_id": raw.source_id,
        "title": raw.title,
        "body": raw.body,
        "published_at": raw.published_at,
        "published_raw": raw.published_raw,
        "published_date": published_date,
        "date_is_estimated": raw.published_at is None,
        "source": raw.source,
        "url": raw.url,
        "canonical_url": url,
        "authors": raw.authors,
        "content_hash": body_hash,
        "input_file": raw.input_file,
        "input_position": raw.input_position,
        "ingested_at": now,
    }


def _reject_row(reject: RejectedInput, now: datetime) -> dict[str, object]:
    return {
        "input_file": reject.input_file,
        "input_position": reject.input_position,
        "reason": reject.reason,
        "rejected_at": now,
    }


def land_file(path: Path, lake_dir: Path, digest: str, now: datetime) -> tuple[int, int, set[date]]:
    """Land one input: its articles by published date, its rejects beside them. Re-landing overwrites."""
    by_day: dict[date, list[dict[str, object]]] = defaultdict(list)
    rejects: list[dict[str, object]] = []
    for item in read_input(path):
        if isinstance(item, RejectedInput):
            rejects.append(_reject_row(item, now))
            continue
        row = _article_row(item, now)
        if row["published_date"] < HISTORY_START:
            reason = f"published {row['published_date']}, before the history starts ({HISTORY_START})"
            rejects.append(_reject_row(RejectedInput(item.input_file, item.input_position, reason), now))
            continue
        by_day[row["published_date"]].append(row)
    name = f"{digest[:20]}.parquet"
    for day, rows in by_day.items():
        lake.write_rows(lake.partition_dir(lake_dir, LANDED, day) / name, "articles", rows)
    if rejects:
        lake.write_rows(lake.table_dir(lake_dir, "rejected_inputs") / name, "rejected_inputs", rejects)
    return sum(len(rows) for rows in by_day.values()), len(rejects), set(by_day)


def land_inbox(inbox: Path, lake_dir: Path, *, now: datetime | None = None) -> LandingReport:
    """Land every inbox file not yet in the ledger; the ledger is written after the data it describes."""
    now = now or datetime.now(UTC)
    lake.ensure_schema_files(lake_dir)
    landed_hashes, recorded = _ledger(lake_dir)
    report = LandingReport()
    ledger_rows: list[dict[str, object]] = []
    for path in iter_inbox_files(inbox):
        digest = file_digest(path)
        if (str(path), digest) in recorded:
            continue  # accounted for by an earlier run
        report.files_seen += 1
        if digest in landed_hashes:
            outcome, articles, rejects = "duplicate", 0, 0
            report.files_duplicate += 1
        else:
            articles, rejects, days = land_file(path, lake_dir, digest, now)
            outcome = "landed" if articles else "rejected"
            report.files_landed += outcome == "landed"
            report.files_rejected += outcome == "rejected"
            report.articles += articles
            report.rejects += rejects
            report.touched_dates |= days
            landed_hashes.add(digest)
        recorded.add((str(path), digest))
        ledger_rows.append(
            {
                "input_file": str(path),
                "content_hash": digest,
                "outcome": outcome,
                "articles": articles,
                "rejects": rejects,
                "ingested_at": now,
            }
        )
    if ledger_rows:
        stamp = now.strftime("%Y%m%dT%H%M%S%f")
        run_key = hashlib.sha256("".join(r["content_hash"] for r in ledger_rows).encode()).hexdigest()[:8]
        ledger_path = lake.table_dir(lake_dir, "ingest_ledger") / f"{stamp}-{run_key}.parquet"
        lake.write_rows(ledger_path, "ingest_ledger", ledger_rows)
    return report


def landed_days(lake_dir: Path) -> list[date]:
    """Every published date that has landed articles."""
    root = lake.table_dir(lake_dir, LANDED)
    days = [d.name.removeprefix("published_date=") for d in root.glob("published_date=*") if d.is_dir()]
    return sorted(date.fromisoformat(day) for day in days)
