"""Where one tickerwire installation keeps its inbox, lake, warehouse and Dagster instance."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path("~/.tickerwire")
# The daemon re-launches a failed run up to twice (transient failures); every failure is still recorded.
INSTANCE_YAML = "telemetry:\n  enabled: false\nrun_retries:\n  enabled: true\n  max_retries: 2\n"


@dataclass(frozen=True)
class Home:
    """The home folder and the fixed layout inside it."""

    root: Path
    inbox_override: Path | None = None

    @classmethod
    def resolve(
        cls, home: str | os.PathLike[str] | None = None, inbox: str | os.PathLike[str] | None = None
    ) -> Home:
        """`--home`, else $TICKERWIRE_HOME, else ~/.tickerwire; always absolute (dbt needs that).
        The inbox is `<home>/inbox` unless `--inbox` or $TICKERWIRE_INBOX names another folder."""
        chosen = home or os.environ.get("TICKERWIRE_HOME") or DEFAULT_HOME
        inbox = inbox or os.environ.get("TICKERWIRE_INBOX") or None
        return cls(_absolute(chosen), _absolute(inbox) if inbox else None)

    @property
    def inbox(self) -> Path:
        return self.inbox_override or self.root / "inbox"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def quarantine(self) -> Path:
        """Copies of inputs with rejected parts, to fix and drop in the inbox again."""
        return self.root / "quarantine"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    def environment(self) -> dict[str, str]:
        """Variables the dbt profile and sources read; dbt runs in a subprocess that inherits them."""
        return {
            "TICKERWIRE_HOME": str(self.root),
            "TICKERWIRE_INBOX": str(self.inbox),
            "TICKERWIRE_LAKE_DIR": str(self.lake),
            "TICKERWIRE_WAREHOUSE_PATH": str(self.warehouse),
            "DAGSTER_HOME": str(self.dagster_home),
            "DO_NOT_TRACK": "1",
        }

    def create(self) -> Home:
        """Make the folders, and a Dagster instance config with telemetry off (no network here)."""
        for folder in (self.inbox, self.lake, self.dagster_home):
            folder.mkdir(parents=True, exist_ok=True)
        instance_yaml = self.dagster_home / "dagster.yaml"
        if not instance_yaml.exists():
            instance_yaml.write_text(INSTANCE_YAML)
        return self


def _absolute(path: str | os.PathLike[str]) -> Path:
    return Path(path).expanduser().resolve()
