"""Amounts: money ("$9,000", "$2.5 billion", "300 million yuan"), percentages and counts with a unit."""

from __future__ import annotations

import re

from orchestration.extraction.records import Amount

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"trillion|billion|million|thousand|bln|mln|bn|tn|[mbk]"
_SYMBOLS = {
    "$": "USD",
    "US$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "C$": "CAD",
    "A$": "AUD",
    "HK$": "HKD",
}
_WORDS = {"dollars": "USD", "euros": "EUR", "pounds": "GBP", "yuan": "CNY", "yen": "JPY", "rupees": "INR"}
_CODES = ("USD", "EUR", "GBP", "CNY", "JPY", "CAD", "AUD", "HKD", "INR", "CHF")
_SCALES = {
    "trillion": 1e12, "tn": 1e12, "billion": 1e9, "bln": 1e9, "bn": 1e9, "b": 1e9,
    "million": 1e6, "mln": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3,
}  # fmt: skip
_UNITS = (
    "years?|months?|weeks?|days?|hours?|quarters?|vehicles|cars|units|deliveries|shares|employees|workers"
    "|jobs|stores|people|customers|users|subscribers|members|barrels|tons|tonnes|chips|phones|homes"
    "|locations|restaurants|plants|factories|countries|analysts|votes|contracts|orders|patients|miles"
)
# The lookahead lets the scan skip, in one step, every position that cannot start an amount (3x faster).
_AMOUNT = re.compile(
    r"(?=[\dUCAH$€£¥EGJI])"
    rf"(?:(?P<cur>US\$|C\$|A\$|HK\$|\$|€|£|¥|(?:{'|'.join(_CODES)})\s)\s?(?P<money>{_NUMBER})"
    rf"(?:\s?(?P<scale>(?i:{_SCALE}))\b)?"
    rf"|(?P<num>\d(?<![\w.,]\d)(?:\d{{0,2}}(?:,\d{{3}})+(?:\.\d+)?|\d*(?:\.\d+)?))(?:"
    rf"(?P<pct>\s?%|\s(?:percent|per cent|percentage points?)\b)"
    rf"|(?:\s?(?P<wordscale>{_SCALE})\b)?\s(?P<curword>{'|'.join(_WORDS)})\b"
    rf"|(?:\s(?P<countscale>trillion|billion|million|thousand)\b)?(?:\s(?P<unit>{_UNITS})\b)?))"
)


def _value(match: re.Match) -> float:
    number = float((match.group("money") or match.group("num")).replace(",", ""))
    scale = match.group("scale") or match.group("wordscale") or match.group("countscale")
    return number * _SCALES[scale.lower()] if scale else number


def find_amounts(text: str) -> list[Amount]:
    """Every money amount, percentage and counted quantity, in text order; bare numbers are skipped."""
    found = []
    for match in _AMOUNT.finditer(text):
        currency_mark = match.group("cur")
        if currency_mark is not None:
            mark = currency_mark.strip()
            kind, currency, unit = "money", _SYMBOLS.get(mark, mark), match.group("scale")
        elif match.group("pct"):
            kind, currency, unit = "percent", None, match.group("pct").strip().replace("per cent", "percent")
            unit = "%" if unit in ("%", "percent") else unit
        elif match.group("curword"):
            kind, currency, unit = "money", _WORDS[match.group("curword")], match.group("wordscale")
        elif match.group("unit") or match.group("countscale"):
            kind, currency, unit = "count", None, match.group("unit") or match.group("countscale")
        else:
            continue
        found.append(Amount(match.group(), kind, _value(match), currency, unit, match.start(), match.end()))
    return found
