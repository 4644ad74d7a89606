"""Full-page screenshots of a few pages at 1280 and 375 px, for a person to look
at (not compared with anything): $BULLETIN_SHOTS, default /tmp/shots/."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from browser_support import DESKTOP, PAGES, PHONE

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("BULLETIN_SHOTS", "/tmp/shots"))
WHICH = ("home", "region", "project-hydrogen", "bulletin")


@pytest.mark.parametrize("lang", ["zh-CN"])
@pytest.mark.parametrize("size", ["1280", "375"])
def test_screenshots(browser, servers, lang, size):
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=DESKTOP if size == "1280" else PHONE)
    try:
        page = context.new_page()
        for key in WHICH:
            page.goto(servers[0][lang].url(PAGES[key]))
            figures = page.locator("figure.chart")
            for i in range(figures.count()):
                figures.nth(i).scroll_into_view_if_needed()
                figures.nth(i).hover()  # charts.js wakes charts a reader reaches for
                expect(figures.nth(i)).to_have_class(re.compile(r"\bis-live\b"), timeout=15_000)
            page.evaluate("window.scrollTo(0, 0)")
            path = SHOTS / f"{key}-{lang}-{size}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 5_000, path
    finally:
        context.close()
