"""Identity: one canonical URL per page, one hash per text, one id per article."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestration.ingestion.identity import article_id, canonical_url, content_hash


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.COM/a/b", "https://news.example.com/a/b"),
        ("https://news.example.com/a/b/", "https://news.example.com/a/b"),
        ("https://news.example.com/", "https://news.example.com"),
        ("https://news.example.com/a#comments", "https://news.example.com/a"),
        ("https://news.example.com:443/a", "https://news.example.com/a"),
        ("http://news.example.com:80/a", "http://news.example.com/a"),
        ("http://news.example.com:8080/a", "http://news.example.com:8080/a"),
        ("https://news.example.com:80/a", "https://news.example.com:80/a"),
        ("https://x.com/a?utm_source=t&utm_Medium=e&fbclid=1&gclid=2", "https://x.com/a"),
        ("https://x.com/a?b=2&a=1&utm_campaign=z", "https://x.com/a?a=1&b=2"),
        ("https://x.com/a?q=", "https://x.com/a?q="),
        ("https://x.com/Path/Case", "https://x.com/Path/Case"),  # paths are case-sensitive
        ("  https://x.com/a  ", "https://x.com/a"),
        ("http://[::1]:8000/a", "http://[::1]:8000/a"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url", [None, "", "   ", "news.example.com/a", "/relative/path", "https://x.com:port/a"]
)
def test_not_a_url_has_no_canonical_form(url: str | None) -> None:
    assert canonical_url(url) is None


def test_content_hash_ignores_spacing_and_unicode_form_but_not_case() -> None:
    body = "Apple shares fell 2.3%\nto $171.40 in Zürich."
    decomposed = "  Apple shares  fell 2.3%\r\n\tto $171.40 in Zu\u0308rich.\n"
    assert content_hash(body) == content_hash(decomposed)
    assert content_hash(body) != content_hash(body.lower())
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash(body))


def test_article_id_prefers_the_url_and_falls_back_to_the_text() -> None:
    url = "https://news.example.com/a"
    first, edited = content_hash("first version"), content_hash("corrected version")
    assert article_id(url, first) == article_id(url, edited)
    assert article_id(None, first) != article_id(None, edited)
    assert article_id(url, first) != article_id(None, first)
    assert re.fullmatch(r"[0-9a-f]{16}", article_id(None, first))
    assert article_id(url, first) == article_id(url, first)


def test_article_id_is_stable_across_releases() -> None:
    """Ids are stored in the warehouse: a change here would split every article in two."""
    assert article_id("https://news.example.com/a", "0" * 64) == "2749a608f1332274"
    assert article_id(None, "0" * 64) == "bb5ae673607bbc52"


urls = st.builds(
    "{}://{}{}/{}?{}".format,
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["news.example.com", "Wire.Example.NET"]),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.text(alphabet="abc/-_", max_size=12),
    st.text(alphabet="ab=&_utm", max_size=16),
)


@given(urls)
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert once is not None and canonical_url(once) == once
