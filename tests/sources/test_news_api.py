"""A JSON news API on a real local server: pagination (next URL, page number, cursor), field mapping,
the key from the environment (never written anywhere), and pages that cannot be used."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestration.ingestion.news_api import ApiConfig, dotted, map_item
from orchestration.ingestion.readers import read_input
from orchestration.ingestion.records import RawArticle, RejectedInput
from orchestration.pipeline.fetching import FetchReport, SourcesConfig
from tests.sources import fixtures
from tests.sources.conftest import FAST, fetch_into, records_in
from tests.sources.httpserver import Reply, Request, Server

KEY_ENV = "TICKERWIRE_TEST_NEWS_KEY"
SECRET = "mk_9fQ27LzXr81Vb3"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(KEY_ENV, SECRET)
    return SECRET


def run_api(tmp_path: Path, config: ApiConfig, policy=FAST) -> tuple[FetchReport, list[Path]]:
    return fetch_into(tmp_path, SourcesConfig(Path("sources.toml"), apis=[(config, policy)]))


def assert_secret_nowhere(tmp_path: Path) -> None:
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def polygon_route(server: Server, pages: list[list[dict]] = fixtures.API_PAGES, base: Server | None = None):
    """Pages chained by next_url (cursor in the query, as Polygon does); 401 without the key."""
    home = base or server

    def reply(request: Request) -> Reply:
        if request.query.get("apiKey") != SECRET:
            return Reply(401, '{"status": "ERROR", "error": "unknown API key"}')
        number = int(request.query.get("cursor", "1"))
        following = home.url(f"/v2/news?cursor={number + 1}&limit=2") if number < len(pages) else None
        return Reply(body=fixtures.api_page(pages[number - 1], following))

    return server.route("/v2/news", reply)


def polygon(url: str, **overrides: object) -> ApiConfig:
    settings: dict[str, object] = {
        "name": "meridian",
        "url": url,
        "params": {"limit": 2, "order": "asc"},
        "key_env": KEY_ENV,
        "key_param": "apiKey",
        "items_path": "results",
        "pagination": "next_url",
        "fields": fixtures.API_FIELDS,
        **overrides,
    }
    return ApiConfig(**settings)


def test_three_pages_chained_by_next_url_become_three_inbox_files(server: Server, tmp_path: Path) -> None:
    url = polygon_route(server)
    report, files = run_api(tmp_path, polygon(url))
    (source,) = report.sources
    assert (source.items, source.pages, source.errors) == (5, 3, [])
    assert [p.name.split("-")[0] for p in files] == sorted(["page1", "page2", "page3"])
    hits = server.hits("/v2/news")
    assert [h.query.get("cursor") for h in hits] == [None, "2", "3"]
    assert hits[0].query == {"limit": "2", "order": "asc", "apiKey": SECRET}
    assert hits[1].query == {"cursor": "2", "limit": "2", "apiKey": SECRET}  # the next URL's own query

    records = records_in(files)
    assert [r["id"] for r in records] == [item["id"] for item in fixtures.API_ITEMS]
    first = next(r for r in records if r["id"] == "pg-7001")
    assert first["title"] == "Quillon Software beats estimates, raises guidance"
    assert first["body"].startswith("Quillon Software Inc. (QSW) shares rose 7.8% in extended trading")
    assert first["published_at"] == "2026-11-23T21:10:00Z"
    assert first["url"] == "https://api-news.example.net/quillon-beats"
    assert first["source"] == "Meridian Newswire"
    assert first["tickers"] == [{"name": "QSW"}]
    page1 = next(p for p in files if p.name.startswith("page1"))
    articles = list(read_input(page1))
    assert all(isinstance(a, RawArticle) for a in articles)
    assert articles[0].published_at == datetime(2026, 11, 23, 21, 10, tzinfo=UTC)
    assert articles[0].authors == "Leah Brandt"
    assert articles[1].source == "Meridian Newswire"
    assert_secret_nowhere(tmp_path)


def test_without_the_field_mapping_the_nested_story_is_not_found(server: Server, tmp_path: Path) -> None:
    url = polygon_route(server)
    _, files = run_api(tmp_path, polygon(url, fields={}, max_pages=1))
    rejects = list(read_input(files[0]))
    assert {r.reason for r in rejects if isinstance(r, RejectedInput)} == {"record without body"}


def test_page_numbers_until_an_empty_page_with_the_key_in_a_header(server: Server, tmp_path: Path) -> None:
    def reply(request: Request) -> Reply:
        if request.headers.get("x-api-key") != SECRET:
            return Reply(401)
        number = int(request.query["page"])
        items = fixtures.API_PAGES[number - 1] if number <= 3 else []
        return Reply(body=json.dumps({"data": {"articles": items}}))

    url = server.route("/api/news", reply)
    config = polygon(
        url, key_param=None, key_header="X-Api-Key", items_path="data.articles", pagination="page", params={}
    )
    report, files = run_api(tmp_path, config)
    (source,) = report.sources
    assert (source.items, source.pages, len(files), source.errors) == (5, 4, 3, [])
    assert [h.query for h in server.hits("/api/news")] == [{"page": str(n)} for n in (1, 2, 3, 4)]
    assert_secret_nowhere(tmp_path)


def test_a_cursor_is_sent_back_until_there_is_none(server: Server, tmp_path: Path) -> None:
    def reply(request: Request) -> Reply:
        after = request.query.get("after")
        if after is None:
            return Reply(body=json.dumps({"items": fixtures.API_ITEMS[:3], "meta": {"next": "c-2"}}))
        return Reply(body=json.dumps({"items": fixtures.API_ITEMS[3:], "meta": {"next": None}}))

    url = server.route("/feed", reply)
    config = polygon(
        url, items_path="items", pagination="cursor", cursor_path="meta.next", cursor_param="after"
    )
    report, _ = run_api(tmp_path, config)
    assert (report.sources[0].items, report.sources[0].pages) == (5, 2)
    assert [h.query.get("after") for h in server.hits("/feed")] == [None, "c-2"]


def test_paging_stops_at_max_pages(server: Server, tmp_path: Path) -> None:
    endless = [fixtures.API_ITEMS[:1]] * 50
    url = polygon_route(server, endless)
    report, _ = run_api(tmp_path, polygon(url, max_pages=2))
    assert report.sources[0].pages == 2
    assert len(server.hits("/v2/news")) == 2


def test_a_malformed_page_is_kept_for_landing_to_reject_and_ends_the_paging(
    server: Server, tmp_path: Path
) -> None:
    truncated = fixtures.api_page(fixtures.API_PAGES[1], server.url("/v2/news?cursor=3"))[:150]

    def reply(request: Request) -> Reply:
        if request.query.get("cursor") == "2":
            return Reply(body=truncated)
        return Reply(body=fixtures.api_page(fixtures.API_PAGES[0], server.url("/v2/news?cursor=2")))

    url = server.route("/v2/news", reply)
    report, files = run_api(tmp_path, polygon(url))
    (source,) = report.sources
    assert source.items == 2 and source.pages == 2
    assert len(source.errors) == 1 and source.errors[0].startswith("page 2: not valid JSON")
    kept = next(p for p in files if p.name.startswith("page2") and p.suffix == ".json")
    assert kept.read_text() == truncated  # the response exactly as it came
    (reject,) = read_input(kept)
    assert isinstance(reject, RejectedInput) and reject.reason.startswith("not valid JSON: ")
    assert "page 2" in json.loads(kept.with_name(kept.name + ".meta.json").read_text())["reason"]
    assert len(server.hits("/v2/news")) == 2  # no page 3


def test_a_page_without_the_item_list_is_kept_under_a_name_that_says_so(
    server: Server, tmp_path: Path
) -> None:
    url = server.route("/v2/news", Reply(body='{"status": "ERROR", "error": "plan limit reached"}'))
    report, files = run_api(tmp_path, polygon(url))
    assert report.sources[0].errors[0].startswith("page 1: no list of items at 'results'")
    kept = next(p for p in files if not p.name.endswith(".meta.json"))
    assert kept.suffix == ".broken-api-page"
    (reject,) = read_input(kept)
    assert reject.reason.startswith("page 1: no list of items at 'results'")


def test_server_errors_are_retried_within_the_api_fetch(server: Server, tmp_path: Path) -> None:
    ok = Reply(body=fixtures.api_page(fixtures.API_ITEMS[:2]))
    url = server.route("/v2/news", Reply(500), Reply(500), ok)
    report, _ = run_api(tmp_path, polygon(url, key_env=None, key_param=None))
    assert (report.sources[0].items, report.sources[0].requests) == (2, 3)


def test_a_missing_key_variable_is_reported_without_asking(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV)
    url = polygon_route(server)
    report, files = run_api(tmp_path, polygon(url))
    assert report.sources[0].errors == [f"environment variable {KEY_ENV} (the API key) is not set"]
    assert server.requests == [] and files == []


def test_errors_never_show_the_key(server: Server, tmp_path: Path) -> None:
    url = server.route("/v2/news", Reply(503, f"upstream rejected apiKey={SECRET}"))
    report, _ = run_api(tmp_path, polygon(url))
    (error,) = report.sources[0].errors
    assert "HTTP 503" in error and "apiKey=***" in error
    assert SECRET not in error and SECRET not in repr(report)
    assert len(server.hits("/v2/news")) == 3


def test_a_key_echoed_back_by_the_api_is_scrubbed_from_what_is_written(
    server: Server, tmp_path: Path
) -> None:
    echoed = [
        {**item, "request": {"url": f"{server.url('/v2/news')}?apiKey={SECRET}"}}
        for item in fixtures.API_ITEMS
    ]
    url = server.route(
        "/v2/news", Reply(body=fixtures.api_page(echoed[:2], debug={"key": SECRET, "quoted": f'"{SECRET}"'}))
    )
    report, files = run_api(tmp_path, polygon(url))
    assert report.sources[0].items == 2
    assert "***" in files[0].read_text()
    assert_secret_nowhere(tmp_path)


def test_a_next_url_on_another_host_gets_no_key(server: Server, other_server: Server, tmp_path: Path) -> None:
    other_server.route("/v2/news", Reply(body=fixtures.api_page(fixtures.API_ITEMS[2:3])))
    url = server.route(
        "/v2/news",
        Reply(body=fixtures.api_page(fixtures.API_ITEMS[:2], other_server.url("/v2/news?cursor=2"))),
    )
    report, _ = run_api(
        tmp_path, polygon(url, key_param=None, key_header="Authorization", key_prefix="Bearer ")
    )
    assert report.sources[0].items == 3
    assert server.hits("/v2/news")[0].headers["authorization"] == f"Bearer {SECRET}"
    elsewhere = other_server.hits("/v2/news")[0]
    assert "authorization" not in elsewhere.headers and "apiKey" not in elsewhere.query


def test_the_same_items_fetched_again_are_not_written_again(server: Server, tmp_path: Path) -> None:
    url = polygon_route(server)
    run_api(tmp_path, polygon(url))
    report, files = run_api(tmp_path, polygon(url))
    assert (report.sources[0].items, report.sources[0].already_fetched, report.sources[0].files) == (0, 5, [])
    assert len(files) == 3


def test_dotted_paths_and_the_mapping() -> None:
    item = {"a": {"b": [{"c": "x"}, {"c": "y"}]}, "title": "raw", "headline": "Mapped"}
    assert dotted(item, "a.b.1.c") == "y"
    assert dotted(item, "a.b.-1.c") == "y"
    assert dotted(item, "a.z.c") is None
    assert dotted(item, "a.b.5") is None
    assert dotted(item, "") is item
    config = replace(
        polygon("https://x.example"), fields={"title": "headline", "body": "a.b.0.c"}, source="Wire"
    )
    assert map_item(item, config) == {**item, "title": "Mapped", "body": "x", "source": "Wire"}
