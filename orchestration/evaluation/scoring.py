"""Set-based precision, recall and F1, summed over items (micro-averaged)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass
class Tally:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def add(self, predicted: Iterable[Any], expected: Iterable[Any]) -> None:
        predicted, expected = set(predicted), set(expected)
        self.true_positives += len(predicted & expected)
        self.false_positives += len(predicted - expected)
        self.false_negatives += len(expected - predicted)

    def add_matched(
        self, predicted: list[Any], expected: list[Any], same: Callable[[Any, Any], bool]
    ) -> None:
        """One-to-one greedy matching for items that are equal only approximately (numbers, names)."""
        unmatched = list(expected)
        for item in predicted:
            partner = next((gold for gold in unmatched if same(item, gold)), None)
            if partner is None:
                self.false_positives += 1
            else:
                unmatched.remove(partner)
                self.true_positives += 1
        self.false_negatives += len(unmatched)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0
