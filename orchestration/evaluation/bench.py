"""Extraction speed and memory on real wire copy: `python -m orchestration.evaluation.bench [--runs N]`.

Articles/s per core is articles over the process CPU time of the timed `extract()` loop, so another
engineer's load on a shared machine slows the wall clock but not the figure. Peak memory is the
process's maximum resident set size (resource.getrusage), which includes the loaded articles."""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from itertools import islice

from orchestration.evaluation.corpus import reuters_articles
from orchestration.extraction import TickerReference, extract
from orchestration.reference import load_bundled_reference_rows

ARTICLES = 10_000


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=3, help="timed passes over the articles (median reported)"
    )
    parser.add_argument("--articles", type=int, default=ARTICLES)
    options = parser.parse_args()
    reference = TickerReference.from_rows(load_bundled_reference_rows())
    articles = list(islice(reuters_articles(), options.articles))
    characters = sum(len(article.body) for article in articles)
    rates, walls = [], []
    for _ in range(options.runs):
        cpu, wall = time.process_time(), time.perf_counter()
        for article in articles:
            extract(article.body, reference=reference, published_at=article.published_at, title=article.title)
        rates.append(len(articles) / (time.process_time() - cpu))
        walls.append(len(articles) / (time.perf_counter() - wall))
    average_chars = characters / len(articles)
    each_run = ", ".join(f"{rate:,.0f}" for rate in rates)
    rows = [
        ("articles", f"{len(articles):,} Reuters 2012-2013 (first in file), {average_chars:,.0f} chars avg"),
        ("runs", str(options.runs)),
        ("articles/s per core (CPU, median)", f"{statistics.median(rates):,.0f}  (runs: {each_run})"),
        ("articles/s (wall clock, median)", f"{statistics.median(walls):,.0f}"),
        ("peak memory (max RSS)", f"{_peak_rss_mb():,.0f} MB"),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
