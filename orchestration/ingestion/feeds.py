"""RSS and Atom feeds as article records: feedparser reads bytes already fetched; a summary-only entry
gets its linked page fetched and reduced to the story with trafilatura."""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from orchestration.ingestion.html_page import page_fields
from orchestration.ingestion.http_fetch import FetchError, check_url

# Declarations that make an XML parser expand or fetch entities ("billion laughs", external entities).
# feedparser keeps "safe" entity declarations and its lenient parser expands them without a limit,
# so a feed that declares any entity is refused outright (see tests/sources/test_feeds.py).
_ENTITY_DECLARATION = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_INTERNAL_SUBSET = re.compile(rb"<!\s*DOCTYPE[^>\[]*\[", re.IGNORECASE)
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": False,
    "favor_precision": True,
    "with_metadata": False,
}


class FeedError(Exception):
    """A feed document that cannot be used; `refused` when it was turned down for safety."""

    def __init__(self, reason: str, *, refused: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.refused = refused


@dataclass(frozen=True)
class FeedConfig:
    name: str
    url: str
    fetch_pages: bool = False  # fetch every entry's page, not just those with a short summary only
    min_body_chars: int = 400  # a summary shorter than this is a teaser: the page is fetched
    max_entries: int = 200
    source: str | None = None  # the publisher name written on each article; default: the feed's title


@dataclass
class FeedEntry:
    """One entry: its identity key (for "already fetched"), and what is needed to build the record."""

    key: str
    record: dict[str, object]
    content_text: str | None
    summary_text: str | None


@dataclass
class ParsedFeed:
    title: str | None
    version: str
    entries: list[FeedEntry] = field(default_factory=list)
    warning: str | None = None  # feedparser recovered from a fault ("bozo")


def unsafe_xml_reason(data: bytes) -> str | None:
    """Why a feed document is refused before any XML parser sees it, or None."""
    for text in _spellings(data):
        if _ENTITY_DECLARATION.search(text):
            return "refused: the document declares XML entities (<!ENTITY>), an entity-expansion risk"
        if _INTERNAL_SUBSET.search(text):
            return "refused: the document has a DOCTYPE with an internal subset, an entity-expansion risk"
    return None


def _spellings(data: bytes) -> list[bytes]:
    """The document as bytes, plus re-encoded as UTF-8 when it is UTF-16/32 (so the checks see it)."""
    spellings = [data]
    head = data[:512]
    if head.startswith(_UTF16_32_BOMS) or b"\x00" in head:
        for encoding in ("utf-32", "utf-16", "utf-16-le", "utf-16-be"):
            try:
                spellings.append(data.decode(encoding).encode("utf-8"))
                break
            except UnicodeDecodeError:
                continue
    return spellings


def parse_feed(
    data: bytes, feed_url: str, *, source: str | None = None, max_entries: int = 200
) -> ParsedFeed:
    """The feed's entries as article records; FeedError when the bytes are refused or not a feed."""
    reason = unsafe_xml_reason(data)
    if reason:
        raise FeedError(reason, refused=True)
    # A stream, never bytes or str: feedparser opens a str or bytes that names a file or URL itself.
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-location": feed_url, "content-type": "application/xml"},
    )
    problem = parsed.get("bozo_exception")
    if not parsed.entries and not parsed.get("version"):
        raise FeedError(f"not an RSS or Atom feed: {problem or 'no feed elements'}")
    feed_title = _clean(parsed.feed.get("title"))
    publisher = source or feed_title
    result = ParsedFeed(feed_title, parsed.get("version") or "", warning=str(problem) if problem else None)
    for entry in parsed.entries[:max_entries]:
        result.entries.append(_entry(entry, publisher))
    return result


def _entry(entry: Mapping[str, Any], publisher: str | None) -> FeedEntry:
    content_html = "\n".join(part.get("value", "") for part in entry.get("content") or [])
    content_text = html_to_text(content_html)
    summary_text = html_to_text(entry.get("summary") or "")
    if content_text and summary_text and content_text == summary_text:
        summary_text = None
    link = _clean(entry.get("link"))
    published_at, published_raw = _published(entry)
    authors = [_clean(a.get("name")) for a in entry.get("authors") or [] if _clean(a.get("name"))]
    record: dict[str, object] = {
        "id": _clean(entry.get("id")) or link,
        "title": _clean(entry.get("title")),
        "url": link,
        "published_at": published_at or published_raw,
        "authors": authors or _clean(entry.get("author")),
        "source": publisher,
        "summary": summary_text,
    }
    if published_raw and published_at:
        record["published_raw"] = published_raw
    tags = [_clean(t.get("term")) for t in entry.get("tags") or [] if _clean(t.get("term"))]
    if tags:
        record["tags"] = tags
    record = {key: value for key, value in record.items() if value}
    identity = json.dumps([record, content_text], sort_keys=True, ensure_ascii=False)
    return FeedEntry(hashlib.sha256(identity.encode()).hexdigest(), record, content_text, summary_text)


def _published(entry: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(ISO 8601 UTC, the date as the feed wrote it); feedparser's parsed dates are UTC struct_times."""
    for name in ("published", "updated", "created"):
        raw = _clean(entry.get(name))
        parsed = entry.get(f"{name}_parsed")
        if parsed:
            when = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            return when.strftime("%Y-%m-%dT%H:%M:%SZ"), raw
        if raw:
            return None, raw
    return None, None


def html_to_text(html: str) -> str | None:
    """Text of an HTML fragment (feedparser has already sanitised it), paragraphs kept apart."""
    if not html or not html.strip():
        return None
    if "<" not in html:
        return _clean(html)
    return _clean(page_fields(html).get("body"))


def page_text(html: str) -> str | None:
    """The main text of an article page, by trafilatura (offline: it is given the HTML)."""
    import trafilatura  # imported here: it takes a second to import, and most runs have no feeds

    return _clean(trafilatura.extract(html, **TRAFILATURA_OPTIONS))


def complete_entry(
    entry: FeedEntry, config: FeedConfig, fetch_page: Callable[[str], bytes] | None
) -> tuple[dict[str, object], str | None]:
    """The entry's record with a body, and a warning when its page could not be used.

    The body is the entry's full content when it has one; else its page's main text (fetched when the
    summary is short or fetch_pages is set); else the summary, with a note saying why."""
    record = dict(entry.record)
    summary = entry.summary_text or ""
    if entry.content_text and not config.fetch_pages:
        record.update(body=entry.content_text, body_origin="feed content")
        return record, None
    wants_page = config.fetch_pages or len(summary) < config.min_body_chars
    url = record.get("url")
    warning = None
    if wants_page and fetch_page and isinstance(url, str):
        try:
            check_url(url)
            html = fetch_page(url).decode("utf-8", errors="replace")
            text = page_text(html)
        except (FetchError, ValueError) as error:
            warning = f"page not fetched: {error}"
        else:
            if text and len(text) > len(summary) and len(text) > len(entry.content_text or ""):
                record.update(body=text, body_origin="linked page")
                return record, None
            warning = "page had no article text longer than the feed's"
    if entry.content_text:
        record.update(body=entry.content_text, body_origin="feed content")
    elif summary:
        record.update(body=summary, body_origin="feed summary")
        if warning or wants_page:
            record["note"] = f"summary only: {warning or 'the linked page was not fetched'}"
    return record, warning


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None
