"""Landing: inbox files become article rows in the lake; every item of every input is recorded once in
the ledger as landed, duplicate, updated or rejected."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.files import write_atomic
from orchestration.ingestion.identity import article_id, canonical_url, content_hash
from orchestration.ingestion.readers import WHOLE_FILE, read_input, scan_inbox
from orchestration.ingestion.records import RawArticle, RejectedInput
from orchestration.lake import Lake, LakeLocation
from orchestration.pipeline.workers import taken_ahead, worker_pool

LANDED = "landed_articles"
# The first day of the partitioned history; older articles are rejected rather than misfiled.
HISTORY_START = date(1990, 1, 1)
# The ledger is committed in batches of whole files, so a crash repeats at most this much work.
LEDGER_BATCH_ROWS = 50_000
OUTCOMES = ("landed", "duplicate", "updated", "rejected")
TEXT_OUTCOMES = ("landed", "updated")  # the outcomes that give an article its current text
INDEX_COLUMNS = ("input_file", "file_hash", "article_id", "content_hash", "outcome")
# A digest is kept only for a file last modified this long before it was hashed: a rewrite within the
# file system's timestamp granularity (2 s on FAT) could otherwise leave size and times unchanged (git's
# "racy clean" files). Younger files are hashed again on every pass until they are this old.
RACY_WINDOW_NS = 2_000_000_000
# Inbox bytes to read from which reader processes pay for their start: a night's 10k articles (two files,
# 14 MB) landed in 0.9-1.1 s in one process and in 0.9-1.0 s with two readers.
PARALLEL_FROM_BYTES = 16 * 2**20

log = logging.getLogger(__name__)


@dataclass
class LandingReport:
    """What one landing pass did, per input item: seen = landed + duplicate + updated + rejected."""

    run_id: str = ""
    files: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    touched_dates: set[date] = field(default_factory=set)
    quarantined: list[Path] = field(default_factory=list)
    readers: int = field(default=1, compare=False)  # processes that read the inbox files

    @property
    def seen(self) -> int:
        return sum(self.counts.values())

    @property
    def articles(self) -> int:
        """Article rows written to the lake: new articles and new versions of known ones."""
        return self.counts["landed"] + self.counts["updated"]


class LedgerError(Exception):
    """A ledger file that cannot be read; the message names it and what to do."""


def _texts(ledger: pa.Table) -> pa.Table:
    """(article_id, content_hash) of the ledger rows that gave an article its current text, in order."""
    landed = ledger.filter(pc.is_in(ledger["outcome"], pa.array(TEXT_OUTCOMES)))
    return landed.select(["article_id", "content_hash"])


@dataclass
class LedgerIndex:
    """What the ledger already holds: which files were processed, and each article's current text.

    The files are indexed at once (a few rows per input file). The texts are looked up only for the
    articles and texts a pass meets (`load`): the ledger holds a row per article ever landed, and building
    lookups of all of them cost seconds a night at a million articles."""

    recorded: set[tuple[str, str]] = field(default_factory=set)  # (input_file, file_hash)
    first_file: dict[str, str] = field(default_factory=dict)  # file_hash -> the file that landed those bytes
    current_text: dict[str, str] = field(default_factory=dict)  # article_id -> content_hash
    article_of_text: dict[str, str] = field(default_factory=dict)  # content_hash -> article_id
    # the ledger's landed and updated rows (article_id, content_hash), in ledger order, not yet loaded
    texts: pa.Table | None = field(default=None, repr=False, compare=False)
    loaded_ids: set[str] = field(default_factory=set, repr=False, compare=False)
    loaded_hashes: set[str] = field(default_factory=set, repr=False, compare=False)

    @classmethod
    def read(cls, lake: Lake) -> LedgerIndex:
        """The index of every ledger row so far, as `record` would build it row by row, once the texts
        asked about are loaded."""
        # File names start with the run's UTC time, so sorted files are in the order they were written.
        index = cls()
        texts = []
        for path in lake.data_files(lake.table_dir("ingest_ledger")):
            footer = lake.parquet_file(path).metadata  # read once: a request per file on an object store
            missing = [name for name in INDEX_COLUMNS if name not in footer.schema.names]
            if missing:
                raise LedgerError(
                    f"{path}: a ledger file without the columns {', '.join(missing)}; if an older tickerwire "
                    "wrote it, move lake/ingest_ledger aside and run again (files re-land under the same "
                    "names, so the lake's rows are replaced, not doubled)"
                )
            # the file, hash and outcome columns repeat: as dictionaries they are decoded once per file
            # (1.06M landed rows in 30 files: 0.2-0.5 s, against 0.3-1.3 s as plain strings)
            ledger_file = lake.parquet_file(
                path, metadata=footer, read_dictionary=["input_file", "file_hash", "outcome"]
            )
            ledger = ledger_file.read(columns=list(INDEX_COLUMNS)).unify_dictionaries().combine_chunks()
            # (input file, file hash) once each, in ledger order (a group-by without threads keeps it)
            files = ledger.group_by(["input_file", "file_hash"], use_threads=False).aggregate([])
            for input_file, file_hash in zip(
                files["input_file"].to_pylist(), files["file_hash"].to_pylist(), strict=True
            ):
                index.recorded.add((input_file, file_hash))
                index.first_file.setdefault(file_hash, input_file)  # the first file to hold the bytes wins
            texts.append(_texts(ledger))
        if texts:
            index.texts = pa.concat_tables(texts, promote_options="permissive")
        return index

    def load(self, article_ids: Iterable[str], text_hashes: Iterable[str]) -> None:
        """Bring the ledger's rows of these articles and texts into the lookups, before any of them is
        recorded in this pass (each key once: later rows of this pass are newer than the ledger's)."""
        ids = {key for key in article_ids if key not in self.loaded_ids}
        hashes = {key for key in text_hashes if key not in self.loaded_hashes}
        self.loaded_ids |= ids
        self.loaded_hashes |= hashes
        if self.texts is None or not (ids or hashes):
            return
        matching = self.texts.filter(
            pc.or_(
                pc.is_in(self.texts["article_id"], pa.array(list(ids), pa.string())),
                pc.is_in(self.texts["content_hash"], pa.array(list(hashes), pa.string())),
            )
        )
        rows = zip(matching["article_id"].to_pylist(), matching["content_hash"].to_pylist(), strict=True)
        for article, text_hash in rows:  # in ledger order
            if article in ids:
                self.current_text[article] = text_hash  # the latest text wins
            if text_hash in hashes:
                self.article_of_text.setdefault(text_hash, article)  # the first article wins

    def committed(self, ledger: pa.Table) -> None:
        """Move the texts of ledger rows just written from the lookups to `texts`, as `read` would find
        them: the lookups then hold the articles of one ledger batch, not of the whole pass (a lookup
        entry costs several times an Arrow row, and a pass over a million articles held a million)."""
        texts = _texts(ledger)
        self.texts = (
            texts
            if self.texts is None
            else pa.concat_tables([self.texts, texts], promote_options="permissive")
        )
        for lookup in (self.current_text, self.article_of_text, self.loaded_ids, self.loaded_hashes):
            lookup.clear()

    def record(self, row: Mapping[str, object]) -> None:
        self.recorded.add((row["input_file"], row["file_hash"]))
        self.first_file.setdefault(row["file_hash"], row["input_file"])
        if row["outcome"] in TEXT_OUTCOMES:
            self.current_text[row["article_id"]] = row["content_hash"]
            self.article_of_text.setdefault(row["content_hash"], row["article_id"])

    def outcome(self, article_id: str, text_hash: str) -> tuple[str, str | None]:
        """landed, duplicate or updated, with what it duplicates or replaces."""
        current = self.current_text.get(article_id)
        if current == text_hash:
            return "duplicate", f"article {article_id} already landed with this text"
        if current is not None:
            return "updated", f"new text for article {article_id} (was {current[:12]})"
        if text_hash in self.article_of_text:
            return "duplicate", f"same text as article {self.article_of_text[text_hash]}"
        return "landed", None


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks: the same bytes land once, whatever the name."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stat_key(stat: os.stat_result) -> list[int]:
    """What changes when a file's bytes may have: size and mtime, and ctime and inode, which a copy
    that keeps the mtime (cp -p, rsync -t) still changes."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


@dataclass
class DigestCache:
    """Inbox files' sha256 by their stat, so a pass reads only new or changed files. Only an accelerator:
    a missing, corrupt or stale cache means hashing again; the ledger still decides what is landed."""

    path: Path | None
    known: dict[str, list] = field(default_factory=dict)  # input file -> [*stat key, digest], as read
    seen: dict[str, list] = field(default_factory=dict)  # this pass's entries, written back

    @classmethod
    def read(cls, path: Path | None) -> DigestCache:
        """The cache at path (a first line with the sha256 of the JSON on the second); empty when there
        is none or it does not check out."""
        if path is None:
            return cls(None)
        try:
            checksum, _, body = path.read_text().partition("\n")
            if hashlib.sha256(body.encode()).hexdigest() == checksum:
                return cls(path, json.loads(body))
        except (OSError, ValueError):  # missing or unreadable; ValueError: not text or not JSON
            pass
        return cls(path)

    def digest(self, path: Path) -> str:
        """The file's sha256: from the cache when its stat is the one recorded, else read."""
        started = time.time_ns()
        stat = path.stat()  # before the bytes are read: a write while hashing changes it for next time
        key = _stat_key(stat)
        entry = self.known.get(str(path))
        digest = entry[-1] if entry and entry[:-1] == key else file_digest(path)
        if stat.st_mtime_ns < started - RACY_WINDOW_NS:
            self.seen[str(path)] = [*key, digest]
        return digest

    def write(self) -> None:
        """This pass's entries replace the file atomically (files gone from the inbox drop out); a write
        that fails only costs hashing next time."""
        if self.path is None:
            return
        body = json.dumps(self.seen, separators=(",", ":"))
        try:
            write_atomic(self.path, f"{hashlib.sha256(body.encode()).hexdigest()}\n{body}".encode())
        except OSError as error:
            log.warning(
                "inbox digest cache %s not written (%s): the next pass hashes every file", self.path, error
            )


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


def file_entries(path: Path, now: datetime) -> list[dict[str, object] | RejectedInput]:
    """An inbox file's items as lake rows, or rejects, in input order: the CPU-bound part of landing
    (decompressing, parsing, hashing), which worker processes do for several files side by side."""
    return [item if isinstance(item, RejectedInput) else _article_row(item, now) for item in read_input(path)]


def _date_note(row: Mapping[str, object]) -> str | None:
    """Why an article's date was not used (the reader drops unreadable and far-future dates)."""
    if row["date_is_estimated"] and row["published_raw"]:
        return f"date {row['published_raw']!r} unreadable or in the future: filed under the ingestion date"
    return None


@dataclass
class _Landing:
    """One landing pass: files are landed one by one, the ledger committed after their data."""

    lake: Lake
    quarantine: Path | None
    now: datetime
    run_id: str
    index: LedgerIndex
    report: LandingReport = field(init=False)
    pending: list[dict[str, object]] = field(default_factory=list)
    batch: int = 0

    def __post_init__(self) -> None:
        self.report = LandingReport(run_id=self.run_id)

    def ledger_row(self, path: Path, digest: str, position: str, outcome: str, detail: str | None, **ids):
        row = {
            "run_id": self.run_id,
            "input_file": str(path),
            "input_position": position,
            "file_hash": digest,
            "article_id": ids.get("article_id"),
            "content_hash": ids.get("content_hash"),
            "outcome": outcome,
            "detail": detail,
            "ingested_at": self.now,
        }
        self.report.counts[outcome] += 1
        self.index.record(row)
        self.pending.append(row)

    def land_file(self, path: Path, digest: str, read: Callable[[], list[dict[str, object] | RejectedInput]]):
        """Land one file the ledger has not recorded; `read` gives its items (`file_entries`)."""
        self.report.files += 1
        if digest in self.index.first_file:
            self.ledger_row(
                path, digest, WHOLE_FILE, "duplicate", f"same bytes as {self.index.first_file[digest]}"
            )
            return
        by_day: dict[date, list[dict[str, object]]] = defaultdict(list)
        rejected = False
        entries = read()  # whole, so the ledger's rows of the file's articles are looked up at once
        rows = [entry for entry in entries if not isinstance(entry, RejectedInput)]
        self.index.load((row["article_id"] for row in rows), (row["content_hash"] for row in rows))
        for entry in entries:
            if isinstance(entry, RejectedInput):
                self.ledger_row(path, digest, entry.input_position, "rejected", entry.reason)
                rejected = True
                continue
            position = entry["input_position"]
            ids = {"article_id": entry["article_id"], "content_hash": entry["content_hash"]}
            if entry["published_date"] < HISTORY_START:
                reason = f"published {entry['published_date']}, before the history starts ({HISTORY_START})"
                self.ledger_row(path, digest, position, "rejected", reason, **ids)
                rejected = True
                continue
            outcome, detail = self.index.outcome(entry["article_id"], entry["content_hash"])
            self.ledger_row(path, digest, position, outcome, detail or _date_note(entry), **ids)
            if outcome != "duplicate":
                by_day[entry["published_date"]].append(entry)
        name = f"{digest[:20]}.parquet"
        for day, rows in by_day.items():
            self.lake.write_rows(f"{self.lake.partition_dir(LANDED, day)}/{name}", "articles", rows)
        self.report.touched_dates |= set(by_day)
        if rejected and self.quarantine is not None:
            self.report.quarantined.append(_quarantine(path, digest, self.quarantine))
        if len(self.pending) >= LEDGER_BATCH_ROWS:
            self.commit()

    def land_files(self, files: list[tuple[Path, str]], workers: int, parallel_from: int) -> None:
        """Land (path, digest)s in order; with workers, the next few files are read meanwhile."""
        size = sum(path.stat().st_size for path, _ in files)
        parallel = workers > 1 and len(files) > 1 and size >= parallel_from
        self.report.readers = workers if parallel else 1
        with worker_pool(workers) if parallel else contextlib.nullcontext() as pool:

            def submitted() -> Iterator[tuple[Path, str, Callable[[], list]]]:
                for path, digest in files:
                    if pool is not None and digest not in self.index.first_file:
                        yield path, digest, pool.submit(file_entries, path, self.now).result
                    else:  # read when landed (a file of bytes already landed is not read at all)
                        yield path, digest, functools.partial(file_entries, path, self.now)

            for path, digest, read in taken_ahead(submitted(), workers if pool is not None else 0):
                self.land_file(path, digest, read)

    def commit(self) -> None:
        """Write the ledger rows of the files landed so far: they count as done from now on."""
        if self.pending:
            path = f"{self.lake.table_dir('ingest_ledger')}/{self.run_id}-{self.batch:04d}.parquet"
            self.index.committed(self.lake.write_rows(path, "ingest_ledger", self.pending))
            self.pending, self.batch = [], self.batch + 1


def _quarantine(path: Path, digest: str, quarantine: Path) -> Path:
    """A copy of an input with rejects, kept for fixing; its reasons are in the ledger."""
    copy = quarantine / f"{digest[:12]}-{path.name}"
    if not copy.exists():
        quarantine.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    return copy


def land_inbox(
    inbox: Path,
    lake_location: LakeLocation,
    *,
    quarantine: Path | None = None,
    digest_cache: Path | None = None,
    now: datetime | None = None,
    workers: int = 1,
    parallel_from: int = PARALLEL_FROM_BYTES,
) -> LandingReport:
    """Land every inbox file the ledger has not recorded, and record what became of each item in it.
    Data is written before the ledger rows that describe it: a crash re-lands the same files, same names.
    One pass at a time per lake (the schedule and the inbox sensor may overlap): a second one waits.
    With a digest cache, files whose stat is unchanged since the last pass are not read again. With
    `workers` > 1 and at least `parallel_from` bytes of files to read, worker processes read them."""
    lake = Lake.at(lake_location)
    lake.ensure_schema_files()
    with _landing_lock(lake):
        now = now or datetime.now(UTC)
        run_id = now.strftime("%Y%m%dT%H%M%S%fZ")
        digests = DigestCache.read(digest_cache)
        landing = _Landing(lake, quarantine, now, run_id, LedgerIndex.read(lake))
        scan = scan_inbox(inbox)
        for link, target in scan.outside:
            digest = hashlib.sha256(f"link:{target}".encode()).hexdigest()
            if (str(link), digest) not in landing.index.recorded:
                landing.report.files += 1
                reason = f"a link to {target}, which leaves the inbox (or loops): not read"
                landing.ledger_row(link, digest, WHOLE_FILE, "rejected", reason)
        unrecorded = []
        for path in scan.files:
            digest = digests.digest(path)
            if (str(path), digest) not in landing.index.recorded:  # else an earlier run accounted for it
                unrecorded.append((path, digest))
        landing.land_files(unrecorded, workers, parallel_from)
        landing.commit()
        digests.write()  # after the ledger: a crash before it leaves the previous cache, still true
    return landing.report


@contextmanager
def _landing_lock(lake: Lake) -> Iterator[None]:
    """A file lock: beside the ledger in a local lake; for an object store, in this machine's temp folder
    (passes on other machines are kept apart by the Dagster run queue, see deploy/)."""
    if lake.is_local:
        path = Path(lake.table_dir("ingest_ledger")) / ".landing.lock"
    else:
        digest = hashlib.sha256(lake.url.encode()).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"tickerwire-landing-{digest}.lock"
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def rejects_of_run(lake_location: LakeLocation, run_id: str) -> list[dict[str, object]]:
    """The ledger's rejects from one landing pass, in input order."""
    lake = Lake.at(lake_location)
    files = lake.data_files(lake.table_dir("ingest_ledger"), f"{run_id}-*.parquet")
    rows = lake.read_files(files, "ingest_ledger").to_pylist()
    return [row for row in rows if row["outcome"] == "rejected"]


def landed_days(lake_location: LakeLocation) -> list[date]:
    """Every published date that has landed articles."""
    return Lake.at(lake_location).days(LANDED)
