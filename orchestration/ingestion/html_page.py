"""An article web page reduced to its story: title, date, link and paragraphs, without the page chrome."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Page furniture whose text is not the story (menus, scripts, related links).
SKIPPED_TAGS = frozenset(
    {"script", "style", "nav", "noscript", "template", "header", "footer", "aside", "form", "svg"}
)
# <meta> names and properties worth keeping, by the article field they fill.
META_FIELDS = {
    "og:title": "og_title",
    "article:published_time": "published_at",
    "og:url": "url",
    "og:site_name": "source",
    "author": "authors",
    "article:author": "authors",
    "description": "description",
    "og:description": "description",
}
_WHITESPACE = re.compile(r"\s+")


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.paragraphs: list[str] = []
        self.visible: list[str] = []  # all story text, for pages that do not use <p>
        self._paragraph: list[str] | None = None
        self._in_title = False
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag in SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "meta":
            self._take_meta(attrs)
        elif tag == "link" and attrs.get("rel") == "canonical" and attrs.get("href"):
            self.meta.setdefault("canonical", attrs["href"])
        elif tag == "time" and attrs.get("datetime"):
            self.meta.setdefault("time", attrs["datetime"])
        elif tag == "p":
            self._close_paragraph()  # an unclosed <p> ends where the next one starts
            self._paragraph = []

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "title":
            self._in_title = False
        elif tag == "p":
            self._close_paragraph()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip_depth:
            self.visible.append(data)
            if self._paragraph is not None:
                self._paragraph.append(data)

    def close(self) -> None:
        super().close()
        self._close_paragraph()

    def _take_meta(self, attrs: dict[str, str | None]) -> None:
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        content = attrs.get("content")
        if key in META_FIELDS and content and content.strip():
            self.meta.setdefault(META_FIELDS[key], content.strip())

    def _close_paragraph(self) -> None:
        if self._paragraph is not None:
            text = _squeeze("".join(self._paragraph))
            if text:
                self.paragraphs.append(text)
        self._paragraph = None


def _squeeze(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def page_fields(html: str) -> dict[str, str]:
    """Article fields from a page: og:title before <title> (which often carries the site name)."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    meta = parser.meta
    fields = {
        "title": meta.get("og_title") or _squeeze("".join(parser.title_parts)),
        "published_at": meta.get("published_at") or meta.get("time"),
        "url": meta.get("canonical") or meta.get("url"),
        "source": meta.get("source"),
        "authors": meta.get("authors"),
        "description": meta.get("description"),
        "body": "\n\n".join(parser.paragraphs) or _squeeze(" ".join(parser.visible)),
    }
    return {key: value for key, value in fields.items() if value}
