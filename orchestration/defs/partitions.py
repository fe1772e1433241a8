"""Daily partitions by published date: a backfill of history is a partition backfill."""

import dagster as dg

from orchestration.pipeline.landing import HISTORY_START

daily_partitions = dg.DailyPartitionsDefinition(start_date=HISTORY_START.isoformat(), end_offset=1)
