"""tickerwire: financial news to a DuckDB warehouse."""
