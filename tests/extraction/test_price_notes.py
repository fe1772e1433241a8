"""Price-note forms as newswires write them; index moves are kept apart from company notes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

TUESDAY_EVENING = datetime(2024, 3, 5, 22, 0, tzinfo=UTC)


def _only(notes):
    assert len(notes) == 1, notes
    return notes[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Microsoft shares closed 1.02% lower at $261.32.", ("MSFT", "down", 1.02, 261.32, "close")),
        (
            "Shares of Ford were up 3.5 percent at $12.69 in morning trading.",
            ("F", "up", 3.5, 12.69, "intraday"),
        ),
        ("Nike shares were down 1.6% in after-hours trading.", ("NKE", "down", 1.6, None, "after_hours")),
        ("Chevron was up 1.9% at $151.02 in afternoon trade.", ("CVX", "up", 1.9, 151.02, "intraday")),
        (
            "Tesla (NASDAQ:TSLA) stock was unchanged at $174.10 in premarket.",
            ("TSLA", "flat", None, 174.1, "premarket"),
        ),
    ],
)
def test_single_note_forms(run, text, expected):
    note = _only(run(text).price_notes)
    assert (note.ticker, note.direction, note.change_pct, note.price, note.session) == expected


def test_fell_to_close_on_a_weekday(run):
    text = "Groupon shares fell 6.6 percent to close at $19.27 on Tuesday, their lowest in a year."
    note = _only(run(text, published_at=TUESDAY_EVENING).price_notes)
    assert (note.ticker, note.direction, note.change_pct, note.price) == ("GRPN", "down", 6.6, 19.27)
    assert (note.session, note.as_of_text, note.as_of) == ("close", "on Tuesday", date(2024, 3, 5))


def test_lost_to_date_with_qualifier(run):
    note = _only(run("Snap stock has lost nearly 38.8% to date.").price_notes)
    assert (note.direction, note.change_pct, note.change_qualifier, note.period) == (
        "down",
        38.8,
        "nearly",
        "to date",
    )


def test_two_companies_in_one_sentence(run):
    text = (
        "Delta Air Lines shares rose 2.4% to $41.10, "
        "while United Airlines stock slid 0.8% to $38.05 on Monday."
    )
    notes = {n.ticker: n for n in run(text).price_notes}
    assert set(notes) == {"DAL", "UAL"}
    assert (notes["DAL"].direction, notes["DAL"].change_pct, notes["DAL"].price) == ("up", 2.4, 41.10)
    assert (notes["UAL"].direction, notes["UAL"].change_pct, notes["UAL"].price) == ("down", 0.8, 38.05)
    assert notes["DAL"].as_of_text == notes["UAL"].as_of_text == "on Monday"


def test_its_shares_refer_to_the_subject(run):
    text = "Walmart raised its forecast on Thursday.\nIts shares jumped 4.1% to $59.80 yesterday."
    note = _only(run(text, published_at=datetime(2024, 5, 16, 13, tzinfo=UTC)).price_notes)
    assert (note.ticker, note.direction, note.as_of_text, note.as_of) == (
        "WMT",
        "up",
        "yesterday",
        date(2024, 5, 15),
    )


def test_index_moves_are_not_price_notes(run):
    text = (
        "The S&P 500 fell 0.4% to 5,078.18, the Dow Jones Industrial Average lost 0.2% "
        "and the Nasdaq Composite dropped 0.9%."
    )
    result = run(text)
    assert result.price_notes == ()
    moves = {m.ticker: m for m in result.index_moves}
    assert set(moves) == {"SPX", "DJI", "IXIC"}
    assert (moves["SPX"].direction, moves["SPX"].change_pct, moves["SPX"].price) == ("down", 0.4, 5078.18)
    assert moves["IXIC"].change_pct == 0.9


def test_company_and_index_in_one_sentence(run):
    result = run("Apple shares gained 1.1% while the Nasdaq rose 0.3%.")
    assert [(n.ticker, n.change_pct) for n in result.price_notes] == [("AAPL", 1.1)]
    assert [(n.ticker, n.change_pct) for n in result.index_moves] == [("IXIC", 0.3)]


@pytest.mark.parametrize(
    "text",
    [
        "Amazon said cloud revenue rose 13% to $25 billion in the quarter.",
        "GM said its market share in Brazil rose to 17.2 percent last year.",
    ],
)
def test_business_figures_are_not_price_notes(run, text):
    assert run(text).price_notes == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ford shares were down after GM stock rose 2.1% in early trading.", ("GM", "up", 2.1)),
        ("Tesla shares, up against tough rivals, fell 2.3% in early trading.", ("TSLA", "down", 2.3)),
    ],
)
def test_up_and_down_move_a_price_only_before_a_number(run, text, expected):
    """ "Up", "down" and "lost" state a move only with a number after them in their clause; "rose" and
    "fell" on their own."""
    note = _only(run(text).price_notes)
    assert (note.ticker, note.direction, note.change_pct) == expected
