"""Package data: the bundled ticker reference (tickers.csv)."""
