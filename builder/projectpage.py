"""Project pages, the projects table (paginated) and campaign pages."""

from __future__ import annotations

from functools import partial
from typing import Any, NamedTuple

from . import urls
from . import vocab as V
from .chartplan import campaign_name
from .figures import value_of
from .pages import PAGE_SIZE, Page, Plan, _name, _Planner
from .refs import batch_anchor

__all__ = ["projects_list", "project_page", "campaign_page"]


def projects_list(pl: _Planner) -> list[Plan]:
    """The projects table, PAGE_SIZE rows a page; each page's key is the ids on it."""
    pids = list(pl.d.projects)
    chunks = [pids[i:i + PAGE_SIZE] for i in range(0, len(pids), PAGE_SIZE)] or [[]]
    return [Plan(_list_route(n), "projects", tuple(chunk), partial(_projects_page, pl, n, chunks))
            for n, chunk in enumerate(chunks, 1)]


def _list_route(n: int) -> str:
    return "projects/index.html" if n == 1 else urls.route_of(urls.path_of("projects_page", n))


def _projects_page(pl: _Planner, n: int, chunks: list[list[str]]) -> Page:
    t = pl.t
    pids = [p for c in chunks for p in c]
    chunk = chunks[n - 1]
    route = _list_route(n)
    nav = [{"n": k, "href": urls.relative(route, "projects/" if k == 1 else
                                          urls.path_of("projects_page", k)), "current": k == n}
           for k in range(1, len(chunks) + 1)] if len(chunks) > 1 else []
    sectors = pl.sectors_used()
    rows = [pl.project_row(route, p) for p in chunk]
    ctx = {"rows": rows, "pages": nav, "page": n, "total": len(pids),
           "regions": sorted({r["region"] for r in rows}),
           "stages": [t.t(f"stage.{s}") for s in V.STAGES], "sectors": sectors}
    return Page(route, "projects.html", ctx, (), title=t.t("projects.question"), kind="projects")


# Rows of the page's two loops as named tuples, not dicts: Jinja reads `row.name` as an
# attribute first, and a dict's miss costs an exception (a project page reads ~120).
class _Step(NamedTuple):
    stage: str
    label: str
    date: str
    state: str


class _Month(NamedTuple):
    month: str
    ytd: Any
    cumulative: Any
    image: str
    note: str


def project_page(pl: _Planner, pid: str) -> Page:
    d, t, p = pl.d, pl.t, pl.p
    pv = d.projects[pid]
    pr = pv.project
    route = urls.route_of(urls.path_of("project", pid))
    region = d.regions.get(pr.region)
    dates = pr.stage_dates or {}
    current = V.STAGE_DATE_ORDER.get(pr.stage) if pr.stage else None
    timeline = [_Step(s, t.t(f"stage.{s}"), t.date(dates[s]) if s in dates else "",
                      "done" if current is not None and V.STAGE_DATE_ORDER[s] < current else
                      "current" if s == pr.stage else "todo")
                for s in V.STAGE_DATE_ORDER if s in V.STAGES or s in dates]
    progress = [_Month(t.month(e.month), p.fig(e.completed_ytd, "money"),
                       p.fig(e.completed_cumulative, "money"), e.image_progress or "", e.note or "")
                for e in sorted(pr.progress, key=lambda e: e.month)]
    plans = [{"year": y, "plan": p.fig(f, "money")} for y, f in sorted((pr.annual_plan or {}).items())]
    baseline = None
    if pr.baseline is not None:
        b = pr.baseline
        variance = None
        now, then = value_of(pr.total_investment), value_of(b.total_investment)
        if now is not None and then is not None:
            variance = p.fig(now - then, "money")
        baseline = {"total": p.fig(b.total_investment, "money"), "plan": p.fig(b.annual_plan, "money"),
                    "completion": t.date(b.completion) if b.completion else "",
                    "as_of": t.date(b.as_of) if b.as_of else "", "variance": variance}
    campaigns = []
    for c in pr.campaigns:
        cv = d.campaigns.get(c.campaign)
        campaigns.append({"href": pl.link(route, "campaign", c.campaign),
                          "name": campaign_name(t, cv.campaign) if cv else c.campaign,
                          "batch": t.t(f"batch.{c.batch}")})
    ctx = {
        "project": pl.project_row(route, pid), "aliases": list(pr.aliases),
        "name_en": pr.name_en or "",
        "region": pl.region_row(route, pr.region) if region else None,
        "ancestors": [pl.region_row(route, a) for a in (region.ancestors if region else ())],
        "levels": [t.t(f"listlevel.{lv}") for lv in pr.levels],
        "build_type": t.t(f"build.{pr.build_type}") if pr.build_type else "",
        "total": p.fig(pr.total_investment, "money"), "plans": plans,
        "year": pv.year, "plan": p.fig(pv.annual_plan, "money"),
        "latest": {"month": t.month(pv.latest.month), "ytd": p.fig(pv.latest.completed_ytd, "money"),
                   "cumulative": p.fig(pv.latest.completed_cumulative, "money")} if pv.latest else None,
        "pct": p.fig(pv.plan_completion_pct, "pct"),
        "capacity": f"{t.number(pr.capacity.value)} {pr.capacity.unit}" if pr.capacity else "",
        "timeline": timeline, "status": pr.status_text or "",
        "status_as_of": t.date(pr.status_as_of) if pr.status_as_of else "",
        "campaigns": campaigns, "whitelist": [w.batch for w in pr.whitelist],
        "lead": pr.lead, "responsible_unit": pr.responsible_unit or "",
        "progress": progress, "baseline": baseline,
        "problems": [{"opened": t.date(x.opened) if x.opened else "", "text": x.text,
                      "resolved": t.date(x.resolved) if x.resolved else ""} for x in pr.problems],
        "indicators": [_ind(pl, x) for x in pr.indicators],
        "summary": (pr.summary_en if t.lang == "en" and pr.summary_en else pr.summary) or "",
        "sources": [p.source_title(s) for s in pr.sources], "file": pl.src("project", pid),
        "charts": pl.chart_ids([f"project-{pid}-{pv.year}"]),
    }
    return Page(route, "project.html", ctx, (pl.src("project", pid),), ctx["charts"],
                title=t.t("project.question", name=_name(t, pr)),
                description=pr.status_text or pr.summary or "", kind="project")


def _ind(pl: _Planner, x) -> dict:
    kind = "money" if x.unit in ("亿元", "万元") else "plain"
    return {"label": x.label_en if pl.t.lang == "en" and x.label_en else x.label,
            "value": pl.p.fig(x.value, kind, unit=x.unit, source=x.source, as_of=x.as_of),
            "note": x.note or ""}


def campaign_page(pl: _Planner, cid: str) -> Page:
    d, t, p = pl.d, pl.t, pl.p
    cv = d.campaigns[cid]
    c = cv.campaign
    route = urls.route_of(urls.path_of("campaign", cid))
    kw = {"source": c.source, "as_of": c.as_of}
    batches = [{"label": t.t(f"batch.{bv.batch.batch}"), "round": bv.batch.round or "",
                "id": batch_anchor(bv.batch.batch, bv.batch.round),
                "count": p.fig(bv.batch.count, "count", **kw),
                "investment": p.fig(bv.batch.investment, "money", **kw),
                "advanced": p.fig(bv.batch.advanced, "count", **kw),
                "advanced_label": t.t(f"batch.advanced.{bv.batch.batch}"),
                "rate": p.fig(bv.rate_pct, "pct", **kw),
                "rate_label": t.t(f"rate.{V.BATCH_RATES[bv.batch.batch]}")} for bv in cv.batches]
    for i, b in enumerate(batches):  # a batch listed twice: only its first row is the anchor
        if any(x["id"] == b["id"] for x in batches[:i]):
            b["id"] = ""
    totals = []
    if c.totals:
        for name, kind in (("count", "count"), ("investment", "money"), ("completed_investment", "money"),
                           ("started_count", "count"), ("started_investment", "money"),
                           ("finished_count", "count"), ("finished_investment", "money")):
            f = getattr(c.totals, name)
            if f is not None:
                totals.append((t.t(f"campaign.totals.{name}"), p.fig(f, kind, **kw)))
    members = [{"href": pl.link(route, "project", m), "name": _name(t, d.projects[m].project)}
               for m in c.members if m in d.projects]
    members += [{"href": pl.link(route, "project", pid), "name": _name(t, pv.project)}
                for pid, pv in d.projects.items()
                if any(x.campaign == cid for x in pv.project.campaigns) and pid not in c.members]
    region = d.content.regions.get(c.region)
    from .pagekinds import _campaign_row
    row = _campaign_row(pl, route, cid)
    ctx = {"campaign": row, "region": pl.region_row(route, c.region) if region else None,
           "batches": batches, "totals": totals,
           "target_met": c.totals.target_met if c.totals else None, "members": members,
           "summary": (c.summary_en if t.lang == "en" and c.summary_en else c.summary) or "",
           "note": c.note or "", "source": p.source_title(c.source), "file": pl.src("campaign", cid),
           "charts": pl.chart_ids([f"campaign-{cid}"])}
    return Page(route, "campaign.html", ctx, (pl.src("campaign", cid),), ctx["charts"],
                title=row["name"], description=ctx["summary"], kind="campaign")
