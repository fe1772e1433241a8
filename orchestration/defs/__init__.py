"""Dagster definitions, one folder per integration (ingest, extract, warehouse)."""
