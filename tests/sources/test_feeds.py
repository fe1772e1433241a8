"""RSS and Atom feeds from a real local server into inbox files, pages fetched for teasers, and the XML
entity tricks that are refused (with what feedparser itself does with them, pinned down)."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from orchestration.ingestion.feeds import FeedConfig, FeedError, parse_feed, unsafe_xml_reason
from orchestration.ingestion.readers import read_input
from orchestration.ingestion.records import RawArticle, RejectedInput
from orchestration.pipeline.fetching import FetchReport, SourcesConfig
from tests.sources import fixtures
from tests.sources.conftest import FAST, fetch_into, records_in
from tests.sources.httpserver import Reply, Request, Server


def run_feed(tmp_path: Path, config: FeedConfig) -> tuple[FetchReport, list[Path]]:
    return fetch_into(tmp_path, SourcesConfig(Path("sources.toml"), feeds=[(config, FAST)]))


def test_rss_items_become_inbox_records_the_readers_understand(server: Server, tmp_path: Path) -> None:
    url = server.route("/rss", Reply(body=fixtures.RSS, headers={"Content-Type": "application/rss+xml"}))
    report, files = run_feed(tmp_path, FeedConfig("harbor", url))
    (source,) = report.sources
    assert (source.items, source.pages, source.errors) == (2, 1, [])
    assert [p.relative_to(tmp_path / "inbox").parts[:2] for p in files] == [("sources", "harbor")]
    assert files[0].name.startswith("feed-") and files[0].suffix == ".jsonl"
    first, second = records_in(files)
    assert first["id"] == "hsw-10231"
    assert first["title"] == "Northwind Freight lifts dividend, shares climb"
    assert first["url"] == "https://wire.example.com/2026/11/northwind-dividend"
    assert first["published_at"] == "2026-11-23T19:05:00Z"  # -0500 normalised to UTC
    assert first["published_raw"] == "Mon, 23 Nov 2026 14:05:00 -0500"
    assert first["authors"] == ["Dana Whitlock"]
    assert first["source"] == "Harbor Street Wire"
    assert first["tags"] == ["NWF"]
    assert first["body_origin"] == "feed content"
    assert first["body"].startswith(
        "Northwind Freight Corp. (NYSE: NWF) shares rose 3.1% to $48.20 on Monday"
    )
    assert "\n\nThe board approved a payout of 27 cents a share" in first["body"]
    assert "<p>" not in first["body"]
    assert second["authors"] == ["Priya Raman"]
    assert second["published_at"] == "2026-11-24T09:30:00Z"

    articles = list(read_input(files[0]))
    assert all(isinstance(a, RawArticle) for a in articles)
    assert articles[0].source_id == "hsw-10231"
    assert articles[0].published_at == datetime(2026, 11, 23, 19, 5, tzinfo=UTC)
    assert articles[0].authors == "Dana Whitlock"
    assert articles[1].title == "Calloway Mining slips as copper output falls short"


def test_atom_entries_with_authors_content_and_relative_links(server: Server, tmp_path: Path) -> None:
    url = server.route("/atom", Reply(body=fixtures.ATOM, headers={"Content-Type": "application/atom+xml"}))
    report, files = run_feed(tmp_path, FeedConfig("ledger-lane", url, source="Ledger Lane"))
    assert report.sources[0].items == 2
    first, second = records_in(files)
    assert first["published_at"] == "2026-11-24T20:12:00Z"
    assert first["authors"] == ["Marcus Hale", "Ines Okafor"]
    assert first["source"] == "Ledger Lane"  # the config names the publisher
    assert first["body"].startswith("Brightwater Pharma Inc. (BWPH) shares jumped 11% in after-hours trading")
    assert first["summary"] == "Regulators cleared Brightwater's lead therapy."
    assert second["url"] == server.url("/news/orchard-outlook")  # resolved against the feed's URL
    assert second["published_at"] == "2026-11-24T12:00:00Z"  # no <published>: <updated>
    assert "shares dropped 6.2% to $19.05" in second["body"]
    (a, b) = read_input(files[0])
    assert isinstance(a, RawArticle) and a.authors == "Marcus Hale; Ines Okafor"
    assert isinstance(b, RawArticle) and b.published_at == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_a_teaser_is_replaced_by_the_main_text_of_its_page(server: Server, tmp_path: Path) -> None:
    page_url = server.route("/kestrel", Reply(body=fixtures.PAGE, headers={"Content-Type": "text/html"}))
    feed = fixtures.SUMMARY_ONLY_RSS.format(
        page_url=page_url, missing_url=server.url("/fenwick"), teaser=fixtures.TEASER
    )
    url = server.route("/teasers", Reply(body=feed))
    report, files = run_feed(tmp_path, FeedConfig("tarn", url))
    kestrel, fenwick = records_in(files)
    assert kestrel["body_origin"] == "linked page"
    assert fixtures.PAGE_SENTENCE in kestrel["body"]
    assert "options for 20 more aircraft" in kestrel["body"]
    assert "Subscribe" not in kestrel["body"] and "All rights reserved" not in kestrel["body"]
    assert kestrel["summary"] == fixtures.TEASER
    # The page is missing: the summary is the body, and the record says so.
    assert fenwick["body"] == "Fenwick Bank appointed a new CEO."
    assert fenwick["body_origin"] == "feed summary"
    assert fenwick["note"].startswith("summary only: page not fetched: ")
    assert "HTTP 404" in fenwick["note"]
    assert len(server.hits("/fenwick")) == 1  # a 404 is not retried
    (source,) = report.sources
    assert source.items == 2 and source.errors == []
    assert len(source.warnings) == 1 and "HTTP 404" in source.warnings[0]


def test_pages_are_not_fetched_when_the_summary_is_long_enough(server: Server, tmp_path: Path) -> None:
    page_url = server.route("/kestrel", Reply(body=fixtures.PAGE))
    feed = fixtures.SUMMARY_ONLY_RSS.format(page_url=page_url, missing_url=page_url, teaser=fixtures.TEASER)
    url = server.route("/teasers", Reply(body=feed))
    _, files = run_feed(tmp_path, FeedConfig("tarn", url, min_body_chars=10))
    assert [r["body_origin"] for r in records_in(files)] == ["feed summary", "feed summary"]
    assert server.hits("/kestrel") == []


def test_an_unchanged_feed_is_asked_for_with_its_etag_and_writes_nothing(
    server: Server, tmp_path: Path
) -> None:
    def conditional(request: Request) -> Reply:
        if request.headers.get("if-none-match") == '"rss-v1"':
            return Reply(304)
        return Reply(body=fixtures.RSS, headers={"ETag": '"rss-v1"'})

    url = server.route("/rss", conditional)
    first, files = run_feed(tmp_path, FeedConfig("harbor", url))
    second, files_after = run_feed(tmp_path, FeedConfig("harbor", url))
    assert first.sources[0].items == 2 and not first.sources[0].not_modified
    assert second.sources[0].not_modified and second.sources[0].items == 0
    assert files_after == files
    assert server.hits("/rss")[1].headers["if-none-match"] == '"rss-v1"'


def test_entries_already_written_are_not_written_again(server: Server, tmp_path: Path) -> None:
    url = server.route("/rss", Reply(body=fixtures.RSS))  # no ETag: the whole feed comes back
    run_feed(tmp_path, FeedConfig("harbor", url))
    one_more = fixtures.RSS.replace("hsw-10232", "hsw-10299").replace(
        "Calloway Mining slips", "Calloway slides"
    )
    server.route("/rss", Reply(body=one_more))
    report, files = run_feed(tmp_path, FeedConfig("harbor", url))
    (source,) = report.sources
    assert (source.items, source.already_fetched) == (1, 1)
    assert len(files) == 2
    assert [r["id"] for r in records_in([Path(source.files[0])])] == ["hsw-10299"]


# --- XML entity expansion -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        fixtures.BILLION_LAUGHS,
        fixtures.EXTERNAL_ENTITY,
        fixtures.quadratic_blowup(1_000, 100),
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]><rss version="2.0"/>',
        '<?xml version="1.0"?><!DOCTYPE rss [<!-- only a comment -->]><rss version="2.0"/>',
    ],
    ids=["billion-laughs", "external-entity", "quadratic", "one-line", "internal-subset"],
)
def test_documents_declaring_entities_are_refused_before_parsing(document: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(document.encode(), "https://wire.example.com/rss")
    assert caught.value.refused
    assert caught.value.reason.startswith("refused: the document ")


def test_entity_declarations_in_utf16_are_seen_too() -> None:
    data = fixtures.BILLION_LAUGHS.replace('encoding="UTF-8"', "").encode("utf-16")
    assert unsafe_xml_reason(data) is not None


def test_a_plain_doctype_without_entities_is_accepted() -> None:
    rss091 = fixtures.RSS.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        ' "http://my.netscape.com/publish/formats/rss-0.91.dtd">',
    )
    assert len(parse_feed(rss091.encode(), "https://wire.example.com/rss").entries) == 2


def test_what_feedparser_alone_does_with_entity_tricks(tmp_path: Path) -> None:
    """Why the declarations are refused: feedparser's own defences are partial."""

    def parse(document: str) -> feedparser.FeedParserDict:
        return feedparser.parse(io.BytesIO(document.encode()))

    # Nested entities over several lines: feedparser drops the declarations, the reference stays text.
    started = time.monotonic()
    laughs = parse(fixtures.BILLION_LAUGHS)
    assert time.monotonic() - started < 5
    assert laughs.entries[0].title == "&lol9;"
    # An external entity is not resolved: nothing from /etc/passwd comes back.
    leak = parse(fixtures.EXTERNAL_ENTITY)
    assert "root:" not in json.dumps(leak.entries, default=str)
    # But a "safe" plain-text entity is expanded on every reference: 1,000 chars x 200 = 200,000 chars.
    blowup = parse(fixtures.quadratic_blowup(1_000, 200))
    assert len(blowup.entries[0].summary) == 200_000
    # And a DOCTYPE on one line is not stripped at all: nested entities reach expat and are expanded.
    one_line = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l "lol"><!ENTITY l1 "&l;&l;&l;&l;&l;&l;&l;&l;&l;&l;">'
        '<!ENTITY l2 "&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;">]>'
        '<rss version="2.0"><channel><title>t</title><item><title>&l2;</title></item></channel></rss>'
    )
    assert parse(one_line).entries[0].title == "lol" * 100
    # Bytes or str that name a file are opened by feedparser itself; parse_feed passes a stream.
    local = tmp_path / "local.xml"
    local.write_text(fixtures.RSS)
    assert len(feedparser.parse(str(local).encode()).entries) == 2
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(str(local).encode(), "https://wire.example.com/rss")


def test_a_refused_feed_is_kept_in_the_inbox_for_landing_to_reject(server: Server, tmp_path: Path) -> None:
    url = server.route("/laughs", Reply(body=fixtures.BILLION_LAUGHS))
    report, files = run_feed(tmp_path, FeedConfig("laughs", url))
    (source,) = report.sources
    assert source.items == 0
    assert len(source.errors) == 1 and "declares XML entities" in source.errors[0]
    kept, sidecar = sorted(files, key=lambda p: p.name.endswith(".meta.json"))
    assert kept.suffix == ".refused-feed"
    assert kept.read_text() == fixtures.BILLION_LAUGHS
    assert "declares XML entities" in json.loads(sidecar.read_text())["reason"]
    (reject,) = read_input(kept)
    assert isinstance(reject, RejectedInput)
    assert "declares XML entities" in reject.reason and url in reject.reason


@pytest.mark.parametrize(
    "body",
    [
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        '{"status": "error", "message": "feed moved"}',
        "",
    ],
    ids=["html-error-page", "json", "empty"],
)
def test_a_response_that_is_not_a_feed_is_kept_and_reported(
    server: Server, tmp_path: Path, body: str
) -> None:
    url = server.route("/broken", Reply(body=body))
    report, files = run_feed(tmp_path, FeedConfig("broken", url))
    (source,) = report.sources
    assert source.items == 0
    assert len(source.errors) == 1 and "not an RSS or Atom feed" in source.errors[0]
    kept = next(p for p in files if not p.name.endswith(".meta.json"))
    assert kept.suffix == ".broken-feed"
    assert isinstance(next(iter(read_input(kept))), RejectedInput)


def test_an_entry_linking_outside_http_is_not_followed(server: Server, tmp_path: Path) -> None:
    feed = fixtures.SUMMARY_ONLY_RSS.format(
        page_url="file:///etc/passwd", missing_url="javascript:alert(1)", teaser=fixtures.TEASER
    )
    url = server.route("/teasers", Reply(body=feed))
    report, files = run_feed(tmp_path, FeedConfig("tarn", url))
    assert len(report.sources[0].warnings) == 2
    kestrel, fenwick = records_in(files)
    assert kestrel["body"] == fixtures.TEASER
    assert "only http and https URLs are fetched, not 'file'" in kestrel["note"]
    assert "not 'javascript'" in fenwick["note"]
    assert "root:" not in files[0].read_text()
    assert [h.path for h in server.requests] == ["/teasers"]
