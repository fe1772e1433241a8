"""The bundled ticker reference: read from package data, so the library itself never touches files."""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources

REFERENCE_PACKAGE = "orchestration.reference_data"
REFERENCE_FILE = "tickers.csv"


def _optional_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def load_bundled_reference_rows() -> list[dict]:
    """Rows shaped like the `ticker_reference` lake table: aliases as a list, validity as dates."""
    text = resources.files(REFERENCE_PACKAGE).joinpath(REFERENCE_FILE).read_text(encoding="utf-8")
    return [
        {
            "company_key": row["company_key"],
            "symbol": row["symbol"],
            "name": row["name"],
            "aliases": [alias for alias in row["aliases"].split("|") if alias],
            "exchange": row["exchange"] or None,
            "asset_type": row["asset_type"],
            "valid_from": _optional_date(row["valid_from"]),
            "valid_to": _optional_date(row["valid_to"]),
        }
        for row in csv.DictReader(io.StringIO(text))
    ]
