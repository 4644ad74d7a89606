"""Page weight: what a first visit to each kind of page transfers, gzipped, chart bundle aside.

    python bench/page_weight.py [--lang zh-CN|en|both] [--json FILE] [--check] [--site DIR]

Builds the demo site (content/, `language:` switched with --lang) into a temporary folder, or
reads a built one (--site), and for every page adds up the gzip sizes (level 6, what hosts
compress on the fly) of the HTML and of every file the page itself loads: stylesheets (the
print one too: browsers fetch it), scripts, module scripts and the icon. The chart bundle
(vega + vega-lite + vega-embed, named by `<meta name="vega-bundle">`) is left out and reported
apart: charts.js fetches it only when a reader reaches for a chart.

Prints, per kind of page, the heaviest page of that kind and its parts, and the budgets:
home <= 150 KB, project page <= 60 KB (--check exits 1 when one is exceeded, or when a page
without a chart names the bundle).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))
from lighthouse import build  # noqa: E402  (the demo in a language, built: shared with lighthouse.py)

KB = 1024
BUDGETS = {"home": 150 * KB, "project": 60 * KB}  # bytes transferred, gzipped, chart bundle aside


class _Loads(HTMLParser):
    """The URLs a page loads by itself (stylesheets, scripts, icon) and the bundle it names."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.bundle = ""
        self.charts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        rel = (a.get("rel") or "").split()
        if tag == "link" and ({"stylesheet", "icon", "modulepreload", "preload"} & set(rel)):
            self.loads.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.loads.append(a["src"])
        elif tag == "meta" and a.get("name") == "vega-bundle":
            self.bundle = a.get("content", "")
        elif tag == "figure" and "chart" in (a.get("class") or "").split():
            self.charts += 1

    handle_startendtag = handle_starttag


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _file(site: Path, page: Path, url: str) -> Path:
    """The file a relative (or root-relative) URL of `page` names."""
    path = url.split("#")[0].split("?")[0]
    base = site if path.startswith("/") else page.parent
    target = (base / path.lstrip("/")).resolve()
    return target / "index.html" if target.is_dir() else target


def weigh(site: Path, page: Path) -> dict:
    """{html, parts: {name: gz bytes}, total, bundle: gz bytes or 0, charts} for one page."""
    html = page.read_bytes()
    loads = _Loads()
    loads.feed(html.decode("utf-8"))
    parts = {"html": gz(html)}
    for url in loads.loads:
        f = _file(site, page, url)
        parts[f.name] = gz(f.read_bytes()) if f.is_file() else 0
    # scripts that import other modules by a static import would load them too
    for name in [n for n in parts if n.endswith(".js")]:
        js = (site / "assets" / name).read_text(encoding="utf-8", errors="replace") \
            if (site / "assets" / name).is_file() else ""
        for imp in re.findall(r"""^\s*import\s[^'"]*['"]([^'"]+)['"]""", js, re.M):
            f = _file(site, site / "assets" / name, imp)
            parts[f.name] = gz(f.read_bytes()) if f.is_file() else 0
    bundle = _file(site, page, loads.bundle) if loads.bundle else None
    return {"parts": parts, "total": sum(parts.values()), "charts": loads.charts,
            "bundle": gz(bundle.read_bytes()) if bundle and bundle.is_file() else 0}


def kind_of(route: str) -> str:
    parts = route.split("/")
    if route == "index.html":
        return "home"
    if route == "404.html":
        return "404"
    if len(parts) == 2:  # regions/index.html
        return parts[0]
    if parts[0] == "projects" and re.fullmatch(r"page-?\d+", parts[1]):  # the table, page 2 on
        return "projects"
    return {"regions": "region", "projects": "project", "campaigns": "campaign",
            "bulletins": "bulletin"}.get(parts[0], parts[0])


def survey(site: Path) -> dict[str, dict]:
    """The heaviest page of each kind: {kind: {route, total, parts, pages, bundle, charts}}."""
    out: dict[str, dict] = {}
    bundle_without_chart = []
    for page in sorted(site.rglob("*.html")):
        route = page.relative_to(site).as_posix()
        if route.startswith(("assets/", "pagefind/")):
            continue
        w = weigh(site, page)
        if w["bundle"] and not w["charts"]:
            bundle_without_chart.append(route)
        kind = kind_of(route)
        best = out.get(kind)
        if best is None or w["total"] > best["total"]:
            out[kind] = {"route": route, **w, "pages": (best or {}).get("pages", 0)}
        out[kind]["pages"] += 1
    out["_bundle_without_chart"] = {"routes": bundle_without_chart}
    return out


def report(lang: str, kinds: dict[str, dict]) -> list[str]:
    """The table, and the budgets missed."""
    print(f"\n{lang}: heaviest page of each kind, KB gzipped (chart bundle apart)")
    print(f"{'kind':9} {'pages':>5} {'total':>6} {'html':>5} {'bundle':>6}  {'heaviest':<42} the rest")
    missed = []
    for kind, w in sorted(kinds.items()):
        if kind.startswith("_"):
            continue
        rest = ", ".join(f"{re.sub(r'[.][0-9a-f]{10}[.]', '.', n)} {v / KB:.1f}"
                         for n, v in w["parts"].items() if n != "html")
        print(f"{kind:9} {w['pages']:5} {w['total'] / KB:6.1f} {w['parts']['html'] / KB:5.1f} "
              f"{w['bundle'] / KB:6.1f}  {w['route']:<42} {rest}")
        if kind in BUDGETS and w["total"] > BUDGETS[kind]:
            missed.append(f"{lang} {kind}: {w['total'] / KB:.1f} KB > {BUDGETS[kind] / KB:.0f} KB")
    for route in kinds["_bundle_without_chart"]["routes"]:
        missed.append(f"{lang} {route} names the chart bundle but has no chart")
    return missed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lang", default="both", choices=("zh-CN", "en", "both"))
    ap.add_argument("--site", type=Path, help="a built site to weigh instead of the demo")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    langs = ("zh-CN", "en") if args.lang == "both" else (args.lang,)
    results, missed = {}, []
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        for lang in (str(args.site),) if args.site else langs:
            site = args.site or build(lang, Path(tmp) / lang)
            results[lang] = survey(site)
            missed += report(lang, results[lang])
    print("\nbudgets: " + ", ".join(f"{k} <= {v / KB:.0f} KB" for k, v in BUDGETS.items())
          + (" — missed: " + "; ".join(missed) if missed else " — all met"))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
