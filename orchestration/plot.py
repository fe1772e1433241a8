"""`tickerwire plot`: a PNG timeline of a ticker's closes with the claims and price notes about it."""

from __future__ import annotations

from pathlib import Path

import duckdb

CLOSES_SQL = "select bar_date, close from staging.stg_daily_bars where symbol = ? order by bar_date"
CLAIM_DAYS_SQL = """
select published_date, count(*) from marts.fct_claims where list_contains(tickers, ?) group by all order by 1
"""
NOTES_SQL = """
select coalesce(n.as_of, n.published_date), n.direction, coalesce(c.verdict, 'no market data')
from marts.fct_price_notes n left join marts.fct_price_note_checks c using (price_note_id)
where n.symbol = ? order by 1
"""
VERDICT_COLOURS = {"confirmed": "tab:green", "contradicted": "tab:red"}


def plot_timeline(warehouse: Path, symbol: str, out: Path) -> dict[str, int]:
    """Write the PNG; returns how many closes, claim days and notes it drew (none at all is an error)."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers; set before pyplot is imported
    import matplotlib.pyplot as plt

    with duckdb.connect(str(warehouse), read_only=True) as con:
        closes = con.execute(CLOSES_SQL, [symbol]).fetchall()
        claim_days = con.execute(CLAIM_DAYS_SQL, [symbol]).fetchall()
        notes = con.execute(NOTES_SQL, [symbol]).fetchall()
    if not (closes or claim_days or notes):
        raise LookupError(f"nothing about {symbol} in {warehouse}")
    close_on = dict(closes)
    fallback = closes[-1][1] if closes else 0.0
    figure, axes = plt.subplots(figsize=(11, 4.5))
    if closes:
        axes.plot([d for d, _ in closes], [c for _, c in closes], color="tab:blue", label="close")
    for day, count in claim_days:
        axes.axvline(day, color="tab:gray", alpha=0.4, linewidth=1 + count)
    for day, direction, verdict in notes:
        axes.scatter(
            [day],
            [close_on.get(day, fallback)],
            marker={"up": "^", "down": "v"}.get(direction, "o"),
            color=VERDICT_COLOURS.get(verdict, "tab:orange"),
            s=70,
            zorder=3,
        )
    axes.set_title(f"{symbol}: close, claims (grey lines), price notes (green confirmed, red contradicted)")
    axes.set_ylabel("close")
    figure.autofmt_xdate()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=100)
    plt.close(figure)
    return {"closes": len(closes), "claim_days": len(claim_days), "notes": len(notes)}
