"""Shared pieces of the browser suite: the pages to visit, a static-site HTTP
server that sends the CSP header, and `Visits`, which loads each page once in
Chromium and keeps what it saw so that each test asserts one property.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CHROMIUM = Path("/usr/bin/chromium")
NODE_MODULES = REPO / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SUBPATH = "/bulletin/"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

# One page of every page type: key -> route. "missing" is a deep URL that does not
# exist: the server answers 404 with 404.html, as static hosts do.
PAGES = {
    "home": "",
    "regions": "regions/",
    "region": "regions/zhoukou/",
    "projects": "projects/",
    "project-hydrogen": "projects/zhongxin-taikang-hydrogen/",
    "project-steel": "projects/zhoukou-steel/",
    "campaigns": "campaigns/",
    "campaign": "campaigns/wugang-3kb-2021/",
    "bulletins": "bulletins/",
    "bulletin": "bulletins/zhoukou-2023-q1/",
    "data": "data/",
    "404": "404.html",
    "missing": "projects/no-such-project/",
}
LANGS = ("zh-CN", "en")

# Every axe-core violation seen, of any impact: "lang page mode" -> violations.
# conftest prints them all at the end of the run; test_site fails on any.
AXE_FINDINGS: dict[str, list[dict]] = {}


# --- a real HTTP server --------------------------------------------------------

class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves one built site under `prefix`, sends the CSP header, and answers
    a missing file with 404.html and status 404 (as GitHub Pages, Netlify and
    nginx `error_page 404 /404.html` do). Nothing outside the prefix exists."""

    prefix = "/"
    extensions_map = {
        "": "application/octet-stream", ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
        ".json": "application/json", ".csv": "text/csv; charset=utf-8",
        ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
        ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
        ".wasm": "application/wasm",
    }

    def translate_path(self, path):
        clean = urlsplit(path).path
        if not clean.startswith(self.prefix):
            return str(Path(self.directory) / ".outside-the-prefix" / "none")  # never exists
        return super().translate_path("/" + clean[len(self.prefix):])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self):
        from builder.render import CSP

        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format, *args):  # quiet
        pass


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT/ or http://127.0.0.1:PORT/bulletin/
    root: Path

    def url(self, route: str) -> str:
        return self.base + route

    def status(self, url: str) -> int:
        """HTTP status of a GET (redirects followed, as a browser would)."""
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A browser context closed mid-download resets the connection: not a failure.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def serve(root: Path, prefix: str):
    handler = type("Handler", (SiteHandler,), {"prefix": prefix})
    httpd = QuietServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd, Server(f"http://127.0.0.1:{httpd.server_address[1]}{prefix}", root)


# --- visits ------------------------------------------------------------------------

@dataclass
class Visit:
    """What one load of one page showed."""

    url: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    charts: int = 0
    charts_not_live: list[str] = field(default_factory=list)  # chart ids and why
    static_svgs_missing: list[str] = field(default_factory=list)
    scroll_width: int = 0
    client_width: int = 0
    wide_elements: list[str] = field(default_factory=list)
    axe: list[dict] | None = None
    header_background: str = ""
    scripted: bool = False  # has something its scripts change (charts, a sortable table)
    refs: list[str] = field(default_factory=list)  # absolute URLs of every href/src ("links")

    def foreign_requests(self, base: str) -> list[str]:
        origin = urlsplit(base)
        out = []
        for u in self.requests:
            s = urlsplit(u)
            if s.scheme in ("data", "blob"):
                continue
            if (s.scheme, s.netloc) != (origin.scheme, origin.netloc):
                out.append(u)
        return out


# The widest elements when a page scrolls sideways: names the culprit in the report.
WIDE_ELEMENTS_JS = """(limit) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > limit + 0.5) {
      const id = el.id ? '#' + el.id : '';
      const cls = el.getAttribute('class') ? '.' + el.getAttribute('class').trim().split(/\\s+/).join('.') : '';
      out.push(el.tagName.toLowerCase() + id + cls + ' right=' + Math.round(r.right));
    }
  }
  return out.slice(0, 8);
}"""

# Every URL the document names, resolved against the page (fragment-only ones left out).
REFS_JS = """() => [
  ...[...document.querySelectorAll('[href]')].map(e => e.getAttribute('href')),
  ...[...document.querySelectorAll('[src]')].map(e => e.getAttribute('src')),
  ...[...document.querySelectorAll('meta[name=vega-bundle]')].map(e => e.content),
].filter(u => u && !u.startsWith('#')).map(u => new URL(u, document.baseURI).href)"""

# Every rule axe-core runs by default, and WCAG 2.2's target size (2.5.8, AA), which it
# leaves off unless asked.
AXE_RUN_JS = """
;(async () => {
  const r = await axe.run(document, {resultTypes: ['violations'],
                                     rules: {'target-size': {enabled: true}}});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
  }));
})()
"""


# mode -> (viewport, JavaScript on, the site's own scripts blocked, run axe-core)
MODES = {
    "desktop": (DESKTOP, True, False, True),   # axe-core runs on the live page
    "phone": (PHONE, True, False, True),
    "nojs": (PHONE, False, False, False),      # JavaScript really off
    # The page as it is without its scripts, but with JavaScript on so that axe-core can
    # run (with JavaScript off, axe.run never resolves: no timers, no microtasks).
    "static": (DESKTOP, True, True, True),
    "links": (DESKTOP, True, False, False),    # also collects every href/src (sub-path test)
}


class Visits:
    """Loads pages in the browser, each (lang, page, mode, subpath) once per session."""

    def __init__(self, browser, servers, axe_source):
        self.browser = browser
        self.at_root, self.at_sub = servers
        self.axe_source = axe_source
        self.seen: dict[tuple, Visit] = {}

    def get(self, lang: str, page: str, mode: str, subpath: bool = False) -> Visit:
        key = (lang, page, mode, subpath)
        if key not in self.seen:
            server = (self.at_sub if subpath else self.at_root)[lang]
            v = self.seen[key] = self._visit(server.url(PAGES[page]), mode)
            if v.axe is not None and not subpath:
                AXE_FINDINGS[f"{lang} {page} {mode}"] = v.axe
        return self.seen[key]

    def _visit(self, url: str, mode: str) -> Visit:
        from playwright.sync_api import expect

        viewport, js, block_scripts, run_axe = MODES[mode]
        live = js and not block_scripts
        context = self.browser.new_context(viewport=viewport, java_script_enabled=js)
        if block_scripts:
            context.route(re.compile(r"\.m?js(\?|$)"), lambda route: route.abort())
        v = Visit(url)
        try:
            page = context.new_page()
            page.on("console", lambda m: m.type == "error" and v.console_errors.append(
                f"{m.text} @ {m.location.get('url', '')}"))
            page.on("pageerror", lambda e: v.page_errors.append(str(e)))
            page.on("request", lambda r: v.requests.append(r.url))
            page.on("response", lambda r: r.status >= 400 and r.url != url and
                    v.failed_responses.append(f"{r.status} {r.url}"))
            response = page.goto(url, wait_until="load")
            v.status = response.status if response else None
            figures = page.locator("figure.chart")
            v.charts = figures.count()
            for i in range(v.charts):
                fig = figures.nth(i)
                cid = fig.get_attribute("data-chart-id") or f"#{i}"
                if live:
                    # charts.js wakes a chart when a reader reaches for it (here: the pointer)
                    fig.scroll_into_view_if_needed()
                    fig.hover()
                    try:
                        expect(fig).to_have_class(re.compile(r"(^|\s)is-live(\s|$)"), timeout=15_000)
                        expect(fig.locator(".chart-live svg, .chart-live canvas").first).to_be_visible()
                    except AssertionError as e:
                        v.charts_not_live.append(f"{cid}: {str(e).splitlines()[0]}")
                else:
                    svg = fig.locator(":scope > .chart-static > svg")
                    if svg.count() != 1 or not svg.is_visible():
                        v.static_svgs_missing.append(cid)
            page.evaluate("window.scrollTo(0, 0)")
            v.scroll_width, v.client_width = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if v.scroll_width > viewport["width"]:
                v.wide_elements = page.evaluate(WIDE_ELEMENTS_JS, viewport["width"])
            v.header_background = page.evaluate(
                "(() => { const h = document.querySelector('.site-header');"
                " return h ? getComputedStyle(h).backgroundColor : ''; })()")
            v.scripted = v.charts > 0 or page.locator("form.filters, table.sortable").count() > 0
            if mode == "links":
                v.refs = page.evaluate(REFS_JS)
            if run_axe:
                v.axe = page.evaluate(self.axe_source + AXE_RUN_JS)
        finally:
            context.close()
        return v


def axe_report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        for n in v["nodes"][:5]:
            lines.append(f"    {n['target']}")
    return "\n".join(lines)


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)


# --- colour -----------------------------------------------------------------------

def _rgb(css: str) -> tuple[float, float, float]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css)[:3])


def _luminance(rgb) -> float:
    def ch(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (ch(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG's contrast ratio of two CSS colours, rgb(…) or rgba(…) (alpha ignored)."""
    la, lb = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)
