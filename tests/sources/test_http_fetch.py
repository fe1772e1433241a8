"""The HTTP client against a real local server: retries, timeouts, redirects, size caps, rate limit,
secrets."""

from __future__ import annotations

import gzip
import socket
import time
from dataclasses import replace

import pytest

from orchestration.ingestion.http_fetch import (
    FetchError,
    HostThrottle,
    HttpFetcher,
    Redactor,
    retry_after_seconds,
)
from tests.sources.conftest import FAST
from tests.sources.httpserver import Reply, Server

SECRET = "pk_live_7Hq2ZxW9"
NOTE = "Northwind Freight (NWF) shares rose 3.1% after the carrier raised its quarterly dividend."


def fetch(url: str, policy=FAST, **kwargs):
    with HttpFetcher(policy) as fetcher:
        return fetcher.get(url, **kwargs)


def test_a_plain_get_returns_the_body_and_names_tickerwire(server: Server) -> None:
    url = server.route("/note", Reply(body=NOTE, headers={"ETag": '"v1"'}))
    response = fetch(url)
    assert response.status == 200
    assert response.content.decode() == NOTE
    assert response.headers["etag"] == '"v1"'
    assert server.hits("/note")[0].headers["user-agent"].startswith("tickerwire/")


def test_server_errors_are_retried_until_one_succeeds(server: Server) -> None:
    url = server.route("/flaky", Reply(500), Reply(500), Reply(body=NOTE))
    assert fetch(url).content.decode() == NOTE
    assert len(server.hits("/flaky")) == 3


def test_a_server_that_keeps_failing_gives_one_error_after_the_retries(server: Server) -> None:
    url = server.route("/down", Reply(503, "maintenance"))
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert len(server.hits("/down")) == 3  # the first attempt and FAST.retries = 2
    assert caught.value.status == 503
    assert str(caught.value) == f"{url}: HTTP 503 (gave up after 3 attempts)"


def test_a_client_error_is_not_retried(server: Server) -> None:
    url = server.route("/gone", Reply(404))
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(url)
    assert len(server.hits("/gone")) == 1


def test_429_waits_as_long_as_retry_after_says(server: Server) -> None:
    url = server.route("/busy", Reply(429, headers={"Retry-After": "1"}), Reply(body=NOTE))
    started = time.monotonic()
    assert fetch(url).content.decode() == NOTE
    assert time.monotonic() - started >= 0.95  # not the 0.05 s backoff: the server asked for a second


def test_a_long_retry_after_is_capped(server: Server) -> None:
    url = server.route("/busy", Reply(429, headers={"Retry-After": "3600"}), Reply(body=NOTE))
    started = time.monotonic()
    assert fetch(url, replace(FAST, max_retry_after=0.2)).content.decode() == NOTE
    assert time.monotonic() - started < 2


def test_retry_after_as_an_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 24, 9, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Tue, 24 Nov 2026 09:00:30 GMT", now=now) == 30
    assert retry_after_seconds("120", now=now) == 120
    assert retry_after_seconds("soon", now=now) is None


def test_a_slow_response_times_out_and_the_retry_succeeds(server: Server) -> None:
    url = server.route("/slow", Reply(body="late", delay=2.0), Reply(body=NOTE))
    started = time.monotonic()
    assert fetch(url).content.decode() == NOTE
    elapsed = time.monotonic() - started
    assert 0.45 <= elapsed < 1.5  # one read timeout (0.5 s), not the server's 2 s
    assert len(server.hits("/slow")) == 2


def test_timeouts_on_every_attempt_name_the_url(server: Server) -> None:
    url = server.route("/slow", Reply(body="late", delay=2.0))
    with pytest.raises(FetchError, match=r"timed out \(ReadTimeout\) \(gave up after 2 attempts\)") as caught:
        fetch(url, replace(FAST, retries=1, read_timeout=0.2))
    assert str(caught.value).startswith(url)


def test_a_refused_connection_is_retried_then_reported() -> None:
    with socket.socket() as probe:  # a free port, closed again: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="ConnectError") as caught:
        fetch(f"http://127.0.0.1:{port}/feed", replace(FAST, retries=1))
    assert "gave up after 2 attempts" in caught.value.reason


def test_redirects_are_followed(server: Server) -> None:
    server.route("/old", Reply(301, headers={"Location": "/middle"}))
    server.route("/middle", Reply(302, headers={"Location": server.url("/new")}))
    server.route("/new", Reply(body=NOTE))
    response = fetch(server.url("/old"))
    assert response.url == server.url("/new")
    assert response.content.decode() == NOTE


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://127.0.0.1/etc/passwd", "data:text/plain,hello", "gopher://x/"]
)
def test_a_redirect_to_anything_but_http_is_refused(server: Server, target: str) -> None:
    url = server.route("/escape", Reply(302, headers={"Location": target}))
    with pytest.raises(FetchError, match="refused: only http and https URLs are fetched") as caught:
        fetch(url)
    assert target.split(":")[0] in str(caught.value)
    assert "root:" not in str(caught.value)
    assert len(server.hits("/escape")) == 1  # a refusal is final, not retried


def test_a_redirect_loop_stops_at_the_hop_limit(server: Server) -> None:
    url = server.route("/loop", Reply(302, headers={"Location": "/loop"}))
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch(url, replace(FAST, max_redirects=3))
    assert len(server.hits("/loop")) == 4


@pytest.mark.parametrize("url", ["file:///etc/passwd", "/relative/feed.xml", "http:///no-host"])
def test_only_absolute_http_urls_are_fetched(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert url.split("/")[0] in str(caught.value)


def test_a_body_over_the_cap_is_refused_by_its_content_length(server: Server) -> None:
    url = server.route("/big", Reply(body=b"x" * 2_000_001))
    with pytest.raises(FetchError, match="2,000,001 bytes is over the limit of 1,000,000 bytes"):
        fetch(url)


def test_a_streamed_body_is_cut_off_at_the_cap(server: Server) -> None:
    # No Content-Length: 64 KiB chunks until the client hangs up (the server would send 64 MiB).
    url = server.route("/endless", Reply(body=b"y" * 65_536, repeat=1024))
    started = time.monotonic()
    with pytest.raises(FetchError, match="over the limit of 1,000,000 bytes; aborted"):
        fetch(url)
    assert time.monotonic() - started < 3
    assert len(server.hits("/endless")) == 1


def test_a_compressed_body_is_capped_after_decompression(server: Server) -> None:
    bomb = gzip.compress(b"\0" * 20_000_000)  # about 20 KB on the wire
    url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="over the limit"):
        fetch(url)


def test_requests_to_one_host_keep_the_minimum_interval(server: Server) -> None:
    url = server.route("/note", Reply(body=NOTE))
    started = time.monotonic()
    with HttpFetcher(replace(FAST, min_interval=0.25)) as fetcher:
        for _ in range(3):
            fetcher.get(url)
    assert time.monotonic() - started >= 0.5  # three requests, two intervals


def test_the_interval_is_per_host() -> None:
    throttle = HostThrottle()
    started = time.monotonic()
    throttle.wait("http://a:80", 0.5)
    throttle.wait("http://b:80", 0.5)
    assert time.monotonic() - started < 0.2
    throttle.wait("http://a:80", 0.3)
    assert time.monotonic() - started >= 0.29


def test_a_key_in_the_query_never_reaches_the_error(server: Server) -> None:
    url = server.route("/news", Reply(403, "bad key"))
    with pytest.raises(FetchError) as caught:
        fetch(url, params={"apiKey": SECRET, "ticker": "NWF"})
    assert SECRET not in str(caught.value)
    assert "apiKey=***" in str(caught.value) and "ticker=NWF" in str(caught.value)
    assert server.hits("/news")[0].query["apiKey"] == SECRET  # it was sent, just not shown


def test_a_secret_value_is_redacted_wherever_it_appears(server: Server) -> None:
    redactor = Redactor()
    redactor.add_secret(SECRET)
    url = server.route("/x", Reply(302, headers={"Location": f"file:///tmp/{SECRET}"}))
    with HttpFetcher(FAST, redactor=redactor) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(url, headers={"X-Api-Key": SECRET}, secret_headers=["X-Api-Key"])
    assert SECRET not in str(caught.value)
    assert "file:///tmp/***" in str(caught.value)


def test_a_secret_header_is_not_sent_to_another_host(server: Server, other_server: Server) -> None:
    target = other_server.route("/landing", Reply(body=NOTE))
    url = server.route("/start", Reply(302, headers={"Location": target}))
    response = fetch(
        url, headers={"X-Api-Key": SECRET, "Accept": "application/json"}, secret_headers=["x-api-key"]
    )
    assert response.content.decode() == NOTE
    assert server.hits("/start")[0].headers["x-api-key"] == SECRET
    landing = other_server.hits("/landing")[0].headers
    assert "x-api-key" not in landing
    assert landing["accept"] == "application/json"
