"""A page on paper (site_templates/static/css/print.css, media="print"): a clean document with
its charts as SVG and every table whole; no menu, skip link, breadcrumbs, search box,
filter form or pager; a chart's data table printed under it, open or not; a link that leaves the site
followed by its address. Checked in Chromium's print media, and printed to PDF; the PDF and
a print-media screenshot of each are left in $BULLETIN_SHOTS (default /tmp/shots/) for a
person to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from browser_support import DESKTOP, LANGS, PAGES

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("BULLETIN_SHOTS", "/tmp/shots"))
OUTSIDE = "https://example.org/original-report"

SHOWN_JS = """sels => Object.fromEntries(sels.map(s => [s, [...document.querySelectorAll(s)]
  .some(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')]))"""


@pytest.fixture()
def printed(browser):
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_a_bulletin_prints_as_a_document_with_its_charts_and_tables(printed, servers, lang):
    page = printed
    page.goto(servers[0][lang].url(PAGES["bulletin"]))
    chart = page.locator("figure.chart").first
    chart.hover()  # the live view replaces the static SVG on screen: paper gets the SVG back
    page.wait_for_selector("figure.chart.is-live", timeout=15_000)
    # a link to another site in the text, as an editor may write one
    page.evaluate("""href => { const a = Object.assign(document.createElement('a'),
        {href, textContent: 'original'}); document.querySelector('.body p').append(' ', a); }""",
                  OUTSIDE)
    on_screen = page.evaluate(SHOWN_JS, [".site-header nav", ".chart-live svg", ".crumbs"])
    assert all(on_screen.values()), on_screen

    page.emulate_media(media="print")
    shown = page.evaluate(SHOWN_JS, [
        ".skip", ".site-header nav", ".crumbs", "footer a[href]:not([href^='http'])",
        ".chart-live", ".chart-data > summary", "form",  # hidden on paper
        ".brand", "h1", ".body p", ".cards", "figure.chart .chart-static svg",
        "figure.chart details.chart-data table"])  # shown
    hidden = [".skip", ".site-header nav", ".crumbs", "footer a[href]:not([href^='http'])",
              ".chart-live", ".chart-data > summary", "form"]
    assert [s for s in hidden if shown[s]] == [], shown
    assert [s for s in shown if s not in hidden and not shown[s]] == [], shown
    assert page.locator("details.chart-data[open]").count() == 0  # printed closed, still shown
    after = page.evaluate("""href => getComputedStyle(
        document.querySelector(`a[href="${href}"]`), '::after').content""", OUTSIDE)
    assert OUTSIDE in after
    inner = page.evaluate("""() => [...document.querySelectorAll('.body a[href]')]
        .filter(a => !/^https?:/.test(a.getAttribute('href')))
        .map(a => getComputedStyle(a, '::after').content)""")
    assert inner and set(inner) <= {"none", "normal"}, "a link inside the site needs no address"

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"print-bulletin-{lang}.png"), full_page=True)
    pdf = page.pdf(format="A4")
    (SHOTS / f"print-bulletin-{lang}.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pdf.startswith(b"%PDF") and 1 <= pages <= 8, pages


@pytest.mark.parametrize("lang", LANGS)
def test_a_wide_table_prints_whole_without_its_scripts_widgets(printed, servers, lang):
    page = printed
    page.goto(servers[0][lang].url(PAGES["projects"]))
    page.locator("table.projects th[data-sort]").first.click()  # sorted: an arrow on screen
    assert page.locator("form.filters").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("form.filters").is_visible()
    assert not page.locator(".site-header nav").is_visible()
    arrow = page.evaluate("getComputedStyle(document.querySelector('th[aria-sort=ascending]'),"
                          " '::after').content")
    assert arrow in ("none", "normal"), arrow
    # no scroll box: the table is as wide as the page, every column on paper
    boxes = page.evaluate("""() => [...document.querySelectorAll('.table-wrap')].map(w =>
        [getComputedStyle(w).overflowX, w.scrollWidth - w.clientWidth])""")
    assert boxes and all(o == "visible" for o, _ in boxes), boxes
    page.set_viewport_size({"width": 700, "height": 990})  # A4 less its margins, in CSS px
    right = page.evaluate("document.querySelector('table.projects').getBoundingClientRect().right")
    assert right <= 700, f"the table runs {right - 700:.0f} px past the paper"
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"print-projects-{lang}.pdf").write_bytes(page.pdf(format="A4"))
