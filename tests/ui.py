"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for tests of the Dagster UI.

Playwright never downloads a browser here: the system Chromium is launched by path. Without it a test
skips locally and fails in CI (`.ci/run` installs it)."""

import os
import shutil
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("TICKERWIRE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1920, "height": 1200}
# A blank or broken page compresses to a few KB; a page with a rendered graph is far larger.
MIN_SCREENSHOT_BYTES = 40_000


def require_chromium() -> Path:
    """The system Chromium: missing is a skip locally and a failure in CI."""
    if not (CHROMIUM.exists() or shutil.which(str(CHROMIUM))):
        message = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@contextmanager
def chromium_page(viewport: dict[str, int] | None = None) -> Iterator:
    """A fresh page in a fresh headless browser (no stored state between tests)."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport or VIEWPORT)
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (raises when the file is not a PNG)."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def save_screenshot(page, path: Path) -> Path:
    """A full-page PNG that is at least the viewport's size and not near-empty."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    width, height = png_size(path)
    viewport = page.viewport_size
    assert width >= viewport["width"] and height >= viewport["height"], (path, width, height)
    assert path.stat().st_size > MIN_SCREENSHOT_BYTES, f"{path} is only {path.stat().st_size} bytes"
    return path
