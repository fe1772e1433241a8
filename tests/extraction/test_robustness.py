"""Whatever arrives, `extract` returns what it can: no exceptions, valid offsets, linear cost."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.extraction import ArticleExtraction

# Fragments of news copy joined at random: reaches the ticker, price and claim rules far more often.
FRAGMENTS = (
    "Tesla ",
    "TSLA",
    "NYSE:",
    "Inc. ",
    "U.S. ",
    " fell ",
    " rose ",
    "S&P 500",
    "the report",
    "CEO Tim ",
)
NEWSY = st.lists(st.sampled_from([*"abcXYZ019 .,;:!?$%()<>&'’\n-", *FRAGMENTS]), max_size=80).map("".join)


def _assert_offsets(text: str, result: ArticleExtraction) -> None:
    for record in (*result.tickers, *result.amounts, *result.entities):
        assert 0 <= record.start <= record.end <= len(text)
        assert text[record.start : record.end] == record.text
    for claim in result.claims:
        assert text[claim.start : claim.end] == claim.text
    for note in (*result.price_notes, *result.index_moves):
        assert text[note.start : note.end] == note.sentence


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=400), NEWSY))
def test_never_raises_and_offsets_are_valid(run, text):
    _assert_offsets(text, run(text))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "特斯拉股价周五下跌0.10%，报174.66美元。",
        "Die Aktie von Tesla fiel am Freitag um 3 Prozent.",
        "\x00\x01\xff\ufffd" * 50,
        "<div class='x'><p>Shares of <b>Apple</b> rose 2% &amp; closed at $180.01.</p>"
        "<script>var a=1;</script>",
    ],
)
def test_odd_inputs(run, text):
    result = run(text)
    _assert_offsets(text, result)


def test_html_leftovers_still_give_the_note(run):
    result = run("<p>Shares of Apple rose 2% to close at $180.01.</p>")
    assert [(n.ticker, n.change_pct, n.price) for n in result.price_notes] == [("AAPL", 2.0, 180.01)]


@pytest.mark.parametrize(
    "unit",
    ["." * 1, " " * 1, "A" * 1, "1" * 1, "Tesla ", "$1,", "U.S.", "Abc Def ", "according to ", "(NYSE:"],
)
def test_cost_is_linear_on_repetitive_input(run, unit):
    """Ten times the input may cost about ten times as much, never a hundred (no regex blow-up)."""

    def cost(repeat: int) -> float:
        text = unit * repeat
        began = time.perf_counter()
        run(text)
        return time.perf_counter() - began

    small, large = cost(2_000), cost(20_000)
    assert large < max(small, 0.002) * 40
