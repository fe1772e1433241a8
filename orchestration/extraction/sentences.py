"""Sentence splitting tuned for news copy: "Inc.", "U.S.", "$174.66" and "No. 1" do not end a sentence,
while a line break or a run-together "quarter.Growth" does."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# A candidate end: a line break, terminal punctuation (plus closing quotes) before space and a capital
# or digit, or a period glued between two words ("quarter.Growth"). Every kind starts with one of
# `.!?\n`, so that class leads and the scan jumps between those characters (2x faster).
_BOUNDARY = re.compile(
    r"[.!?\n](?:(?<=\n)\s*+"
    r"|(?<![.!?][.!?])[.!?]*+[\"'”’)\]]*+(?=\s++[\"'“‘(\[]?[A-Z0-9])"
    r"|(?<=[a-z][a-z][.!?])(?=[A-Z][a-z]))"
)
_NEXT_WORD = re.compile(r"\s*[\"'“‘(\[]?([A-Za-z]+)")

# Abbreviations that never end a sentence ("Mr. Cook", "No. 1", "Jan. 5", "J. P.").
_NEVER_FINAL = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "no",
        "nos",
        "vs",
        "v",
        "e.g",
        "i.e",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "gov",
        "sen",
        "rep",
        "gen",
        "lt",
        "col",
        "capt",
        "ft",
        "approx",
        "fig",
        "est",
        "mt",
    ]
)
# Abbreviations that end a sentence only before a typical sentence opener ("... Apple Inc. The company").
_SOMETIMES_FINAL = frozenset(
    [
        "inc",
        "corp",
        "co",
        "ltd",
        "llc",
        "plc",
        "bros",
        "u.s",
        "u.k",
        "u.n",
        "etc",
        "p.m",
        "a.m",
        "l.p",
        "s.a",
        "n.v",
        "ag",
    ]
)
_OPENERS = frozenset(
    [
        "The",
        "It",
        "Its",
        "This",
        "That",
        "These",
        "Those",
        "He",
        "She",
        "They",
        "We",
        "I",
        "In",
        "On",
        "At",
        "As",
        "A",
        "An",
        "But",
        "And",
        "However",
        "Meanwhile",
        "Shares",
        "Analysts",
        "Investors",
        "Separately",
        "Also",
        "Still",
        "Last",
        "Earlier",
        "Later",
        "Now",
        "Its",
    ]
)


@dataclass(frozen=True, slots=True)
class Sentences:
    """Sentence spans of one text, with a lookup from a character offset to its sentence."""

    spans: tuple[tuple[int, int], ...]
    starts: tuple[int, ...]

    def index_of(self, position: int) -> int:
        """The sentence holding `position` (the one starting before it when it falls between sentences)."""
        return max(bisect_right(self.starts, position) - 1, 0)

    def group(self, items: Iterable[T], start_of: Callable[[T], int]) -> list[list[T]]:
        """Items bucketed by the sentence their start falls in, one (possibly empty) list per sentence."""
        groups: list[list[T]] = [[] for _ in self.spans]
        for item in items:
            groups[self.index_of(start_of(item))].append(item)
        return groups


def _ends_sentence(text: str, boundary: re.Match) -> bool:
    if text[boundary.start()] != ".":
        return True
    word_start = text.rfind(" ", 0, boundary.start()) + 1
    word = text[word_start : boundary.start()].lstrip("(\"'“‘").lower()
    if word in _NEVER_FINAL or (len(word) == 1 and word.isalpha()):
        return False
    if word in _SOMETIMES_FINAL:
        following = _NEXT_WORD.match(text, boundary.end())
        return following is not None and following.group(1) in _OPENERS
    return True


def split_sentences(text: str) -> Sentences:
    """Split `text` into sentence spans (start, end) with surrounding whitespace trimmed."""
    spans = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        if text[boundary.start()] == "\n":  # the break and the blank space after it end the sentence
            spans.append((start, boundary.start()))
        elif _ends_sentence(text, boundary):  # the punctuation (and quotes) stay in the sentence
            spans.append((start, boundary.end()))
        else:
            continue
        start = boundary.end()
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        rest = text[begin:end].lstrip()
        if rest:
            offset = end - len(rest)
            trimmed.append((offset, offset + len(rest.rstrip())))
    return Sentences(tuple(trimmed), tuple(begin for begin, _ in trimmed))
