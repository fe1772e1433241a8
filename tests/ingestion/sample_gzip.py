"""The sample inbox's compressed feed, kept here as readable source: `python -m tests.ingestion.sample_gzip`
rewrites examples/inbox/wire-backfill.jsonl.gz, and a test checks the committed file still matches."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

SAMPLE_GZIP = Path(__file__).resolve().parents[2] / "examples" / "inbox" / "wire-backfill.jsonl.gz"

# Field names as a news API spells them (headline, publishedAt in epoch millis, article_url, ...).
RECORDS = [
    {
        "uuid": "c3f1a7e2-5b0d-4c61-9a8e-1f2d3c4b5a60",
        "headline": "Meta rises premarket on reported ad pricing gains",
        "publishedAt": 1709899800000,
        "article_url": "https://daybreak.example.io/news/meta-ad-pricing",
        "source_name": "Daybreak Markets",
        "author": "Ines Kowalski",
        "content": (
            "Meta Platforms Inc. META rose 3.2% to $505.95 in premarket trading Friday after a report that "
            "average ad prices on Instagram climbed for a fourth straight month.\n\n"
            "Ad prices rose about 11% year on year in February, according to data from the ad-buying firm "
            "Quillon Media cited by Bloomberg. Meta did not respond to a request for comment.\n\n"
            "The Menlo Park, California-based company plans to spend between $30 billion and $37 billion on "
            'capital projects this year, much of it on AI servers. "The ad machine is paying for the AI '
            'build-out," said Farah Siddiqui, a portfolio manager at Tidewell Asset Management in Boston.'
        ),
    },
    {
        "uuid": "7d9e0b14-2a3c-4f58-b6d7-8e9f0a1b2c3d",
        "headline": "Exxon edges higher as Guyana output outlook improves",
        "publishedAt": 1709911800000,
        "article_url": "https://daybreak.example.io/news/exxon-guyana-outlook",
        "source_name": "Daybreak Markets",
        "author": ["Ines Kowalski", "Ben Okafor"],
        "content": (
            "Exxon Mobil Corp. XOM rose 0.9% to $110.45 in late-morning trading Friday after the company "
            "told analysts it expects its Guyana projects to pump about 1.3 million barrels a day "
            "by 2027.\n\n"
            "The Irving, Texas-based oil major is reportedly close to approving a seventh development off "
            "Guyana, worth about $12.7 billion, people familiar with the matter told Reuters.\n\n"
            "Chevron Corp. CVX shares were little changed at $152.80. Brent crude slipped 0.4% to $82.60 a "
            "barrel."
        ),
    },
    {
        # The Apple story again, updated after the close: the URL differs only by tracking and a trailing
        # slash, so it is the same article.
        "uuid": "tw-20240305-aapl",
        "headline": "Apple ends lower as EU weighs new App Store remedies",
        "publishedAt": 1709674200000,
        "article_url": "https://NEWS.example.com/2024/03/05/apple-app-store-remedies/?utm_source=x#latest",
        "source_name": "Tickerwire Newsroom",
        "author": ["Dana Whitfield", "Marcus Ole"],
        "content": (
            "Shares of Apple Inc. AAPL closed 2.8% lower at $170.12 on Tuesday after European regulators "
            "signalled they could order further changes to how the company runs its App Store.\n\n"
            "The European Commission is preparing a second set of remedies that would let developers steer "
            "users to cheaper payment options outside the store, according to people familiar with the "
            "matter.\n\n"
            "Apple plans to appeal any new order, a spokeswoman for the Cupertino, California-based company "
            "said. (Updates with closing share price.)"
        ),
    },
]


def sample_gzip_bytes() -> bytes:
    """The compressed feed, byte for byte the same on every run (no timestamp in the gzip header)."""
    lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in RECORDS)
    return gzip.compress(lines.encode("utf-8"), mtime=0)


if __name__ == "__main__":
    SAMPLE_GZIP.write_bytes(sample_gzip_bytes())
    print(f"wrote {SAMPLE_GZIP}")
