"""A build in memory that remembers what it made, so the next one redoes only what changed.

`bulletin build` runs one `Session.rebuild()` and writes its files;
`bulletin serve` keeps the session and calls `rebuild()` after each save. Both
go through the same code, so an incremental rebuild cannot drift from a full
build (a test edits content at random and compares the two byte for byte).

What is reused between rebuilds, and why it is safe:
- a file's validation result, while its stat (inode, size, mtime, ctime) is
  unchanged (`validate.FileCache`);
- a drawn chart, while its request (kind, rows, texts) is equal to the last one;
- a rendered page, while none of the content files it is made from changed
  (`deps.page_sources`) and the site's shape did not change (`deps.shape`: ids,
  parents, memberships — whatever decides which records a page reads);
  templates, the catalog and site.yaml are inputs of every page, so a change
  there renders all. Pages are planned lazily (`pages.Plan`): only the pages
  rendered have their contexts built;
- a share image (`ogimage`), while its card's words are unchanged; the feeds and
  the sitemap are made again every time (tens of milliseconds at 5,000 projects);
- the full-text index of a build (`searchindex`), while its pages index to the
  same text (kept in the cache folder).

Many pages (a full build) are rendered in forked worker processes (`renderpool`),
while this process makes the data files, feeds and share images; a save in
`bulletin serve` renders its few pages here.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from . import apart, chartready, collector, renderpool
from .chart import Chart, ChartRequest, start_drawing, warm
from .chartplan import plan_charts
from .deps import page_sources, records_by_path, shape, templates_key
from .derive import Derived, derive
from .errors import BuildError, Problem
from .feeds import feed_files, sitemap_files
from .i18n import load_catalog
from .ogimage import cards, draw_cards
from .opendata import DataMemo, adopt, data_files, data_files_apart
from .pages import Page, Plan, page_plans
from .search import BUNDLE, RECORDS, NameIndex
from .searchidle import IdleIndexer
from .searchindex import FullText
from .render import Assets, build_assets, environment, render_page, robots
from .validate import FileCache, default_jobs, validate
from .write import Staging, StagedSite

__all__ = ["Session", "Outcome", "default_templates"]

Progress = Callable[[str, int, int], None]
#: The render workers' niceness while Pagefind is fed as they render: it indexes on one
#: core and must keep up, or it is left with most of its work when the pages are done.
STREAM_NICE = 5
#: A first build of at least this many projects makes its data files in a forked process
#: (`apart`) while this one reads the charts and plans the pages (~1 s at 5,000).
APART_MIN = 300


def default_templates() -> Path:
    """`site_templates/` of the site folder, else the bundled one: `builder/site_templates/`
    in an installed wheel, `site_templates/` beside `builder/` in a source checkout."""
    here = Path("site_templates")
    if here.is_dir():
        return here
    package = Path(__file__).resolve().parent
    installed = package / "site_templates"
    return installed if installed.is_dir() else package.parent / "site_templates"


@dataclass(frozen=True)
class Outcome:
    """One successful rebuild: the whole site in memory, and what it cost."""

    derived: Derived
    problems: tuple[Problem, ...]  # warnings (errors raise instead)
    files: Mapping[str, bytes]  # route -> bytes, the complete site
    changed: frozenset[str]  # routes whose bytes differ from the previous rebuild's
    pages: int
    charts: int
    rendered: int  # pages rendered this time (the rest were reused)
    seconds: dict = field(default_factory=dict)


class Session:
    """Builds a site in memory, again and again, reusing what did not change."""

    def __init__(self, content: Path, templates: Path | None = None, cache: Path | None = None,
                 jobs: int | None = None, strict: bool = False, search: str = "off",
                 once: bool = False):
        """`search`: when to make Pagefind's full-text index (`search.py`): "build" in every
        rebuild (`bulletin build`), "idle" in the background after saves stop (`bulletin
        serve`), "off" never (the name index `search/records.json` is made in every mode).
        `once`: one rebuild only (`bulletin build`): what only a next rebuild would reuse
        is not kept (the data files' encoded rows: 100 MB at 20,000 projects)."""
        self.content = Path(content)
        self.templates = Path(templates) if templates else default_templates()
        self.cache = Path(cache) if cache else None
        self.jobs, self.strict, self.once = jobs, strict, once
        self._files: FileCache = {}
        self._charts: dict[str, tuple[ChartRequest, Chart]] = {}
        self._assets: tuple[str, Assets] | None = None
        self._key: tuple = ()  # what every page depends on: templates, site, shape
        self._sources: dict[str, object] = {}  # content path -> its record, at the last rebuild
        self._site: dict[str, bytes] = {}
        self._data: DataMemo = {}
        self._og: dict[str, bytes] = {}  # share images by their SVG's key
        self._feeds: dict = {}  # the last feeds and what they were made from
        self.search = search
        self._index: dict[str, bytes] = {}  # the last Pagefind bundle (search="idle")
        self._names = NameIndex()
        self._lock = threading.Lock()  # the idle indexer swaps its bundle into `_site`
        self.indexer = IdleIndexer(self._indexed) if search == "idle" else None
        self._env: Any = None  # compiled templates outlive a rebuild (made with `_catalog`)
        self._catalog: tuple[tuple, Any] | None = None  # ((templates key, language), Catalog)
        self._requests: dict = {}  # chartplan's memo of per-record chart requests
        self._rows: dict = {}  # pages' memo of the projects table's rows
        self._derive_memo: dict = {}  # derive's per-record work, kept with the records
        self._last: tuple[list[Plan], Derived] | None = None  # for `warm`
        self._deps: dict[tuple, frozenset[str] | None] = {}  # (kind, key) -> page_sources
        self._subtrees: dict[str, frozenset[str]] = {}  # page_sources' memo, with `_deps`
        self._shapes: dict[str, tuple] = {}  # deps.shape's memo of each project's part

    @property
    def site(self) -> Mapping[str, bytes]:
        """The last complete site built (empty before the first success)."""
        return self._site

    def rebuild(self, progress: Progress | None = None, stage: Callable[[], Staging] | None = None
                ) -> Outcome:
        """Build the site again; raises BuildError (with every Problem) and keeps the last site.
        `stage()`: the new output folder, asked for when pages are rendered in workers: they
        put them there, not sent back (`bulletin build`; `Outcome.files` is a `StagedSite`)."""
        times: dict[str, float] = {}
        t0 = time.perf_counter()
        if self.indexer is not None:
            self.indexer.cancel()  # a save came in: indexing waits until saves stop
        # The record store on disk serves a first build; after it, the files' results
        # are kept here in memory (reading the store again would cost more than it saves).
        store = self.cache / "records" if self.cache is not None and not self._files else None
        checked = validate(self.content, jobs=self.jobs, cache=self._files, cache_dir=store)
        times["validate"] = time.perf_counter() - t0
        problems = list(checked.problems)
        derived = None
        if not checked.errors and checked.site is not None:
            t = time.perf_counter()
            derived = derive(checked, self._derive_memo)
            times["derive"] = time.perf_counter() - t
            problems += list(derived.problems)
        failing = [p for p in problems if p.severity == "error" or self.strict]
        if failing or derived is None:
            raise BuildError(problems)
        data = None  # a first build's data files, made beside the chart and page stages
        once = self.once
        if not self._data and self._jobs() > 1 and len(derived.projects) >= APART_MIN:
            data = apart.start(lambda: data_files_apart(derived, rows=not once))
        tkey = templates_key(self.templates)
        if self._catalog is None or self._catalog[0] != (tkey, checked.site.language):
            self._catalog = ((tkey, checked.site.language),
                             load_catalog(self.templates, checked.site.language))
            self._requests = {}  # its requests hold the old catalog's words
            self._rows = {}  # and so do the table rows
            # A template or a word changed: compile again (the words are inlined).
            self._env = environment(self.templates, self._catalog[1])
        catalog = self._catalog[1]
        # Charts are drawn behind this thread when there are many to draw (a cold build),
        # while pages are planned. What needs neither (data files, feeds, share images) is
        # made where a core is free: while Pagefind finishes, if it is fed as pages render
        # (`searchindex`); else while the charts are drawn, or while the pages render.
        t = time.perf_counter()
        requests = plan_charts(derived, catalog, self._requests)
        # A one-shot build reads each chart where its page is rendered (`chartready`), once
        # all are drawn; else they are read or drawn here, all at once.
        lazy, keys = chartready.ready(requests, self.cache) if self.once else (None, {})
        busy, drawn = (False, lambda: lazy) if lazy is not None else self._draw(requests, keys)
        times["chart"] = time.perf_counter() - t
        t = time.perf_counter()
        plans, clashes = page_plans(derived, catalog, requests, self._rows)  # (ids only)
        if clashes:
            drawn()
            raise BuildError(problems + clashes)
        assets = self._build_assets()
        stale = self._stale(plans, checked, derived, tkey)
        kinds = {plan.route: plan.kind for plan in plans}
        fulltext = FullText(kinds, derived, catalog, self.cache) if self.search == "build" else None
        site, env = checked.site, self._env
        times["render"] = time.perf_counter() - t
        side: dict[str, dict[str, bytes]] = {}

        def other_work() -> None:
            with ThreadPoolExecutor(1) as beside:  # share images: many are drawn by a process
                images = beside.submit(draw_cards, cards(derived, catalog), self.cache, self._og,
                                       self._jobs())
                t = time.perf_counter()
                side["data"] = self._data_files(derived, data)
                times["data"] = time.perf_counter() - t
                t = time.perf_counter()  # feeds (kept while their inputs are) and sitemap
                side["feeds"] = {**feed_files(derived, catalog, self._feeds),
                                 **sitemap_files(site, [p.route for p in plans]), **images.result()}
            side["names"] = {RECORDS: self._names(derived, catalog)}
            times["feeds"] = time.perf_counter() - t
        stream = fulltext is not None and fulltext.stream
        if busy and not stream:
            other_work()  # while the charts are drawn
        t = time.perf_counter()
        charts: Mapping[str, Chart] = drawn()
        if self.once and busy:
            collector.give_back()  # what drawing them left (forked workers would copy it)
        n_charts = len(charts)
        times["chart"] += time.perf_counter() - t
        t = time.perf_counter()

        def render(page: Page) -> bytes:
            return render_page(page, charts, catalog, site, assets, env)
        if stream:  # Pagefind takes the pages in route order
            stale = sorted(stale, key=lambda plan: plan.route)
        staging = stage() if stage and renderpool.use_pool(len(stale), self._jobs()) else None
        rendering = renderpool.start(
            stale, render, self._jobs(), fulltext.prepare if fulltext else None,
            fulltext.add if fulltext else None,
            (lambda n, total: progress("render", n, total)) if progress else None,
            STREAM_NICE if stream else 0, staging.put if staging else None)
        if fulltext is not None:
            fulltext.start()  # Pagefind, fed as pages come (after the fork: see searchindex)
        try:
            if not busy and not stream:
                other_work()  # while the pages render (its times overlap the render stage's)
        finally:
            fresh = rendering.result()
            fresh["robots.txt"] = robots(site)
            times["render"] += time.perf_counter() - t
        if stream:
            other_work()  # while Pagefind, on one core, writes its files
        if self.once:
            collector.give_back()  # (what the pages' arrival and the data files' left)
        files: dict[str, bytes] = {}
        for plan in plans:
            if plan.route not in rendering.put:
                files[plan.route] = fresh[plan.route] if plan.route in fresh else self._site[plan.route]
        files.update((k, v) for k, v in fresh.items() if k not in files)  # robots.txt
        files.update(assets.files)
        files.update(side["data"])
        files.update(side["feeds"])
        t = time.perf_counter()
        files.update(side["names"])
        site = StagedSite(files, rendering.put, staging) if staging and rendering.put else files
        if fulltext is not None:
            if progress:
                progress("search", 0, 1)
            files.update(fulltext.finish(site))
            if progress:
                progress("search", 1, 1)
        files.update(self._index)  # search="idle": the last index, until the next is made
        times["search"] = time.perf_counter() - t
        changed = frozenset(r for r, b in site.items() if self._site.get(r) != b) | \
            frozenset(set(self._site) - set(site)) if self._site else frozenset(site)
        with self._lock:
            self._site = site
        self._last = (plans, derived)
        if self.indexer is not None:
            self.indexer.schedule(site, kinds, derived, catalog)
        times["total"] = time.perf_counter() - t0
        return Outcome(derived, tuple(problems), site, changed, len(plans), n_charts,
                       len(stale), times)

    def _indexed(self, files: Mapping[str, bytes], bundle: dict[str, bytes]) -> None:
        """The idle indexer made `bundle` from `files`: serve it (with that site, if still current)."""
        with self._lock:
            self._index = bundle
            if self._site is files:
                site = {r: b for r, b in files.items() if not r.startswith(BUNDLE)}
                site.update(bundle)
                self._site = site

    def warm(self) -> None:
        """Get ready for the next save (`bulletin serve` calls it once, after its first
        build): start this process's chart engine with the templates the site's chart
        kinds use, so that one edit's charts are drawn without the engine's start-up."""
        by_kind: dict[str, list[ChartRequest]] = {}
        for req, _chart in self._charts.values():
            by_kind.setdefault(req.kind, []).append(req)
        warm([r for reqs in by_kind.values() for r in reqs[:4]], self.cache)
        for name in (self._env.list_templates(filter_func=lambda n: n.endswith(".html"))
                     if self._env is not None else ()):
            self._env.get_template(name)  # compiled here: a full build compiles them in workers
        if self._last is not None:  # and learn which files each page is made from
            plans, derived = self._last
            for plan in plans:
                k = (plan.kind, plan.key)
                if k not in self._deps:
                    self._deps[k] = page_sources(derived, *k, self._subtrees)
            # The pages with 500-row project tables (regions, the projects list) rendered
            # here once, so that their rows are kept (`render.RowCache`): a save then
            # renders the one row it changed on each (a full build rendered them in workers).
            if self._env is not None and self._catalog is not None:
                charts = {cid: chart for cid, (_req, chart) in self._charts.items()}
                site, assets = derived.content.site, self._build_assets()
                for plan in plans:
                    if plan.kind in ("region", "projects"):
                        render_page(plan.make(), charts, self._catalog[1], site, assets, self._env)

    # --- what can be reused ---------------------------------------------------------------

    def _draw(self, requests: Mapping[str, ChartRequest], keys: Mapping[str, str]
              ) -> tuple[bool, Callable[[], Mapping[str, Chart]]]:
        """Start drawing the charts whose request is not the last one's (those are not even
        looked up in the cache). Returns whether they are being drawn behind the caller,
        and the function that waits for them: a Chart per request id. A one-shot build
        (`keys`) holds no chart the cache holds: pages read them there (`chartready`)."""
        out: dict[str, Chart] = {}
        todo = []
        for cid, req in requests.items():
            old = self._charts.get(cid)
            if old is not None and (old[0] is req or old[0] == req):
                out[cid] = old[1]
            else:
                todo.append(req)
        drawing = start_drawing(todo, self.cache, self._jobs(), keep=not keys) if todo else None

        def drawn() -> Mapping[str, Chart]:
            nonlocal drawing
            if keys and drawing is not None and (
                    found := chartready.index(drawing, requests, keys, self.cache)) is not None:
                drawing = None  # (its specs, filled: 200 MB at 5,000 projects)
                return found
            if drawing is not None:
                out.update(drawing.result())
                drawing = None  # (its SVGs before `chart._own`: as many bytes as the charts)
            self._charts = {cid: (requests[cid], out[cid]) for cid in requests}
            return {cid: out[cid] for cid in requests}
        return drawing is not None and drawing.busy, drawn

    def _data_files(self, derived: Derived, made: Callable[[], Any] | None) -> dict[str, bytes]:
        if made is not None:
            try:
                files, encoded = made()
                if not self.once:
                    adopt(derived, self._data, files, encoded)
                return files
            except apart.Failed:  # made here, where any error is raised as it is
                pass
        return data_files(derived, None if self.once else self._data)

    def _jobs(self) -> int:
        return self.jobs if self.jobs is not None else default_jobs()  # all cores, as --jobs says

    def _build_assets(self) -> Assets:
        key = templates_key(self.templates / "static")
        if self._assets is None or self._assets[0] != key:
            self._assets = (key, build_assets(self.templates, self.cache))
        return self._assets[1]

    def _stale(self, plans: list[Plan], checked: Any, derived: Derived, tkey: tuple) -> list[Plan]:
        """The pages to render: all when templates, site.yaml or the site's shape changed;
        otherwise the new ones and those made from a file whose record changed (`deps`)."""
        records = records_by_path(checked)
        key = (tkey, checked.site, shape(checked, self._shapes))
        changed = {path for path in set(records) | set(self._sources)
                   if records.get(path) is not self._sources.get(path)
                   and records.get(path) != self._sources.get(path)}
        self._sources = records
        if key != self._key or not self._site:
            self._key = key
            self._deps, self._subtrees = {}, {}
            return plans
        # A page's sources are remembered while the shape holds; a bulletin made from a
        # changed file is rendered, and its sources asked again (it may cite anew: what
        # the other pages read is decided by the shape alone).
        stale = []
        deps = self._deps
        for plan in plans:
            k = (plan.kind, plan.key)
            sources = deps[k] if k in deps else deps.setdefault(
                k, page_sources(derived, *k, self._subtrees))
            if sources is None or plan.route not in self._site or not changed.isdisjoint(sources):
                stale.append(plan)
                if plan.kind == "bulletin":
                    deps.pop(k, None)
        return stale
