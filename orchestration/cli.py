"""`tickerwire`: run the pipeline, extract from files, and query the warehouse."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from orchestration.home import Home

EXAMPLE_QUERY = "select symbol, direction, change_pct, price, session, as_of_text from marts.fct_price_notes"
SUMMARY_SQL = """
select
    (select count(*) from marts.dim_articles) as articles,
    (select count(*) from marts.fct_ticker_mentions) as mentions,
    (select count(*) from marts.fct_price_notes) as price_notes,
    (select count(*) from marts.fct_claims) as claims,
    (select count(*) from marts.fct_claim_price_links) as links,
    (select count(*) from audit.rejected_inputs) as rejects
"""


MAX_REJECTS_SHOWN = 10


class CliError(Exception):
    """An error the user can act on; printed without a traceback."""


def _prepare(home: Home) -> None:
    """Point Dagster and dbt at the home folder, and make sure dbt's manifest is current."""
    home.create()
    os.environ.update(home.environment())
    from orchestration.defs.warehouse.project import manifest_is_stale, parse_manifest

    if manifest_is_stale():
        parse_manifest()


def _stage(console, label: str, work: Callable[[], object], log: Path) -> object:
    """Run one step behind a spinner; dbt's console output goes to the run log, not the terminal."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    started = time.perf_counter()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        progress.add_task(label, total=None)
        with open(log, "a", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
            outcome = work()
    console.print(f"[green]✓[/green] {label} [dim]({time.perf_counter() - started:.1f}s)[/dim]")
    return outcome


def _warehouse_is_current(home: Home) -> bool:
    """False when the lake (e.g. after a build that failed) or the dbt models changed after the
    warehouse was last swapped in."""
    from orchestration.defs.warehouse.project import dbt_project

    if not home.warehouse.exists():
        return False
    built = home.warehouse.stat().st_mtime
    reference = home.lake.table_dir("ticker_reference") + "/"
    changed = [p for p in home.lake.files_written_after(built) if not p.startswith(reference)]
    return not changed and dbt_project.manifest_path.stat().st_mtime <= built


def _report_landing(console, home: Home, landed) -> None:
    """The landing's counts, and each reject with its file, position and reason: the user can act on it."""
    from orchestration.pipeline.landing import rejects_of_run

    if not any(landed.counts.values()):
        return
    console.print(
        "  " + ", ".join(f"{outcome} [bold]{count}[/bold]" for outcome, count in landed.counts.items())
    )
    rejects = rejects_of_run(home.lake, landed.run_id) if landed.counts["rejected"] else []
    for reject in rejects[:MAX_REJECTS_SHOWN]:
        console.print(
            f"  [red]rejected[/red] {reject['input_file']} {reject['input_position']}: {reject['detail']}"
        )
    if len(rejects) > MAX_REJECTS_SHOWN:
        console.print(f"  … and {len(rejects) - MAX_REJECTS_SHOWN} more: see audit.rejected_inputs")
    if rejects:
        console.print(
            f"  fix the file (files with rejects are copied to {home.quarantine}) and drop it in the inbox "
            "again: what was already landed counts as duplicate, the fixed items land"
        )


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console(stderr=True)
    home = Home.resolve(args.home, args.inbox, args.lake)
    if not home.inbox.is_dir():
        raise CliError(f"inbox {home.inbox} does not exist: create it or pass --inbox DIR")
    _prepare(home)
    if args.lake:  # the runs' definitions resolve the home from the environment
        os.environ["TICKERWIRE_LAKE"] = home.lake.url
    from orchestration.defs.warehouse.copy_ahead import copying_ahead
    from orchestration.runner import Landed, RunFailed, build, land, pending

    log = home.root / "logs" / f"run-{time.strftime('%Y%m%dT%H%M%S')}.log"
    log.parent.mkdir(exist_ok=True)
    console.print(f"tickerwire home [bold]{home.root}[/bold], inbox {home.inbox}")
    try:
        with copying_ahead(home.warehouse):
            landed: Landed = _stage(console, "Landing new inbox files", land, log)
            _report_landing(console, home, landed)
            days = sorted(set(landed.touched_days) | set(pending(home.lake)))
            if days or not _warehouse_is_current(home):
                label = f"Extracting {len(days)} day(s) and building the warehouse with dbt"
                if not days:
                    label = "Rebuilding the warehouse with dbt (the models or the lake changed)"
                _stage(console, label, lambda: build(days), log)
            else:
                console.print("Nothing new in the inbox: the warehouse is unchanged.")
    except RunFailed as failure:
        raise CliError(f"{failure}\nfull log: {log}; the previous warehouse is still in place") from failure
    import duckdb

    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        cursor = con.execute(SUMMARY_SQL)
        summary = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
    console.print("  ".join(f"{name} [bold]{count}[/bold]" for name, count in summary.items()))
    console.print(f"warehouse: {home.warehouse}")
    console.print(f'try: tickerwire query --home {home.root} "{EXAMPLE_QUERY}"')
    return 0


def extract_files(args: argparse.Namespace) -> int:
    from orchestration.extraction import TickerReference, extract
    from orchestration.ingestion.identity import article_id, canonical_url, content_hash
    from orchestration.ingestion.readers import read_input
    from orchestration.ingestion.records import RejectedInput
    from orchestration.reference import load_bundled_reference_rows

    reference = TickerReference.from_rows(load_bundled_reference_rows())
    rejected = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise CliError(f"{name}: no such file")
        for item in read_input(path):
            if isinstance(item, RejectedInput):
                rejected += 1
                print(f"tickerwire: {item.input_file} {item.input_position}: {item.reason}", file=sys.stderr)
                continue
            result = extract(item.body, reference=reference, published_at=item.published_at, title=item.title)
            url = canonical_url(item.url) if item.url else None
            record = {
                "id": item.source_id or article_id(url, content_hash(item.body)),
                "title": item.title,
                "published_at": item.published_at.isoformat() if item.published_at else None,
                "source": item.source,
                "url": item.url,
                **result.to_json(),
            }
            print(json.dumps(record, ensure_ascii=False))
    return 1 if rejected else 0


def _csv_value(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def query(args: argparse.Namespace) -> int:
    import duckdb

    home = Home.resolve(args.home)
    if not home.warehouse.exists():
        raise CliError(f"no warehouse at {home.warehouse}: run `tickerwire run --home {home.root}` first")
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        try:
            cursor = con.execute(args.sql)
        except duckdb.Error as error:
            raise CliError(f"query failed: {error}") from error
        columns = [d[0] for d in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if columns else []
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_csv_value(v) for v in row] for row in rows)
    elif args.format == "json":
        print(json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str, indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        Console().print(table)
    return 0


def plot(args: argparse.Namespace) -> int:
    from orchestration.plot import plot_timeline

    home = Home.resolve(args.home)
    if not home.warehouse.exists():
        raise CliError(f"no warehouse at {home.warehouse}: run `tickerwire run --home {home.root}` first")
    try:
        drawn = plot_timeline(home.warehouse, args.ticker.upper(), Path(args.out))
    except LookupError as error:
        raise CliError(str(error)) from error
    print(f"{args.out}: " + ", ".join(f"{count} {name}" for name, count in drawn.items()), file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tickerwire", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    home_help = "home folder (default $TICKERWIRE_HOME or ~/.tickerwire)"

    run_parser = commands.add_parser("run", help="ingest the inbox, extract, build the warehouse")
    run_parser.add_argument("--home", help=home_help)
    run_parser.add_argument("--inbox", help="inbox folder (default <home>/inbox)")
    lake_help = "lake folder or s3:// URL (default $TICKERWIRE_LAKE or <home>/lake)"
    run_parser.add_argument("--lake", help=lake_help)
    run_parser.set_defaults(handler=run)

    extract_parser = commands.add_parser("extract", help="print extractions as JSON Lines")
    extract_parser.add_argument("files", nargs="+", metavar="FILE")
    extract_parser.set_defaults(handler=extract_files)

    query_parser = commands.add_parser("query", help="read-only SQL on the warehouse")
    query_parser.add_argument("--home", help=home_help)
    query_parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query_parser.add_argument("sql")
    query_parser.set_defaults(handler=query)

    plot_parser = commands.add_parser("plot", help="PNG timeline of a ticker: closes, claims, price notes")
    plot_parser.add_argument("ticker")
    plot_parser.add_argument("--home", help=home_help)
    plot_parser.add_argument("--out", required=True, help="PNG file to write")
    plot_parser.set_defaults(handler=plot)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except CliError as error:
        print(f"tickerwire: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
