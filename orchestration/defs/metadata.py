"""Metadata the Dagster UI shows for a Parquet table: row count, column schema and a preview."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
import pyarrow as pa

PREVIEW_ROWS = 5
PREVIEW_CELL_CHARS = 60


def column_schema(schema: pa.Schema) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(field.name, str(field.type)) for field in schema])


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= PREVIEW_CELL_CHARS else text[: PREVIEW_CELL_CHARS - 1] + "…"


def preview(rows: Sequence[dict], schema: pa.Schema) -> dg.MarkdownMetadataValue:
    names = schema.names
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(_cell(row.get(name)) for name in names) + " |" for row in rows[:PREVIEW_ROWS]]
    return dg.MetadataValue.md("\n".join(lines))


def table_metadata(row_count: int, schema: pa.Schema, sample: Sequence[dict]) -> dict[str, object]:
    return {
        "dagster/row_count": row_count,
        "dagster/column_schema": column_schema(schema),
        "preview": preview(sample, schema),
    }
