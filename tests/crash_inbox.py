"""A deterministic inbox of invented wire stories, big enough that a kill lands inside a stage."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

COMPANIES = [
    ("Apple Inc.", "AAPL"),
    ("Microsoft Corp.", "MSFT"),
    ("Ford Motor Co.", "F"),
    ("Tesla Inc.", "TSLA"),
    ("Nvidia Corp.", "NVDA"),
    ("Boeing Co.", "BA"),
    ("Intel Corp.", "INTC"),
    ("Walmart Inc.", "WMT"),
]
TEMPLATES = [
    "{name} ({symbol}) said on {weekday} it would invest ${amount} million in a new plant, "
    "according to a person familiar with the matter. {name} shares rose {pct}% to ${price} in "
    "afternoon trading.",
    "{name} is reportedly weighing a sale of its software unit, Reuters reported, citing three "
    "sources. Shares of {name} fell {pct}% to ${price} in premarket trading on {weekday}.",
    "{name} plans to cut {amount} jobs, the company said in a statement. Analysts at a large bank "
    "said the move could lift margins next year. {symbol} shares were down {pct}% at ${price}.",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def write_inbox(inbox: Path, files: int, per_file: int, first_day: datetime) -> int:
    """JSON Lines files of `per_file` stories each over five days; returns the number of stories."""
    inbox.mkdir(parents=True, exist_ok=True)
    count = 0
    for number in range(files):
        lines = []
        for position in range(per_file):
            n = number * per_file + position
            name, symbol = COMPANIES[n % len(COMPANIES)]
            published = first_day + timedelta(days=n % 5, minutes=n)
            body = TEMPLATES[n % len(TEMPLATES)].format(
                name=name,
                symbol=symbol,
                weekday=WEEKDAYS[published.weekday() % 5],
                amount=10 + n,
                pct=f"{0.1 + (n % 37) / 10:.1f}",
                price=f"{20 + (n % 400) * 0.5:.2f}",
            )
            story = {
                "id": f"crash-{n}",
                "url": f"https://wire.example.com/stories/{n}",
                "title": f"{name} update {n}",
                "published_at": published.astimezone(UTC).isoformat(),
                "body": body,
            }
            lines.append(json.dumps(story))
            count += 1
        (inbox / f"wire-{number:04d}.jsonl").write_text("\n".join(lines) + "\n")
    return count
