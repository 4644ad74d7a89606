"""One function per kind of page: what each page shows (DESIGN §6)."""

from __future__ import annotations

from functools import partial
from typing import Any

from . import urls
from .chartplan import block_chart_id, campaign_name, region_chart_ids
from .figures import value_of
from .md import render_body
from .pages import PAGE_SIZE, Page, Plan, _name, _Planner
from .refs import figure_html

__all__ = ["home_page", "region_pages", "project_pages", "campaign_pages", "bulletin_pages",
           "data_pages"]


def _bulletin_rows(pl: _Planner, route: str, bulletins) -> list[dict]:
    t = pl.t
    rows = []
    for b in sorted(bulletins, key=lambda b: (b.meta.date, b.slug), reverse=True):
        m = b.meta
        rows.append({"title": m.title_en if t.lang == "en" and m.title_en else m.title,
                     "href": pl.link(route, "bulletin", b.slug), "date": t.date(m.date),
                     "iso": m.date.isoformat(),
                     "summary": (m.summary_en if t.lang == "en" and m.summary_en else m.summary) or "",
                     "region": _name(t, pl.d.content.regions[m.region]) if m.region in pl.d.content.regions else ""})
    return rows


def _published(pl: _Planner):
    return [b for b in pl.d.content.bulletins if not b.meta.draft]


def home_page(pl: _Planner) -> list[Plan]:
    return [Plan("index.html", "home", None, partial(_home, pl))]


def _home(pl: _Planner) -> Page:
    d, t = pl.d, pl.t
    site = d.content.site
    route = "index.html"
    rv = d.regions[site.home_region]
    children = [pl.region_row(route, c) for c in rv.children]
    latest = [r for r in children if r["report"]]
    campaigns = [_campaign_row(pl, route, cid) for cid in sorted(d.campaigns)]
    ctx = {
        "region": pl.region_row(route, rv.region.id),
        "headline": pl.report(rv.headline) if rv.headline else None,
        "children": children, "latest": latest,
        "campaigns": campaigns[:6],
        "bulletins": _bulletin_rows(pl, route, _published(pl))[:5],
        "charts": pl.chart_ids(region_chart_ids(pl.charts, rv.region.id)),
        "projects_count": len(d.projects), "regions_count": len(d.regions),
    }
    return Page(route, "home.html", ctx, ("content/site.yaml",), ctx["charts"],
                title=t.t("home.question"), description=site.description or "", kind="home")


def _campaign_row(pl: _Planner, route: str, cid: str) -> dict:
    c = pl.d.campaigns[cid].campaign
    t = pl.t
    region = pl.d.content.regions.get(c.region)
    total = value_of(c.totals.count) if c.totals else None
    return {"id": cid, "href": pl.link(route, "campaign", cid),
            "name": t.t("campaign.title", region=_name(t, region) if region else c.region,
                        campaign=campaign_name(t, c), round=_round_text(t, c)),
            "period": t.period(c.period) or (c.period_note or ""),
            "count": pl.p.fig(c.totals.count if c.totals else None, "count"),
            "completed": pl.p.fig(c.totals.completed_investment if c.totals else None, "money"),
            "has_total": total is not None}


def _round_text(t, c) -> str:
    if c.round:
        return t.t("campaign.round", round=c.round)
    if c.round_count:
        return t.t("campaign.rounds", count=c.round_count)
    return ""


def region_pages(pl: _Planner) -> list[Plan]:
    def index() -> Page:
        return Page("regions/index.html", "regions.html",
                    {"tree": _tree(pl, "regions/index.html", pl.d.content.site.home_region, 0)},
                    title=pl.t.t("regions.question"), kind="regions")
    return [Plan("regions/index.html", "regions", None, index)] + [
        Plan(urls.route_of(urls.path_of("region", rid)), "region", rid, partial(_region, pl, rid))
        for rid in pl.d.regions]


def _region(pl: _Planner, rid: str) -> Page:
    d, t = pl.d, pl.t
    rv = d.regions[rid]
    route = urls.route_of(urls.path_of("region", rid))
    r = rv.region
    reports = [pl.report(v) for v in rv.reports]
    pids = rv.projects
    ctx = {
        "region": pl.region_row(route, rid),
        "full_name": ((r.full_name_en or r.name_en) if t.lang == "en" else None)
        or r.full_name or r.name,
        "aliases": list(r.aliases),
        "summary": (r.summary_en if t.lang == "en" and r.summary_en else r.summary) or "",
        "ancestors": [pl.region_row(route, a) for a in rv.ancestors],
        "children": [pl.region_row(route, c) for c in rv.children],
        "headline": pl.report(rv.headline) if rv.headline else None,
        "reports": reports,
        "ranking": [{"rank": row.rank, "region": pl.region_row(route, row.region),
                     "flag": row.flag, "flag_label": t.t(f"flag.{row.flag}") if row.flag else "",
                     "report": pl.report(row.report)} for row in rv.ranking],
        "rankings": [_ranking(pl, x) for x in r.rankings],
        "flags": [{"review": t.period(f.review), "color": f.color,
                   "label": t.t(f"flag.{f.color}"), "reason": f.reason or ""} for f in r.flags],
        "ledgers": [_ledger(pl, lv) for lv in rv.ledgers],
        "events": [_event(pl, e) for e in r.events],
        "targets": [_indicator(pl, x) for x in r.targets],
        "indicators": _grouped(pl, r.indicators),
        "projects": [pl.project_row(route, p) for p in pids[:PAGE_SIZE]],
        "projects_more": max(0, len(pids) - PAGE_SIZE),
        "campaigns": [_campaign_row(pl, route, cid) for cid, cv in d.campaigns.items()
                      if cv.campaign.region == rid],
        "bulletins": _bulletin_rows(pl, route, [b for b in _published(pl) if b.meta.region == rid]),
        "charts": pl.chart_ids(region_chart_ids(pl.charts, rid)),
        "sources": [pl.p.source_title(s) for s in r.sources],
        "file": pl.src("region", rid),
    }
    return Page(route, "region.html", ctx, (pl.src("region", rid),), ctx["charts"],
                title=t.t("region.question", name=_name(t, r)),
                description=ctx["summary"], kind="region")


def _tree(pl: _Planner, route: str, rid: str, depth: int) -> list[dict]:
    rv = pl.d.regions.get(rid)
    if rv is None or depth > 10:
        return []
    row = pl.region_row(route, rid)
    row["depth"] = depth
    out = [row]
    for c in rv.children:
        out.extend(_tree(pl, route, c, depth + 1))
    return out


def _ranking(pl: _Planner, x: Any) -> dict:
    t = pl.t
    return {"key": x.key,
            "evaluation": x.evaluation_en if t.lang == "en" and x.evaluation_en else x.evaluation,
            "period": x.period_note or (str(x.year) if x.year else ""),
            "peer_group": x.peer_group, "rank": x.rank, "of": x.of, "note": x.note or "",
            "source": pl.p.source_title(x.source)}


def _ledger(pl: _Planner, lv: Any) -> dict:
    x, p = lv.ledger, pl.p
    kw = {"source": x.source, "as_of": x.as_of}
    return {"key": x.key, "scope": x.scope_en if pl.t.lang == "en" and x.scope_en else x.scope,
            "as_of": pl.t.date(x.as_of) if x.as_of else (x.as_of_note or ""),
            "collected": p.fig(x.collected, "count", unit=x.unit, **kw),
            "resolved": p.fig(x.resolved, "count", unit=x.unit, **kw),
            "in_progress": p.fig(x.in_progress, "count", unit=x.unit, **kw),
            "rate": p.fig(lv.resolution_pct, "pct", **kw), "note": x.note or ""}


def _event(pl: _Planner, e: Any) -> dict:
    p = pl.p
    kw = {"source": e.source, "as_of": e.date}
    return {"key": e.key, "name": e.name_en if pl.t.lang == "en" and e.name_en else e.name,
            "when": pl.t.date(e.date) if e.date else (pl.t.period(e.period) or e.period_note or ""),
            "batches": p.fig(e.batches, "count", **kw), "count": p.fig(e.project_count, "count", **kw),
            "total": p.fig(e.total_investment, "money", **kw), "plan": p.fig(e.annual_plan, "money", **kw),
            "note": e.note or ""}


def _indicator(pl: _Planner, x: Any) -> dict:
    t = pl.t
    kind = "money" if x.unit in ("亿元", "万元") else "plain"
    return {"key": x.key, "label": x.label_en if t.lang == "en" and x.label_en else x.label,
            "value": pl.p.fig(x.value, kind, unit=x.unit, source=x.source, as_of=x.as_of),
            "period": t.period(x.period) or x.period_note or (str(x.year) if x.year else ""),
            "category": t.t(f"category.{x.category}"), "note": x.note or ""}


def _grouped(pl: _Planner, items) -> list[dict]:
    groups: dict[str, list] = {}
    for x in items:
        groups.setdefault(x.category, []).append(_indicator(pl, x))
    return [{"category": pl.t.t(f"category.{c}"), "rows": v} for c, v in groups.items()]


def project_pages(pl: _Planner) -> list[Plan]:
    from .projectpage import project_page, projects_list
    return projects_list(pl) + [
        Plan(urls.route_of(urls.path_of("project", pid)), "project", pid, partial(project_page, pl, pid))
        for pid in pl.d.projects]


def campaign_pages(pl: _Planner) -> list[Plan]:
    from .projectpage import campaign_page
    route = "campaigns/index.html"

    def index() -> Page:
        return Page(route, "campaigns.html",
                    {"campaigns": [_campaign_row(pl, route, cid) for cid in pl.d.campaigns]},
                    title=pl.t.t("campaigns.question"), kind="campaigns")
    return [Plan(route, "campaigns", None, index)] + [
        Plan(urls.route_of(urls.path_of("campaign", cid)), "campaign", cid,
             partial(campaign_page, pl, cid)) for cid in pl.d.campaigns]


def bulletin_pages(pl: _Planner) -> list[Plan]:
    route = "bulletins/index.html"

    def index() -> Page:
        return Page(route, "bulletins.html", {"bulletins": _bulletin_rows(pl, route, _published(pl))},
                    title=pl.t.t("bulletins.question"), kind="bulletins")
    return [Plan(route, "bulletins", None, index)] + [
        Plan(urls.route_of(urls.path_of("bulletin", b.slug)), "bulletin", b.slug,
             partial(_bulletin, pl, b)) for b in _published(pl)]


def _bulletin(pl: _Planner, b: Any) -> Page:
    d, t = pl.d, pl.t
    route = urls.route_of(urls.path_of("bulletin", b.slug))
    m = b.meta
    ids = [block_chart_id(b.slug, i) for i in range(len(b.charts))]
    present = set(pl.chart_ids(ids))

    def chart_html(i: int, ids=ids, present=present) -> str:
        cid = ids[i] if i < len(ids) else ""
        return f'<div class="chart-slot" data-chart-slot="{cid}"></div>' if cid in present else ""

    body = render_body(b.body, lambda raw, route=route: figure_html(pl, route, raw), chart_html,
                       urls.relative(route, "media/"))
    headline = []
    for h in m.headline:
        rid, _, key = h.partition("/")
        v = next((v for v in d.regions[rid].reports if v.report.key == key), None)
        if v is not None:
            headline.append(pl.report(v))
    ctx = {"title": m.title_en if t.lang == "en" and m.title_en else m.title,
           "date": t.date(m.date), "iso": m.date.isoformat(),
           "as_of": t.date(m.as_of) if m.as_of else "", "period": t.period(m.period),
           "summary": (m.summary_en if t.lang == "en" and m.summary_en else m.summary) or "",
           "region": pl.region_row(route, m.region) if m.region in d.regions else None,
           "tags": list(m.tags), "headline": headline, "body": body,
           "charts": tuple(i for i in ids if i in present),
           "sources": [pl.p.source_title(s) for s in m.sources], "file": b.path,
           "campaign": _campaign_row(pl, route, m.campaign) if m.campaign in d.campaigns else None}
    return Page(route, "bulletin.html", ctx, (b.path,), ctx["charts"], title=ctx["title"],
                description=ctx["summary"], kind="bulletin")


def data_pages(pl: _Planner) -> list[Plan]:
    from .opendata import dictionary
    t = pl.t
    route = "data/index.html"
    return [Plan(route, "data", None, lambda: Page(route, "data.html", {"dictionary": dictionary(t)},
                                                   title=t.t("data.question"), kind="data")),
            # its links start at the path of site.yaml's base_url
            Plan("404.html", "404", None, lambda: Page("404.html", "404.html", {},
                                                        ("content/site.yaml",),
                                                        title=t.t("notfound.title"), kind="404"))]

