"""A generic JSON news API (Benzinga, Polygon, NewsAPI and the like): pages of items, each item mapped
onto the article record fields the inbox readers know."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

from orchestration.ingestion.http_fetch import HttpFetcher, same_host

PAGINATION_MODES = ("none", "next_url", "page", "cursor")


class ApiError(Exception):
    """A source that cannot be asked at all (e.g. its key variable is not set)."""


@dataclass(frozen=True)
class ApiConfig:
    name: str
    url: str
    params: Mapping[str, str | int | float | bool] = field(default_factory=dict)
    key_env: str | None = None  # the NAME of the environment variable holding the key, never the key
    key_param: str | None = None  # send the key as this query parameter (e.g. "apiKey", "token")...
    key_header: str | None = None  # ...or as this header (e.g. "X-Api-Key", "Authorization")
    key_prefix: str = ""  # put before the key in the header, e.g. "Bearer "
    items_path: str = ""  # dotted path to the list of items; "" when the response is the list
    pagination: str = "none"
    next_url_path: str = "next_url"  # pagination = "next_url": where the next page's URL is
    page_param: str = "page"  # pagination = "page": the page-number parameter, stop at an empty page
    first_page: int = 1
    cursor_path: str = "next_cursor"  # pagination = "cursor": where the next cursor is...
    cursor_param: str = "cursor"  # ...and the parameter that sends it back
    max_pages: int = 5
    fields: Mapping[str, str] = field(default_factory=dict)  # article field -> dotted path in an item
    source: str | None = None  # the publisher written on items that do not name one


@dataclass
class ApiPage:
    """One response: its items mapped to records, or, when unusable, why (the raw bytes are kept)."""

    number: int
    url: str  # redacted
    raw: bytes
    records: list[dict[str, object]] | None = None
    error: str | None = None


def api_key(config: ApiConfig) -> str | None:
    """The key from the environment variable the config names; ApiError when it is named but unset."""
    if not config.key_env:
        return None
    key = os.environ.get(config.key_env, "").strip()
    if not key:
        raise ApiError(f"environment variable {config.key_env} (the API key) is not set")
    return key


def fetch_pages(config: ApiConfig, fetcher: HttpFetcher) -> Iterator[ApiPage]:
    """Each page in turn, up to max_pages; an unusable page ends the paging. HTTP failures raise FetchError.

    The key is sent only to the configured URL's host: a next_url on another host goes without it."""
    key = api_key(config)
    fetcher.redactor.add_secret(key)
    fetcher.redactor.add_param(config.key_param)
    headers: dict[str, str] = {}
    secret_headers: list[str] = []
    if key and config.key_header:
        headers[config.key_header] = f"{config.key_prefix}{key}"
        secret_headers.append(config.key_header)
    url: str | None = config.url
    params: dict[str, str | int | float | bool] = dict(config.params)
    seen_urls: set[str] = set()
    for number in range(1, config.max_pages + 1):
        if url is None:
            return
        if config.pagination == "page":
            params[config.page_param] = config.first_page + number - 1
        request_params = dict(params)
        if key and config.key_param and same_host(url, config.url):
            request_params[config.key_param] = key
        page_headers = headers if same_host(url, config.url) else {}
        response = fetcher.get(
            url, params=request_params, headers=page_headers, secret_headers=secret_headers
        )
        page = ApiPage(number, response.url, response.content)
        try:
            document = json.loads(response.content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            page.error = f"not valid JSON: {error}"
            yield page
            return
        items = dotted(document, config.items_path)
        if not isinstance(items, list):
            where = repr(config.items_path) if config.items_path else "the top level"
            page.error = f"no list of items at {where}"
            yield page
            return
        page.records = [map_item(item, config) for item in items if isinstance(item, Mapping)]
        skipped = sum(not isinstance(item, Mapping) for item in items)
        if skipped:
            page.error = f"{skipped} item(s) were not JSON objects"
        yield page
        if not items:
            return
        url, params = _next_request(config, document, url, params, seen_urls)


def _next_request(
    config: ApiConfig,
    document: object,
    url: str,
    params: dict[str, str | int | float | bool],
    seen_urls: set[str],
) -> tuple[str | None, dict[str, str | int | float | bool]]:
    seen_urls.add(url)
    if config.pagination == "next_url":
        following = dotted(document, config.next_url_path)
        if not isinstance(following, str) or not following.strip():
            return None, params
        following = urljoin(url, following.strip())
        # The next URL carries its own query (cursor, filters): only the key is added to it.
        return (None if following in seen_urls else following), {}
    if config.pagination == "page":
        return url, params
    if config.pagination == "cursor":
        cursor = dotted(document, config.cursor_path)
        if cursor in (None, "") or cursor == params.get(config.cursor_param):
            return None, params
        return url, {**params, config.cursor_param: str(cursor)}
    return None, params


def map_item(item: Mapping[str, object], config: ApiConfig) -> dict[str, object]:
    """The item with the mapped fields put under the names the readers look for first."""
    record = dict(item)
    for target, path in config.fields.items():
        value = dotted(item, path)
        if value is not None and value != "":
            record[target] = value
    if config.source and not any(record.get(name) for name in ("source", "publisher", "site")):
        record["source"] = config.source
    return record


def dotted(value: object, path: str) -> object:
    """value["a"]["b"] for "a.b" (a number indexes a list); None when any step is missing."""
    if not path:
        return value
    for step in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(step)
        elif isinstance(value, list) and step.lstrip("-").isdigit() and -len(value) <= int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value
