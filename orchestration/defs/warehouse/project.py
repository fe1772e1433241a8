"""The dbt project, located once. Its manifest comes from `dbt parse` (make, the CLI, the tests),
never from parsing at import time."""

from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def project_changed_since(mtime: float) -> bool:
    """True when any model, macro, YAML, seed or test of the dbt project was modified after `mtime`."""
    sources = (
        p for folder in ("models", "macros", "seeds", "tests") for p in (DBT_PROJECT_DIR / folder).rglob("*")
    )
    project_files = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    return any(p.is_file() and p.stat().st_mtime > mtime for p in (*project_files, *sources))


def windowed_build_base(warehouse: Path) -> float | None:
    """The build time (mtime) of the warehouse a windowed build starts from; None when the next build is
    a full refresh from an empty file: no warehouse yet, or the dbt project changed since it was built."""
    if not warehouse.exists():
        return None
    built = warehouse.stat().st_mtime
    return None if project_changed_since(built) else built


def manifest_is_stale() -> bool:
    """True when any model, macro, YAML or seed is newer than the manifest (or it is missing)."""
    manifest = dbt_project.manifest_path
    return not manifest.exists() or project_changed_since(manifest.stat().st_mtime)


def parse_manifest() -> None:
    """`dbt parse`, once, so the definitions load from a manifest instead of parsing at import time."""
    from dbt.cli.main import dbtRunner

    args = ["parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"]
    result = dbtRunner().invoke(args)
    if not result.success:
        raise RuntimeError(f"dbt parse failed in {DBT_PROJECT_DIR}: {result.exception}")
