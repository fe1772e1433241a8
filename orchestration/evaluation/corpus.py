"""Reading the shared news corpora in place, and the fixed random sample the gold file annotates."""

from __future__ import annotations

import gzip
import json
import lzma
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from orchestration.ingestion.dates import parse_published

SHARED_DATA = Path(
    os.environ.get("TICKERWIRE_SHARED_DATA", Path(__file__).parents[2] / ".." / "shared" / "data")
)
REUTERS = SHARED_DATA / "news" / "reuters_2012_2013.jsonl.gz"
YAHOO = [SHARED_DATA / "news" / "yahoo" / f"{year}_processed.json.xz" for year in (2017, 2018, 2019)]
# The gold sample: 50 Reuters and 30 Yahoo articles drawn with this seed (`sample_articles`).
SAMPLE_SEED = 20120103
SAMPLE_SIZES = {"reuters": 50, "yahoo": 30}
# Random articles hold few price notes, so a second sample draws, with the same seed, 30 Reuters articles
# whose lead has a sentence with "shares" and a percentage: the price-note gold (`gold/price_notes.jsonl`).
SHARE_MOVE = re.compile(r"\b[Ss]hares\b[^.\n]{0,120}\d(?: percent|%)")
SHARE_MOVE_SAMPLE_SIZE = 30
# Annotation covers each article's lead: the text up to the last paragraph break within this many characters.
LEAD_CHARS = 1200


@dataclass(frozen=True, slots=True)
class NewsArticle:
    article_id: str  # "reuters:<id>" or "yahoo:<year>:<position in the file>"
    title: str
    body: str
    published_at: datetime | None
    tagged_symbols: frozenset[str] | None  # Yahoo's model-made `mentioned_companies`; None for Reuters


def reuters_articles() -> Iterator[NewsArticle]:
    with gzip.open(REUTERS, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            yield NewsArticle(
                f"reuters:{row['id']}",
                row["title"] or "",
                row["body"] or "",
                parse_published(row["published"]),
                None,
            )


def yahoo_articles() -> Iterator[NewsArticle]:
    for path in YAHOO:
        year = path.name[:4]
        with lzma.open(path, "rt", encoding="utf-8") as file:
            rows = json.load(file)
        for position, row in enumerate(rows):
            tagged = row.get("mentioned_companies") or []
            if isinstance(tagged, str):
                tagged = [
                    symbol.strip(" '\"") for symbol in tagged.strip("[]").split(",") if symbol.strip(" '\"")
                ]
            yield NewsArticle(
                f"yahoo:{year}:{position}",
                row.get("title") or "",
                row.get("maintext") or "",
                parse_published(row.get("date_publish")),
                frozenset(tagged),
            )


def lead(body: str) -> str:
    """The annotated part of an article: whole paragraphs (else sentences) within `LEAD_CHARS`."""
    if len(body) <= LEAD_CHARS:
        return body
    head = body[:LEAD_CHARS]
    cut = head.rfind("\n")
    if cut < LEAD_CHARS // 2:
        cut = head.rfind(". ") + 1
    return head[:cut] if cut > 0 else head


def sample_articles() -> list[NewsArticle]:
    """The gold sample, in a fixed order: a seeded draw without replacement from each corpus."""
    rng = random.Random(SAMPLE_SEED)
    sample = []
    for name, articles in (("reuters", reuters_articles), ("yahoo", yahoo_articles)):
        pool = [article for article in articles() if article.body.strip()]
        sample += rng.sample(pool, SAMPLE_SIZES[name])
    return sample


def share_move_sample() -> list[NewsArticle]:
    """The price-note gold sample: a seeded draw from Reuters articles whose lead mentions a share move."""
    pool = [article for article in reuters_articles() if SHARE_MOVE.search(lead(article.body))]
    return random.Random(SAMPLE_SEED).sample(pool, SHARE_MOVE_SAMPLE_SIZE)
