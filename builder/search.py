"""Search: the /search/ page, a small name index, and the Pagefind full-text bundle.

Two indexes, made from the same build, merged by `search.js` on the page:
- `search/records.json` (`records_json`): every project, region and published
  bulletin with its names, aliases, id, region, stage and sector. The page
  matches what is typed as an exact substring of these (NFKC, case folded), so
  益海 finds 益海嘉里(周口)现代食品产业园 however a segmenter splits the name,
  and filters work on it without a server. It is cheap (milliseconds at
  N = 5,000) and made on every rebuild.
- `pagefind/` (`index_site`): Pagefind's full-text index of the built pages
  (its extended binary segments Chinese), indexed from memory through the
  service protocol (`_pagefind`). Each page is given to Pagefind as its
  `<main>` without charts, SVG or scripts, with hidden filter elements (kind,
  region and the regions above it, stage, sector) added for the indexer only;
  the published page is unchanged. Lists that repeat every project (the
  projects table) are left out, so a name leads to its own page.

Indexing costs seconds on large sites, so `Session` runs it on a full build
(`bulletin build`) and `bulletin serve` runs it in the background when the
preview has been idle (`searchidle`), never on the path of a save.
Same content, same bytes: pages go to Pagefind sorted by route; Pagefind writes
its filter files in a random order, which `_pagefind_order` sorts (tests/
test_search.py and tests/test_build.py build twice and compare).
"""

from __future__ import annotations

import html as _html
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from . import urls
from ._pagefind_order import BundleShapeError, stable_bundle
from .derive import Derived
from .i18n import Catalog
from .pages import Page, Plan, _name, _Planner

__all__ = ["SearchEntry", "entries", "records_json", "NameIndex", "search_pages", "index_site",
           "indexed_routes", "indexed_html", "page_filters", "bundle_files", "RECORDS", "BUNDLE",
           "KINDS", "PAGEFIND_CONFIG"]

log = logging.getLogger("bulletin.search")

RECORDS = "search/records.json"
BUNDLE = "pagefind/"  # the folder of Pagefind's files in the site
KINDS = ("project", "region", "bulletin")
ROUTE = "search/index.html"
#: Pagefind's files the page needs; its own UI bundles are left out.
_RUNTIME = re.compile(r"^(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|"
                      r"wasm\.[\w-]+\.pagefind|pagefind\.[\w-]+\.pf_meta|"
                      r"(fragment|index|filter)/[\w-]+\.pf_\w+)$")
#: Page kinds not indexed: the projects table repeats every name; 404 and search are no content.
_SKIP_KINDS = {"projects", "404", "search"}
#: Parts of a page that are not text to find: drawn charts, their data, scripts.
#: What Pagefind is not given: charts, SVGs and scripts, from the opening tag to the first
#: closing one (`_drop`: found apart, four times faster than one lazy `.*?` pattern).
_OPENING = re.compile(r'<(?:(figure) class="chart"|(svg)\b|(script)\b)', re.I)
_CLOSING = tuple(re.compile(x, re.I) for x in ("</figure>", "</svg>", "</script>"))
_MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.S | re.I)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
_LANG = re.compile(r'<html\b[^>]*\blang="([^"]+)"', re.I)
#: Given to Pagefind: lists of projects (region pages) and navigation are not the page's own
#: text, and a project's monthly ledger is figures by month (a search for "2023年5月" would
#: find every project; it was 40 % of the index, and of Pagefind's time and memory).
_EXCLUDE = ["table.projects", "table.ledger", "nav", ".pager", ".visually-hidden"]
PAGEFIND_CONFIG = {"exclude_selectors": _EXCLUDE}


@dataclass(frozen=True)
class SearchEntry:
    """One record as search sees it."""

    kind: str  # project | region | bulletin
    id: str
    name: str  # in the page's language
    others: tuple[str, ...]  # aliases, the other language's name, full name
    region: str  # region id ("" when none)
    stage: str = ""  # stage id (projects)
    sector: str = ""  # sector label (projects)

    @property
    def path(self) -> str:
        return urls.path_of(self.kind, self.id)


def _texts(*values: Any) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        for s in (v if isinstance(v, (tuple, list)) else (v,)):
            if s and isinstance(s, str) and s not in out:
                out.append(s)
    return tuple(out)


def _sector_label(t: Catalog, sectors: Mapping[str, Any], sector: str | None) -> str:
    s = sectors.get(sector or "")
    return _name(t, s) if s is not None else sector or ""


def _sectors(d: Derived) -> dict[str, Any]:
    site = d.content.site
    return {s.id: s for s in site.sectors} | {s.name: s for s in site.sectors}


def _records(d: Derived) -> Iterable[tuple[str, str, Any]]:
    """(kind, id, record) of every project, region and published bulletin, by kind, then id."""
    for pid in sorted(d.projects):
        yield "project", pid, d.projects[pid].project
    for rid in sorted(d.regions):
        yield "region", rid, d.regions[rid].region
    for b in sorted(d.content.bulletins, key=lambda b: b.slug):
        if not b.meta.draft:
            yield "bulletin", b.slug, b


def _entry(kind: str, key: str, rec: Any, t: Catalog, sectors: Mapping[str, Any]) -> SearchEntry:
    if kind == "project":
        name = _name(t, rec)
        others = tuple(x for x in _texts(rec.name, rec.name_en, rec.aliases) if x != name)
        return SearchEntry(kind, key, name, others, rec.region or "", rec.stage or "",
                           _sector_label(t, sectors, rec.sector))
    if kind == "region":
        name = _name(t, rec)
        return SearchEntry(kind, key, name, tuple(
            x for x in _texts(rec.name, rec.name_en, rec.full_name, rec.full_name_en, rec.aliases)
            if x != name), key)
    m = rec.meta
    name = m.title_en if t.lang == "en" and m.title_en else m.title
    return SearchEntry(kind, key, name, tuple(x for x in _texts(m.title, m.title_en, m.tags)
                                              if x != name), m.region or "")


def entries(d: Derived, t: Catalog) -> list[SearchEntry]:
    """Every project, region and published bulletin, sorted by kind, then id."""
    sectors = _sectors(d)
    return [_entry(kind, key, rec, t, sectors) for kind, key, rec in _records(d)]


def _row(e: SearchEntry) -> str:
    return json.dumps([e.kind, e.id, e.name, list(e.others), e.region, e.stage, e.sector],
                      ensure_ascii=False, separators=(",", ":"))


def _region_order(d: Derived) -> list[tuple[str, int]]:
    """(region id, depth) in tree order from the home region, then any region not under it."""
    out: list[tuple[str, int]] = []
    seen: set[str] = set()

    def walk(rid: str, depth: int) -> None:
        if rid in seen or rid not in d.regions:
            return
        seen.add(rid)
        out.append((rid, depth))
        for c in d.regions[rid].children:
            walk(c, depth + 1)
    walk(d.content.site.home_region, 0)
    for rid in sorted(d.regions):
        if not d.regions[rid].ancestors:
            walk(rid, 0)
    for rid in sorted(d.regions):
        walk(rid, 0)
    return out


def records_json(d: Derived, t: Catalog, rows: Iterable[str] | None = None) -> bytes:
    """The name index `search.js` reads: compact, sorted, byte-identical for equal content.

    `paths`: where each kind's page lives; `regions`: [id, name, parent id] in tree order (a
    region filter keeps what is below it); `records`: [kind, id, name, other names, region,
    stage, sector], one per entry (`rows`: those already encoded, in order).
    """
    regions = [[rid, _name(t, d.regions[rid].region), d.regions[rid].region.parent or ""]
               for rid, _ in _region_order(d)]
    head = json.dumps({"version": 1, "paths": {k: urls.PATHS[k] for k in KINDS},
                       "regions": regions}, ensure_ascii=False, separators=(",", ":"))
    if rows is None:
        rows = [_row(e) for e in entries(d, t)]
    return (head[:-1] + ',"records":[' + ",".join(rows) + "]}\n").encode("utf-8")


class NameIndex:
    """`records_json` for a session: a record's row is encoded again only when the record
    changed (unchanged records are the same objects from one rebuild to the next), or the
    site or language did."""

    def __init__(self) -> None:
        self._context: tuple | None = None
        self._rows: dict[tuple[str, str], tuple[Any, str]] = {}

    def __call__(self, d: Derived, t: Catalog) -> bytes:
        context = (t.lang, d.content.site)
        if context != self._context:
            self._context, self._rows = context, {}
        sectors = _sectors(d)
        fresh: dict[tuple[str, str], tuple[Any, str]] = {}
        for kind, key, rec in _records(d):
            old = self._rows.get((kind, key))
            text = old[1] if old is not None and old[0] is rec else \
                _row(_entry(kind, key, rec, t, sectors))
            fresh[kind, key] = (rec, text)
        self._rows = fresh
        return records_json(d, t, [text for _, text in fresh.values()])


# --- the page -----------------------------------------------------------------------------

def search_pages(pl: _Planner) -> list[Plan]:
    """The /search/ page: a search box, filters, and (without JavaScript) a way to the table."""
    return [Plan(ROUTE, "search", None, lambda: _search_page(pl))]


def _search_page(pl: _Planner) -> Page:
    from .vocab import STAGES
    d, t = pl.d, pl.t
    projects = [pv.project for pv in d.projects.values()]
    stages = {p.stage for p in projects if p.stage}
    ctx = {
        "kinds": [{"id": k, "label": t.t(f"search.kind.{k}")} for k in KINDS],
        "regions": [{"id": rid, "name": _name(t, d.regions[rid].region), "depth": depth}
                    for rid, depth in _region_order(d)],
        "stages": [{"id": s, "label": t.t(f"stage.{s}")} for s in STAGES if s in stages],
        "sectors": pl.sectors_used(),
    }
    return Page(ROUTE, "search.html", ctx, (), title=t.t("search.title"), kind="search")


# --- the full-text index --------------------------------------------------------------------

def indexed_routes(kinds: Mapping[str, str], files: Mapping[str, bytes] | None = None) -> list[str]:
    """The pages Pagefind indexes, sorted: every HTML page but lists, 404 and search (of
    those in `files`, if given)."""
    return sorted(r for r, k in kinds.items() if k not in _SKIP_KINDS and r.endswith(".html")
                  and (files is None or r in files))


def _filters(e: SearchEntry | None, d: Derived) -> dict[str, list[str]]:
    if e is None:
        return {}
    out = {"kind": [e.kind]}
    if e.region and e.region in d.regions:
        out["region"] = [e.region, *reversed(d.regions[e.region].ancestors)]
    if e.stage:
        out["stage"] = [e.stage]
    if e.sector:
        out["sector"] = [e.sector]
    return out


def page_filters(d: Derived, t: Catalog) -> dict[str, dict[str, list[str]]]:
    """The filters of each record's page, by route (other pages have none)."""
    return {urls.route_of(e.path): _filters(e, d) for e in entries(d, t)}


def _drop(html: str) -> str:
    out, kept, at = [], 0, 0
    while (m := _OPENING.search(html, at)):
        close = _CLOSING[m.lastindex - 1].search(html, m.end())  # type: ignore[operator]
        if close is None:  # not closed: not dropped
            at = m.start() + 1
            continue
        out.append(html[kept:m.start()])
        kept = at = close.end()
    out.append(html[kept:])
    return "".join(out)


def indexed_html(page: str, filters: Mapping[str, list[str]]) -> str:
    """What Pagefind reads of a page: its <main> without charts and scripts, plus filters."""
    m = _MAIN.search(page)
    body = _drop(m.group(1) if m else page)
    lang = _LANG.search(page)
    title = _TITLE.search(page)
    tags = "".join(f'<span data-pagefind-ignore data-pagefind-filter="{k}">{_html.escape(v)}</span>'
                   for k, values in filters.items() for v in values)
    return (f'<!doctype html><html lang="{lang.group(1) if lang else "zh-CN"}"><head>'
            f"<title>{title.group(1) if title else ''}</title></head>"
            f"<body>{tags}{body}</body></html>")


def index_site(files: Mapping[str, bytes], kinds: Mapping[str, str], d: Derived, t: Catalog,
               started: Callable[[Any], None] | None = None) -> dict[str, bytes]:
    """Pagefind's bundle for the site, {route: bytes}, under `pagefind/`.

    `started` is given the running service (`searchidle` stops it when a save comes in).
    """
    from ._pagefind import PagefindService

    filters = page_filters(d, t)
    pages = []
    for route in indexed_routes(kinds, files):
        text = files[route].decode("utf-8")
        pages.append(("/" + urls.path_of_route(route), indexed_html(text, filters.get(route, {}))))
    with PagefindService() as service:
        if started is not None:
            started(service)
        index = service.new_index(PAGEFIND_CONFIG)
        service.add_html_files(index, pages)
        bundle = service.get_files(index)
    return bundle_files(bundle)


def bundle_files(bundle: Mapping[str, bytes]) -> dict[str, bytes]:
    """What Pagefind wrote, as the site's files: the runtime's only, in a stable form."""
    bundle = {path: data for path, data in bundle.items() if _RUNTIME.match(path)}
    try:
        bundle = stable_bundle(bundle)
    except (BundleShapeError, OSError, EOFError) as err:  # a Pagefind this was not made for
        log.warning("search index left as Pagefind wrote it (filters in run order): %s", err)
    return {BUNDLE + path: data for path, data in sorted(bundle.items())}
