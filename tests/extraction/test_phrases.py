"""One automaton pass for several phrase sets must give each set what an automaton of its own gives."""

from __future__ import annotations

import pytest

from orchestration.extraction import _phrase_sets
from orchestration.extraction.claims import KEYWORDS
from orchestration.extraction.entities import GAZETTEER
from orchestration.extraction.reference import build_phrase_sets, find_phrase_sets

SETS = {
    "gazetteer": GAZETTEER,
    "keywords": KEYWORDS,
    # overlapping phrases across sets, and one phrase with a payload per set
    "overlaps": [("New York", "city"), ("York", "word"), ("The company", "anaphor"), ("may", "hedge")],
    # starts inside another set's longer match ("The company"): still a match of its own set
    "clauses": [("company may expand", "clause")],
}


def _alone(name: str, phrases, text: str) -> list:
    """What an automaton of the set's own finds."""
    return find_phrase_sets(build_phrase_sets({name: phrases}), text).get(name, [])


@pytest.mark.parametrize(
    "text",
    [
        "The company may expand in New York, the automaker said, and York may wait until May.",
        "Its shares rose in London after Chief Executive Jane Doe said the firm expects growth.",
        "Nothing here names a known phrase.",
        "",
    ],
)
def test_find_phrase_sets_gives_each_set_its_own_matches(text: str) -> None:
    found = find_phrase_sets(build_phrase_sets(SETS), text)
    for name, phrases in SETS.items():
        assert found.get(name, []) == _alone(name, phrases, text), name


def test_every_set_matches_in_the_sample() -> None:
    """So the comparison above is not between empty lists."""
    text = "The company may expand in New York, the automaker said, and York may wait until May."
    found = find_phrase_sets(build_phrase_sets(SETS), text)
    assert all(found.get(name) for name in SETS), found


def test_extracts_pass_finds_the_names_an_automaton_of_their_own_finds(reference) -> None:
    """`extract` takes the company names from the pass that finds the gazetteer and the keywords."""
    text = "Tesla Inc and Apple rose in New York, while Ford Motor fell; the company may expand in Teslas."
    found = find_phrase_sets(_phrase_sets(reference), text)
    assert found["names"] == _alone("names", reference.name_phrases, text)
    assert {key for _, _, key in found["names"]} >= {"tesla", "apple", "ford"}, found["names"]


def test_a_set_matching_inside_words_keeps_those_matches_and_only_it() -> None:
    """The hints that gate a pattern ("ccording" in "According") are found in the same pass as whole
    words, without letting the whole-word sets match inside words."""
    sets = {"hints": [("ccording", None), ("NYSE", None)], "words": [("ccording", "w"), ("York", "w")]}
    text = "According to NYSEARCA filings, New Yorkers said York was quiet."
    found = find_phrase_sets(build_phrase_sets(sets, inside_words=("hints",)), text)
    assert found["hints"] == [(1, 9, None), (13, 17, None)]
    assert found["words"] == [(48, 52, "w")]
