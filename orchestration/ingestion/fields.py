"""A raw record (JSON object, CSV row, front matter) mapped onto an article, whatever it calls its fields."""

from __future__ import annotations

from collections.abc import Mapping

from orchestration.ingestion.dates import parse_published
from orchestration.ingestion.records import RawArticle, RejectedInput

# Field names seen in the wild, best first; matched case-insensitively.
BODY_NAMES = ("body", "text", "maintext", "content", "article", "article_text", "full_text")
BODY_FALLBACK_NAMES = ("description", "summary")  # a teaser: used only when there is no full text
TITLE_NAMES = ("title", "headline")
PUBLISHED_NAMES = (
    "published_at",
    "published",
    "date",
    "date_publish",
    "datetime",
    "publishedat",
    "pubdate",
    "time",
    "created",
    "created_at",
)
URL_NAMES = ("url", "link", "article_url")
SOURCE_NAMES = ("source", "publisher", "site", "source_name")
ID_NAMES = ("id", "_id", "uuid", "article_id")
AUTHOR_NAMES = ("authors", "author")


def to_article(
    record: Mapping[str, object], input_file: str, position: str, max_article_chars: int
) -> RawArticle | RejectedInput:
    """An article when the record has a body within the size limit, else a reject saying which."""
    fields = {str(key).lower(): value for key, value in record.items()}
    body = _text(_first(fields, BODY_NAMES), "\n\n") or _text(_first(fields, BODY_FALLBACK_NAMES), "\n\n")
    if not body:
        return RejectedInput(input_file, position, "record without body")
    if not any(char.isalpha() for char in body):
        # dumps fill missing text with placeholders such as "0" or "-": not an article
        return RejectedInput(input_file, position, f"record without body (text is only {body[:20]!r})")
    if len(body) > max_article_chars:
        reason = f"body is {len(body):,} characters, over the limit of {max_article_chars:,}"
        return RejectedInput(input_file, position, reason)
    published = _first(fields, PUBLISHED_NAMES)
    published_raw = _text(published, " ")
    return RawArticle(
        body=body,
        input_file=input_file,
        input_position=position,
        source_id=_text(_first(fields, ID_NAMES), " "),
        title=_text(_first(fields, TITLE_NAMES), " "),
        published_at=parse_published(published if isinstance(published, int | float) else published_raw),
        published_raw=published_raw,
        source=_text(_first(fields, SOURCE_NAMES), " "),
        url=_text(_first(fields, URL_NAMES), " "),
        authors=_text(_first(fields, AUTHOR_NAMES), "; "),
    )


def _first(fields: Mapping[str, object], names: tuple[str, ...]) -> object:
    """The first of the names the record fills with something other than blank."""
    for name in names:
        value = fields.get(name)
        if _text(value, " "):
            return value
    return None


def _text(value: object, joiner: str) -> str | None:
    """A field as text: lists joined (authors by "; "), {"name": ...} objects by name, blank as None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Mapping):
        return _text(value.get("name"), joiner)
    if isinstance(value, list | tuple):
        parts = [part for part in (_text(item, joiner) for item in value) if part]
        return joiner.join(parts) or None
    text = str(value).strip()
    return text or None
