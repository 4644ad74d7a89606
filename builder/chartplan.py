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

__all__ = ["plan_charts", "region_chart_ids", "block_chart_id", "campaign_name"]


def _f(x: Any) -> Any:
    """A figure's number as given (a `Decimal` keeps its printed precision for the data table;
    the chart stage turns it into a float for the spec)."""
    return getattr(x, "value", x)


def _en(t: Catalog, rec: Any, name: str = "name") -> str:
    """A record's `name` (or `scope` …) in the catalog's language: `name_en` in English."""
    en = getattr(rec, f"{name}_en", None)
    return en if t.lang == "en" and en else getattr(rec, name)


def _texts(t: Catalog, kind: str, subject: str, **extra: str) -> Texts:
    labels = {k: t.t(f"chart.{kind}.label.{k}") for k in LABELS[kind]}
    return Texts(title=extra.get("title") or t.t(f"chart.{kind}.title", subject=subject),
                 description=t.t(f"chart.{kind}.description", subject=subject),
                 labels=labels)


def campaign_name(t: Catalog, c: Any) -> str:
    """A campaign's name; the usual 三个一批 has the catalog's own name for it."""
    return t.t("campaign.three_batches") if c.campaign == "三个一批" else c.campaign


def _sector(d: Derived, t: Catalog, sector: str) -> str:
    """A sector (id or name in site.yaml `sectors`) by its name in the catalog's language."""
    s = next((s for s in d.content.site.sectors if sector in (s.id, s.name)), None)
    return _en(t, s) if s is not None else sector


def _period_label(t: Catalog, rep: Any) -> str:
    return f"{t.period(rep.period) or rep.year} {_en(t, rep, 'scope')}"


def plan_vs_schedule_rows(t: Catalog, views: Iterable[Any], by_region: bool = False,
                          d: Derived | None = None) -> tuple[dict, ...]:
    rows = []
    for v in views:
        if v is None or v.plan_completion_pct is None or v.plan_completion_pct.bound:
            continue
        label = (_en(t, d.content.regions[v.region]) + " · "
                 + (t.period(v.report.period) or str(v.report.year))
                 if by_region else _period_label(t, v.report))
        rows.append({"label": label, "plan_completion_pct": _f(v.plan_completion_pct),
                     "schedule_pct": _f(v.schedule_pct)})
    return tuple(rows)


def region_requests(d: Derived, t: Catalog, rv: RegionView, home: bool = False) -> list[ChartRequest]:
    rid, name = rv.region.id, _en(t, rv.region)
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
        rrows = tuple({"region": _en(t, d.content.regions[r.region]),
                       "plan_completion_pct": _f(r.report.plan_completion_pct),
                       "ahead_pp": _f(r.report.ahead_of_schedule_pp),
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
                                tuple({"sector": _sector(d, t, k), "investment": v}
                                      for k, v in rv.sector_investment.items()),
                                _texts(t, "sector_investment", name)))
    prows = []
    for lv in rv.ledgers:
        c, r, ip = (value_of(lv.ledger.collected), value_of(lv.ledger.resolved),
                    value_of(lv.ledger.in_progress))
        if c is None or r is None:
            continue
        rest = c - r - (ip or 0)
        prows.append({"label": _en(t, lv.ledger, "scope"), "resolved": r, "in_progress": ip or 0,
                      "unresolved": max(rest, 0)})
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
        rows.append({"batch": b.batch, "label": label, "count": value_of(b.count),
                     "advanced": value_of(b.advanced), "rate_pct": _f(bv.rate_pct)})
    if not any(r["count"] is not None for r in rows):
        return None
    region = d.content.regions.get(cv.campaign.region)
    subject = t.t("campaign.title", region=_en(t, region) if region else "",
                  campaign=campaign_name(t, cv.campaign), round="").strip()
    return ChartRequest(f"campaign-{cid}", "campaign", tuple(rows), _texts(t, "campaign", subject))


def _month(e: Any) -> str:
    return e.month


def project_request(d: Derived, t: Catalog, pid: str, year: int | None = None,
                    named: bool = True) -> ChartRequest | None:
    """A project's year; `named=False` (its own page, under its name) titles it by the year
    alone: a shorter title reads better there, and draws faster, for thousands of projects."""
    pv = d.projects[pid]
    p = pv.project
    year = year or pv.year
    plan, prefix = value_of((p.annual_plan or {}).get(year)), str(year)
    rows = tuple({"month": e.month, "completed_ytd": e.completed_ytd, "annual_plan": plan}
                 for e in sorted(p.progress, key=_month)
                 if e.completed_ytd is not None and e.month.startswith(prefix))
    if not rows:
        return None
    subject = f"{_en(t, p)} {year}"
    texts = _texts(t, "project_progress", subject)
    if not named:
        texts = Texts(t.t("chart.project_progress.title", subject=str(year)), texts.description,
                      texts.labels)
    return ChartRequest(f"project-{pid}-{year}", "project_progress", rows, texts)


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
            base = ChartRequest("", block.kind, rows, _texts(t, block.kind, _en(t, rv.region))) \
                if rows else None
    if base is None:
        return None
    texts = base.texts
    if block.title:
        texts = Texts(title=block.title, description=texts.description, labels=texts.labels)
    return ChartRequest(block_chart_id(slug, index), base.kind, base.rows, texts)


def plan_charts(d: Derived, t: Catalog, memo: dict | None = None) -> dict[str, ChartRequest]:
    """Every chart of the site, by id.

    `memo` (kept by a session, emptied when the catalog changes) holds each project's
    request with the record it was made from: an unchanged record (the same object,
    as validation reuses it) keeps its request, so a rebuild plans thousands fewer."""
    out: dict[str, ChartRequest] = {}
    home = d.content.site.home_region
    for rid, rv in d.regions.items():
        for r in region_requests(d, t, rv, home=(rid == home)):
            out[r.id] = r
    for cid in d.campaigns:
        r = campaign_request(d, t, cid)
        if r:
            out[r.id] = r
    for pid, pv in d.projects.items():
        seen = memo.get(pid) if memo is not None else None
        if seen is not None and seen[0] is pv.project and seen[1] == pv.year:
            r = seen[2]
        else:
            r = project_request(d, t, pid, named=False)
            if memo is not None:
                memo[pid] = (pv.project, pv.year, r)
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

