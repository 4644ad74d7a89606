"""Lighthouse scores of the demo site: home, a region, a project and a bulletin page.

    python bench/lighthouse.py [--lang zh-CN|en] [--runs 1] [--json FILE] [--check]

Builds the demo site (content/, `language:` switched with --lang) into a temporary folder,
serves it on 127.0.0.1 with the site's Content-Security-Policy header (as deploy/ documents
for hosts), and runs the Lighthouse CLI pinned in package.json (`npm ci` installs it) with
Debian's Chromium: CHROME_PATH=/usr/bin/chromium, headless, no sandbox, no background
networking (this machine reaches no outside host). Lighthouse's defaults otherwise: the
mobile form factor and simulated throttling (a slow 4G link and a 4x slower CPU), which is
why the load of the machine matters for performance: quote `uptime` with the scores.

Prints, per page, the four category scores (the median run when --runs > 1), and every
audit that did not pass in full, so that a score below 100 names its causes. --check exits 1
when a page misses the targets: performance >= 95, accessibility 100, best practices 100,
SEO >= 95.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

LIGHTHOUSE = REPO / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 95}
PAGES = {  # the page kinds the issue names; a bulletin with a chart, a region with three
    "home": "",
    "region": "regions/zhoukou/",
    "project": "projects/zhongxin-taikang-hydrogen/",
    "bulletin": "bulletins/zhoukou-2023-q1/",
}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """The built site as a static host serves it, with the CSP header."""

    extensions_map = {"": "application/octet-stream", ".html": "text/html; charset=utf-8",
                      ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                      ".json": "application/json", ".svg": "image/svg+xml",
                      ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8",
                      ".xml": "application/xml", ".csv": "text/csv; charset=utf-8"}

    def end_headers(self):
        from builder.render import CSP

        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, format, *args):
        pass


def build(lang: str, root: Path) -> Path:
    """The demo content, its `language:` set to `lang`, built into root/output."""
    from builder.pipeline import build as run_build

    content = root / "content"
    shutil.copytree(REPO / "content", content)
    site = content / "site.yaml"
    site.write_text(re.sub(r"(?m)^language:.*$", f"language: {lang}",
                           site.read_text(encoding="utf-8")), encoding="utf-8")
    out = root / "output"
    run_build(content, out, root / "cache", templates=REPO / "site_templates", jobs=2)
    return out


def serve(root: Path) -> http.server.ThreadingHTTPServer:
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def lighthouse(url: str, out: Path) -> dict:
    """One Lighthouse run; its JSON report."""
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    cmd = ["node", str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
           f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
    subprocess.run(cmd, env=env, check=True, timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))


def scores(report: dict) -> dict[str, int]:
    return {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}


def shortfalls(report: dict) -> list[str]:
    """Every scored audit of the four categories that did not pass in full."""
    out = []
    for c in CATEGORIES:
        for ref in report["categories"][c]["auditRefs"]:
            a = report["audits"][ref["id"]]
            if ref.get("weight", 0) and a.get("score") is not None and a["score"] < 1:
                shown = a.get("displayValue") or ""
                out.append(f"{c}: {a['id']} {a['score']:.2f} {shown}".rstrip())
    return out


def metrics(report: dict) -> dict[str, str]:
    keys = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
            "cumulative-layout-shift", "speed-index")
    return {k: report["audits"][k].get("displayValue", "") for k in keys}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lang", default="zh-CN", choices=("zh-CN", "en"))
    ap.add_argument("--runs", type=int, default=1, help="runs per page; the median is kept")
    ap.add_argument("--pages", nargs="*", default=list(PAGES), choices=list(PAGES))
    ap.add_argument("--json", type=Path, help="write the scores here as JSON")
    ap.add_argument("--check", action="store_true", help="exit 1 when a page misses a target")
    args = ap.parse_args()
    if not LIGHTHOUSE.is_file():
        sys.exit(f"{LIGHTHOUSE} is missing: run `npm ci --ignore-scripts` at the repository root")
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        site = build(args.lang, Path(tmp))
        httpd = serve(site)
        base = f"http://127.0.0.1:{httpd.server_address[1]}/"
        try:
            for name in args.pages:
                runs = [lighthouse(base + PAGES[name], Path(tmp) / f"{name}-{i}.json")
                        for i in range(args.runs)]
                runs.sort(key=lambda r: scores(r)["performance"])
                report = runs[len(runs) // 2]
                results[name] = {"url": PAGES[name] or "/", "scores": scores(report),
                                 "all_performance": [scores(r)["performance"] for r in runs],
                                 "metrics": metrics(report), "shortfalls": shortfalls(report)}
                s = results[name]["scores"]
                print(f"{name:9} " + "  ".join(f"{c} {s[c]:3}" for c in CATEGORIES), flush=True)
                for k, v in results[name]["metrics"].items():
                    print(f"    {k}: {v}")
                for line in results[name]["shortfalls"]:
                    print(f"    - {line}")
        finally:
            httpd.shutdown()
            httpd.server_close()
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    missed = [f"{n} {c} {r['scores'][c]} < {TARGETS[c]}" for n, r in results.items()
              for c in CATEGORIES if r["scores"][c] < TARGETS[c]]
    if missed:
        print("missed: " + "; ".join(missed))
    if args.check and missed:
        return 1
    if results:
        print("median performance: " + str(statistics.median(
            r["scores"]["performance"] for r in results.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
