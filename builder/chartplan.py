"""Which charts the site has, and their data: requests for the chart stage.

Every chart is named by a stable id (`region-zhoukou-ranking`), built from
derived figures only (targets and projections never enter a chart), and
carries its words from the message catalog. The render stage places charts
by id; the chart stage draws each id once.
"""

from __future__ import annotations

from typing import Any, Iterable

from .blocks import ChartBlock
from .chart import ChartRequest
from .charts import LABELS, Texts
from .derive import Derived, RegionView, latest_report
from .figures import value_of
from .i18n import Catalog

__all__ = ["plan_charts", "region_chart_ids", "block_chart_id"]


def _f(x: Any) -> float | None:
    return None if x is None else float(x)


def _texts(t: Catalog, kind: str, subject: str, **extra: str) -> Texts:
    labels = {k: t.t(f"chart.{kind}.label.{k}") for k in LABELS[kind]}
    return Texts(title=extra.get("title") or t.t(f"chart.{kind}.title", subject=subject),
                 description=t.t(f"chart.{kind}.description", subject=subject),
                 labels=labels)


def _period_label(t: Catalog, rep: Any) -> str:
    return f"{t.period(rep.period) or rep.year} {rep.scope}"


def plan_vs_schedule_rows(t: Catalog, views: Iterable[Any], by_region: bool = False,
                          d: Derived | None = None) -> tuple[dict, ...]:
    rows = []
    for v in views:
        if v is None or v.plan_completion_pct is None or v.plan_completion_pct.bound:
            continue
        label = (d.content.regions[v.region].name + " · " + (t.period(v.report.period) or str(v.report.year))
                 if by_region else _period_label(t, v.report))
        rows.append({"label": label, "plan_completion_pct": _f(v.plan_completion_pct.value),
                     "schedule_pct": _f(v.schedule_pct.value) if v.schedule_pct else None})
    return tuple(rows)


def region_requests(d: Derived, t: Catalog, rv: RegionView, home: bool = False) -> list[ChartRequest]:
    rid, name = rv.region.id, rv.region.name
    out = []
    own = [v for v in rv.reports if v.report.category == "key_projects"
           and v.report.basis == "project_reported" and v.report.subset_of is None]
    rows = plan_vs_schedule_rows(t, sorted(own, key=lambda v: (v.report.year, str(v.report.as_of))))
    if home or not rows:  # the home page compares the latest report of each sub-region
        latest = [latest_report(d.regions[c].reports, d.as_of) for c in rv.children]
        rows = plan_vs_schedule_rows(t, latest, by_region=True, d=d) or rows
    if rows:
        out.append(ChartRequest(f"region-{rid}-plan_vs_schedule", "plan_vs_schedule", rows,
                                _texts(t, "plan_vs_schedule", name)))
    if len(rv.ranking) > 1:  # a ranking of one is no ranking
        rrows = tuple({"region": d.content.regions[r.region].name,
                       "plan_completion_pct": _f(r.report.plan_completion_pct.value),
                       "ahead_pp": _f(r.report.ahead_of_schedule_pp.value)
                       if r.report.ahead_of_schedule_pp else None,
                       "flag": r.flag, "flag_label": t.t(f"flag.{r.flag}") if r.flag else ""}
                      for r in rv.ranking)
        out.append(ChartRequest(f"region-{rid}-ranking", "ranking", rrows, _texts(t, "ranking", name)))
    if any(rv.stage_counts.values()):
        srows = tuple({"stage": s, "label": t.t(f"stage.{s}"), "count": n, "order": i}
                      for i, (s, n) in enumerate(rv.stage_counts.items()))
        out.append(ChartRequest(f"region-{rid}-stage_funnel", "stage_funnel", srows,
                                _texts(t, "stage_funnel", name)))
    if rv.sector_investment:
        out.append(ChartRequest(f"region-{rid}-sector_investment", "sector_investment",
                                tuple({"sector": k, "investment": _f(v)}
                                      for k, v in rv.sector_investment.items()),
                                _texts(t, "sector_investment", name)))
    prows = []
    for lv in rv.ledgers:
        c, r, ip = (value_of(lv.ledger.collected), value_of(lv.ledger.resolved),
                    value_of(lv.ledger.in_progress))
        if c is None or r is None:
            continue
        rest = c - r - (ip or 0)
        prows.append({"label": lv.ledger.scope, "resolved": _f(r), "in_progress": _f(ip or 0),
                      "unresolved": _f(max(rest, 0))})
    if prows:
        out.append(ChartRequest(f"region-{rid}-problems", "problems", tuple(prows),
                                _texts(t, "problems", name)))
    return out


def campaign_request(d: Derived, t: Catalog, cid: str) -> ChartRequest | None:
    cv = d.campaigns[cid]
    rows = []
    for bv in cv.batches:
        b = bv.batch
        label = t.t(f"batch.{b.batch}") + (t.t("campaign.round_suffix", round=b.round) if b.round else "")
        rows.append({"batch": b.batch, "label": label, "count": _f(value_of(b.count)),
                     "advanced": _f(value_of(b.advanced)),
                     "rate_pct": _f(bv.rate_pct.value) if bv.rate_pct else None})
    if not any(r["count"] is not None for r in rows):
        return None
    region = d.content.regions.get(cv.campaign.region)
    subject = (region.name if region else "") + " " + t.t("campaign.name", campaign=cv.campaign.campaign)
    return ChartRequest(f"campaign-{cid}", "campaign", tuple(rows), _texts(t, "campaign", subject))


def project_request(d: Derived, t: Catalog, pid: str, year: int | None = None) -> ChartRequest | None:
    pv = d.projects[pid]
    p = pv.project
    year = year or pv.year
    plan = (p.annual_plan or {}).get(year)
    rows = tuple({"month": e.month, "completed_ytd": _f(e.completed_ytd),
                  "annual_plan": _f(value_of(plan)) if plan is not None else None}
                 for e in sorted(p.progress, key=lambda e: e.month)
                 if e.month.startswith(str(year)) and e.completed_ytd is not None)
    if not rows:
        return None
    return ChartRequest(f"project-{pid}-{year}", "project_progress", rows,
                        _texts(t, "project_progress", f"{p.name} {year}"))


def block_chart_id(slug: str, index: int) -> str:
    return f"bulletin-{slug}-{index + 1}"


def block_request(d: Derived, t: Catalog, slug: str, index: int, block: ChartBlock) -> ChartRequest | None:
    """The request for a ```chart block, or None when its data is empty."""
    if block.kind == "campaign":
        base = campaign_request(d, t, block.campaign)
    elif block.kind == "project_progress":
        base = project_request(d, t, block.project, block.year)
    else:
        rv = d.regions[block.region]
        reqs = {r.kind: r for r in region_requests(d, t, rv)}
        base = reqs.get(block.kind)
        if block.kind == "plan_vs_schedule" and block.report:
            v = next((v for v in rv.reports if v.report.key == block.report), None)
            rows = plan_vs_schedule_rows(t, [v])
            base = ChartRequest("", block.kind, rows, _texts(t, block.kind, rv.region.name)) if rows else None
    if base is None:
        return None
    texts = base.texts
    if block.title:
        texts = Texts(title=block.title, description=texts.description, labels=texts.labels)
    return ChartRequest(block_chart_id(slug, index), base.kind, base.rows, texts)


def plan_charts(d: Derived, t: Catalog) -> dict[str, ChartRequest]:
    """Every chart of the site, by id."""
    out: dict[str, ChartRequest] = {}
    home = d.content.site.home_region
    for rid, rv in d.regions.items():
        for r in region_requests(d, t, rv, home=(rid == home)):
            out[r.id] = r
    for cid in d.campaigns:
        r = campaign_request(d, t, cid)
        if r:
            out[r.id] = r
    for pid in d.projects:
        r = project_request(d, t, pid)
        if r:
            out[r.id] = r
    for b in d.content.bulletins:
        for i, block in enumerate(b.charts):
            r = block_request(d, t, b.slug, i, block)
            if r:
                out[r.id] = r
    return out


def region_chart_ids(charts: dict[str, ChartRequest], rid: str) -> list[str]:
    order = ("plan_vs_schedule", "ranking", "stage_funnel", "sector_investment", "problems")
    return [f"region-{rid}-{k}" for k in order if f"region-{rid}-{k}" in charts]

