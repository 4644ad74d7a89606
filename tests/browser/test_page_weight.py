"""Page weight (bench/page_weight.py measures it; bench/README.md records it): the home page
transfers at most 150 KB and a project page at most 60 KB, gzipped, without the chart bundle;
the bundle is named only by pages with a chart, and Chromium fetches it only once a reader
reaches for a chart, never while the page loads.
"""

from __future__ import annotations

import importlib.util
import re

import pytest

from browser_support import DESKTOP, LANGS, PAGES, REPO

pytestmark = pytest.mark.browser


def _bench():
    spec = importlib.util.spec_from_file_location("page_weight", REPO / "bench" / "page_weight.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", LANGS)
def test_pages_keep_to_their_weight_budget(sites, lang):
    bench = _bench()
    kinds = bench.survey(sites[lang])
    assert kinds["_bundle_without_chart"]["routes"] == []
    for kind, budget in bench.BUDGETS.items():
        w = kinds[kind]
        assert w["pages"] >= 1 and w["parts"]["html"] > 500, w
        assert w["total"] <= budget, f"{kind} {w['route']}: {w['total']} bytes > {budget}: {w['parts']}"
    assert kinds["home"]["bundle"] > 100_000  # named, and left out of the total


@pytest.mark.parametrize("lang", LANGS)
def test_the_chart_bundle_waits_for_a_reader(browser, servers, lang):
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url))
        bundle = re.compile(r"/assets/vega\.[0-9a-f]+\.js$")
        page.goto(servers[0][lang].url(PAGES["project-hydrogen"]), wait_until="networkidle")
        assert not [u for u in fetched if "/assets/vega." in u or "/assets/charts." in u], fetched

        page.goto(servers[0][lang].url(PAGES["home"]), wait_until="networkidle")
        assert any("/assets/charts." in u for u in fetched)
        assert not [u for u in fetched if bundle.search(u)], "fetched before anyone asked"
        with page.expect_request(bundle):
            page.locator("figure.chart").first.hover()
        page.wait_for_selector("figure.chart.is-live")
    finally:
        context.close()
