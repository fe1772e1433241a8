"""Forms the evaluation on real wire copy turned up (written for these tests, not copied from any article):
indexes named as a yardstick, "the lender's shares", moves listed after a market sentence, the quoted
price beside a dollar change, Reuters codes that are not share talk, datelines and index names in capitals,
and speakers named after a date or a role."""

from __future__ import annotations

from datetime import UTC, datetime

WEDNESDAY = datetime(2019, 3, 6, 21, 0, tzinfo=UTC)


def _notes(result):
    return [(note.ticker, note.direction, note.change_pct, note.price) for note in result.price_notes]


def test_an_index_named_as_a_yardstick_leaves_the_move_to_the_subject(run):
    text = (
        "Citigroup slipped for a third session. The stock, a member of the Dow Jones Industrial Average, "
        "has lost almost 9 percent in the past week. Shares are down 14 percent since June, compared with "
        "the Dow's 4 percent decline."
    )
    result = run(text, published_at=WEDNESDAY, title="Citigroup slips again")
    assert _notes(result) == [("C", "down", 9.0, None), ("C", "down", 14.0, None)]
    assert result.index_moves == ()


def test_the_subjects_shares_with_a_noun_before_them(run):
    result = run(
        "Pfizer faces a new lawsuit. The drugmaker's shares dropped as much as 4 percent on Tuesday."
    )
    assert _notes(result) == [("PFE", "down", 4.0, None)]


def test_company_moves_listed_right_after_a_market_sentence(run):
    text = (
        "Chip stocks slid in extended trading. Broadcom fell 3.1 percent, while Qualcomm dropped 1.2 percent."
    )
    assert _notes(run(text)) == [("AVGO", "down", 3.1, None), ("QCOM", "down", 1.2, None)]


def test_the_quoted_price_not_the_dollar_change(run):
    text = "PepsiCo shares were up $0.95, or 1.1 percent, at $88.40 in morning trading."
    assert _notes(run(text)) == [("PEP", "up", 1.1, 88.40)]


def test_a_reuters_code_alone_does_not_make_a_sales_figure_a_price_note(run):
    assert _notes(run("Ford Motor Co ( F.N ) said its May sales rose 4 percent from a year earlier.")) == []


def test_the_stock_does_not_point_forward_to_a_company_named_later(run):
    text = (
        "A Hong Kong food delivery startup posted its first profit. The stock jumped 7 percent on Monday. "
        "It also runs a travel site. It competes with many rivals. Its biggest rival is Alibaba Group."
    )
    assert _notes(run(text)) == []


def test_capitalised_datelines_and_index_names_are_not_tickers(run):
    text = "RIO DE JANEIRO (Reuters) - Brazilian stocks rose as the MSCI Emerging Markets Index hit a high."
    assert run(text).tickers == ()


def test_a_speaker_named_after_a_reuters_code_and_a_weekday(run):
    result = run("Target Corp ( TGT.N ) on Thursday said it expects holiday sales to rise.")
    assert result.claims[0].source == "Target Corp"


def test_a_speaker_named_after_a_role_following_said(run):
    text = '"Demand for Boeing jets is stronger than ever," said Jefferies analyst Anna Park.'
    assert run(text).claims[0].source == "Anna Park"


def test_a_company_said_names_the_company_not_the_person_it_names(run):
    result = run("Apple Inc. said its retail chief Jane Doe will leave the company in April.")
    assert result.claims[0].source == "Apple Inc."
