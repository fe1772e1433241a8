"""Inbox readers: every format (plain and compressed), field mapping, each reject with its position."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from orchestration.ingestion.identity import article_id, canonical_url, content_hash
from orchestration.ingestion.readers import iter_inbox_files, read_input
from orchestration.ingestion.records import RawArticle, RejectedInput
from tests.ingestion.sample_gzip import RECORDS, SAMPLE_GZIP

SAMPLE_INBOX = Path(__file__).resolve().parents[2] / "examples" / "inbox"
BODY = "Shares of Apple Inc. AAPL fell 2.3% to $171.40 in early trading Tuesday."
COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    ".xz": lzma.compress,
    ".bz2": bz2.compress,
}


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(COMPRESSORS[path.suffix](content) if path.suffix in COMPRESSORS else content)
    return path


def read(path: Path, **limits: int) -> list[RawArticle | RejectedInput]:
    return list(read_input(path, **limits))


def only_article(path: Path) -> RawArticle:
    items = read(path)
    assert len(items) == 1 and isinstance(items[0], RawArticle), items
    return items[0]


def only_reject(path: Path, **limits: int) -> RejectedInput:
    items = read(path, **limits)
    assert len(items) == 1 and isinstance(items[0], RejectedInput), items
    return items[0]


def summary(items: list[RawArticle | RejectedInput]) -> list[tuple[str, str]]:
    """(position, body or "reject: reason") per item, in order."""
    return [
        (item.input_position, item.body if isinstance(item, RawArticle) else f"reject: {item.reason}")
        for item in items
    ]


# --- text and markdown ---


def test_plain_text_is_one_article_without_a_guessed_title(tmp_path: Path) -> None:
    path = write(tmp_path, "note.txt", f"Apple slides\n\n{BODY}\n")
    article = only_article(path)
    assert article.title is None
    assert article.body == f"Apple slides\n\n{BODY}"
    assert (article.input_file, article.input_position) == (str(path), "whole file")
    assert article.published_at is None and article.url is None


@pytest.mark.parametrize("name", ["story.txt", "story.md"])
def test_front_matter_gives_the_metadata(tmp_path: Path, name: str) -> None:
    path = write(
        tmp_path,
        name,
        "---\n"
        "title: Apple slides as EU weighs remedies\n"
        "published_at: Tue Mar 5, 2024 9:48am EST\n"
        "url: https://news.example.com/apple\n"
        "source: 'Tickerwire Newsroom'\n"
        "id: tw-1\n"
        'authors: [Dana Whitfield, "Marcus Ole"]\n'
        f"---\n{BODY}\n",
    )
    article = only_article(path)
    assert article.body == BODY
    assert article.title == "Apple slides as EU weighs remedies"
    assert article.published_at == datetime(2024, 3, 5, 14, 48, tzinfo=UTC)
    assert article.published_raw == "Tue Mar 5, 2024 9:48am EST"
    assert (article.url, article.source, article.source_id) == (
        "https://news.example.com/apple",
        "Tickerwire Newsroom",
        "tw-1",
    )
    assert article.authors == "Dana Whitfield; Marcus Ole"


def test_a_leading_rule_that_is_not_front_matter_stays_in_the_text(tmp_path: Path) -> None:
    text = f"---\nMarkets wrap, Tuesday\n---\n{BODY}"
    assert only_article(write(tmp_path, "wrap.md", text)).body == text


def test_sidecar_gives_the_metadata_of_a_text_file(tmp_path: Path) -> None:
    path = write(tmp_path, "story.txt", BODY)
    sidecar = {"headline": "Apple slides", "date": "2024-03-05 14:48:00", "link": "https://x.com/a"}
    write(tmp_path, "story.txt.meta.json", json.dumps(sidecar))
    article = only_article(path)
    assert (article.title, article.url, article.body) == ("Apple slides", "https://x.com/a", BODY)
    assert article.published_at == datetime(2024, 3, 5, 14, 48, tzinfo=UTC)


def test_a_broken_sidecar_is_reported_and_the_article_still_lands(tmp_path: Path) -> None:
    path = write(tmp_path, "story.txt", BODY)
    sidecar = write(tmp_path, "story.txt.meta.json", "{not json")
    reject, article = read(path)
    assert isinstance(reject, RejectedInput) and reject.input_file == str(sidecar)
    assert "sidecar ignored" in reject.reason
    assert isinstance(article, RawArticle) and article.body == BODY and article.title is None


# --- JSON ---


def test_json_object_is_one_article(tmp_path: Path) -> None:
    path = write(tmp_path, "one.json", json.dumps({"title": "T", "body": BODY}))
    article = only_article(path)
    assert (article.title, article.body, article.input_position) == ("T", BODY, "whole file")


def test_json_list_is_one_article_per_record_in_order(tmp_path: Path) -> None:
    records = [{"body": "first"}, "not an object", {"body": "   "}, {"body": "fourth"}]
    items = read(write(tmp_path, "list.json", json.dumps(records)))
    assert summary(items) == [
        ("record 1", "first"),
        ("record 2", "reject: not a JSON object but str"),
        ("record 3", "reject: record without body"),
        ("record 4", "fourth"),
    ]


@pytest.mark.parametrize("key", ["articles", "data", "results", "items", "Articles"])
def test_json_object_wrapping_a_list(tmp_path: Path, key: str) -> None:
    document = {"status": "ok", "total": 2, key: [{"text": "first"}, {"text": "second"}]}
    items = read(write(tmp_path, "wrapped.json", json.dumps(document)))
    assert summary(items) == [("record 1", "first"), ("record 2", "second")]


@pytest.mark.parametrize(
    ("content", "position", "reason"),
    [
        ('[{"body": "a"},\n {"body": ', "line 2", "not valid JSON"),
        ("[]", "whole file", "no records"),
        ('"just a string"', "whole file", "not a JSON object or list but str"),
    ],
)
def test_json_that_holds_no_articles_is_rejected(
    tmp_path: Path, content: str, position: str, reason: str
) -> None:
    reject = only_reject(write(tmp_path, "bad.json", content))
    assert reject.input_position == position
    assert reason in reject.reason


# --- JSON Lines ---


@pytest.mark.parametrize("name", ["feed.jsonl", "feed.ndjson"])
def test_a_malformed_line_is_rejected_and_the_good_lines_still_come(tmp_path: Path, name: str) -> None:
    lines = ['{"body": "first"}', '{"body": "cut sh', "", '["a list"]', '{"body": "fifth"}']
    items = read(write(tmp_path, name, "\n".join(lines) + "\n"))
    assert [item.input_position for item in items] == ["line 1", "line 2", "line 4", "line 5"]
    assert summary(items)[0] == ("line 1", "first")
    assert summary(items)[1][1].startswith("reject: not valid JSON: Unterminated string")
    assert summary(items)[2:] == [("line 4", "reject: not a JSON object but list"), ("line 5", "fifth")]


def test_a_line_separator_inside_a_string_does_not_split_the_line(tmp_path: Path) -> None:
    items = read(write(tmp_path, "feed.jsonl", json.dumps({"body": "a\u2028b"}, ensure_ascii=False)))
    assert summary(items) == [("line 1", "a\u2028b")]


# --- CSV ---


def test_csv_rows_are_articles_with_free_text_dates(tmp_path: Path) -> None:
    text = (
        "Date,Url,Title,Text,Extra\n"
        '"January 25, 2024 — 03:33 am EST",https://x.com/a,First,"Line one.\nLine two, with a comma."\n'
        "\n"
        "DEC 18 2023,https://x.com/b,Second,Body two.,spare,overflow\n"
    )
    first, second = read(write(tmp_path, "export.csv", text))
    assert isinstance(first, RawArticle) and isinstance(second, RawArticle)
    assert (first.input_position, first.body) == ("row 1", "Line one.\nLine two, with a comma.")
    assert first.published_at == datetime(2024, 1, 25, 8, 33, tzinfo=UTC)
    assert (second.input_position, second.title, second.url) == ("row 2", "Second", "https://x.com/b")
    assert second.published_at == datetime(2023, 12, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    "broken_row",
    ['3,"unterminated body\n4,more text\n', '3,"closed" then junk\n4,more text\n'],
)
def test_csv_broken_quote_names_the_row(tmp_path: Path, broken_row: str) -> None:
    text = "id,body\n1,first\n2,second\n" + broken_row
    items = read(write(tmp_path, "broken.csv", text))
    assert summary(items)[:2] == [("row 1", "first"), ("row 2", "second")]
    reject = items[2]
    assert isinstance(reject, RejectedInput) and reject.input_position == "row 3"
    assert "broken quoting in the row from line 4" in reject.reason
    assert len(items) == 3


def test_csv_with_only_a_header_is_rejected(tmp_path: Path) -> None:
    reject = only_reject(write(tmp_path, "empty.csv", "title,body\n"))
    assert (reject.input_position, reject.reason) == ("whole file", "no records")


def test_csv_body_larger_than_the_csv_module_default_limit(tmp_path: Path) -> None:
    body = "word " * 40_000  # 200,000 characters: over csv's default field limit of 131,072
    assert only_article(write(tmp_path, "long.csv", f'body\n"{body}"\n')).body == body.strip()


# --- HTML ---

PAGE = """<!doctype html><html><head>
<title>Ford cuts EV output | Lakeshore Daily</title>
<meta property="og:title" content="Ford cuts EV output">
<meta property="og:site_name" content="Lakeshore Daily">
<meta property="article:published_time" content="2024-03-08T13:45:00Z">
<link rel="canonical" href="https://lakeshore.example.com/ford">
<style>p { color: red }</style><script>var p = "<p>not text</p>";</script>
</head><body>
<nav><p>Home | Markets</p></nav>
<article><h1>Ford cuts EV output</h1>
<p>Ford Motor Co. (NYSE: F) shares fell 2.6%
   to $12.14 on Friday.</p>
<p>The company plans to move 700 workers &amp; cut a shift.
<p>Unclosed paragraphs end where the next begins.</p>
</article><footer><p>&copy; 2024</p></footer>
</body></html>"""


def test_html_page_gives_title_date_url_and_paragraphs(tmp_path: Path) -> None:
    article = only_article(write(tmp_path, "ford.html", PAGE))
    assert article.title == "Ford cuts EV output"
    assert article.source == "Lakeshore Daily"
    assert article.url == "https://lakeshore.example.com/ford"
    assert article.published_at == datetime(2024, 3, 8, 13, 45, tzinfo=UTC)
    assert article.body == (
        "Ford Motor Co. (NYSE: F) shares fell 2.6% to $12.14 on Friday.\n\n"
        "The company plans to move 700 workers & cut a shift.\n\n"
        "Unclosed paragraphs end where the next begins."
    )


def test_html_title_falls_back_to_the_title_tag_and_text_to_the_page(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Short note</title></head><body><div>Nvidia rose 4.1 percent.</div></body></html>"
    )
    article = only_article(write(tmp_path, "note.htm", page))
    assert (article.title, article.body, article.published_at) == (
        "Short note",
        "Nvidia rose 4.1 percent.",
        None,
    )


def test_html_without_story_text_is_a_record_without_body(tmp_path: Path) -> None:
    page = "<html><head><title>Menu</title><script>x()</script></head><body><nav>Home</nav></body></html>"
    assert only_reject(write(tmp_path, "menu.html", page)).reason == "record without body"


# --- compressed inputs ---

FORMATS = {
    "feed.jsonl": '{"body": "first"}\n{"body": "second"}\n',
    "list.json": '[{"body": "first"}, {"body": "second"}]',
    "rows.csv": "body\nfirst\nsecond\n",
}


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_compressed_inputs_read_like_plain_ones(tmp_path: Path, name: str, compression: str) -> None:
    plain = read(write(tmp_path, name, FORMATS[name]))
    packed = read(write(tmp_path, name + compression, FORMATS[name]))
    assert summary(packed) == summary(plain)
    assert [item.body for item in packed if isinstance(item, RawArticle)] == ["first", "second"]


@pytest.mark.parametrize("name", ["story.txt.gz", "page.html.bz2", "story.md.xz"])
def test_compressed_single_article_formats(tmp_path: Path, name: str) -> None:
    assert only_article(write(tmp_path, name, f"<p>{BODY}</p>" if ".html" in name else BODY)).body == BODY


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_decompression_stops_at_the_cap(tmp_path: Path, compression: str) -> None:
    path = write(tmp_path, "bomb.jsonl" + compression, '{"body": "x"}\n' * 100_000)
    assert path.stat().st_size < 10_000
    reject = only_reject(path, max_expanded_bytes=50_000)
    assert (reject.input_position, reject.reason) == ("whole file", "expands past 50,000 bytes")


def test_a_plain_file_over_the_cap_is_rejected(tmp_path: Path) -> None:
    reject = only_reject(write(tmp_path, "big.txt", "x" * 1_001), max_expanded_bytes=1_000)
    assert reject.reason == "is larger than 1,000 bytes"


@pytest.mark.parametrize("name", ["feed.jsonl.gz", "feed.jsonl.xz", "feed.jsonl.bz2"])
def test_a_corrupt_archive_is_rejected(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"this is not compressed at all")
    reject = only_reject(path)
    assert reject.input_position == "whole file" and reject.reason.startswith("cannot read")


def test_a_truncated_archive_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"body": "first"}\n' * 100)[:-20])
    assert only_reject(path).reason.startswith("cannot read .gz")


# --- field names in the wild ---


@pytest.mark.parametrize("name", ["body", "text", "maintext", "content", "article", "Body", "TEXT"])
def test_body_field_names(tmp_path: Path, name: str) -> None:
    assert only_article(write(tmp_path, "a.json", json.dumps({name: BODY}))).body == BODY


def test_description_is_the_body_only_when_there_is_no_full_text(tmp_path: Path) -> None:
    teaser = only_article(write(tmp_path, "a.json", json.dumps({"description": "teaser"})))
    full = only_article(write(tmp_path, "b.json", json.dumps({"description": "teaser", "content": BODY})))
    assert (teaser.body, full.body) == ("teaser", BODY)


@pytest.mark.parametrize(
    ("field", "value", "attribute", "expected"),
    [
        ("title", "T", "title", "T"),
        ("headline", "T", "title", "T"),
        ("url", "https://x.com/a", "url", "https://x.com/a"),
        ("link", "https://x.com/a", "url", "https://x.com/a"),
        ("article_url", "https://x.com/a", "url", "https://x.com/a"),
        ("source", "Reuters", "source", "Reuters"),
        ("publisher", {"name": "Benzinga", "id": 7}, "source", "Benzinga"),
        ("site", "finance.yahoo.com", "source", "finance.yahoo.com"),
        ("source_name", "Reuters", "source", "Reuters"),
        ("id", 42, "source_id", "42"),
        ("_id", "abc", "source_id", "abc"),
        ("uuid", "c3f1", "source_id", "c3f1"),
        ("article_id", "a-9", "source_id", "a-9"),
        ("authors", ["Ann Lee", "Bo Chen"], "authors", "Ann Lee; Bo Chen"),
        ("author", "Ann Lee", "authors", "Ann Lee"),
        ("authors", [{"name": "Ann Lee"}, {"name": "Bo Chen"}], "authors", "Ann Lee; Bo Chen"),
    ],
)
def test_metadata_field_names(
    tmp_path: Path, field: str, value: object, attribute: str, expected: str
) -> None:
    article = only_article(write(tmp_path, "a.json", json.dumps({"body": BODY, field: value})))
    assert getattr(article, attribute) == expected


@pytest.mark.parametrize(
    "field",
    ["published_at", "published", "date", "date_publish", "datetime", "publishedAt", "time", "created"],
)
def test_published_field_names(tmp_path: Path, field: str) -> None:
    article = only_article(
        write(tmp_path, "a.json", json.dumps({"body": BODY, field: "2024-03-05 14:48:00"}))
    )
    assert article.published_at == datetime(2024, 3, 5, 14, 48, tzinfo=UTC)
    assert article.published_raw == "2024-03-05 14:48:00"


def test_epoch_millis_keep_their_raw_value(tmp_path: Path) -> None:
    article = only_article(
        write(tmp_path, "a.json", json.dumps({"body": BODY, "publishedAt": 1709674200000}))
    )
    assert article.published_at == datetime(2024, 3, 5, 21, 30, tzinfo=UTC)
    assert article.published_raw == "1709674200000"


def test_an_unparseable_date_is_kept_raw(tmp_path: Path) -> None:
    article = only_article(write(tmp_path, "a.json", json.dumps({"body": BODY, "date": "last Tuesday"})))
    assert (article.published_at, article.published_raw) == (None, "last Tuesday")


# --- rejects ---


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.jsonl", b"  \n\n\t\n", "empty file"),
        ("empty.json.gz", b"", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (contains NUL bytes)"),
        ("noise.txt", bytes(range(128, 256)) * 4, "binary file (mostly non-text bytes)"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type '.docx'"),
        ("README", b"hello", "unsupported file type '(no suffix)'"),
    ],
)
def test_whole_file_rejects(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    reject = only_reject(write(tmp_path, name, content))
    assert (reject.input_file, reject.input_position, reject.reason) == (
        str(tmp_path / name),
        "whole file",
        reason,
    )


@pytest.mark.parametrize("body", ["", "   \n\t  ", None])
def test_record_without_body(tmp_path: Path, body: str | None) -> None:
    items = read(write(tmp_path, "feed.jsonl", json.dumps({"title": "T", "body": body})))
    assert summary(items) == [("line 1", "reject: record without body")]


@pytest.mark.parametrize("placeholder", ["0", "-", "0.0"])
def test_a_placeholder_without_letters_is_no_body(tmp_path: Path, placeholder: str) -> None:
    """Dumps such as FNSPID write "0" where the text is missing; it must not replace a real article."""
    items = read(write(tmp_path, "feed.jsonl", json.dumps({"title": "T", "body": placeholder})))
    ((position, outcome),) = summary(items)
    assert position == "line 1" and outcome.startswith("reject: record without body")


def test_whitespace_only_text_file_is_empty(tmp_path: Path) -> None:
    assert only_reject(write(tmp_path, "blank.txt", "  \n \n")).reason == "empty file"


def test_front_matter_without_text_is_a_record_without_body(tmp_path: Path) -> None:
    assert only_reject(write(tmp_path, "meta.md", "---\ntitle: T\n---\n\n")).reason == "record without body"


def test_body_over_the_limit_is_rejected_with_its_position(tmp_path: Path) -> None:
    lines = [json.dumps({"body": "short"}), json.dumps({"body": "x" * 101})]
    items = read(write(tmp_path, "feed.jsonl", "\n".join(lines)), max_article_chars=100)
    assert summary(items) == [
        ("line 1", "short"),
        ("line 2", "reject: body is 101 characters, over the limit of 100"),
    ]


def test_invalid_utf8_is_replaced_and_the_article_lands(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.txt", "Nestlé SA rose 1.2% in Zürich.".encode("latin-1"))
    assert only_article(path).body == "Nestl\ufffd SA rose 1.2% in Z\ufffdrich."


def test_a_utf8_byte_order_mark_is_not_text(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", "\ufefftitle,body\nT,B\n")
    article = only_article(path)
    assert (article.title, article.body) == ("T", "B")


# --- the inbox listing ---


def test_inbox_files_are_listed_recursively_and_sorted(tmp_path: Path) -> None:
    inbox = tmp_path / ".home" / "inbox"  # a hidden folder above the inbox does not hide it
    for name in ["b.txt", "a.json", "2024/03/c.jsonl.gz", "2024/a.csv", "z/y/x.html"]:
        write(inbox, name, "text")
    assert [p.relative_to(inbox).as_posix() for p in iter_inbox_files(inbox)] == [
        "2024/03/c.jsonl.gz",
        "2024/a.csv",
        "a.json",
        "b.txt",
        "z/y/x.html",
    ]


def test_inbox_listing_skips_hidden_partial_and_sidecar_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    skipped = [
        ".hidden.txt",
        ".git/config.json",
        "sub/.cache/a.txt",
        "a.txt.meta.json",
        "b.jsonl.part",
        "c.tmp",
        "d.txt~",
    ]
    for name in [*skipped, "keep.txt"]:
        write(inbox, name, "text")
    assert iter_inbox_files(inbox) == [inbox / "keep.txt"]


def test_inbox_listing_skips_links_out_of_the_inbox(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    outside = write(tmp_path, "secret/passwords.txt", "hunter2")
    inside = write(inbox, "real.txt", "text")
    (inbox / "escape.txt").symlink_to(outside)
    (inbox / "escape-dir").symlink_to(outside.parent, target_is_directory=True)
    (inbox / "alias.txt").symlink_to(inside)
    (inbox / "dangling.txt").symlink_to(inbox / "missing.txt")
    (inbox / "loop.txt").symlink_to(inbox / "loop.txt")
    assert iter_inbox_files(inbox) == [inbox / "alias.txt", inside]


def test_a_missing_inbox_has_no_files(tmp_path: Path) -> None:
    assert iter_inbox_files(tmp_path / "nowhere") == []


# --- the sample inbox ---


def sample_items() -> list[RawArticle | RejectedInput]:
    return [item for path in iter_inbox_files(SAMPLE_INBOX) for item in read_input(path)]


def test_sample_inbox_reads_to_the_expected_articles() -> None:
    items = sample_items()
    articles = [item for item in items if isinstance(item, RawArticle)]
    rejects = [item for item in items if isinstance(item, RejectedInput)]
    assert len(articles) == 12
    assert [(Path(r.input_file).name, r.input_position) for r in rejects] == [
        ("feed-2024-03-07.jsonl", "line 2")
    ]
    assert all(a.published_at and a.title and a.url and a.source for a in articles)
    days = {a.published_at.date() for a in articles if a.published_at}
    assert days == {date(2024, 3, day) for day in (5, 6, 7, 8)}


def test_sample_inbox_duplicate_is_one_article() -> None:
    articles = [item for item in sample_items() if isinstance(item, RawArticle)]
    ids = [article_id(canonical_url(a.url), content_hash(a.body)) for a in articles]
    assert len(set(ids)) == 11
    apple = [a for a in articles if "apple-app-store-remedies" in (a.url or "")]
    assert len(apple) == 2 and apple[0].url != apple[1].url and apple[0].body != apple[1].body


def test_sample_inbox_covers_every_format() -> None:
    suffixes = {"".join(path.suffixes) for path in iter_inbox_files(SAMPLE_INBOX)}
    assert suffixes == {".txt", ".json", ".jsonl", ".csv", ".html", ".jsonl.gz"}


def test_sample_gzip_matches_its_source() -> None:
    lines = gzip.decompress(SAMPLE_GZIP.read_bytes()).decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == RECORDS
