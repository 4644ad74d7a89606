"""The browser suite's fixtures: the demo site built once per session (zh-CN and
en), served by real local HTTP servers that send the CSP header, at / and under
the sub-path /bulletin/, and one headless Debian Chromium driven by Playwright.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from browser_support import AXE_FINDINGS, AXE_JS, CHROMIUM, CHROMIUM_ARGS, REPO, SUBPATH, Visits, serve


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the headless Debian Chromium (tests/browser)")


def pytest_terminal_summary(terminalreporter):
    """All axe-core violations, every impact: the tests fail on serious and critical only."""
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


@pytest.fixture(scope="session")
def site_zh(tmp_path_factory) -> Path:
    """The demo site as it ships (zh-CN), built once."""
    root = tmp_path_factory.mktemp("site-zh")
    return _build(REPO / "content", root / "output", root / "cache")


@pytest.fixture(scope="session")
def site_en(tmp_path_factory) -> Path:
    """The demo content with `language: en` in site.yaml, built once."""
    root = tmp_path_factory.mktemp("site-en")
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    site_yaml = content / "site.yaml"
    text, n = re.subn(r"(?m)^language:.*$", "language: en", site_yaml.read_text(encoding="utf-8"))
    assert n == 1, "content/site.yaml has no `language:` line to switch"
    site_yaml.write_text(text, encoding="utf-8")
    return _build(content, root / "output", root / "cache")


@pytest.fixture(scope="session")
def sites(site_zh, site_en) -> dict[str, Path]:
    return {"zh-CN": site_zh, "en": site_en}


@pytest.fixture(scope="session")
def servers(sites):
    """{lang: Server at /} and {lang: Server at /bulletin/}, each on its own port."""
    running, at_root, at_sub = [], {}, {}
    for lang, root in sites.items():
        for prefix, table in (("/", at_root), (SUBPATH, at_sub)):
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
