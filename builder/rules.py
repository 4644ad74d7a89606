"""Rules within one record: figures that must agree with each other.

Each `check_*` takes a typed record and the Document it came from (for
positions) and returns Problems. Disagreements that real sources commit
(a printed percentage that its parts do not give, a total that is not the sum
of its parts) are warnings: both numbers are kept as printed.
"""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter
from typing import Any, Iterable

from . import vocab as V
from ._yaml import Document
from .errors import Problem
from .figures import agrees, percent, round_to, schedule_pct, value_of
from .messages import Msg
from .model import Campaign, Project, Region, Site

__all__ = ["check_project", "check_region", "check_campaign", "money"]

_MONTH = attrgetter("month")
_ACHIEVED = ("project_count", "completed", "plan_completion_pct", "ahead_of_schedule_pp",
             "landed_count", "landing_rate_pct")


def money(fig: Any) -> Decimal | None:
    """An actual money figure in the site's unit (亿元)."""
    v = value_of(fig)
    if v is None:
        return None
    factor = V.MONEY_FACTORS.get(fig.unit or "亿元", 1)
    return v * Decimal(factor)


def _typed(fig: Any) -> str:
    """A figure as the editor typed it, with its unit when it is not the site's."""
    v = fig.value
    text = format(v, "f") if isinstance(v, Decimal) else str(v)
    return f"{text} {fig.unit}" if fig.unit and fig.unit != "亿元" else text


def _items(doc: Document, name: str, path: tuple) -> Iterable[tuple[int, dict]]:
    raw = doc.data.get(name) if isinstance(doc.data, dict) else None
    return enumerate(raw) if isinstance(raw, list) else ()


def _index(doc: Document, list_name: str, key: str, index_field: str = "key") -> int | None:
    """The position in the raw list of the item whose `key` is `key`."""
    for i, item in _items(doc, list_name, ()):
        if isinstance(item, dict) and str(item.get(index_field)) == str(key):
            return i
    return None


def check_project(p: Project, doc: Document) -> list[Problem]:
    out: list[Problem] = []
    # Progress: figures keep their place in the raw list for positions.
    raw = doc.data.get("progress") if isinstance(doc.data, dict) else None
    raw_index: dict[str, int] = {}

    def at(month: str) -> tuple:  # the index is built only when a problem needs it
        if not raw_index and isinstance(raw, list):
            for i, item in enumerate(raw):
                if isinstance(item, dict) and isinstance(item.get("month"), str):
                    raw_index.setdefault(item["month"], i)
        return ("progress", raw_index.get(month, 0))

    seen: set[str] = set()
    prev = None  # the last entry with a completed_ytd figure
    prev_cum = None
    total = money(p.total_investment)
    for e in sorted(p.progress, key=_MONTH):
        month, ytd, cum = e.month, e.completed_ytd, e.completed_cumulative
        if month in seen:
            dup = [j for j, it in enumerate(raw) if isinstance(it, dict) and it.get("month") == month]
            out.append(doc.problem(("progress", dup[-1], "month"), "duplicate-month",
                                   Msg("progress.duplicate_month", month=month)))
            continue
        seen.add(month)
        if ytd is None and cum is None:
            out.append(doc.problem(at(month), "missing", Msg("progress.no_figure", month=month)))
            continue
        if (prev is not None and ytd is not None
                and prev.month[:4] == month[:4] and ytd < prev.completed_ytd):
            msg = (Msg("progress.below_last_month", n=ytd, before=prev.completed_ytd)
                   if _months_apart(prev.month, month) == 1 else
                   Msg("progress.below", n=ytd, month=prev.month, before=prev.completed_ytd))
            out.append(doc.problem(at(month) + ("completed_ytd",), "falling", msg))
        if cum is not None:
            if prev_cum is not None and cum < prev_cum.completed_cumulative:
                out.append(doc.problem(at(month) + ("completed_cumulative",), "falling", Msg(
                    "progress.below", n=cum, month=prev_cum.month,
                    before=prev_cum.completed_cumulative)))
            if ytd is not None and ytd > cum:
                out.append(doc.problem(at(month) + ("completed_ytd",), "ytd-above-cumulative",
                                       Msg("progress.ytd_above_cumulative", ytd=ytd, cum=cum)))
            if total is not None and cum > total:  # int and Decimal compare exactly
                out.append(doc.problem(at(month) + ("completed_cumulative",), "above-total", Msg(
                    "progress.above_total", cum=cum, total=_typed(p.total_investment))))
            prev_cum = e
        if ytd is not None:
            prev = e
    # Lifecycle order of stage dates, and the current stage.
    dates = p.stage_dates or {}
    ordered = sorted(dates.items(), key=lambda kv: V.STAGE_DATE_ORDER[kv[0]])
    for (s1, d1), (s2, d2) in zip(ordered, ordered[1:]):
        if d2 < d1:
            out.append(doc.problem(("stage_dates", _raw_key(doc, "stage_dates", s2)), "stage-order",
                                   Msg("stage.order", later=_raw_key(doc, "stage_dates", s2), d2=d2,
                                       earlier=_raw_key(doc, "stage_dates", s1), d1=d1)))
    if p.stage is not None:
        cur = V.STAGE_DATE_ORDER[p.stage]
        for s, _d in ordered:
            if V.STAGE_DATE_ORDER[s] > cur and not (s == "completed" and p.stage == "building"):
                out.append(doc.problem(("stage_dates", _raw_key(doc, "stage_dates", s)), "stage-order",
                                       Msg("stage.after_current", stage=s, current=p.stage)))
    for year, plan in (p.annual_plan or {}).items():
        pv = money(plan)
        if total is not None and pv is not None and pv > total:
            out.append(doc.problem(("annual_plan", str(year)), "plan-above-total", Msg(
                "plan.above_total", year=year, plan=_typed(plan), total=_typed(p.total_investment))))
    for t in p.indicators:
        if t.value.unit is not None and t.value.unit != t.unit:
            i = _index(doc, "indicators", t.key)
            out.append(doc.problem(("indicators", i, "unit"), "unit-mismatch",
                                   Msg("unit.mismatch", unit=t.unit, said=t.value.unit)))
    seen_c: set[str] = set()
    for i, c in enumerate(p.campaigns):
        if c.campaign in seen_c:
            out.append(doc.problem(("campaigns", i, "campaign"), "duplicate",
                                   Msg("campaign.listed_twice", campaign=c.campaign)))
        seen_c.add(c.campaign)
    return out


def _months_apart(a: str, b: str) -> int:
    return (int(b[:4]) - int(a[:4])) * 12 + int(b[5:7]) - int(a[5:7])


def _raw_key(doc: Document, name: str, canon: str) -> str:
    raw = doc.data.get(name) if isinstance(doc.data, dict) else None
    if isinstance(raw, dict):
        labels = (canon,) + V.STAGE_DATE_KEYS.get(canon, ())
        for k in raw:
            if str(k) in labels:
                return str(k)
    return canon


_KEYED = ("reports", "rankings", "problems", "events", "targets", "indicators")


def check_region(r: Region, doc: Document, site_basis: str = "month") -> list[Problem]:
    out: list[Problem] = []
    seen: dict[str, str] = {}
    for name in _KEYED:
        for i, item in enumerate(getattr(r, name)):
            idx = _index(doc, name, item.key)
            where = (name, idx if idx is not None else i, "key")
            if item.key in seen:
                out.append(doc.problem(where, "duplicate-key",
                                       Msg("region.duplicate_key", key=item.key, used=seen[item.key])))
            else:
                seen[item.key] = name
    report_keys = {rep.key for rep in r.reports}
    for rep in r.reports:
        i = _index(doc, "reports", rep.key)
        at = ("reports", i)
        out.extend(_check_report(rep, doc, at, report_keys, site_basis))
    for pl in r.problems:
        out.extend(_check_ledger(pl, doc, ("problems", _index(doc, "problems", pl.key))))
    for name in ("targets", "indicators"):
        for t in getattr(r, name):
            i = _index(doc, name, t.key)
            if name == "targets" and t.value.kind == "actual":
                out.append(doc.problem((name, i, "value", "kind"), "target-kind",
                                       Msg("target.actual")))
            if t.value.unit is not None and t.value.unit != t.unit:
                out.append(doc.problem((name, i, "unit"), "unit-mismatch",
                                       Msg("unit.mismatch", unit=t.unit, said=t.value.unit)))
    return out


def _check_report(rep, doc, at, report_keys, site_basis) -> list[Problem]:
    out = []
    if rep.as_of is None and not rep.as_of_note:
        out.append(doc.problem(at, "missing", Msg("report.no_as_of")))
    if rep.subset_of is not None and (rep.subset_of not in report_keys or rep.subset_of == rep.key):
        out.append(doc.problem(at + ("subset_of",), "unknown-reference",
                               Msg("report.subset_of", key=rep.subset_of)))
    for name in _ACHIEVED:
        f = getattr(rep, name)
        if f is not None and not f.is_actual:
            out.append(doc.problem(at + (name, "kind"), "target-kind",
                                   Msg("report.achieved", name=name, kind=Msg(f"figkind.{f.kind}"))))
    completed, plan = money(rep.completed), money(rep.annual_plan)
    pct = rep.plan_completion_pct
    if completed is not None and plan is not None and pct is not None and pct.is_actual:
        got = percent(completed, plan)
        if got is not None and not agrees(pct, got):
            out.append(doc.problem(at + ("plan_completion_pct",), "disagrees", Msg(
                "pct.disagrees", pct=pct.value, part=_typed(rep.completed),
                whole=_typed(rep.annual_plan), got=round_to(got, 2)), "warning"))
    ahead = rep.ahead_of_schedule_pp
    if ahead is not None and ahead.is_actual and rep.as_of is not None:
        pv = value_of(pct) if pct is not None else None
        if pv is None and completed is not None and plan is not None:
            pv = percent(completed, plan)
        if pv is not None:
            basis = rep.schedule_basis or site_basis
            sched = schedule_pct(rep.as_of, basis)
            if not agrees(ahead, pv - sched):
                out.append(doc.problem(at + ("ahead_of_schedule_pp",), "disagrees", Msg(
                    "pp.disagrees", pp=ahead.value, pct=round_to(pv, 2), sched=round_to(sched, 2),
                    basis=Msg(f"basis.{basis}"), as_of=rep.as_of, got=round_to(pv - sched, 2)),
                    "warning"))
    landed, count = value_of(rep.landed_count), value_of(rep.project_count)
    if landed is not None and count is not None:
        if landed > count:
            out.append(doc.problem(at + ("landed_count",), "above-total",
                                   Msg("report.landed_above", landed=landed, count=count)))
        elif rep.landing_rate_pct is not None and count:
            got = percent(landed, count)
            if not agrees(rep.landing_rate_pct, got):
                out.append(doc.problem(at + ("landing_rate_pct",), "disagrees", Msg(
                    "pct.disagrees", pct=rep.landing_rate_pct.value, part=landed, whole=count,
                    got=round_to(got, 1)), "warning"))
    return out


def _check_ledger(pl, doc, at) -> list[Problem]:
    out = []
    c, r, ip = value_of(pl.collected), value_of(pl.resolved), value_of(pl.in_progress)
    if c is not None and r is not None and r > c:
        out.append(doc.problem(at + ("resolved",), "above-total",
                               Msg("ledger.resolved_above", resolved=r, collected=c)))
        return out
    if c is not None and r is not None and ip is not None and r + ip != c:
        out.append(doc.problem(at + ("collected",), "sum-mismatch", Msg(
            "ledger.sum", collected=c, resolved=r, open=ip, sum=r + ip), "warning"))
    if c and r is not None and pl.resolution_pct is not None:
        got = percent(r, c)
        if not agrees(pl.resolution_pct, got):
            out.append(doc.problem(at + ("resolution_pct",), "disagrees", Msg(
                "pct.disagrees", pct=pl.resolution_pct.value, part=r, whole=c,
                got=round_to(got, 1)), "warning"))
    return out


def check_campaign(c: Campaign, doc: Document) -> list[Problem]:
    out: list[Problem] = []
    counts = []
    for i, b in enumerate(c.batches):
        n, adv = value_of(b.count), value_of(b.advanced)
        counts.append(n)
        if n is not None and adv is not None:
            if adv > n:
                out.append(doc.problem(("batches", i, "advanced"), "above-total",
                                       Msg("batch.advanced_above", advanced=adv, count=n)))
            elif b.rate_pct is not None and n:
                got = percent(adv, n)
                if not agrees(b.rate_pct, got):
                    out.append(doc.problem(("batches", i, "rate_pct"), "disagrees", Msg(
                        "pct.disagrees", pct=b.rate_pct.value, part=adv, whole=n,
                        got=round_to(got, 1)), "warning"))
    total = value_of(c.totals.count) if c.totals else None
    if total is not None and counts and all(n is not None for n in counts):
        parts = sum(counts)
        if parts != total:
            out.append(doc.problem(("totals", "count"), "sum-mismatch", Msg(
                "campaign.sum", total=total, parts=" + ".join(str(n) for n in counts), sum=parts),
                "warning"))
    if c.window and c.window.start and c.window.end and c.window.end < c.window.start:
        out.append(doc.problem(("window", "end"), "date-order",
                               Msg("campaign.window", end=c.window.end, start=c.window.start)))
    if len(set(c.members)) != len(c.members):
        out.append(doc.problem(("members",), "duplicate", Msg("campaign.member_twice")))
    return out


def check_site(s: Site, doc: Document) -> list[Problem]:
    out = []
    ids = [x.id for x in s.sectors]
    for i, sid in enumerate(ids):
        if sid in ids[:i]:
            out.append(doc.problem(("sectors", i, "id"), "duplicate", Msg("site.sector_twice", id=sid)))
    return out
