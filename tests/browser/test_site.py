"""Every page type, in zh-CN and en, in a real browser (DESIGN.md §9):
no console or page errors, no request to another host, charts visible with and
without JavaScript, no sideways scrolling at 375 and 1280 px, no axe-core violation
of any impact, and the same site working under /bulletin/.

A check that finds a real defect of the site keeps asserting the right
behaviour and is listed in DEFECTS below, which makes it a strict xfail naming
the defect (so the fix turns it into an XPASS failure: then delete the entry).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from browser_support import AXE_RUN_JS, LANGS, PAGES, axe_report, dump

pytestmark = pytest.mark.browser

# (check, lang or "*", page or "*") -> the defect it shows. Keep each precise.
DEFECTS: dict[tuple[str, str, str], str] = {}


def cases(check: str, langs=LANGS, pages=tuple(PAGES)):
    out = []
    for lang in langs:
        for page in pages:
            reason = next((why for (c, lg, pg), why in DEFECTS.items()
                           if c == check and lg in ("*", lang) and pg in ("*", page)), None)
            marks = [pytest.mark.xfail(strict=True, reason="site defect: " + reason)] if reason else []
            out.append(pytest.param(lang, page, id=f"{lang}-{page}", marks=marks))
    return out


def expected_status(page: str) -> int:
    return 404 if page == "missing" else 200


def own_404(v, page: str, msg: str) -> bool:
    """The console line Chromium writes for the 404 status of the missing page itself."""
    return page == "missing" and "404" in msg and msg.endswith("@ " + v.url)


# 1. console and page errors -------------------------------------------------------

@pytest.mark.parametrize("lang,page", cases("errors"))
def test_no_console_errors_and_no_page_errors(visits, lang, page):
    problems = []
    for mode in ("desktop", "phone", "nojs"):
        v = visits.get(lang, page, mode)
        assert v.status == expected_status(page), v.url
        problems += [f"{mode} console: {m}" for m in v.console_errors if not own_404(v, page, m)]
        problems += [f"{mode} pageerror: {m}" for m in v.page_errors]
    assert problems == [], "\n".join(problems)


# 2. nothing leaves the host ---------------------------------------------------------

@pytest.mark.parametrize("lang,page", cases("requests"))
def test_no_request_to_another_host(visits, lang, page):
    foreign = []
    for mode in ("desktop", "phone", "nojs"):
        v = visits.get(lang, page, mode)
        assert v.requests, "no request was recorded at all"
        foreign += [f"{mode}: {u}" for u in v.foreign_requests(v.url)]
    assert foreign == [], "\n".join(foreign)


@pytest.mark.parametrize("lang,page", cases("assets"))
def test_every_resource_the_page_loads_exists(visits, lang, page):
    v = visits.get(lang, page, "desktop")
    assert v.failed_responses == [], "\n".join(v.failed_responses)


# 3. charts ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang,page", cases("charts-nojs"))
def test_without_javascript_every_chart_is_an_inline_svg(visits, lang, page):
    v = visits.get(lang, page, "nojs")
    assert v.static_svgs_missing == [], f"figures without a visible static SVG: {v.static_svgs_missing}"


@pytest.mark.parametrize("lang,page", cases("charts-live"))
def test_with_javascript_every_chart_becomes_a_live_vega_view(visits, lang, page):
    for mode in ("desktop", "phone"):
        v = visits.get(lang, page, mode)
        assert v.charts_not_live == [], f"{mode}:\n" + "\n".join(v.charts_not_live)


@pytest.mark.parametrize("lang", LANGS)
def test_the_chart_pages_do_have_charts(visits, lang):
    """Guards the chart checks above against passing on pages that lost their charts."""
    counts = {p: visits.get(lang, p, "nojs").charts for p in ("home", "region", "campaign", "bulletin")}
    assert all(n >= 1 for n in counts.values()), counts
    assert counts["home"] >= 2 and counts["region"] >= 2, counts


# 4. no sideways scrolling ----------------------------------------------------------------

@pytest.mark.parametrize("lang,page", cases("scroll-375"))
def test_no_horizontal_scroll_on_a_375px_phone(visits, lang, page):
    v = visits.get(lang, page, "phone")
    assert v.scroll_width <= 375, f"scrollWidth {v.scroll_width}; too wide: {v.wide_elements}"


@pytest.mark.parametrize("lang,page", cases("scroll-375-nojs"))
def test_no_horizontal_scroll_on_a_375px_phone_without_javascript(visits, lang, page):
    v = visits.get(lang, page, "nojs")
    assert v.scroll_width <= 375, f"scrollWidth {v.scroll_width}; too wide: {v.wide_elements}"


@pytest.mark.parametrize("lang,page", cases("scroll-1280"))
def test_no_horizontal_scroll_at_1280px(visits, lang, page):
    v = visits.get(lang, page, "desktop")
    assert v.scroll_width <= 1280, f"scrollWidth {v.scroll_width}; too wide: {v.wide_elements}"


# 5. accessibility (axe-core) ---------------------------------------------------------------

@pytest.mark.parametrize("lang,page", cases("axe"))
def test_no_axe_violations_of_any_impact(visits, lang, page, record_property):
    found = []
    # "static" (the page without its scripts) differs from "desktop" only where scripts act
    modes = ("desktop", "phone")
    if visits.get(lang, page, "desktop").scripted:
        modes += ("static",)
    for mode in modes:
        v = visits.get(lang, page, mode)
        for item in v.axe:
            found.append({**item, "mode": mode})
    # WCAG 2.2 AA and axe-core's best practices: minor and moderate fail as serious ones do.
    record_property("axe", dump([{k: f[k] for k in ("mode", "id", "impact")} for f in found]))
    assert found == [], axe_report(found)


def test_axe_does_find_violations(browser, servers, axe_source):
    """Guards the check above against an axe-core that runs but sees nothing."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(servers[0]["zh-CN"].url(""))
        page.evaluate("document.querySelector('main').append(Object.assign("
                      "document.createElement('img'), {src: 'favicon.ico'}))")
        found = page.evaluate(axe_source + AXE_RUN_JS)
    finally:
        context.close()
    assert "image-alt" in {v["id"] for v in found}, found


# 6. under a sub-path ------------------------------------------------------------------------

@pytest.mark.parametrize("lang,page", cases("subpath"))
def test_the_site_works_under_a_subpath(visits, servers, lang, page):
    at_root, at_sub = servers
    v = visits.get(lang, page, "links", subpath=True)
    assert v.url.startswith(at_sub[lang].base)
    assert v.status == expected_status(page)
    # the stylesheet applies: the header has the colour the home page has at the root
    styled = visits.get(lang, "home", "desktop").header_background
    assert styled not in ("", "rgba(0, 0, 0, 0)"), "no header background on the home page at /"
    assert v.header_background == styled, "the stylesheet did not apply"
    assert v.charts_not_live == [], "\n".join(v.charts_not_live)
    assert v.failed_responses == [], "\n".join(v.failed_responses)
    assert v.console_errors == [] or all(own_404(v, page, m) for m in v.console_errors), v.console_errors


@pytest.mark.parametrize("lang", LANGS)
def test_every_internal_link_resolves_under_a_subpath(visits, servers, lang):
    """Every href/src of every page type, followed from /bulletin/: 200, and never
    outside /bulletin/ (this server has nothing there)."""
    server = servers[1][lang]
    targets: dict[str, str] = {}
    for key in PAGES:
        if key == "missing":  # its links are test_the_site_works_under_a_subpath[*-missing]
            continue
        for url in visits.get(lang, key, "links", subpath=True).refs:
            if urlsplit(url).netloc == urlsplit(server.base).netloc:
                targets.setdefault(url.split("#")[0], key)
    assert len(targets) > 20
    status = {t: server.status(t) for t in targets}
    bad = [f"{status[t]} {t}  (from {src})" for t, src in sorted(targets.items())
           if not t.startswith(server.base) or status[t] != 200]
    assert bad == [], "\n".join(bad)
