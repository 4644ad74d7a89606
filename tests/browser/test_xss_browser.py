"""The site of tests/test_xss.py (every text field an attack) in Chromium: nothing runs.

Every page is loaded from a real HTTP server that sends the CSP header of
DESIGN §5, with a listener on dialogs and on CSP violation reports. On each
page: no dialog opens, the console reports no CSP violation (an injected
inline script or handler would be refused, and say so), and the DOM holds no
element or event-handler attribute that came from the data. The same pages
are loaded again with the browser told to ignore the CSP, so that the proof is
the escaping, not the policy. The search page is asked for the attack, so its
results (names and Pagefind excerpts, from the data) are drawn too.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from browser_support import REPO, serve

pytestmark = pytest.mark.browser

#: DESIGN §5, word for word: the policy every page must live under.
DESIGN_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
              "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'")


def _xss_module():
    """tests/test_xss.py's site maker (loaded as a module, not collected again)."""
    spec = importlib.util.spec_from_file_location("_xss_site", REPO / "tests" / "test_xss.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory):
    out = _xss_module().build_xss_site(tmp_path_factory)
    httpd, server = serve(out, "/")
    yield out, server
    httpd.shutdown()
    httpd.server_close()


# Every element and attribute the data could have made live, and whether a payload ran.
_DOM_CHECK = """() => {
  const out = [];
  for (const el of document.querySelectorAll('*')) {
    if (el.localName === 'x-xss') out.push('<x-xss>');
    for (const a of el.attributes) if (a.name.startsWith('on')) out.push(el.localName + ' ' + a.name);
    for (const name of ['href', 'src', 'action']) {
      const v = (el.getAttribute(name) || '').replace(/[\\t\\n\\r]/g, '').trim().toLowerCase();
      if (v.startsWith('javascript:')) out.push(el.localName + ' ' + name + '=' + v);
    }
  }
  if (window.__xss) out.push('window.__xss set');
  return out;
}"""


def _visit(browser, url: str, bypass_csp: bool, wait_for: str | None = None) -> dict:
    context = browser.new_context(bypass_csp=bypass_csp)
    seen: dict = {"dialogs": [], "csp": [], "errors": [], "dom": [], "status": None, "header": None}
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.on("console", lambda m: m.type in ("error", "warning") and (
            "Content Security Policy" in m.text or "Refused to" in m.text) and seen["csp"].append(m.text))
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        response = page.goto(url, wait_until="load")
        seen["status"] = response.status if response else None
        seen["header"] = response.headers.get("content-security-policy") if response else None
        if wait_for:
            page.locator(wait_for).first.wait_for(timeout=15_000)
        page.wait_for_timeout(150)  # a handler that fires on load (onload, onerror) has fired
        seen["dom"] = page.evaluate(_DOM_CHECK)
        seen["meta"] = page.evaluate(
            "() => (document.querySelector('meta[http-equiv=Content-Security-Policy]') || {}).content")
    finally:
        context.close()
    return seen


def _pages(out: Path) -> list[str]:
    routes = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    return [r[: -len("index.html")] if r.endswith("index.html") else r for r in routes]


def test_the_policy_is_the_one_design_names():
    from builder.render import CSP

    assert CSP == DESIGN_CSP


def test_no_script_from_the_data_runs_on_any_page_under_the_csp_header(browser, xss_server):
    out, server = xss_server
    pages = _pages(out)
    assert len(pages) >= 12
    bad = {}
    for route in pages:
        seen = _visit(browser, server.url(route), bypass_csp=False)
        problems = seen["dialogs"] + seen["csp"] + seen["dom"]
        if seen["header"] != DESIGN_CSP or seen["meta"] != DESIGN_CSP:
            problems.append(f"CSP header {seen['header']!r}, meta {seen['meta']!r}")
        if seen["status"] != 200:
            problems.append(f"status {seen['status']}")
        if problems:
            bad[route] = problems
    assert bad == {}


def _one_of_each_kind(pages: list[str]) -> list[str]:
    """A page of every kind: the home page, each list, and the first page under each list."""
    first: dict[str, str] = {}
    for route in pages:
        parts = route.strip("/").split("/")
        first.setdefault("/".join(parts[:1]) + ("/*" if len(parts) > 1 else ""), route)
    return sorted(first.values())


def test_nothing_runs_even_with_the_csp_switched_off(browser, xss_server):
    """Escaping, not the policy, keeps the data inert: with bypass_csp no dialog opens either
    (on a page of each kind; the test above loads every page)."""
    out, server = xss_server
    bad = {}
    pages = _one_of_each_kind(_pages(out))
    assert {"", "projects/", "projects/p-one/", "bulletins/xss/"} <= set(pages), pages
    for route in pages:
        seen = _visit(browser, server.url(route), bypass_csp=True)
        if seen["dialogs"] or seen["dom"]:
            bad[route] = seen["dialogs"] + seen["dom"]
    assert bad == {}


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "no-csp"])
def test_searching_for_the_attack_draws_it_as_text(browser, xss_server, bypass_csp):
    out, server = xss_server
    if not (out / "search" / "index.html").is_file():
        pytest.skip("the site has no search page")
    seen = _visit(browser, server.url("search/?q=x-xss"), bypass_csp,
                  wait_for=".search-results li")
    assert seen["dialogs"] == [] and seen["dom"] == []
    assert seen["csp"] == [] or bypass_csp, seen["csp"]
    assert not [e for e in seen["errors"] if re.search(r"xss|alert", e)], seen["errors"]
