"""sources.toml, fetching into a home's inbox, landing what was fetched (once), and the Dagster asset."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest

from orchestration.home import Home
from orchestration.ingestion.http_fetch import FetchPolicy
from orchestration.pipeline.fetching import (
    SOURCES_ENV,
    SourcesConfigError,
    fetch_home,
    load_sources,
    sources_path,
    state_dir,
)
from orchestration.pipeline.landing import land_inbox
from tests.sources import fixtures
from tests.sources.httpserver import Reply, Request, Server

KEY_ENV = "TICKERWIRE_TEST_E2E_KEY"
SECRET = "e2e_Zp41sQ0vKt7"
# Fast limits for the tests, set in the file's [http] table as an operator would.
HTTP = """
[http]
connect_timeout = 1
read_timeout = 0.5
retries = 2
backoff = 0.05
max_backoff = 0.2
min_interval = 0
"""


def sources_toml(server: Server) -> str:
    def api(request: Request) -> Reply:
        if request.headers.get("x-api-key") != SECRET:
            return Reply(401)
        number = int(request.query.get("page", "1"))
        items = fixtures.API_PAGES[number - 1] if number <= len(fixtures.API_PAGES) else []
        return Reply(body=json.dumps({"results": items}))

    server.route("/rss", Reply(body=fixtures.RSS))
    server.route("/api/news", api)
    mapping = ", ".join(f'{key} = "{value}"' for key, value in fixtures.API_FIELDS.items())
    return f"""{HTTP}
[[feeds]]
name = "harbor"
url = "{server.url("/rss")}"

[[apis]]
name = "meridian"
url = "{server.url("/api/news")}"
params = {{ limit = 2 }}
key_env = "{KEY_ENV}"
key_header = "X-Api-Key"
items_path = "results"
pagination = "page"
max_pages = 10
fields = {{ {mapping} }}
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.delenv(SOURCES_ENV, raising=False)
    monkeypatch.setenv(KEY_ENV, SECRET)
    return Home.resolve(tmp_path / "home").create()


def landed(home: Home) -> list[dict]:
    files = sorted((Path(home.lake.root) / "landed_articles").rglob("*.parquet"))
    files = [f for f in files if f.parent.name.startswith("published_date=")]
    return [row for f in files for row in pq.read_table(f, columns=["source_id", "title"]).to_pylist()]


def test_fetched_news_lands_once(server: Server, home: Home) -> None:
    (home.root / "sources.toml").write_text(sources_toml(server))
    report = fetch_home(home)
    assert report.errors == []
    assert {s.name: (s.items, s.pages) for s in report.sources} == {"harbor": (2, 1), "meridian": (5, 4)}
    assert report.files_written == 4  # one feed fetch, three API pages with items

    first = land_inbox(home.inbox, home.lake)
    assert first.articles == 7
    ids = sorted(row["source_id"] for row in landed(home))
    assert ids == sorted(["hsw-10231", "hsw-10232", *(item["id"] for item in fixtures.API_ITEMS)])

    # Fetched again: nothing new is written, so nothing new lands.
    again = fetch_home(home)
    assert again.files_written == 0 and again.items == 0
    assert land_inbox(home.inbox, home.lake).articles == 0

    # Even with the fetch state lost, the same content makes the same files, which land nothing new.
    shutil.rmtree(state_dir(home))
    refetched = fetch_home(home)
    assert refetched.files_written == 4
    assert land_inbox(home.inbox, home.lake).articles == 0
    assert len(landed(home)) == 7
    for path in home.root.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_no_config_file_means_no_sources(home: Home) -> None:
    report = fetch_home(home)
    assert (report.config, report.sources, report.files_written) == (None, [], 0)


def test_the_sources_variable_names_another_file(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('[[feeds]]\nname = "wire"\nurl = "https://wire.example.com/rss"\nfetch_pages = true\n')
    monkeypatch.setenv(SOURCES_ENV, str(other))
    assert sources_path(home) == other
    config = load_sources(sources_path(home))
    ((feed, policy),) = config.feeds
    assert (feed.name, feed.fetch_pages, policy) == ("wire", True, FetchPolicy())


def test_http_defaults_and_per_source_overrides(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[http]\nread_timeout = 7\nmin_interval = 2\nuser_agent = "tickerwire (ops@example.com)"\n'
        '[[apis]]\nname = "a"\nurl = "https://api.example.com/news"\nread_timeout = 3\nmax_bytes = 500000\n'
    )
    ((api, policy),) = load_sources(path).apis
    assert (policy.read_timeout, policy.min_interval, policy.max_bytes) == (3.0, 2.0, 500_000)
    assert policy.user_agent == "tickerwire (ops@example.com)"
    assert api.pagination == "none"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[feeds]]\nname = "a"\nurl = "https://x.example/rss"\nfetch_page = true\n',
            "feeds[0].fetch_page: unknown",
        ),
        ('[[feeds]]\nname = "a"\n', "feeds[0].url: required"),
        ('[[feeds]]\nname = "a"\nurl = "file:///etc/passwd"\n', "feeds[0].url: only http and https"),
        ('[[feeds]]\nname = "../up"\nurl = "https://x.example/rss"\n', "feeds[0].name: '../up' must be"),
        (
            '[[apis]]\nname = "a"\nurl = "https://x.example"\npagination = "links"\n',
            "apis[0].pagination: must be one of none, next_url, page, cursor",
        ),
        (
            '[[apis]]\nname = "a"\nurl = "https://x.example"\nmax_pages = "3"\n',
            "apis[0].max_pages: must be a int",
        ),
        (
            '[[apis]]\nname = "a"\nurl = "https://x.example"\nmax_pages = 0\n',
            "apis[0].max_pages: must be at least 1",
        ),
        (
            '[[apis]]\nname = "a"\nurl = "https://x.example"\nkey_env = "sk-live-123"\nkey_param = "k"\n',
            "apis[0].key_env: must name an environment variable",
        ),
        ('[[apis]]\nname = "a"\nurl = "https://x.example"\nkey_param = "k"\n', "apis[0].key_env: name the"),
        (
            '[[apis]]\nname = "a"\nurl = "https://x.example"\nfields = { body = 3 }\n',
            "apis[0].fields.body: must",
        ),
        ("[http]\nread_timeout = -1\n", "http.read_timeout: must be at least"),
        ("[http]\nproxy = 'http://p'\n", "http.proxy: unknown setting"),
        ('[[feeds]]\nname = "a"\nurl = "https://x/1"\n[[apis]]\nname = "a"\nurl = "https://x/2"\n', "unique"),
        ("[[feeds]\n", "not readable TOML"),
        ("feeds = 3\n", "feeds: must be an array of tables"),
    ],
)
def test_a_bad_config_names_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(SourcesConfigError) as caught:
        load_sources(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_the_asset_fetches_into_the_inbox_before_landing(server: Server, home: Home) -> None:
    from orchestration.defs.ingest.assets import LANDED_KEY, inbox_landing
    from orchestration.defs.resources import TickerwireHome
    from orchestration.defs.sources.assets import FETCHED_KEY, fetched_news

    assert FETCHED_KEY in inbox_landing.asset_deps[LANDED_KEY]
    (home.root / "sources.toml").write_text(sources_toml(server))
    result = dg.materialize(
        [fetched_news], resources={"tickerwire": TickerwireHome(home=str(home.root), inbox=str(home.inbox))}
    )
    assert result.success
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == FETCHED_KEY]
    metadata = {key: value.value for key, value in event.materialization.metadata.items()}
    assert metadata["items"] == 7 and metadata["files_written"] == 4 and metadata["errors"] == []
    assert metadata["per_source"]["meridian"]["pages"] == 4
    assert len(list((home.inbox / "sources").rglob("*.jsonl"))) == 4


def test_the_asset_fails_on_a_bad_config(home: Home) -> None:
    from orchestration.defs.resources import TickerwireHome
    from orchestration.defs.sources.assets import fetched_news

    (home.root / "sources.toml").write_text('[[feeds]]\nname = "a"\nurl = "ftp://x.example/rss"\n')
    result = dg.materialize(
        [fetched_news], resources={"tickerwire": TickerwireHome(home=str(home.root))}, raise_on_error=False
    )
    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    assert "sources.toml: feeds[0].url: only http and https" in failure.step_failure_data.error.message
    assert not [event for event in result.all_events if event.event_type_value == "STEP_UP_FOR_RETRY"]
