"""Ticker mentions in their many written forms, and ordinary words that only look like symbols."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest


def _mentions(result):
    return [(m.symbol, m.method, m.text) for m in result.tickers]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tesla (NASDAQ:TSLA) cut prices again.", ("TSLA", "exchange", "(NASDAQ:TSLA)")),
        ("Ford Motor Co. (NYSE: F) recalled trucks.", ("F", "exchange", "(NYSE: F)")),
        ("Nvidia (NasdaqGS:NVDA) led chipmakers.", ("NVDA", "exchange", "(NasdaqGS:NVDA)")),
        ("Traders piled into $TSLA before the call.", ("TSLA", "cashtag", "$TSLA")),
        ("Johnson & Johnson <JNJ.N> raised its outlook.", ("JNJ", "reuters_code", "<JNJ.N>")),
        ("Apple Inc (AAPL.O) slipped after the event.", ("AAPL", "reuters_code", "(AAPL.O)")),
        ("Alcoa ( AA.N ) opened the season.", ("AA", "reuters_code", "( AA.N )")),
    ],
)
def test_symbol_forms(run, text, expected):
    assert expected in _mentions(run(text))


def test_offsets_match_text(run):
    text = "Chipmakers led: Nvidia Corp NVDA, $AMD and Micron (NASDAQ:MU) all climbed."
    result = run(text)
    assert {m.symbol for m in result.tickers} == {"NVDA", "AMD", "MU"}
    assert all(text[m.start : m.end] == m.text for m in result.tickers)


@pytest.mark.parametrize(
    "text",
    [
        "IT spending is ON track, and ALL of it is NOW due. A CAT ran by; SO it goes.",
        "LOW rates help. The T-shirt was F grade.",
        "Demand for AI chips and EV batteries in the U.S. keeps rising.",
    ],
)
def test_wordlike_symbols_need_ticker_context(run, text):
    assert run(text).tickers == ()


def test_wordlike_symbols_count_after_their_company_name(run):
    result = run("Caterpillar CAT and Lowe's (LOW) both reported, as did AT&T (NYSE:T).")
    assert [(m.symbol, m.method) for m in result.tickers if m.method != "company_name"] == [
        ("CAT", "bare_symbol"),
        ("LOW", "bare_symbol"),
        ("T", "exchange"),
    ]


def test_symbol_inside_a_fund_name_is_not_a_mention(run):
    result = run("Holders of the Fidelity MSCI Consumer Discretionary Index ETF FDIS were unmoved.")
    assert {m.symbol for m in result.tickers} == {"FDIS"}


@pytest.mark.parametrize(
    ("published_at", "symbol"),
    [(datetime(2017, 5, 2, tzinfo=UTC), "FB"), (datetime(2023, 5, 2, tzinfo=UTC), "META")],
)
def test_renamed_company_gets_the_symbol_of_the_day(run, published_at, symbol):
    result = run("Facebook said ad sales grew. Shares of FB rose.", published_at=published_at)
    assert {m.symbol for m in result.tickers} == {symbol}
    assert {m.company_key for m in result.tickers} == {"meta-platforms"}


def test_without_a_date_names_get_todays_symbol_and_written_symbols_stay(run):
    result = run("Facebook said ad sales grew. Shares of FB rose.")
    assert [(m.text, m.symbol) for m in result.tickers] == [("Facebook", "META"), ("FB", "FB")]


def test_primary_follows_the_title(run):
    text = "Boeing said it would build more jets. Airbus rival Boeing also thanked GE Aerospace."
    result = run(text, title="General Electric beats estimates")
    assert {m.symbol for m in result.tickers if m.primary} == {"GE"}


def test_primary_is_the_lead_sentence_subject_without_a_title(run):
    result = run("Netflix added subscribers. Disney and Netflix both raised prices.")
    assert {m.symbol for m in result.tickers if m.primary} == {"NFLX"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a single letter counts right after its company's name or the word "ticker" or "symbol"
        ("Ford Motor (F) and Citigroup, C, both rose.", [("F", "F"), ("C", "C")]),
        ("Shares of the carmaker, ticker symbol: F, rose.", [("F", "F")]),
        ("Grade F steel, and C-suite pay at Ford.", []),
        # a symbol stands bare only between spaces or punctuation that cannot join it to another word
        (
            "Berkshire's BRK.B class and NVDA shares rose; NVDA.Xy and NVDA-backed funds did not.",
            [("BRK.B", "BRK.B"), ("NVDA", "NVDA")],
        ),
        ("The NVDA/AMD spread, NVDA_X, NVDA&Co, -NVDA and .NVDA moved.", []),
    ],
)
def test_bare_symbols_stand_alone(run, text, expected):
    result = run(text)
    assert [(m.symbol, m.text) for m in result.tickers if m.method == "bare_symbol"] == expected
