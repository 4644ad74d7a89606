"""Every page of the site, planned before anything renders.

One function per kind of page returns `Page`s: the route, the template, the
context (view models built by `present`), the content files it depends on and
the charts it shows. All routes exist before any page renders, and two pages
with one route is a Problem, never a silent overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from . import urls
from .derive import Derived, ReportView
from .errors import Problem
from .i18n import Catalog
from .messages import Msg
from .present import Presenter

__all__ = ["Page", "Plan", "page_plans", "plan_pages", "PAGE_SIZE"]

PAGE_SIZE = 500  # rows per page of the projects table


@dataclass(frozen=True)
class Page:
    route: str
    template: str
    context: Mapping[str, Any]
    sources: tuple[str, ...] = ()
    charts: tuple[str, ...] = ()
    title: str = ""
    description: str = ""
    kind: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """A page before its context is built: its route, what it is about, and how to make it.

    Routes are known for every page at once (so clashes are found before
    anything renders), while `make()` runs only for pages that are rendered:
    an incremental rebuild plans a handful of pages, not the whole site.
    """

    route: str
    kind: str
    key: Any  # the record id (a tuple of ids for a page of the projects table), or None
    make: Callable[[], Page]


def _name(t: Catalog, rec: Any) -> str:
    en = getattr(rec, "name_en", None) or getattr(rec, "title_en", None)
    return en if t.lang == "en" and en else getattr(rec, "name", None) or getattr(rec, "title", "")


class _Planner:
    def __init__(self, d: Derived, t: Catalog, charts: Mapping[str, Any],
                 rows: dict | None = None):
        self.d, self.t, self.charts = d, t, charts
        site = d.content.site
        self.p = Presenter(t, site.money_unit, site.sources)
        self.paths = d.content.paths
        self.sectors = {s.id: s for s in site.sectors} | {s.name: s for s in site.sectors}
        # A region's headline report is shown on each of its projects' pages (and its
        # descendants'): formatted once, not once a page (6.5 s of a 20,000-project build).
        self._reports: dict[int, tuple[ReportView, dict]] = {}
        # A stage sorts by its place in the catalog (the stages' order there).
        self._stage_order = {k[6:]: i for i, k in enumerate(t.messages) if k.startswith("stage.")}
        self._sectors_used: list[str] | None = None
        # project_row's words and figures, by project, with what they were made from
        self._rows: dict[str, tuple] = {} if rows is None else rows

    def sector(self, sector: str | None) -> str:
        """A project's sector (an id or a name of site.yaml `sectors`) in the page's language."""
        s = self.sectors.get(sector or "")
        return _name(self.t, s) if s is not None else sector or ""

    def sectors_used(self) -> list[str]:
        """The sectors of all the projects, sorted (the filters of every list page and the
        search page): found once, not once a page (2 s of 40 list pages at 20,000)."""
        if self._sectors_used is None:
            raw = {pv.project.sector for pv in self.d.projects.values()}
            self._sectors_used = sorted({self.sector(s) for s in raw if s})
        return self._sectors_used

    def src(self, kind: str, rid: str) -> str:
        return self.paths.get((kind, rid), "")

    # --- shared view models ---------------------------------------------------
    def report(self, v: ReportView) -> dict:
        """A report's view model (shared between pages: templates only read it)."""
        hit = self._reports.get(id(v))
        if hit is not None and hit[0] is v:
            return hit[1]
        out = self._report(v)
        self._reports[id(v)] = (v, out)
        return out

    def _report(self, v: ReportView) -> dict:
        r, p = v.report, self.p
        kw = {"source": r.source, "as_of": r.as_of}
        figs = {
            "project_count": p.fig(r.project_count, "count", **kw),
            "total_investment": p.fig(r.total_investment, "money", **kw),
            "annual_plan": p.fig(r.annual_plan, "money", **kw),
            "completed": p.fig(r.completed, "money", **kw),
            "plan_completion_pct": p.fig(v.plan_completion_pct, "pct", **kw),
            "schedule_pct": p.fig(v.schedule_pct, "pct", as_of=r.as_of),
            "ahead_of_schedule_pp": p.fig(v.ahead_of_schedule_pp, "pp", **kw),
        }
        extra = []
        for name in ("estimated_investment", "contract_investment"):
            if getattr(r, name) is not None:
                extra.append((self.t.t(f"field.{name}"), p.fig(getattr(r, name), "money", **kw)))
        for name in ("landed_count",):
            if getattr(r, name) is not None:
                extra.append((self.t.t(f"field.{name}"), p.fig(getattr(r, name), "count", **kw)))
        for name in ("landing_rate_pct",):
            if getattr(r, name) is not None:
                extra.append((self.t.t(f"field.{name}"), p.fig(getattr(r, name), "pct", **kw)))
        for name in ("ahead_of_province_avg_pp", "over_plan_pp", "growth_vs_province_pp"):
            if getattr(r, name) is not None:
                extra.append((self.t.t(f"field.{name}"), p.fig(getattr(r, name), "pp", **kw)))
        if r.target_met_months_early is not None:
            extra.append((self.t.t("field.target_met_months_early"),
                          p.fig(r.target_met_months_early, "plain", unit=self.t.t("unit.months"), **kw)))
        for name, g in sorted((r.yoy_pct or {}).items()):
            extra.append((self.t.t("field.yoy", what=self.t.t(f"field.{name}")), p.fig(g, "pct", **kw)))
        rollup = None
        if v.rollup is not None:
            rollup = {"count": v.rollup.project_count,
                      "completed": p.fig(v.rollup.completed, "money"),
                      "annual_plan": p.fig(v.rollup.annual_plan, "money"),
                      "pct": p.fig(v.rollup.plan_completion_pct, "pct"),
                      "comparable": v.rollup.matches_count}
        return {"key": r.key, "scope": r.scope_en if self.t.lang == "en" and r.scope_en else r.scope,
                "period": self.t.period(r.period) or str(r.year), "as_of": self.t.date(r.as_of),
                "as_of_note": r.as_of_note or "", "inferred": r.as_of_inferred,
                "statistical": r.basis == "statistical", "category": r.category,
                "category_label": self.t.t(f"category.{r.category}"),
                "figs": figs, "extra": extra, "rollup": rollup, "note": r.note or "",
                "source": self.p.source_title(r.source), "region": v.region}

    def link(self, route: str, kind: str, id: Any = None) -> str:
        return urls.relative(route, urls.path_of(kind, id))

    def region_row(self, route: str, rid: str) -> dict:
        rv = self.d.regions[rid]
        head = rv.headline
        return {"id": rid, "name": _name(self.t, rv.region), "href": self.link(route, "region", rid),
                "level": self.t.t(f"level.{rv.region.level}"),
                "report": self.report(head) if head else None,
                "projects": len(rv.projects), "children": len(rv.children)}

    def project_row(self, route: str, pid: str) -> dict:
        """A project's row of the projects table (and its page's header) as seen from `route`.
        Its words and figures are made once a build (a project is in the tables of its
        region and of each region above it, and in the list): only the links differ."""
        pv = self.d.projects[pid]
        pr = pv.project
        region = self.d.content.regions.get(pr.region)
        site = self.d.content.site
        hit = self._rows.get(pid)
        # (kept by a session while the catalog holds: the same view, region and site
        # objects are the same inputs, as derive and validate hand back unchanged ones)
        if hit is not None and hit[0] is pv and hit[1] is region and hit[2] is site:
            base = hit[3]
        else:
            p = self.p
            latest = pv.latest
            base = {
                "name": _name(self.t, pr),
                "region": _name(self.t, region) if region else pr.region,
                "stage": self.t.t(f"stage.{pr.stage}") if pr.stage else "",
                "stage_order": self._stage_order[pr.stage] if pr.stage else 99,
                "sector": self.sector(pr.sector),
                "total": p.fig(pr.total_investment, "money"),
                "completed_ytd": p.fig(latest.completed_ytd if latest else None, "money"),
                "pct": p.fig(pv.plan_completion_pct, "pct"),
                "status": pr.status_text or ""}
            self._rows[pid] = (pv, region, site, base)
        return {"id": pid, "name": base["name"], "href": self.link(route, "project", pid),
                "region": base["region"], "region_href": self.link(route, "region", pr.region),
                "stage": base["stage"], "stage_order": base["stage_order"],
                "sector": base["sector"], "total": base["total"],
                "completed_ytd": base["completed_ytd"], "pct": base["pct"], "status": base["status"]}

    def chart_ids(self, ids: list[str]) -> tuple[str, ...]:
        return tuple(i for i in ids if i in self.charts)


def page_plans(d: Derived, t: Catalog, charts: Mapping[str, Any], rows: dict | None = None
               ) -> tuple[list[Plan], list[Problem]]:
    """A Plan for every page of the site; a route claimed twice is a Problem. `rows`: a
    dict a session keeps between rebuilds (emptied when the catalog changes), where the
    projects' table rows are kept with what they were made from."""
    from .pagekinds import (
        bulletin_pages,
        campaign_pages,
        data_pages,
        home_page,
        project_pages,
        region_pages,
    )
    from .search import search_pages
    pl = _Planner(d, t, charts, rows)
    plans: list[Plan] = []
    for kind in (home_page, region_pages, project_pages, campaign_pages, bulletin_pages, data_pages,
                 search_pages):
        plans.extend(kind(pl))
    seen: dict[str, Plan] = {}
    problems = []
    for plan in plans:
        if plan.route in seen:
            first = seen[plan.route]
            where = d.content.paths.get((plan.kind, plan.key), plan.route) \
                if isinstance(plan.key, str) else plan.route
            problems.append(Problem(where, 0, 0, (), "route-clash", Msg(
                "page.clash", route=plan.route, first=_kind(first.kind), second=_kind(plan.kind))))
        seen[plan.route] = plan
    return plans, problems


_KINDS = ("home", "regions", "region", "projects", "project", "campaigns", "campaign", "bulletins",
          "bulletin", "data", "search", "404")


def _kind(kind: str) -> str:
    """A kind of page, in words (page kinds added later are shown by their name)."""
    return Msg(f"page.{kind}") if kind in _KINDS else kind


def plan_pages(d: Derived, t: Catalog, charts: Mapping[str, Any]) -> tuple[list[Page], list[Problem]]:
    """Every page of the site, made; a route claimed twice is a Problem."""
    plans, problems = page_plans(d, t, charts)
    return [p.make() for p in plans], problems
