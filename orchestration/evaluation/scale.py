"""The whole pipeline at scale: `python -m orchestration.evaluation.scale [--sizes 10000,100000]`.

For each size, a corpus is generated from the real Reuters 2012-2013 articles in ../shared/data (read in
place, streamed): copies re-dated from 2024-01-01 at `--per-day` articles a day, each copy after the first
with its own URL and one number in the text changed, so neither the article id nor the content hash
collapses them. The corpus is written in gzipped JSON Lines batches into a fresh temporary home's inbox,
and the same code as `tickerwire run` lands it, extracts the landed days and builds the warehouse
(`runner.land`, `runner.pending`, `runner.build`). Each size runs in its own process, so peak memory is
that size's. Printed per size: wall time per stage, articles/s, peak RSS (the process, and its largest
child: dbt), cores busy during extraction, lake and warehouse size, the median latency (5 runs) of the
README's example queries, and nightly-style increments: `--increment` articles of one new day landed,
extracted and built on top of the base, four nights running (the first after a full build copies the
warehouse; later nights start from the file the last build replaced), the second and the fourth against
their articles on an empty home (COMPARED_NIGHTS).

Figures on a shared machine are noisy: other people's load slows the wall clock."""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path

from orchestration.evaluation.corpus import NewsArticle, reuters_articles

START_DAY = date(2024, 1, 1)
BATCH = 5_000  # articles per inbox file: the landing reads one file at a time
QUERY_RUNS = 5
README = Path(__file__).resolve().parents[2] / "README.md"
_NUMBER = re.compile(r"\b\d+\b")


def _source(start: int = 0) -> Iterator[tuple[int, NewsArticle]]:
    """(copy number, article) from the `start`-th on, for ever: the Reuters file again and again,
    streamed, bodies only. Whole copies before `start` are skipped by counting, not by reading."""
    per_copy = sum(1 for article in reuters_articles() if article.body.strip())
    if not per_copy:
        raise RuntimeError("no Reuters articles with a body")
    copy, skip = divmod(start, per_copy)
    while True:
        with_body = (article for article in reuters_articles() if article.body.strip())
        for article in islice(with_body, skip, None):
            yield copy, article
        copy, skip = copy + 1, 0


def _variant(index: int, copy: int, article: NewsArticle, day: date) -> dict[str, object]:
    """One generated article: the original re-dated to `day` (same time of day); copies after the first
    get one number in the text raised by the copy number (or, without one, a line added)."""
    body = article.body
    if copy:
        body, changed = _NUMBER.subn(lambda m: str(int(m.group()) + copy), body, count=1)
        if not changed:  # no number to vary: the text must still differ (duplicates are found by text)
            body = f"{body}\n(copy {copy})"
    moment = article.published_at or datetime(2012, 1, 1, 12, tzinfo=UTC)
    published = datetime.combine(day, moment.astimezone(UTC).time(), tzinfo=UTC)
    source_id = article.article_id.removeprefix("reuters:")
    return {
        "id": f"scale-{index}",
        "title": article.title,
        "published_at": published.isoformat(),
        "url": f"https://scale.tickerwire.invalid/{copy}/{source_id}",
        "source": "Reuters (scale copy)",
        "body": body,
    }


def generate(inbox: Path, first: int, count: int, day_of: Callable[[int], date], prefix: str) -> None:
    """Articles first..first+count-1 of the endless sequence, BATCH per file, never all in memory."""
    inbox.mkdir(parents=True, exist_ok=True)
    articles = islice(_source(first), count)
    for batch_start in range(first, first + count, BATCH):
        batch = islice(articles, BATCH)
        path = inbox / f"{prefix}-{batch_start:09d}.jsonl.gz"
        with gzip.open(path.with_suffix(".part"), "wt", encoding="utf-8", compresslevel=1) as out:
            for offset, (copy, article) in enumerate(batch):
                index = batch_start + offset
                out.write(json.dumps(_variant(index, copy, article, day_of(index))) + "\n")
        path.with_suffix(".part").rename(path)


def readme_queries(readme: Path = README) -> list[tuple[str, str]]:
    """(comment, SQL) of each example in the README's "## The warehouse" section."""
    text = readme.read_text(encoding="utf-8")
    section = text.split("\n## The warehouse", 1)[1].split("\n## ", 1)[0]
    queries = []
    for block in re.findall(r"```sql\n(.*?)```", section, re.DOTALL):
        for statement in block.split(";"):
            lines = [line for line in statement.strip().splitlines() if line.strip()]
            comments = [line.strip("- ").strip() for line in lines if line.lstrip().startswith("--")]
            sql = "\n".join(line for line in lines if not line.lstrip().startswith("--"))
            if sql.strip():
                queries.append((comments[0] if comments else sql.split("\n")[0], sql))
    return queries


def tree_usage(root: int) -> tuple[int, float]:
    """(resident bytes, CPU seconds) of a process and all its descendants now, from Linux /proc ((0, 0)
    elsewhere). CPU counts each process's own time and the time of its children already reaped, so a
    worker that exits hands its seconds on to its parent and the sum never drops."""
    parents: dict[int, list[int]] = {}
    usage: dict[int, tuple[int, float]] = {}
    page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            resident = int(Path(f"/proc/{entry}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # exited meanwhile
        parents.setdefault(int(fields[1]), []).append(int(entry))
        usage[int(entry)] = (resident * page, sum(int(f) for f in fields[11:15]) / tick)
    rss, cpu, stack = 0, 0.0, [root]
    while stack:
        pid = stack.pop()
        pid_rss, pid_cpu = usage.get(pid, (0, 0.0))
        rss, cpu = rss + pid_rss, cpu + pid_cpu
        stack.extend(parents.get(pid, []))
    return rss, cpu


class CpuSampler:
    """CPU seconds of this process and its children (extraction workers, dbt) sampled over wall time,
    to tell how many cores a stage kept busy, and their peak resident memory at any one time."""

    def __init__(self, interval: float = 0.5) -> None:
        self.samples: list[tuple[float, float]] = []
        self.peak_tree_rss = 0
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, cpu = tree_usage(os.getpid())
            self.samples.append((time.time(), cpu))
            self.peak_tree_rss = max(self.peak_tree_rss, rss)
            self._stop.wait(self._interval)

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.time(), tree_usage(os.getpid())[1]))

    def cpu_between(self, start: float, end: float) -> float:
        inside = [cpu for wall, cpu in self.samples if start <= wall <= end]
        return inside[-1] - inside[0] if len(inside) >= 2 else 0.0


def _run_seconds(job_name: str, since: float) -> list[tuple[float, float]]:
    """(start, end) of each successful run of the job in the current instance that started after `since`."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        records = instance.get_run_records(dg.RunsFilter(job_name=job_name))
    return sorted(
        (r.start_time, r.end_time)
        for r in records
        if r.start_time and r.end_time and r.start_time >= since and r.dagster_run.is_success
    )


def _warehouse_split(since: float) -> dict[str, float]:
    """The warehouse asset's own timings (copy, dbt, swap, row counts) of the last
    warehouse run after `since`, from its log line."""
    import dagster as dg

    from orchestration.defs.warehouse.assets import WAREHOUSE_SECONDS

    with dg.DagsterInstance.get() as instance:
        records = instance.get_run_records(dg.RunsFilter(job_name="warehouse_job"), limit=1)
        if not records or not records[0].start_time or records[0].start_time < since:
            return {}
        for entry in instance.all_logs(records[0].dagster_run.run_id):
            if entry.user_message.startswith(WAREHOUSE_SECONDS):
                parts = entry.user_message.removeprefix(WAREHOUSE_SECONDS).split(", ")
                return {name: float(value) for name, value in (part.rsplit(" ", 1) for part in parts)}
    return {}


def _use_home(root: Path):
    from orchestration.home import Home

    home = Home.resolve(root, root / "inbox").create()  # not $TICKERWIRE_INBOX of the previous home
    os.environ.update(home.environment())  # what `tickerwire run` does before its runs
    return home


def nightly(root: Path, sampler: CpuSampler) -> dict[str, float]:
    """`tickerwire run` on the home at `root`: land, then extract the pending days and build; timed."""
    from orchestration.defs.warehouse.copy_ahead import copying_ahead
    from orchestration.defs.warehouse.project import manifest_is_stale, parse_manifest
    from orchestration.runner import build, land, pending

    home = _use_home(root)
    if manifest_is_stale():
        parse_manifest()
    # A real night starts long after the last build's writes reached the disk; right after a full build
    # the kernel is still writing gigabytes back, which would slow this night's own writes.
    os.sync()
    cpu_start, started = _cpu_seconds(), time.time()
    with copying_ahead(home.warehouse):
        touched = land().touched_days
        cpu_landed, landed = _cpu_seconds(), time.time()
        days = sorted(set(touched) | set(pending(home.lake)))
        build(days)
    cpu_finished, finished = _cpu_seconds(), time.time()
    extracts = _run_seconds("extract_job", landed)
    (warehouse,) = _run_seconds("warehouse_job", landed)[-1:]
    extraction = sum(end - start for start, end in extracts)
    extraction_cpu = sum(sampler.cpu_between(start, end) for start, end in extracts)
    return {
        "days": len(days),
        "landing_s": landed - started,
        "build_s": finished - landed,
        "extraction_s": extraction,
        "extraction_cpu_s": extraction_cpu,
        "dbt_s": warehouse[1] - warehouse[0],
        "total_s": finished - started,
        "landing_cpu_s": cpu_landed - cpu_start,
        "build_cpu_s": cpu_finished - cpu_landed,
        "warehouse_split": _warehouse_split(landed),
    }


def _cpu_seconds() -> float:
    """User and system CPU of this process and its finished children (dbt)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _peak_mb(who: int) -> float:
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def query_latencies(warehouse: Path) -> list[tuple[str, float, int]]:
    """(question, median seconds of QUERY_RUNS runs, rows) per README example, on a read-only connection."""
    import duckdb

    results = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for question, sql in readme_queries():
            timings, rows = [], 0
            try:
                for _ in range(QUERY_RUNS):
                    started = time.perf_counter()
                    rows = len(con.execute(sql).fetchall())
                    timings.append(time.perf_counter() - started)
            except duckdb.Error as error:  # an example for a table this build does not have
                print(f"query failed: {question}: {error}", file=sys.stderr)
                timings, rows = [float("nan")], -1
            results.append((question[:70], statistics.median(timings), rows))
    return results


# The nights on the base, each `--increment` articles on the next day: the first after the full build
# (it copies the warehouse), then nights that start from the file the last build replaced. The second
# has one dense neighbour (the first night's day; the base's days hold `--per-day`); the fourth's three
# days before it are nights too, the link window (link_window_days) of a history that grows by a night's
# count every day. Both are compared with an empty home given their articles. Results are keyed
# `night<n>_on_base` and `night<n>_on_empty`.
NIGHTS = 4
COMPARED_NIGHTS = {2: "the first night's day before it", 4: "three nights' days before it"}


def measure(size: int, per_day: int, increment: int, work_dir: Path, keep: bool) -> dict[str, object]:
    """One size, start to finish, in this process (run it in a fresh one: peak RSS is per process)."""
    root = Path(tempfile.mkdtemp(prefix=f"tickerwire-scale-{size}-", dir=work_dir))
    result: dict[str, object] = {"size": size, "per_day": per_day, "increment": increment}
    try:
        base = root / "base"
        started = time.time()
        generate(base / "inbox", 0, size, lambda i: START_DAY + timedelta(days=i // per_day), "base")
        result["generate_s"] = time.time() - started
        result["input_mb"] = _size_mb(base / "inbox")
        with CpuSampler() as sampler:
            result["base"] = nightly(base, sampler)
        result["peak_rss_mb"] = _peak_mb(resource.RUSAGE_SELF)
        result["peak_rss_children_mb"] = _peak_mb(resource.RUSAGE_CHILDREN)
        result["peak_tree_rss_mb"] = sampler.peak_tree_rss / 2**20
        result["lake_mb"] = _size_mb(base / "lake")
        result["warehouse_mb"] = _size_mb(base / "warehouse.duckdb")
        result["queries"] = query_latencies(base / "warehouse.duckdb")
        if increment:
            last_day = START_DAY + timedelta(days=(size - 1) // per_day)
            for night in range(1, NIGHTS + 1):
                day = last_day + timedelta(days=night)
                first = size + (night - 1) * increment
                generate(base / "inbox", first, increment, lambda _i, day=day: day, f"night{night}")
                with CpuSampler() as sampler:
                    result[f"night{night}_on_base"] = nightly(base, sampler)
            for night in COMPARED_NIGHTS:
                inbox = root / f"empty{night}" / "inbox"
                inbox.mkdir(parents=True)
                for path in sorted((base / "inbox").glob(f"night{night}-*")):
                    shutil.copy(path, inbox / path.name)
                with CpuSampler() as sampler:
                    result[f"night{night}_on_empty"] = nightly(inbox.parent, sampler)
    finally:
        if keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return result


def _table(results: list[dict[str, object]]) -> str:
    def row(name: str, cell: Callable[[dict], str]) -> str:
        return f"| {name} | " + " | ".join(cell(r) for r in results) + " |"

    def base(key: str) -> Callable[[dict], str]:
        return lambda r: f"{r['base'][key]:,.1f}"

    lines = [
        "| articles | " + " | ".join(f"{r['size']:,}" for r in results) + " |",
        "|---|" + "---:|" * len(results),
        row("days (articles/day)", lambda r: f"{r['base']['days']:,} ({r['per_day']:,})"),
        row("input, gzipped JSONL (MB)", lambda r: f"{r['input_mb']:,.0f}"),
        row("generate (s)", lambda r: f"{r['generate_s']:,.1f}"),
        row(
            "landing (s wall / s CPU)",
            lambda r: f"{r['base']['landing_s']:,.1f} / {r['base']['landing_cpu_s']:,.1f}",
        ),
        row("extraction (s, sum of extract runs)", base("extraction_s")),
        row("dbt build (s, warehouse run)", base("dbt_s")),
        row("extraction + dbt (s CPU, incl. dbt process)", lambda r: f"{r['base']['build_cpu_s']:,.1f}"),
        row("inbox → marts (s wall)", base("total_s")),
        row("articles/s, inbox → marts", lambda r: f"{r['size'] / r['base']['total_s']:,.0f}"),
        row(
            "extraction articles/s per core (CPU)",
            lambda r: f"{r['size'] / max(r['base']['extraction_cpu_s'], 1e-9):,.0f}",
        ),
        row(
            "cores busy during extraction",
            lambda r: f"{r['base']['extraction_cpu_s'] / max(r['base']['extraction_s'], 1e-9):.2f}",
        ),
        row("peak RSS, pipeline process (MB)", lambda r: f"{r['peak_rss_mb']:,.0f}"),
        row(
            "peak RSS, largest child (ru_maxrss, incl. pages forked from us) (MB)",
            lambda r: f"{r['peak_rss_children_mb']:,.0f}",
        ),
        row(
            "peak RSS, process + children at once (MB, sampled 2/s)",
            lambda r: f"{r.get('peak_tree_rss_mb', float('nan')):,.0f}",
        ),
        row("lake (MB)", lambda r: f"{r['lake_mb']:,.0f}"),
        row("warehouse (MB)", lambda r: f"{r['warehouse_mb']:,.0f}"),
    ]
    for position, (question, _, _) in enumerate(results[0]["queries"]):
        lines.append(
            row(
                f"query: {question} (ms, median of {QUERY_RUNS})",
                lambda r, p=position: f"{r['queries'][p][1] * 1000:,.0f} ({r['queries'][p][2]:,} rows)",
            )
        )
    if all(f"night{NIGHTS}_on_base" in r for r in results):
        lines += [
            row("nightly increment (articles, one new day)", lambda r: f"{r['increment']:,}"),
            row(
                "  first night after the full build, on the base (s wall / s CPU)",
                lambda r: _total(r["night1_on_base"]),
            ),
            row(
                "    its landing / extraction / dbt; warehouse run: "
                + " / ".join(_warehouse_parts())
                + " (s)",
                lambda r: f"{_stages(r['night1_on_base'])}; {_split(r['night1_on_base'])}",
            ),
        ]
        for night in range(2, NIGHTS + 1):
            if night in COMPARED_NIGHTS:
                lines += _compared_night_rows(row, night, COMPARED_NIGHTS[night])
            else:
                lines.append(
                    row(
                        f"  night {night}, on the base (s wall / s CPU)",
                        lambda r, n=night: _total(r[f"night{n}_on_base"]),
                    )
                )
    return "\n".join(lines)


def _warehouse_parts() -> tuple[str, ...]:
    from orchestration.defs.warehouse.assets import WAREHOUSE_PARTS

    return WAREHOUSE_PARTS


def _split(run: dict) -> str:
    split = run.get("warehouse_split", {})
    return " / ".join(f"{split[part]:.1f}" if part in split else "?" for part in _warehouse_parts())


def _compared_night_rows(row: Callable, night: int, neighbours: str) -> list[str]:
    """A night on the base and its articles on an empty home: totals, ratio, stages, the warehouse run."""
    base, empty = f"night{night}_on_base", f"night{night}_on_empty"
    return [
        row(f"  night {night} ({neighbours}), on the base (s wall / s CPU)", lambda r: _total(r[base])),
        row("  on an empty home (s wall / s CPU)", lambda r: _total(r[empty])),
        row(
            f"  ratio base (night {night}) / empty",
            lambda r: f"{r[base]['total_s'] / r[empty]['total_s']:.2f}",
        ),
        row("  on the base: landing / extraction / dbt (s)", lambda r: _stages(r[base])),
        row("  on empty: landing / extraction / dbt (s)", lambda r: _stages(r[empty])),
        row(
            "  on the base, warehouse run: " + " / ".join(_warehouse_parts()) + " (s)",
            lambda r: _split(r[base]),
        ),
    ]


def _total(run: dict) -> str:
    return f"{run['total_s']:,.1f} / {run['landing_cpu_s'] + run['build_cpu_s']:,.1f}"


def _stages(run: dict) -> str:
    return f"{run['landing_s']:.1f} / {run['extraction_s']:.1f} / {run['dbt_s']:.1f}"


def default_increment(size: int) -> int:
    """One night: 1,000 new articles on a base under 100,000, else 10,000."""
    return 10_000 if size >= 100_000 else 1_000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--per-day", type=int, default=1_000, help="generated articles per published day")
    parser.add_argument("--increment", type=int, default=None, help="new articles of the nightly increment")
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--keep", action="store_true", help="keep the temporary homes")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size, print JSON
    options = parser.parse_args(argv)
    if options.one:
        increment = default_increment(options.one) if options.increment is None else options.increment
        with contextlib.redirect_stdout(sys.stderr):  # dbt and Dagster print; the JSON goes last
            result = measure(options.one, options.per_day, increment, options.work_dir, options.keep)
        print(json.dumps(result))
        return
    results = []
    for size in (int(s.replace("_", "")) for s in options.sizes.split(",") if s.strip()):
        command = [sys.executable, "-m", "orchestration.evaluation.scale", "--one", str(size)]
        command += ["--per-day", str(options.per_day), "--work-dir", str(options.work_dir)]
        command += ["--keep"] if options.keep else []
        if options.increment is not None:
            command += ["--increment", str(options.increment)]
        print(f"measuring {size:,} articles ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryFile("w+") as log:
            done = subprocess.run(command, stdout=subprocess.PIPE, stderr=log, text=True)
            if done.returncode != 0:
                log.seek(0)
                sys.exit(f"size {size} failed:\n{log.read()[-5000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(_table(results[-1:]), file=sys.stderr, flush=True)
    print(f"\nmeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores (shared: noisy)")
    print(_table(results))


if __name__ == "__main__":
    main()
