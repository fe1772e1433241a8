"""Shared fixtures: the bundled ticker reference, built once per session, and an `extract` bound to it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orchestration.extraction import ArticleExtraction, TickerReference, extract
from orchestration.reference import load_bundled_reference_rows


@pytest.fixture(scope="session")
def reference() -> TickerReference:
    return TickerReference.from_rows(load_bundled_reference_rows())


@pytest.fixture(scope="session")
def run(reference: TickerReference) -> Callable[..., ArticleExtraction]:
    """`run(text, published_at=..., title=...)`: extract with the bundled reference."""

    def _run(text: str, **metadata) -> ArticleExtraction:
        return extract(text, reference=reference, **metadata)

    return _run
