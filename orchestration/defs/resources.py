"""Resources, registered once for every asset, job and sensor."""

from __future__ import annotations

import os
import shutil
import sys
from functools import cached_property
from importlib import metadata
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.defs.warehouse.project import dbt_project
from orchestration.home import Home


class TickerwireHome(dg.ConfigurableResource):
    """The home folder (inbox, lake, warehouse) a run works in."""

    home: str
    inbox: str = ""  # empty: <home>/inbox
    lake: str = ""  # a folder or an s3:// URL; empty: <home>/lake

    def paths(self) -> Home:
        return Home.at(self.home, self.inbox or None, self.lake or None).create()

    def export_environment(self) -> Home:
        """Set the variables dbt's profile and sources read (dbt inherits this process's environment)."""
        home = self.paths()
        os.environ.update(home.environment())
        return home


def dbt_executable() -> str:
    """dbt from this environment, so runs do not depend on PATH (the daemon's PATH rarely has .venv/bin)."""
    beside_python = Path(sys.executable).parent / "dbt"
    return str(beside_python) if beside_python.exists() else shutil.which("dbt") or "dbt"


class WarehouseDbt(DbtCliResource):
    """dagster-dbt's dbt resource without two steps it takes before every dbt command and this project
    does not use: `dbt --version` in a subprocess (dbt asks PyPI for its latest release there, a network
    call, and imports itself again) and a dbt adapter set up in the run's process, used only to fetch row
    counts and column metadata (the warehouse asset counts rows itself). Both are private dagster-dbt
    methods of the pinned version; tests/test_dagster_runs.py checks that a build runs dbt once."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


@dg.definitions
def resources() -> dg.Definitions:
    home = Home.resolve()
    return dg.Definitions(
        resources={
            "tickerwire": TickerwireHome(home=str(home.root), inbox=str(home.inbox), lake=home.lake.url),
            "dbt": WarehouseDbt(project_dir=dbt_project, dbt_executable=dbt_executable()),
        }
    )
