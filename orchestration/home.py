"""Where one tickerwire installation keeps its inbox, lake, warehouse and Dagster instance."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from orchestration.lake import Lake

DEFAULT_HOME = Path("~/.tickerwire")
# The daemon re-launches a failed run up to twice (transient failures); every failure is still recorded.
# The event log is Dagster's SQLite one, writing a range run's materializations in batches (event_log.py).
INSTANCE_YAML = """\
telemetry:
  enabled: false
run_retries:
  enabled: true
  max_retries: 2
event_log_storage:
  module: orchestration.event_log
  class: BatchingSqliteEventLogStorage
"""


@dataclass(frozen=True)
class Home:
    """The home folder and the fixed layout inside it."""

    root: Path
    inbox_override: Path | None = None
    lake_override: str | None = None

    @classmethod
    def resolve(
        cls,
        home: str | os.PathLike[str] | None = None,
        inbox: str | os.PathLike[str] | None = None,
        lake: str | os.PathLike[str] | None = None,
    ) -> Home:
        """`--home`, else $TICKERWIRE_HOME, else ~/.tickerwire; always absolute (dbt needs that).
        The inbox is `<home>/inbox` unless `--inbox` or $TICKERWIRE_INBOX names another folder; the lake
        is `<home>/lake` unless `--lake` or $TICKERWIRE_LAKE names another folder or an s3:// URL."""
        return cls.at(
            home or os.environ.get("TICKERWIRE_HOME") or DEFAULT_HOME,
            inbox or os.environ.get("TICKERWIRE_INBOX") or None,
            lake or os.environ.get("TICKERWIRE_LAKE") or None,
        )

    @classmethod
    def at(
        cls,
        home: str | os.PathLike[str],
        inbox: str | os.PathLike[str] | None = None,
        lake: str | os.PathLike[str] | None = None,
    ) -> Home:
        """This home, with the default inbox and lake unless given (the environment is not read)."""
        lake = os.fspath(lake) if lake else None
        if lake and "://" not in lake:
            lake = str(_absolute(lake))
        return cls(_absolute(home), _absolute(inbox) if inbox else None, lake)

    @property
    def inbox(self) -> Path:
        return self.inbox_override or self.root / "inbox"

    @cached_property
    def lake(self) -> Lake:
        return Lake(self.lake_override or self.root / "lake")

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def quarantine(self) -> Path:
        """Copies of inputs with rejected parts, to fix and drop in the inbox again."""
        return self.root / "quarantine"

    @property
    def digest_cache(self) -> Path:
        """The inbox files' sha256 by stat, so landing reads only new or changed files (see landing)."""
        return self.root / "inbox-digests.json"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    def environment(self) -> dict[str, str]:
        """Variables the dbt profile and sources read; dbt runs in a subprocess that inherits them."""
        return {
            "TICKERWIRE_HOME": str(self.root),
            "TICKERWIRE_INBOX": str(self.inbox),
            "TICKERWIRE_LAKE_DIR": self.lake.url,
            "TICKERWIRE_WAREHOUSE_PATH": str(self.warehouse),
            "DAGSTER_HOME": str(self.dagster_home),
            "DO_NOT_TRACK": "1",
        }

    def create(self) -> Home:
        """Make the folders, and a Dagster instance config with telemetry off (no network here)."""
        local_lake = [Path(self.lake.root)] if self.lake.is_local else []
        for folder in (self.inbox, *local_lake, self.dagster_home):
            folder.mkdir(parents=True, exist_ok=True)
        instance_yaml = self.dagster_home / "dagster.yaml"
        if not instance_yaml.exists():
            instance_yaml.write_text(INSTANCE_YAML)
        return self


def _absolute(path: str | os.PathLike[str]) -> Path:
    return Path(path).expanduser().resolve()
