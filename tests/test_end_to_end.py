"""The product end to end: `tickerwire run` over the sample inbox plus the canonical article,
real Dagster runs recorded in the home's instance, a real dbt build, queries through the CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE_INBOX, SEED_ARTICLE, shared_data

TICKERWIRE = [sys.executable, "-m", "orchestration.cli"]


def tickerwire(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    result = subprocess.run(
        [*TICKERWIRE, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(f"tickerwire {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def query(home: Path, sql: str) -> list[dict[str, str]]:
    out = tickerwire("query", "--home", str(home), "--format", "csv", sql).stdout
    return list(csv.DictReader(io.StringIO(out)))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shared_data("seed/tesla_china_data_center.txt")
    home = tmp_path_factory.mktemp("home")
    inbox = home / "inbox"
    shutil.copytree(SAMPLE_INBOX, inbox)
    shutil.copy(SEED_ARTICLE, inbox / SEED_ARTICLE.name)
    result = tickerwire("run", "--home", str(home))
    assert "warehouse:" in result.stderr
    (home / "first-run.txt").write_text(result.stderr)
    return home


SEED = "(select article_id from marts.dim_articles where input_file like '%tesla_china_data_center.txt')"


def test_seed_article_tickers(home: Path) -> None:
    rows = query(
        home,
        f"select symbol, bool_or(is_primary) as primary_subject from marts.fct_ticker_mentions "
        f"where article_id in {SEED} group by symbol order by symbol",
    )
    assert {row["symbol"]: row["primary_subject"] for row in rows} == {
        "FDIS": "false",
        "NVDA": "false",
        "TSLA": "true",
        "XLY": "false",
    }
    texts = query(
        home, f"select mention_text, symbol from marts.fct_ticker_mentions where article_id in {SEED}"
    )
    assert {"Tesla": "TSLA", "Nvidia Corp": "NVDA"}.items() <= {
        r["mention_text"]: r["symbol"] for r in texts
    }.items()


def test_seed_article_price_notes(home: Path) -> None:
    rows = query(
        home,
        f"select direction, change_pct, change_qualifier, price, session, period, as_of_text "
        f"from marts.fct_price_notes where article_id in {SEED} and symbol = 'TSLA' order by price",
    )
    assert len(rows) == 2
    premarket, yearly = rows
    assert (premarket["direction"], float(premarket["change_pct"]), float(premarket["price"])) == (
        "down",
        0.10,
        174.66,
    )
    assert premarket["session"] == "premarket" and premarket["as_of_text"] == "Friday"
    assert (yearly["direction"], float(yearly["change_pct"]), yearly["price"]) == ("up", 0.5, "")
    assert yearly["change_qualifier"] == "more than" and yearly["period"] == "the last 12 months"


def test_seed_article_claims_amounts_and_links(home: Path) -> None:
    claims = query(
        home, f"select claim_text, attributed_source, hedges from marts.fct_claims where article_id in {SEED}"
    )
    reuters = [c for c in claims if (c["attributed_source"] or "").lower() == "reuters"]
    assert any("data center" in c["claim_text"] for c in reuters)
    assert any("further added" in c["claim_text"] for c in reuters)
    assert any("per the report" in c["claim_text"] for c in reuters)
    hedges = " ".join(c["hedges"] for c in claims)
    assert "reportedly" in hedges and "could" in hedges
    amounts = query(
        home,
        f"select amount_text, value from marts.fct_amounts where article_id in {SEED} and kind = 'money'",
    )
    assert {"$9,000": "9000.0"}.items() <= {a["amount_text"]: a["value"] for a in amounts}.items()
    links = query(
        home,
        f"select distinct claim_id, price_note_id from marts.fct_claim_price_links "
        f"where article_id in {SEED} and symbol = 'TSLA'",
    )
    assert len({link["price_note_id"] for link in links}) == 2
    assert len({link["claim_id"] for link in links}) >= 3


def test_sample_inbox_lands_everything_it_can_and_records_rejects(home: Path) -> None:
    (summary,) = query(
        home, "select count(*) as articles, count(distinct source) as sources from marts.dim_articles"
    )
    assert int(summary["articles"]) >= 10
    rejects = query(home, "select input_file, input_position, reason from audit.rejected_inputs")
    assert rejects and all(r["input_file"] and r["input_position"] and r["reason"] for r in rejects)
    schemas = query(home, "select distinct table_schema from information_schema.tables order by 1")
    assert {"staging", "intermediate", "marts", "audit"} <= {row["table_schema"] for row in schemas}


def test_run_names_each_reject_with_its_file_and_position(home: Path) -> None:
    output = " ".join((home / "first-run.txt").read_text().split())  # rich wraps long lines
    rejects = query(home, "select input_file, input_position, reason from audit.rejected_inputs")
    for reject in rejects:
        assert f"rejected {reject['input_file']} {reject['input_position']}:" in output
    assert f"copied to {home / 'quarantine'}" in output
    assert sorted(p.name.split("-", 1)[1] for p in (home / "quarantine").iterdir()) == sorted(
        {Path(r["input_file"]).name for r in rejects}
    )


def test_rerun_with_nothing_new_changes_nothing(home: Path) -> None:
    warehouse = home / "warehouse.duckdb"
    before = (
        warehouse.stat().st_mtime_ns,
        sorted(p.name for p in (home / "lake" / "ingest_ledger").iterdir()),
    )
    result = tickerwire("run", "--home", str(home))
    assert "Nothing new" in result.stderr
    after = (
        warehouse.stat().st_mtime_ns,
        sorted(p.name for p in (home / "lake" / "ingest_ledger").iterdir()),
    )
    assert before == after


def test_query_formats_and_errors(home: Path) -> None:
    out = tickerwire("query", "--home", str(home), "--format", "json", "select 1 as one, true as yes").stdout
    assert json.loads(out) == [{"one": 1, "yes": True}]
    table = tickerwire("query", "--home", str(home), "select count(*) as n from marts.dim_tickers").stdout
    assert "n" in table
    bad = tickerwire("query", "--home", str(home), "select * from no_such_table", check=False)
    assert bad.returncode == 2 and "no_such_table" in bad.stderr
    write = tickerwire("query", "--home", str(home), "create table marts.x as select 1", check=False)
    assert write.returncode == 2 and "read-only" in write.stderr.lower()


def test_query_without_a_warehouse_says_what_to_do(tmp_path: Path) -> None:
    result = tickerwire("query", "--home", str(tmp_path), "select 1", check=False)
    assert result.returncode == 2 and "tickerwire run" in result.stderr


def test_extract_prints_one_json_object_per_article_in_input_order() -> None:
    shared_data("seed/tesla_china_data_center.txt")
    out = tickerwire("extract", str(SEED_ARTICLE)).stdout.splitlines()
    assert len(out) == 1
    record = json.loads(out[0])
    assert set(record) >= {
        "id",
        "title",
        "published_at",
        "source",
        "url",
        "tickers",
        "price_notes",
        "claims",
        "amounts",
    }
    assert {t["symbol"] for t in record["tickers"]} == {"TSLA", "NVDA", "XLY", "FDIS"}
    assert set(record["tickers"][0]) >= {"symbol", "text", "start", "end", "method", "primary"}
    assert set(record["price_notes"][0]) >= {
        "ticker",
        "direction",
        "change_pct",
        "change_qualifier",
        "price",
        "currency",
        "session",
        "period",
        "as_of",
        "sentence",
    }
    assert set(record["claims"][0]) >= {"text", "source", "hedges", "tickers"}
