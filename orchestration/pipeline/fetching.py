"""Fetching: feeds and news APIs written into the inbox as files, so landing (one ledger, exactly once)
takes them like any other input.

Each feed fetch or API page becomes one JSON Lines file under `<inbox>/sources/<name>/<date>/`, written
under a hidden temporary name and renamed into place. A response that cannot be used is kept too: a
malformed JSON page as `.json` (landing rejects it with the JSON error), a broken or refused feed under a
suffix that names the problem (`.broken-feed`, `.refused-feed`), each with a `.meta.json` sidecar saying
why. Per-source state (`<home>/sources_state/<name>.json`) keeps the feed's ETag/Last-Modified and the
keys of entries already written, so an unchanged feed or API writes nothing new."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orchestration.files import write_atomic
from orchestration.home import Home
from orchestration.ingestion.feeds import FeedConfig, FeedError, complete_entry, parse_feed
from orchestration.ingestion.http_fetch import FetchError, FetchPolicy, HostThrottle, HttpFetcher, check_url
from orchestration.ingestion.news_api import PAGINATION_MODES, ApiConfig, ApiError, fetch_pages

log = logging.getLogger(__name__)

SOURCES_ENV = "TICKERWIRE_SOURCES"
SOURCES_FILE = "sources.toml"
SOURCES_FOLDER = "sources"  # inside the inbox
STATE_FOLDER = "sources_state"  # inside the home
# Keys of entries already written, per source; older keys are forgotten (landing still de-duplicates).
MAX_REMEMBERED = 20_000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_POLICY_TYPES = {f.name: f.type for f in fields(FetchPolicy)}


class SourcesConfigError(ValueError):
    """sources.toml cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class SourcesConfig:
    path: Path | None  # None: no config file, so no sources
    feeds: list[tuple[FeedConfig, FetchPolicy]] = field(default_factory=list)
    apis: list[tuple[ApiConfig, FetchPolicy]] = field(default_factory=list)


@dataclass
class SourceReport:
    name: str
    kind: str  # "feed" or "api"
    items: int = 0  # records written
    already_fetched: int = 0  # records skipped because an earlier fetch wrote them
    pages: int = 0  # feed documents or API pages received
    requests: int = 0
    files: list[str] = field(default_factory=list)
    not_modified: bool = False
    errors: list[str] = field(default_factory=list)  # the source (or a page of it) failed
    warnings: list[str] = field(default_factory=list)  # an entry's page could not be used


@dataclass
class FetchReport:
    config: str | None
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def files_written(self) -> int:
        return sum(len(s.files) for s in self.sources)

    @property
    def items(self) -> int:
        return sum(s.items for s in self.sources)

    @property
    def errors(self) -> list[str]:
        return [f"{s.name}: {error}" for s in self.sources for error in s.errors]


def sources_path(home: Home) -> Path:
    """$TICKERWIRE_SOURCES, else `<home>/sources.toml`."""
    chosen = os.environ.get(SOURCES_ENV)
    return Path(chosen).expanduser() if chosen else home.root / SOURCES_FILE


def state_dir(home: Home) -> Path:
    return home.root / STATE_FOLDER


def fetch_home(home: Home, *, now: datetime | None = None) -> FetchReport:
    """Fetch every source in the home's sources.toml into its inbox."""
    return fetch_sources(load_sources(sources_path(home)), home.inbox, state_dir(home), now=now)


# --- configuration ---------------------------------------------------------------------------------


def load_sources(path: Path) -> SourcesConfig:
    """The sources a TOML file lists; a missing file is no sources, a bad one a SourcesConfigError."""
    if not path.is_file():
        return SourcesConfig(None)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SourcesConfigError(f"{path}: not readable TOML: {error}") from error
    _check_keys(path, "", document, {"http", "feeds", "apis"})
    defaults = _policy(path, "http", _table(path, "http", document.get("http", {})), FetchPolicy())
    feeds = [
        _feed(path, f"feeds[{i}]", entry, defaults) for i, entry in enumerate(_list(path, "feeds", document))
    ]
    apis = [
        _api(path, f"apis[{i}]", entry, defaults) for i, entry in enumerate(_list(path, "apis", document))
    ]
    names = [config.name for config, _ in feeds + apis]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise SourcesConfigError(f"{path}: source names must be unique; repeated: {', '.join(duplicates)}")
    return SourcesConfig(path, feeds, apis)


def _feed(path: Path, where: str, entry: object, defaults: FetchPolicy) -> tuple[FeedConfig, FetchPolicy]:
    table = _table(path, where, entry)
    own = {f.name for f in fields(FeedConfig)}
    _check_keys(path, where, table, own | set(_POLICY_TYPES))
    values = _typed(path, where, {k: v for k, v in table.items() if k in own}, FeedConfig)
    config = FeedConfig(**values)
    _check_common(path, where, config.name, config.url)
    for key in ("min_body_chars", "max_entries"):
        _at_least(path, f"{where}.{key}", getattr(config, key), 0 if key == "min_body_chars" else 1)
    return config, _policy(path, where, table, defaults)


def _api(path: Path, where: str, entry: object, defaults: FetchPolicy) -> tuple[ApiConfig, FetchPolicy]:
    table = _table(path, where, entry)
    own = {f.name for f in fields(ApiConfig)}
    _check_keys(path, where, table, own | set(_POLICY_TYPES))
    values = _typed(path, where, {k: v for k, v in table.items() if k in own}, ApiConfig)
    for key in ("params", "fields"):
        if key in values:
            mapping = _table(path, f"{where}.{key}", values[key])
            for name, value in mapping.items():
                allowed = (str,) if key == "fields" else (str, int, float, bool)
                if not isinstance(value, allowed):
                    raise SourcesConfigError(f"{path}: {where}.{key}.{name}: must be a string or number")
            values[key] = dict(mapping)
    config = ApiConfig(**values)
    _check_common(path, where, config.name, config.url)
    if config.pagination not in PAGINATION_MODES:
        raise SourcesConfigError(f"{path}: {where}.pagination: must be one of {', '.join(PAGINATION_MODES)}")
    if config.key_param and config.key_header:
        raise SourcesConfigError(f"{path}: {where}: set key_param or key_header, not both")
    if (config.key_param or config.key_header) and not config.key_env:
        raise SourcesConfigError(f"{path}: {where}.key_env: name the environment variable holding the key")
    if config.key_env and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", config.key_env):
        raise SourcesConfigError(
            f"{path}: {where}.key_env: must name an environment variable (the key stays out of files)"
        )
    if config.key_env and not (config.key_param or config.key_header):
        raise SourcesConfigError(f"{path}: {where}: key_env is set but neither key_param nor key_header")
    _at_least(path, f"{where}.max_pages", config.max_pages, 1)
    return config, _policy(path, where, table, defaults)


def _policy(path: Path, where: str, table: Mapping[str, object], base: FetchPolicy) -> FetchPolicy:
    if where == "http":
        _check_keys(path, where, table, set(_POLICY_TYPES))
    values = {k: v for k, v in table.items() if k in _POLICY_TYPES}
    policy = replace(base, **_typed(path, where, values, FetchPolicy))
    for key in ("connect_timeout", "read_timeout", "max_bytes", "max_redirects", "retries"):
        _at_least(
            path, f"{where}.{key}", getattr(policy, key), 0 if key in ("retries", "max_redirects") else 0.001
        )
    for key in ("backoff", "max_backoff", "max_retry_after", "min_interval"):
        _at_least(path, f"{where}.{key}", getattr(policy, key), 0)
    return policy


def _typed(path: Path, where: str, values: dict[str, object], kind: type) -> dict[str, Any]:
    """Values checked against the dataclass field types (int accepted where a float is)."""
    types = {f.name: f.type for f in fields(kind)}
    checked: dict[str, Any] = {}
    for key, value in values.items():
        wanted = str(types[key])
        ok = {
            "str": isinstance(value, str),
            "str | None": isinstance(value, str),
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, int | float) and not isinstance(value, bool),
        }.get(wanted, isinstance(value, Mapping))
        if not ok:
            shown = {"str | None": "str"}.get(
                wanted, wanted if wanted in ("str", "bool", "int", "float") else "table"
            )
            raise SourcesConfigError(f"{path}: {where}.{key}: must be a {shown}, not {type(value).__name__}")
        checked[key] = float(value) if wanted == "float" else value
    return checked


def _check_common(path: Path, where: str, name: str, url: str) -> None:
    if not _NAME.match(name):
        raise SourcesConfigError(
            f"{path}: {where}.name: {name!r} must be letters, digits, '.', '_' or '-' (it names a folder)"
        )
    try:
        check_url(url)
    except ValueError as error:
        raise SourcesConfigError(f"{path}: {where}.url: {error}") from None


def _check_keys(path: Path, where: str, table: Mapping[str, object], allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            inside = f"{where}." if where else ""
            raise SourcesConfigError(f"{path}: {inside}{key}: unknown setting")
    if where and ("name" in allowed and "url" in allowed):
        for key in ("name", "url"):
            if key not in table:
                raise SourcesConfigError(f"{path}: {where}.{key}: required")


def _table(path: Path, where: str, value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise SourcesConfigError(f"{path}: {where}: must be a table")
    return value


def _list(path: Path, key: str, document: Mapping[str, object]) -> list[object]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise SourcesConfigError(f"{path}: {key}: must be an array of tables ([[{key}]])")
    return value


def _at_least(path: Path, where: str, value: float, least: float) -> None:
    if value < least:
        raise SourcesConfigError(f"{path}: {where}: must be at least {least:g}")


# --- fetching -------------------------------------------------------------------------------------


def fetch_sources(
    config: SourcesConfig, inbox: Path, states: Path, *, now: datetime | None = None
) -> FetchReport:
    """Every source in turn; one source's failure is reported and the others still run."""
    now = now or datetime.now(UTC)
    report = FetchReport(str(config.path) if config.path else None)
    throttle = HostThrottle()  # shared: two sources on one host still keep its interval
    for feed, policy in config.feeds:
        source = SourceReport(feed.name, "feed")
        report.sources.append(source)
        with HttpFetcher(policy, throttle=throttle) as fetcher:
            _run(source, fetcher, lambda f, s, fd=feed: _fetch_feed(fd, f, s, inbox, states, now))
    for api, policy in config.apis:
        source = SourceReport(api.name, "api")
        report.sources.append(source)
        with HttpFetcher(policy, throttle=throttle) as fetcher:
            _run(source, fetcher, lambda f, s, a=api: _fetch_api(a, f, s, inbox, states, now))
    return report


def _run(
    source: SourceReport, fetcher: HttpFetcher, work: Callable[[HttpFetcher, SourceReport], None]
) -> None:
    try:
        work(fetcher, source)
    except (FetchError, ApiError) as error:
        source.errors.append(fetcher.redactor.text(str(error)))
    finally:
        source.requests = fetcher.requests
    for error in source.errors:
        log.warning("source %s: %s", source.name, error)


@dataclass
class _State:
    path: Path
    etag: str | None = None
    last_modified: str | None = None
    keys: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, states: Path, name: str) -> _State:
        path = states / f"{name}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)  # no state, or unreadable: fetch everything again (landing de-duplicates)
        if not isinstance(data, dict):
            return cls(path)
        keys = data.get("keys")
        return cls(
            path,
            data.get("etag") if isinstance(data.get("etag"), str) else None,
            data.get("last_modified") if isinstance(data.get("last_modified"), str) else None,
            [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else [],
        )

    def save(self) -> None:
        payload = {
            "etag": self.etag,
            "last_modified": self.last_modified,
            "keys": self.keys[-MAX_REMEMBERED:],
        }
        write_atomic(self.path, json.dumps(payload, indent=1).encode())


def _fetch_feed(
    feed: FeedConfig, fetcher: HttpFetcher, source: SourceReport, inbox: Path, states: Path, now: datetime
) -> None:
    state = _State.load(states, feed.name)
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    response = fetcher.get(feed.url, headers=headers)
    source.pages += 1
    if response.not_modified:
        source.not_modified = True
        return
    folder = inbox / SOURCES_FOLDER / feed.name / now.strftime("%Y-%m-%d")
    try:
        parsed = parse_feed(response.content, response.url, source=feed.source, max_entries=feed.max_entries)
    except FeedError as error:
        suffix = ".refused-feed" if error.refused else ".broken-feed"
        kept = _keep_raw(folder, "feed", suffix, response.content, response.url, error.reason, now, fetcher)
        source.files.append(str(kept))
        source.errors.append(f"{error.reason}; the response is kept in {kept}")
        return
    if parsed.warning and not parsed.entries:
        source.warnings.append(f"feed parsed with a fault: {parsed.warning}")
    known = set(state.keys)
    records: list[dict[str, object]] = []
    new_keys: list[str] = []

    def page_fetch(url: str) -> bytes:
        return fetcher.get(url).content

    for entry in parsed.entries:
        if entry.key in known or entry.key in new_keys:
            source.already_fetched += 1
            continue
        record, warning = complete_entry(entry, feed, page_fetch)
        if warning:
            source.warnings.append(f"{record.get('url')}: {warning}")
        records.append(record)
        new_keys.append(entry.key)
    if records:
        source.files.append(str(_write_records(folder, "feed", records, fetcher)))
        source.items += len(records)
    state.etag = response.headers.get("etag")
    state.last_modified = response.headers.get("last-modified")
    state.keys += new_keys
    state.save()


def _fetch_api(
    api: ApiConfig, fetcher: HttpFetcher, source: SourceReport, inbox: Path, states: Path, now: datetime
) -> None:
    state = _State.load(states, api.name)
    known = set(state.keys)
    folder = inbox / SOURCES_FOLDER / api.name / now.strftime("%Y-%m-%d")
    try:
        for page in fetch_pages(api, fetcher):
            source.pages += 1
            if page.records is None:
                suffix = (
                    ".json" if page.error and page.error.startswith("not valid JSON") else ".broken-api-page"
                )
                reason = f"page {page.number}: {page.error}"
                kept = _keep_raw(
                    folder, f"page{page.number}", suffix, page.raw, page.url, reason, now, fetcher
                )
                source.files.append(str(kept))
                source.errors.append(f"{reason}; the response is kept in {kept}")
                continue
            if page.error:
                source.warnings.append(f"page {page.number}: {page.error}")
            fresh: list[dict[str, object]] = []
            for record in page.records:
                key = _record_key(record)
                if key in known:
                    source.already_fetched += 1
                    continue
                known.add(key)
                state.keys.append(key)
                fresh.append(record)
            if fresh:
                source.files.append(str(_write_records(folder, f"page{page.number}", fresh, fetcher)))
                source.items += len(fresh)
    finally:
        state.save()  # the keys of every page written so far, even when a later page failed


def _record_key(record: Mapping[str, object]) -> str:
    return hashlib.sha256(
        json.dumps(record, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _write_records(folder: Path, kind: str, records: list[dict[str, object]], fetcher: HttpFetcher) -> Path:
    """One JSON Lines file of records, named by its content: the same records give the same file."""
    lines = "".join(json.dumps(record, ensure_ascii=False, default=str) + "\n" for record in records)
    data = _scrub(lines.encode("utf-8"), fetcher)
    path = folder / f"{kind}-{hashlib.sha256(data).hexdigest()[:16]}.jsonl"
    if not path.exists():
        write_atomic(path, data)
    return path


def _keep_raw(
    folder: Path,
    kind: str,
    suffix: str,
    raw: bytes,
    url: str,
    reason: str,
    now: datetime,
    fetcher: HttpFetcher,
) -> Path:
    """A response that could not be used, kept as landing will reject it, with a sidecar saying why."""
    data = _scrub(raw, fetcher) or b" "
    path = folder / f"{kind}-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
    sidecar = {"url": url, "fetched_at": now.isoformat(), "reason": reason}
    if not path.exists():
        write_atomic(path.with_name(path.name + ".meta.json"), _scrub(json.dumps(sidecar).encode(), fetcher))
        write_atomic(path, data)
    return path


def _scrub(data: bytes, fetcher: HttpFetcher) -> bytes:
    """Bytes with every secret (API key) replaced, in case a server echoes the request back."""
    for secret in fetcher.redactor.secrets:
        for spelling in {secret, json.dumps(secret)[1:-1]}:
            data = data.replace(spelling.encode("utf-8"), b"***")
    return data
