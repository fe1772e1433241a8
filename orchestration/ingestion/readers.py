"""Inbox files read into articles, in input order; whatever cannot become one is a reject with a reason."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from orchestration.ingestion.fields import to_article
from orchestration.ingestion.html_page import page_fields
from orchestration.ingestion.records import RawArticle, RejectedInput

WHOLE_FILE = "whole file"
OPENERS: dict[str, Callable[[Path], IO[bytes]]] = {
    ".gz": gzip.open,
    ".xz": lzma.open,
    ".bz2": bz2.open,
}
# Keys under which APIs and dumps wrap their list of articles.
WRAPPER_KEYS = ("articles", "data", "results", "items", "records", "entries", "stories", "news")
SIDECAR_SUFFIX = ".meta.json"
# Responses the fetch step (orchestration/pipeline/fetching.py) could not use, kept with a reason sidecar.
KEPT_FETCH_FAILURES = (".broken-feed", ".refused-feed", ".broken-api-page")
# Names that say a file is still being written or is an editor's backup.
UNFINISHED_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", "~")
# Share of control or undecodable characters above which a file is binary, not text with a few bad bytes.
BINARY_SHARE = 0.3
BINARY_SAMPLE_CHARS = 65_536
CHUNK_BYTES = 1 << 20
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*)$")

# A format reader turns a file's text into (position, record) pairs and rejects, in input order.
Record = tuple[str, Mapping[str, object]]
FormatReader = Callable[[str, Path], Iterator[Record | RejectedInput]]


class InputError(Exception):
    """A whole input that cannot be read; the message is the reject reason."""


def read_input(
    path: Path, *, max_article_chars: int = 2_000_000, max_expanded_bytes: int = 200_000_000
) -> Iterator[RawArticle | RejectedInput]:
    """Every article in one input file, in input order, with a reject for each part that is not one."""
    input_file = str(path)
    if path.suffix in KEPT_FETCH_FAILURES:
        yield _kept_fetch_failure(path)
        return
    try:
        reader = _format_reader(path)
        text = _decode(_read_bytes(path, max_expanded_bytes))
    except InputError as error:
        yield RejectedInput(input_file, WHOLE_FILE, str(error))
        return
    for item in reader(text, path):
        if isinstance(item, RejectedInput):
            yield item
        else:
            position, record = item
            yield to_article(record, input_file, position, max_article_chars)


@dataclass(frozen=True)
class InboxScan:
    """The inbox's input files, and links that point outside it (refused, but reported)."""

    files: list[Path]
    outside: list[tuple[Path, str]]  # (link, where it points)


def scan_inbox(inbox: Path) -> InboxScan:
    """Input files, sorted: no hidden, unfinished or sidecar files; links out of the inbox are not read."""
    root = inbox.resolve()
    files: list[Path] = []
    outside: list[tuple[Path, str]] = []
    for folder, dirnames, filenames in os.walk(inbox):
        for name in [name for name in dirnames if (Path(folder) / name).is_symlink()]:
            link = Path(folder) / name
            if not _resolves_inside(link, root):
                outside.append((link, os.readlink(link)))
        dirnames[:] = [name for name in dirnames if not name.startswith(".")]
        for name in filenames:
            path = Path(folder) / name
            if not _is_input_name(name):
                continue
            if not _resolves_inside(path, root):
                outside.append((path, os.readlink(path) if path.is_symlink() else str(path.resolve())))
            elif path.is_file():
                files.append(path)
    return InboxScan(sorted(files), sorted(outside))


def iter_inbox_files(inbox: Path) -> list[Path]:
    """The inbox's input files (see scan_inbox)."""
    return scan_inbox(inbox).files


def _resolves_inside(path: Path, root: Path) -> bool:
    """Whether a path's real location (through any links) is inside root; a link loop is not."""
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return False


def _is_input_name(name: str) -> bool:
    return not (name.startswith(".") or name.endswith(SIDECAR_SUFFIX) or name.endswith(UNFINISHED_SUFFIXES))


def _format_reader(path: Path) -> FormatReader:
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] in OPENERS:
        suffixes.pop()
    suffix = suffixes[-1] if suffixes else ""
    if suffix not in FORMAT_READERS:
        raise InputError(f"unsupported file type {suffix or '(no suffix)'!r}")
    return FORMAT_READERS[suffix]


def _read_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes, decompressed as a stream so a small archive cannot fill memory."""
    opener = OPENERS.get(path.suffix.lower())
    try:
        with (opener or Path.open)(path, "rb") as stream:
            data = _read_capped(stream, limit)
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise InputError(f"cannot read {path.suffix or 'file'}: {error}") from error
    if data is None:
        raise InputError(f"expands past {limit:,} bytes" if opener else f"is larger than {limit:,} bytes")
    return data


def _read_capped(stream: IO[bytes], limit: int) -> bytes | None:
    """At most limit bytes from a stream, or None when there are more."""
    buffer = io.BytesIO()
    while chunk := stream.read(CHUNK_BYTES):
        if buffer.tell() + len(chunk) > limit:
            return None
        buffer.write(chunk)
    return buffer.getvalue()


def _decode(data: bytes) -> str:
    """UTF-8 text; invalid bytes become U+FFFD so a mostly good article still lands."""
    if not data or data.isspace():
        raise InputError("empty file")
    if b"\x00" in data:
        raise InputError("binary file (contains NUL bytes)")
    text = data.decode("utf-8-sig", errors="replace")
    sample = text[:BINARY_SAMPLE_CHARS]
    odd = sum(1 for char in sample if char == "\ufffd" or (char < " " and char not in "\t\n\r\f\v"))
    if odd > BINARY_SHARE * len(sample):
        raise InputError("binary file (mostly non-text bytes)")
    return text


def _text_records(text: str, path: Path) -> Iterator[Record | RejectedInput]:
    """One article per file; metadata from front matter, else from a <file>.meta.json sidecar."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    metadata: dict[str, object] = {}
    if sidecar.is_file():
        try:
            loaded = json.loads(sidecar.read_text(encoding="utf-8", errors="replace"))
        except (OSError, json.JSONDecodeError) as error:
            yield RejectedInput(str(sidecar), WHOLE_FILE, f"sidecar ignored, not readable JSON: {error}")
        else:
            if isinstance(loaded, dict):
                metadata.update(loaded)
            else:
                yield RejectedInput(str(sidecar), WHOLE_FILE, "sidecar ignored, not a JSON object")
    front_matter, body = _split_front_matter(text)
    yield WHOLE_FILE, {**metadata, **front_matter, "body": body}


def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """A leading `---` block of `key: value` lines, and the text after it; plain text has none."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    pairs = [_FRONT_MATTER_LINE.match(line.strip()) for line in match.group(1).splitlines() if line.strip()]
    if not pairs or not all(pairs):
        return {}, text  # a block that is not all `key: value` is part of the text (a rule, a table)
    return {pair.group(1).lower(): _front_matter_value(pair.group(2)) for pair in pairs}, text[match.end() :]


def _front_matter_value(raw: str) -> str | list[str]:
    """Quotes stripped; `[a, b]` read as a list (for authors)."""
    raw = raw.strip()
    if raw.startswith("[") and raw.endswith("]"):
        return [_unquote(item) for item in raw[1:-1].split(",") if item.strip()]
    return _unquote(raw)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _json_records(text: str, path: Path) -> Iterator[Record | RejectedInput]:
    """An object, a list of objects, or an object wrapping the list (under "articles", "data", ...)."""
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        yield RejectedInput(str(path), f"line {error.lineno}", _json_error(error))
        return
    if not isinstance(loaded, dict | list):
        yield RejectedInput(str(path), WHOLE_FILE, f"not a JSON object or list but {type(loaded).__name__}")
        return
    records = _unwrap(loaded)
    if records is None:
        yield WHOLE_FILE, loaded
        return
    if not records:
        yield RejectedInput(str(path), WHOLE_FILE, "no records")
    for number, record in enumerate(records, start=1):
        yield _object_record(record, path, f"record {number}")


def _unwrap(loaded: dict[str, object] | list[object]) -> list[object] | None:
    """The list of records a JSON document holds, or None when it is one article object."""
    if isinstance(loaded, list):
        return loaded
    for key, value in loaded.items():
        if key.lower() in WRAPPER_KEYS and isinstance(value, list):
            return value
    return None


def _jsonl_records(text: str, path: Path) -> Iterator[Record | RejectedInput]:
    """One object per line; a bad line is rejected and the lines after it still come."""
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines: U+2028 may sit in a string
        if not line.strip():
            continue
        position = f"line {number}"
        try:
            yield _object_record(json.loads(line), path, position)
        except json.JSONDecodeError as error:
            yield RejectedInput(str(path), position, _json_error(error))


def _object_record(value: object, path: Path, position: str) -> Record | RejectedInput:
    if isinstance(value, dict):
        return position, value
    return RejectedInput(str(path), position, f"not a JSON object but {type(value).__name__}")


def _json_error(error: json.JSONDecodeError) -> str:
    return f"not valid JSON: {error.msg} (column {error.colno})"


def _csv_records(text: str, path: Path) -> Iterator[Record | RejectedInput]:
    """A header row, then one article a row ("row N" counts data rows); broken quoting stops the file."""
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # a field is never larger than the file
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    number = last_line = 0
    try:
        if not reader.fieldnames:
            yield RejectedInput(str(path), WHOLE_FILE, "no header row")
            return
        last_line = reader.line_num
        for row in reader:
            number += 1
            last_line = reader.line_num
            yield f"row {number}", {key: value for key, value in row.items() if key is not None}
    except csv.Error as error:
        line = last_line + 1
        reason = f"broken quoting in the row from line {line}: {error}; the rows after it were not read"
        yield RejectedInput(str(path), f"row {number + 1}", reason)
        return
    if not number:
        yield RejectedInput(str(path), WHOLE_FILE, "no records")


def _html_records(text: str, path: Path) -> Iterator[Record | RejectedInput]:
    yield WHOLE_FILE, page_fields(text)


def _kept_fetch_failure(path: Path) -> RejectedInput:
    """A feed or API response the fetch step could not use, kept with its reason in the sidecar."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        reason, url = meta["reason"], meta.get("url")
    except (OSError, ValueError, KeyError, TypeError):
        reason, url = f"a kept {path.suffix[1:].replace('-', ' ')} response (its sidecar is missing)", None
    return RejectedInput(str(path), WHOLE_FILE, f"{reason} (fetched from {url})" if url else reason)


FORMAT_READERS: dict[str, FormatReader] = {
    ".txt": _text_records,
    ".md": _text_records,
    ".json": _json_records,
    ".jsonl": _jsonl_records,
    ".ndjson": _jsonl_records,
    ".csv": _csv_records,
    ".html": _html_records,
    ".htm": _html_records,
}
