"""Claims: attribution, coreference of "the report", hedges, implied subjects, forward-looking numbers."""

from __future__ import annotations

ARTICLE = (
    "Boeing Co is weighing a new widebody jet, according to a report from Bloomberg News. "
    "The planemaker could announce the program next year, the report said. "
    "Airlines want more fuel-efficient aircraft, per the report. "
    "Boeing expects to deliver 400 jets next year, Chief Executive Kelly Ortberg said.\n"
    "Read More: Airbus Lifts Delivery Target\n"
    "Disclaimer: This story was written with automated help."
)


def _claim(result, words):
    return next(c for c in result.claims if words in c.text)


def test_attribution_and_report_coreference(run):
    result = run(ARTICLE)
    first = _claim(result, "weighing a new widebody")
    assert (first.source, first.attribution, first.tickers) == (
        "Bloomberg News",
        "according to a report from Bloomberg News",
        ("BA",),
    )
    assert "weighing" in first.hedges
    said = _claim(result, "announce the program")
    assert (said.source, said.attribution, said.tickers) == ("Bloomberg News", "the report said", ("BA",))
    assert "could" in said.hedges
    per = _claim(result, "fuel-efficient")
    assert (per.source, per.attribution) == ("Bloomberg News", "per the report")


def test_named_speaker_and_forward_looking_number(run):
    claim = _claim(run(ARTICLE), "deliver 400 jets")
    assert claim.source == "Chief Executive Kelly Ortberg"
    assert claim.forward_looking
    assert "expects" in claim.hedges


def test_boilerplate_is_skipped(run):
    result = run(ARTICLE)
    assert not any(c.text.startswith(("Read More", "Disclaimer")) for c in result.claims)


def test_the_company_said_resolves_to_the_subject(run):
    result = run("Intel Corp cut its dividend. The company said demand may stay weak through June.")
    claim = _claim(result, "demand may stay weak")
    assert (claim.source, claim.attribution, claim.tickers) == ("Intel Corp", "The company said", ("INTC",))
    assert claim.hedges == ("may",)
    assert not claim.forward_looking


def test_sentence_about_nothing_listed_is_not_a_claim(run):
    assert run("The weather in Chicago was cold and windy this week.").claims == ()


def test_according_to_a_source_with_no_other_hint_in_the_sentence(run):
    """The hint "ccording" is found inside "According": the sentence holds no other hint."""
    result = run("According to Bloomberg News, Boeing is weighing a new widebody jet.")
    claim = _claim(result, "weighing a new widebody")
    assert (claim.source, claim.attribution) == ("Bloomberg News", "According to Bloomberg News")
