"""`{{ figure … }}` references, resolved to a figure and a link to its record."""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from . import urls
from .blocks import _parse_ref

__all__ = ["figure_html", "unit_kind", "batch_anchor"]

_MONEY = {"total_investment", "annual_plan", "completed", "estimated_investment",
          "contract_investment", "investment", "completed_investment", "started_investment",
          "finished_investment", "completed_ytd", "completed_cumulative"}
_COUNT = {"project_count", "landed_count", "collected", "resolved", "in_progress", "batches",
          "count", "advanced", "started_count", "finished_count"}


def batch_anchor(batch: str, round: int | None) -> str:
    """The id of a campaign batch's row on the campaign page: `batch-start`, `batch-start-2`."""
    return f"batch-{batch}" + (f"-{round}" if round else "")


def unit_kind(name: str) -> str:
    if name in _MONEY:
        return "money"
    if name in _COUNT:
        return "count"
    if name.endswith("_pct") or name == "rate" or name.startswith("yoy_pct."):
        return "pct"
    if name.endswith("_pp"):
        return "pp"
    return "plain"


def _resolve(pl: Any, route: str, kind: str, target: str, key: str | None, name: str):
    """(figure or Num, unit kind, extra unit, source, as_of, link path, anchor)."""
    d = pl.d
    if kind == "project":
        pv = d.projects[target]
        p = pv.project
        link = urls.path_of("project", target)
        if name == "annual_plan":
            return pv.annual_plan, "money", None, None, None, link
        if name in ("completed_ytd", "completed_cumulative"):
            return getattr(pv.latest, name, None) if pv.latest else None, "money", None, None, None, link
        if name == "plan_completion_pct":
            return pv.plan_completion_pct, "pct", None, None, None, link
        if name == "total_investment":
            return p.total_investment, "money", None, None, None, link
        ind = next(i for i in p.indicators if i.key == name)
        return ind.value, "plain", ind.unit, ind.source, ind.as_of, link
    if kind == "campaign":
        cv = d.campaigns[target]
        c = cv.campaign
        link = urls.path_of("campaign", target)
        if key is None:
            if name in ("round", "round_count"):
                return getattr(c, name), "plain", None, c.source, c.as_of, link
            return getattr(c.totals, name), unit_kind(name), None, c.source, c.as_of, link
        batch, _, rnd = key.partition("@")
        from .crossref import _BATCH_NAMES
        canon = _BATCH_NAMES[batch]
        bv = next(bv for bv in cv.batches if bv.batch.batch == canon
                  and (not rnd or str(bv.batch.round) == rnd))
        value = bv.rate_pct if name in ("rate", "rate_pct") else getattr(bv.batch, name)
        link += "#" + batch_anchor(bv.batch.batch, bv.batch.round)
        return value, unit_kind(name), None, c.source, c.as_of, link
    rv = d.regions[target]
    link = urls.path_of("region", target) + f"#{key}"
    for v in rv.reports:
        if v.report.key == key:
            r = v.report
            if name.startswith("yoy_pct."):
                return r.yoy_pct[name[8:]], "pct", None, r.source, r.as_of, link
            value = {"plan_completion_pct": v.plan_completion_pct, "schedule_pct": v.schedule_pct,
                     "ahead_of_schedule_pp": v.ahead_of_schedule_pp}.get(name, None)
            if value is None:
                value = getattr(r, name)
            extra = pl.t.t("unit.months") if name == "target_met_months_early" else None
            return value, unit_kind(name), extra, r.source, r.as_of, link
    for lv in rv.ledgers:
        if lv.ledger.key == key:
            x = lv.ledger
            value = lv.resolution_pct if name == "resolution_pct" else getattr(x, name)
            kind_ = unit_kind(name)
            return value, kind_, x.unit if kind_ == "count" else None, x.source, x.as_of, link
    for coll in ("rankings", "events", "targets", "indicators"):
        for item in getattr(rv.region, coll):
            if item.key == key:
                if coll in ("targets", "indicators"):
                    kind_ = "money" if item.unit in ("亿元", "万元") else "plain"
                    return item.value, kind_, item.unit, item.source, item.as_of, link
                if coll == "rankings":
                    return getattr(item, name), "plain", None, item.source, None, link
                return getattr(item, name), unit_kind(name), None, item.source, item.date, link
    raise KeyError(key)


def figure_html(pl: Any, route: str, raw: str) -> str:
    """The HTML for one reference: the figure, its unit and bound, linked to its record."""
    inner = raw.strip()[2:-2].strip()[len("figure"):]
    kind, target, key, name = _parse_ref(inner.split())
    value, ukind, unit, source, as_of, link = _resolve(pl, route, kind, target, key, name)
    f = pl.p.fig(value, ukind, unit=unit, source=source, as_of=as_of)
    href = urls.relative(route, link.split("#")[0]) + ("#" + link.split("#")[1] if "#" in link else "")
    classes = "fig" + (" fig-derived" if f.derived else "") + (" fig-target" if f.kind != "actual" else "")
    badge = f'<span class="badge">{escape(f.kind_label)}</span>' if f.kind_label else ""
    title = f' title="{escape(f.title)}"' if f.title else ""
    return (f'<a class="{classes}" href="{escape(href)}"{title}>{badge}'
            f'{escape(f.text)}</a>')
