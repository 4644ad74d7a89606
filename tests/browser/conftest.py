"""The browser suite's fixtures: the demo site built once per session (zh-CN and
en), served by real local HTTP servers that send the CSP header, at / and (built
with a base_url ending in /bulletin/) under the sub-path /bulletin/, and one
headless Debian Chromium driven by Playwright.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from browser_support import (
    AXE_FINDINGS,
    AXE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    LANGS,
    REPO,
    SUBPATH,
    Visits,
    serve,
)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the headless Debian Chromium (tests/browser)")


def pytest_terminal_summary(terminalreporter):
    """All axe-core violations, every impact (test_site fails on any), by rule."""
    if not AXE_FINDINGS:
        return
    tr = terminalreporter
    tr.section("axe-core violations of any impact (page, mode: rule x nodes)")
    by_rule: dict[tuple[str, str], list[str]] = {}
    targets: dict[tuple[str, str], set[str]] = {}
    for where, violations in sorted(AXE_FINDINGS.items()):
        for v in violations:
            by_rule.setdefault((v["impact"], v["id"]), []).append(f"{where} x{len(v['nodes'])}")
            targets.setdefault((v["impact"], v["id"]), set()).update(
                n["target"][-90:] for n in v["nodes"])
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    for (impact, rule), places in sorted(by_rule.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1])):
        tr.write_line(f"[{impact}] {rule}: {len(places)} page visits: " + "; ".join(places))
        for t in sorted(targets[impact, rule])[:6]:
            tr.write_line(f"    e.g. {t}")
    if not by_rule:
        tr.write_line(f"none in {len(AXE_FINDINGS)} page visits")


# --- the built sites ---------------------------------------------------------

def _build(content: Path, out: Path, cache: Path) -> Path:
    from builder.pipeline import build

    build(content, out, cache, templates=REPO / "site_templates", jobs=2)
    return out


def _set(site_yaml: Path, key: str, value: str) -> None:
    """Set a top-level `key: value` of a copied site.yaml (replaced, or added at the end)."""
    text = site_yaml.read_text(encoding="utf-8")
    text, n = re.subn(rf"(?m)^{key}:.*$", f"{key}: {value}", text)
    if n == 0:
        text = text.rstrip("\n") + f"\n{key}: {value}\n"
    site_yaml.write_text(text, encoding="utf-8")


def _variant(tmp_path_factory, name: str, cache: Path, **settings: str) -> Path:
    """The demo content with some site.yaml settings changed, built once."""
    root = tmp_path_factory.mktemp(name)
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    for key, value in settings.items():
        _set(content / "site.yaml", key, value)
    return _build(content, root / "output", cache)


@pytest.fixture(scope="session")
def chart_cache(tmp_path_factory) -> Path:
    """One chart cache for every build of the session: the same charts are drawn once."""
    return tmp_path_factory.mktemp("chart-cache")


@pytest.fixture(scope="session")
def site_zh(tmp_path_factory, chart_cache) -> Path:
    """The demo site as it ships (zh-CN), built once."""
    root = tmp_path_factory.mktemp("site-zh")
    return _build(REPO / "content", root / "output", chart_cache)


@pytest.fixture(scope="session")
def site_en(tmp_path_factory, chart_cache) -> Path:
    """The demo content with `language: en` in site.yaml, built once."""
    assert re.search(r"(?m)^language:", (REPO / "content/site.yaml").read_text(encoding="utf-8")), \
        "content/site.yaml has no `language:` line to switch"
    return _variant(tmp_path_factory, "site-en", chart_cache, language="en")


@pytest.fixture(scope="session")
def sites(site_zh, site_en) -> dict[str, Path]:
    return {"zh-CN": site_zh, "en": site_en}


@pytest.fixture(scope="session")
def sub_sites(tmp_path_factory, chart_cache) -> dict[str, Path]:
    """Both languages built for the sub-path: `base_url` ends in /bulletin/, as a site served
    there must say (its 404 page links from the site root, hosts serving it at any depth)."""
    base = f"https://example.org{SUBPATH}"
    return {lang: _variant(tmp_path_factory, f"site-sub-{lang}", chart_cache, language=lang,
                           base_url=base) for lang in LANGS}


@pytest.fixture(scope="session")
def servers(sites, sub_sites):
    """{lang: Server at /} and {lang: Server at /bulletin/}, each on its own port."""
    running, at_root, at_sub = [], {}, {}
    for table, prefix, built in ((at_root, "/", sites), (at_sub, SUBPATH, sub_sites)):
        for lang, root in built.items():
            httpd, server = serve(root, prefix)
            running.append(httpd)
            table[lang] = server
    yield at_root, at_sub
    for httpd in running:
        httpd.shutdown()
        httpd.server_close()


# --- the browser ---------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    assert AXE_JS.is_file(), f"{AXE_JS} is missing: run `npm ci` at the repository root"
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def visits(browser, servers, axe_source) -> Visits:
    return Visits(browser, servers, axe_source)
