"""A small, careful HTTP GET for feeds and news APIs: http(s) only, checked redirects, capped bodies,
timeouts, retries with backoff, a per-host rate limit, and secrets kept out of every message."""

from __future__ import annotations

import email.utils
import logging
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# Query parameters that carry credentials in common news APIs; their values never reach a message.
SECRET_PARAMS = frozenset(
    {"apikey", "api_key", "api-key", "key", "token", "access_token", "auth", "password", "secret", "sig"}
)
REDACTED = "***"
_LOCATION = "x-tickerwire-location"
DEFAULT_USER_AGENT = "tickerwire/0.1 (news ETL; +https://github.com/tickerwire)"


class FetchError(Exception):
    """A GET that did not give a usable response; the message names the (redacted) URL and the reason."""

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one source's requests; sources.toml's [http] table and each source can set them."""

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 3  # attempts after the first, on timeouts, connection errors, 429 and 5xx
    backoff: float = 1.0  # seconds before the first retry, doubling each time
    max_backoff: float = 30.0
    max_retry_after: float = 60.0  # a server's Retry-After is honoured up to this many seconds
    min_interval: float = 1.0  # seconds between two requests to the same host
    user_agent: str = DEFAULT_USER_AGENT


@dataclass(frozen=True)
class Response:
    url: str  # the final URL, after redirects (redacted)
    status: int
    headers: Mapping[str, str]  # lower-case names
    content: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class HostThrottle:
    """The time of the last request to each host, shared by every fetcher of one run."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, interval: float) -> None:
        with self._lock:
            now = time.monotonic()
            due = self._last.get(host, float("-inf")) + interval
            start = max(now, due)
            self._last[host] = start
        if start > now:
            time.sleep(start - now)


@dataclass
class Redactor:
    """Replaces secret values, and the values of credential query parameters, in any text."""

    secrets: set[str] = field(default_factory=set)
    params: set[str] = field(default_factory=lambda: set(SECRET_PARAMS))

    def add_secret(self, value: str | None) -> None:
        if value:
            self.secrets.add(value)

    def add_param(self, name: str | None) -> None:
        if name:
            self.params.add(name.lower())

    def url(self, url: str) -> str:
        try:
            parts = urlsplit(url)
        except ValueError:
            return self.text(url)
        if parts.query:
            pairs = [
                (name, REDACTED if name.lower() in self.params else value)
                for name, value in parse_qsl(parts.query, keep_blank_values=True)
            ]
            parts = parts._replace(query=urlencode(pairs, safe="*/:,"))
        if parts.password:
            port = f":{parts.port}" if parts.port else ""
            parts = parts._replace(netloc=f"{parts.username}:{REDACTED}@{parts.hostname}{port}")
        return self.text(urlunsplit(parts))

    def text(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text


def check_url(url: str) -> str:
    """The URL when it is absolute http(s) with a host; otherwise ValueError with the reason."""
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise ValueError(f"not a URL ({error})") from error
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise ValueError(f"only http and https URLs are fetched, not {scheme or 'a relative URL'!r}")
    if not parts.hostname:
        raise ValueError("URL without a host")
    return url


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """A Retry-After header as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _Retryable(Exception):
    def __init__(self, reason: str, wait: float | None = None, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait
        self.status = status


class HttpFetcher:
    """GETs under one policy. Use as a context manager, or call close()."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        throttle: HostThrottle | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self.throttle = throttle or HostThrottle()
        self.redactor = redactor or Redactor()
        self.requests = 0  # every request sent, retries and redirect hops included
        timeout = httpx.Timeout(
            connect=self.policy.connect_timeout,
            read=self.policy.read_timeout,
            write=self.policy.read_timeout,
            pool=self.policy.connect_timeout,
        )
        # No proxies or .netrc from the environment, and every redirect is followed (and checked) here.
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": self.policy.user_agent},
            event_hooks={"response": [_disarm_redirect]},
        )

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int | float] | None = None,
        headers: Mapping[str, str] | None = None,
        secret_headers: Iterable[str] = (),
    ) -> Response:
        """The response to GET url (200-299, or 304 to a conditional request), or FetchError.

        Headers named in secret_headers go to the first URL's host only, never to a host a redirect names."""
        if params:
            url = _with_params(url, params)
        shown = self.redactor.url(url)
        try:
            check_url(url)
        except ValueError as error:
            raise FetchError(shown, str(error)) from None
        attempts = self.policy.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._follow(url, dict(headers or {}), {name.lower() for name in secret_headers})
            except _Retryable as retryable:
                if attempt == attempts:
                    reason = f"{retryable.reason} (gave up after {attempts} attempts)"
                    raise FetchError(shown, reason, status=retryable.status) from None
                wait = min(self.policy.backoff * 2 ** (attempt - 1), self.policy.max_backoff)
                if retryable.wait is not None:
                    wait = max(wait, min(retryable.wait, self.policy.max_retry_after))
                log.info("retrying %s in %.2fs: %s", shown, wait, retryable.reason)
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _follow(self, url: str, headers: dict[str, str], secret_headers: set[str]) -> Response:
        """One attempt: the request and its redirects, each hop's URL checked before it is fetched."""
        first_host = _host_key(url)
        for _hop in range(self.policy.max_redirects + 1):
            hop_headers = headers
            if _host_key(url) != first_host:
                hop_headers = {k: v for k, v in headers.items() if k.lower() not in secret_headers}
            status, response_headers, content = self._request(url, hop_headers)
            if status not in REDIRECT_STATUSES:
                return self._finish(url, status, response_headers, content)
            location = response_headers.get("location")
            if not location:
                raise FetchError(self.redactor.url(url), f"HTTP {status} redirect without a Location")
            target = urljoin(url, location)
            try:
                check_url(target)
            except ValueError as error:
                shown = self.redactor.url(url)
                raise FetchError(
                    shown, f"redirect to {self.redactor.url(target)!r} refused: {error}"
                ) from None
            url = target
        raise FetchError(self.redactor.url(url), f"more than {self.policy.max_redirects} redirects")

    def _finish(self, url: str, status: int, headers: dict[str, str], content: bytes) -> Response:
        shown = self.redactor.url(url)
        if 200 <= status < 300 or status == 304:
            return Response(shown, status, headers, content)
        if status in RETRY_STATUSES or 500 <= status < 600:
            raise _Retryable(f"HTTP {status}", retry_after_seconds(headers.get("retry-after")), status)
        raise FetchError(shown, f"HTTP {status}", status=status)

    def _request(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """One request: status, headers and a body of at most max_bytes (decoded), or an error."""
        self.throttle.wait(_host_key(url), self.policy.min_interval)
        self.requests += 1
        limit = self.policy.max_bytes
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                response_headers = {name.lower(): value for name, value in response.headers.items()}
                if _LOCATION in response_headers:
                    response_headers["location"] = response_headers.pop(_LOCATION)
                status = response.status_code
                if not 200 <= status < 300:
                    return status, response_headers, b""  # a redirect or an error: its body is not used
                declared = response_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchError(
                        self.redactor.url(url),
                        f"response of {int(declared):,} bytes is over the limit of {limit:,} bytes",
                    )
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise FetchError(
                            self.redactor.url(url), f"response is over the limit of {limit:,} bytes; aborted"
                        )
                return status, response_headers, bytes(body)
        except httpx.TimeoutException as error:
            raise _Retryable(f"timed out ({type(error).__name__})") from None
        except httpx.TransportError as error:  # connection refused or reset, broken protocol
            raise _Retryable(f"{type(error).__name__}: {self.redactor.text(str(error))}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as error:  # not retried: a bad encoding, a bad URL
            raise FetchError(
                self.redactor.url(url), f"{type(error).__name__}: {self.redactor.text(str(error))}"
            ) from None


def _disarm_redirect(response: httpx.Response) -> None:
    """Hide Location from httpx, which would otherwise parse it (and can choke on a hostile one) before
    handing the redirect back: every hop is checked and followed by HttpFetcher itself."""
    if "location" in response.headers:
        response.headers[_LOCATION] = response.headers["location"]
        del response.headers["location"]


def same_host(url: str, other: str) -> bool:
    """Both URLs reach the same scheme, host and port (where a credential may be sent)."""
    return _host_key(url) == _host_key(other)


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


def _with_params(url: str, params: Mapping[str, str | int | float]) -> str:
    """The URL with params added (replacing any of the same name it already has)."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    added = [(k, str(v).lower() if isinstance(v, bool) else str(v)) for k, v in params.items()]
    return urlunsplit(parts._replace(query=urlencode(kept + added)))
