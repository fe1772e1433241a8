"""The Dagster instance's event log on SQLite, writing a range run's per-day materializations in batches.

A run over a range of days materializes each partitioned asset once per day: 6,000 events for the six
lake tables over 1,000 days. Dagster's SQLite storage writes each event in its own transactions (the run's
database, then the cross-run index), at 9-30 ms an event on these hosts, so the recording took minutes
after extraction had finished. Dagster groups such events (`DAGSTER_EVENT_BATCH_SIZE`) and hands them to
`store_event_batch`, which its PostgreSQL storage writes with one insert per table; its SQLite storage
loops over them. This class writes them the way the PostgreSQL storage does, and leaves every other event
to Dagster's SQLite storage."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster._core.events import DagsterEventType
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.schema import SqlEventLogStorageTable
from dagster._serdes import ConfigurableClassData

# Dagster's settings for runs over a range of days, read from the environment by the process that creates
# a run or writes its events; `tickerwire run` sets them unless the caller did (`make dev` and
# deploy/values.yaml set the same):
# - one "materialization planned" event per asset for a range run, not one per asset and day: over 1,000
#   days the SQLite instance otherwise spends minutes before the run starts. The cost: a failed range run
#   does not mark its days failed in the UI's partition status;
# - a step's materializations handed to `store_event_batch` in batches of 1,000 (a range run's days for
#   one asset over about three years; 7,000 SQL variables, under SQLite's default limit of 32,766).
RANGE_RUN_SETTINGS = {
    "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true",
    "DAGSTER_EVENT_BATCH_SIZE": "1000",
}


class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log; a batch of one run's materializations is written in one transaction
    per database. `base_dir` defaults to Dagster's own, `$DAGSTER_HOME/history/runs`,
    so a home's past runs stay where they were."""

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"base_dir": dg.Field(dg.StringSource, is_required=False)}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> BatchingSqliteEventLogStorage:
        base_dir = config_value.get("base_dir")
        if base_dir is None:
            if "DAGSTER_HOME" not in os.environ:
                raise dg.DagsterInvariantViolationError(
                    "BatchingSqliteEventLogStorage needs `base_dir` in its config or DAGSTER_HOME set"
                )
            base_dir = os.path.join(os.environ["DAGSTER_HOME"], "history", "runs")
        return cls(base_dir=base_dir, inst_data=inst_data)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        types = {event.get_dagster_event().event_type for event in events}
        if types != {DagsterEventType.ASSET_MATERIALIZATION} or len({event.run_id for event in events}) != 1:
            super().store_event_batch(events)
            return
        insert = self.prepare_insert_event_batch(events)
        with self.run_connection(events[0].run_id) as connection:
            connection.execute(insert)
        # mirrored in the cross-run index, where asset queries and the partition status read them
        with self.index_transaction() as connection:
            # one statement assigns the rows' ids in the order of its values
            ids = sorted(row[0] for row in connection.execute(insert.returning(SqlEventLogStorageTable.c.id)))
            self._store_asset_event_tags(connection, events, ids)
            # the asset's latest event, as Dagster's PostgreSQL storage keeps it for a batch
            self._store_asset_event(connection, events[-1], ids[-1])
