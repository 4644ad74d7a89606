"""The Nu Html Checker (vnu.jar from npm `vnu-jar`, on the machine's Java)
finds no error in any built HTML file, zh-CN and en."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict

import pytest

from browser_support import LANGS, VNU_JAR


@pytest.fixture(scope="module")
def vnu_errors(sites, tmp_path_factory) -> dict[str, dict[str, list[str]]]:
    """{lang: {page: [error, ...]}} from one run of vnu over both sites (one JVM start),
    plus a page with a known error under the key "canary" to show the checker looked."""
    java = shutil.which("java")
    assert java, "no `java` on PATH: apt-get install default-jre-headless (.ci/run does)"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run `npm ci --ignore-scripts` at the repository root"
    pages = {lang: sorted(root.rglob("*.html")) for lang, root in sites.items()}
    assert all(len(p) >= 90 for p in pages.values()), {k: len(v) for k, v in pages.items()}
    canary = tmp_path_factory.mktemp("vnu") / "canary.html"
    canary.write_text("<!doctype html><html lang=en><title>x</title><p><div></span>", encoding="utf-8")
    r = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(canary),
                        *(str(p) for ps in pages.values() for p in ps)],
                       capture_output=True, text=True, timeout=600)
    report = json.loads(r.stderr or r.stdout)  # vnu writes its JSON report to stderr
    out = {lang: defaultdict(list) for lang in (*sites, "canary")}
    for m in report["messages"]:
        if m.get("type") not in ("error", "non-document-error"):
            continue
        url = m.get("url", "")
        if url.endswith("/canary.html"):
            out["canary"]["canary.html"].append(m.get("message"))
            continue
        lang = next((k for k, root in sites.items() if str(root) in url), LANGS[0])
        page = url.split(str(sites[lang]), 1)[-1]
        out[lang][page].append(f"line {m.get('lastLine')}: {m.get('message')}  "
                               f"[{(m.get('extract') or '').strip()[:80]}]")
    assert out["canary"], f"vnu reported nothing, not even for {canary}: {r.stderr[-2000:]}"
    return out


def test_the_nu_html_checker_does_report_errors(vnu_errors):
    assert len(vnu_errors["canary"]["canary.html"]) >= 1


@pytest.mark.parametrize("lang", LANGS)
def test_the_nu_html_checker_finds_no_error_on_any_page(vnu_errors, lang):
    errors = vnu_errors[lang]
    assert not errors, "\n".join(f"{p}\n  " + "\n  ".join(v[:5]) for p, v in sorted(errors.items()))
