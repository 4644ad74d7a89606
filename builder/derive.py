"""Stage 3, derive: the figures pages show that no record states directly.

Rules (DESIGN §4), each computed once here and passed to templates:

- 时序进度 `schedule_pct(as_of, basis)`: months elapsed ÷ 12, or day of year
  ÷ days in year.
- plan completion % = completed ÷ annual plan × 100 — a reported value wins
  and is kept as printed; `agrees` says whether its parts give it.
- ahead of schedule (points) = plan completion % − 时序进度.
- roll-ups: sums over a region's projects (and its descendants'), shown
  beside the reported aggregate and compared with it, never replacing it.
- rankings of sub-regions: by plan completion, then ahead of schedule, then
  name; the top `flags.red` get a red flag, the bottom `flags.yellow` a
  yellow one (only when there are more regions than flags).
- campaign rates: advanced ÷ count per batch; problem resolution rate:
  resolved ÷ collected.

A derived figure is a `Num` with `derived=True` and the rule that made it.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Mapping

from . import vocab as V
from .content import Content
from .errors import Problem
from .figures import agrees, dec, percent, round_to, schedule_pct, value_of
from .messages import Msg
from .model import Campaign, Project, Region, Report
from .rules import money

__all__ = ["Num", "ReportView", "RankRow", "BatchView", "CampaignView", "LedgerView",
           "ProjectView", "RegionView", "Derived", "derive", "latest_report"]


@dataclass(frozen=True)
class Num:
    """A figure ready to show: reported (as printed) or derived (with its rule)."""

    value: Decimal
    derived: bool = False
    rule: str | None = None  # message-catalog key naming the rule
    bound: str | None = None
    kind: str = "actual"
    agrees: bool | None = None  # a reported value checked against its parts

    @classmethod
    def of(cls, fig: Any) -> "Num | None":
        if fig is None:
            return None
        return cls(dec(fig.value), False, None, fig.bound, fig.kind)


def _derived(x: Decimal | None, rule: str, places: int = 2) -> Num | None:
    return None if x is None else Num(round_to(x, places), True, rule)


@dataclass(frozen=True)
class Rollup:
    """Sums over the projects in a region's tree for one year, at a date."""

    project_count: int
    annual_plan: Decimal
    completed: Decimal
    plan_completion_pct: Num | None
    matches_count: bool  # as many projects as the report counts: the sums are comparable


@dataclass(frozen=True)
class ReportView:
    report: Report
    region: str
    schedule_pct: Num | None
    plan_completion_pct: Num | None
    ahead_of_schedule_pp: Num | None
    rollup: Rollup | None


@dataclass(frozen=True)
class RankRow:
    region: str
    rank: int
    report: ReportView
    flag: str | None  # red | yellow | None


@dataclass(frozen=True)
class BatchView:
    batch: Any
    rate_pct: Num | None  # reported wins; otherwise advanced ÷ count


@dataclass(frozen=True)
class CampaignView:
    campaign: Campaign
    batches: tuple[BatchView, ...]


@dataclass(frozen=True)
class LedgerView:
    ledger: Any
    resolution_pct: Num | None


@dataclass(frozen=True)
class ProjectView:
    project: Project
    latest: Any  # the last Progress entry on or before as_of, or None
    year: int
    annual_plan: Num | None  # for `year`
    plan_completion_pct: Num | None


@dataclass(frozen=True)
class RegionView:
    region: Region
    ancestors: tuple[str, ...]  # root first
    children: tuple[str, ...]
    projects: tuple[str, ...]  # in this region and below, sorted
    reports: tuple[ReportView, ...]
    headline: ReportView | None  # the key-projects report the region page leads with
    ranking: tuple[RankRow, ...]  # its children, ranked
    ledgers: tuple[LedgerView, ...]
    stage_counts: Mapping[str, int]  # lifecycle funnel over its projects
    sector_investment: Mapping[str, Decimal]  # total investment by sector (actual figures)


@dataclass(frozen=True)
class Derived:
    content: Content
    as_of: _dt.date
    regions: Mapping[str, RegionView]
    projects: Mapping[str, ProjectView]
    campaigns: Mapping[str, CampaignView]
    problems: tuple[Problem, ...]  # warnings: roll-ups that disagree with reports


def _report_view(rep: Report, rid: str, basis: str, rollup: Rollup | None) -> ReportView:
    sched = schedule_pct(rep.as_of, rep.schedule_basis or basis) if rep.as_of else None
    completed, plan = money(rep.completed), money(rep.annual_plan)
    got = percent(completed, plan) if completed is not None and plan is not None else None
    if rep.plan_completion_pct is not None and rep.plan_completion_pct.is_actual:
        pct = Num.of(rep.plan_completion_pct)
        if got is not None:
            pct = Num(pct.value, False, None, pct.bound, pct.kind, agrees(rep.plan_completion_pct, got))
    else:
        pct = _derived(got, "rule.plan_completion")
    if rep.ahead_of_schedule_pp is not None and rep.ahead_of_schedule_pp.is_actual:
        ahead = Num.of(rep.ahead_of_schedule_pp)
    elif pct is not None and sched is not None and pct.bound is None:
        ahead = _derived(pct.value - sched, "rule.ahead_of_schedule")
    else:
        ahead = None
    return ReportView(rep, rid, _derived(sched, "rule.schedule"), pct, ahead, rollup)


def latest_report(views: tuple[ReportView, ...], as_of: _dt.date,
                  year: int | None = None) -> ReportView | None:
    """The newest key-projects report on or before `as_of` (undated ones last)."""
    cands = [v for v in views if v.report.category == "key_projects"
             and v.report.basis == "project_reported"
             and (year is None or v.report.year == year)
             and (v.report.as_of is None or v.report.as_of <= as_of)
             and v.report.subset_of is None]
    if not cands:
        return None
    # Prefer a report that says how far along the plan is; then the newest.
    return max(cands, key=lambda v: (v.plan_completion_pct is not None, v.report.year,
                                     v.report.as_of or _dt.date.min, v.report.key))


def _progress_at(p: Project, as_of: _dt.date) -> Any:
    month = f"{as_of.year:04d}-{as_of.month:02d}"
    latest = None
    for e in p.progress:  # validated: months unique; sort for safety
        if e.month <= month and (latest is None or e.month > latest.month):
            latest = e
    return latest


def _project_view(p: Project, as_of: _dt.date) -> ProjectView:
    latest = _progress_at(p, as_of)
    year = int(latest.month[:4]) if latest is not None else as_of.year
    plan = (p.annual_plan or {}).get(year)
    pct = None
    if (latest is not None and latest.completed_ytd is not None and plan is not None
            and money(plan)):
        pct = _derived(percent(latest.completed_ytd, money(plan)), "rule.plan_completion")
    return ProjectView(p, latest, year, Num.of(plan), pct)


def _contribution(p: Project, year: int, month: str, memo: dict) -> tuple:
    """(counts?, plan, completed this year by `month`) of one project (`_rollup` keeps
    it with the record, so a session's next derive reuses it while the record is the same)."""
    plan = money((p.annual_plan or {}).get(year))
    months = memo.get(p.id)
    if months is None or months[0] is not p:
        months = memo[p.id] = (p, {e.month: e for e in p.progress})
    entry = None
    y = str(year)
    for m in range(int(month[5:7]), 0, -1):  # the latest month on or before `month`
        entry = months[1].get(f"{y}-{m:02d}")
        if entry is not None:
            break
    done = dec(entry.completed_ytd) if entry is not None and entry.completed_ytd is not None else None
    return (plan is not None or entry is not None, plan or Decimal(0), done or Decimal(0))


def _rollup(pids: list[str], projects: Mapping[str, Project], rep: Report,
            memo: dict) -> Rollup | None:
    if rep.as_of is None:
        return None
    month = f"{rep.as_of.year:04d}-{rep.as_of.month:02d}"
    if int(month[:4]) != rep.year:  # a report dated after its year: take December
        month = f"{rep.year:04d}-12"
    n, plan_sum, done_sum = 0, Decimal(0), Decimal(0)
    # One dict per (year, month): a province's roll-ups read every project's (20,000 at N =
    # 20,000, for each report), and a save changes one.
    kept = memo.setdefault(("contributions", rep.year, month), {})
    for pid in pids:
        p = projects[pid]
        hit = kept.get(pid)
        if hit is None or hit[0] is not p:
            hit = kept[pid] = (p, _contribution(p, rep.year, month, memo))
        counts, plan, done = hit[1]
        if counts:
            n += 1
            plan_sum += plan
            done_sum += done
    if n == 0:
        return None
    count = value_of(rep.project_count)
    pct = _derived(percent(done_sum, plan_sum), "rule.rollup") if plan_sum else None
    return Rollup(n, plan_sum, done_sum, pct, count is not None and count == n)


def _rank(parent: str, children: tuple[str, ...], views: Mapping[str, tuple[ReportView, ...]],
          regions: Mapping[str, Region], as_of: _dt.date, red: int, yellow: int) -> tuple[RankRow, ...]:
    # Rank the latest year any child reports for (early in a year, last year's results).
    years = [v.report.year for c in children for v in views[c]
             if v.report.as_of is None or v.report.as_of <= as_of]
    year = max(years) if years else as_of.year
    rows = []
    for cid in children:
        v = latest_report(views[cid], as_of, year)
        if v is not None and v.plan_completion_pct is not None:
            rows.append(v)
    rows.sort(key=lambda v: (-v.plan_completion_pct.value,
                             -(v.ahead_of_schedule_pp.value if v.ahead_of_schedule_pp else Decimal(0)),
                             regions[v.region].name, v.region))
    n = len(rows)
    flag_ok = n > red + yellow
    out = []
    for i, v in enumerate(rows):
        flag = None
        if flag_ok and i < red:
            flag = "red"
        elif flag_ok and i >= n - yellow:
            flag = "yellow"
        out.append(RankRow(v.region, i + 1, v, flag))
    return tuple(out)


def derive(content: Content, memo: dict | None = None) -> Derived:
    """Compute every derived figure of a validated site.

    `memo`: a dict a session keeps between rebuilds; per-project work is reused for
    records that are the very same objects as last time (validation reuses them)."""
    site = content.site
    as_of = site.as_of
    basis = site.schedule_basis
    regions, projects = content.regions, content.projects
    children: dict[str, list[str]] = defaultdict(list)
    for rid in sorted(regions):
        parent = regions[rid].parent
        if parent in regions:
            children[parent].append(rid)
    direct: dict[str, list[str]] = defaultdict(list)
    for pid in sorted(projects):
        direct[projects[pid].region].append(pid)

    subtree: dict[str, list[str]] = {}

    def collect(rid: str, seen: frozenset = frozenset()) -> list[str]:
        if rid in subtree:
            return subtree[rid]
        out = list(direct.get(rid, ()))
        for c in children.get(rid, ()):
            if c not in seen:
                out.extend(collect(c, seen | {rid}))
        subtree[rid] = sorted(out)
        return subtree[rid]

    problems: list[Problem] = []
    memo = {} if memo is None else memo
    # Projects whose record is not the object of the last derive: sums over a subtree
    # without one of them are taken from the memo.
    before = memo.get("projects", {})
    fresh = ({pid for pid, p in projects.items() if before.get(pid) is not p}
             | (before.keys() - projects.keys()))

    def reuse(key: tuple, pids: list[str], make: Callable[[], Any], *inputs: Any) -> Any:
        hit = memo.get(key)
        if (hit is None or hit[0] != pids or any(a is not b for a, b in zip(hit[1], inputs))
                or not fresh.isdisjoint(pids)):
            hit = memo[key] = (pids, inputs, make())
        return hit[2]

    report_views: dict[str, tuple[ReportView, ...]] = {}
    for rid in sorted(regions):
        pids = collect(rid)
        views = []
        for i, rep in enumerate(regions[rid].reports):
            roll = (reuse(("rollup", rid, i), pids,
                          lambda: _rollup(pids, projects, rep, memo), rep)  # noqa: B023
                    if pids and rep.category == "key_projects" else None)
            v = _report_view(rep, rid, basis, roll)
            views.append(v)
            problems.extend(_compare(v, content.paths.get(("region", rid), rid), i, content))
        report_views[rid] = tuple(views)

    project_views = {}
    for pid, p in sorted(projects.items()):
        hit = memo.get(("view", pid))
        if hit is None or hit[0] is not p or hit[1] != as_of:
            hit = memo[("view", pid)] = (p, as_of, _project_view(p, as_of), money(p.total_investment))
        project_views[pid] = hit[2]
    region_views = {}
    for rid in sorted(regions):
        r = regions[rid]
        anc = []
        cur = r.parent
        while cur in regions and cur not in anc and cur != rid:
            anc.append(cur)
            cur = regions[cur].parent
        kids = tuple(children.get(rid, ()))
        stage_counts, sectors = reuse(("facts", rid), subtree[rid],
                                      lambda: _facts(subtree[rid], projects, memo))  # noqa: B023
        ledgers = tuple(LedgerView(pl, _resolution(pl)) for pl in r.problems)
        region_views[rid] = RegionView(
            r, tuple(reversed(anc)), kids, tuple(subtree[rid]), report_views[rid],
            latest_report(report_views[rid], as_of),
            _rank(rid, kids, report_views, regions, as_of, site.flags.red, site.flags.yellow),
            ledgers, dict(stage_counts), sectors)
    campaign_views = {cid: CampaignView(c, tuple(BatchView(b, _rate(b)) for b in c.batches))
                      for cid, c in sorted(content.campaigns.items())}
    memo["projects"] = dict(projects)  # last: a derive that fails half-way reuses less
    return Derived(content, as_of, region_views, project_views, campaign_views, tuple(problems))


def _facts(pids: list[str], projects: Mapping[str, Project], memo: dict) -> tuple[dict, dict]:
    """(projects per stage, total investment per sector) over a region's tree."""
    stage_counts = {s: 0 for s in V.STAGES}
    sectors: dict[str, Decimal] = defaultdict(Decimal)
    for pid in pids:
        p = projects[pid]
        if p.stage:
            stage_counts[p.stage] += 1
        t = memo[("view", pid)][3]
        if t is not None and p.sector:
            sectors[p.sector] += t
    return stage_counts, dict(sorted(sectors.items()))


def _rate(b: Any) -> Num | None:
    if b.rate_pct is not None:
        return Num.of(b.rate_pct)
    n, adv = value_of(b.count), value_of(b.advanced)
    if n and adv is not None:
        return _derived(percent(adv, n), "rule.batch_rate", 1)
    return None


def _resolution(pl: Any) -> Num | None:
    if pl.resolution_pct is not None:
        return Num.of(pl.resolution_pct)
    c, r = value_of(pl.collected), value_of(pl.resolved)
    if c and r is not None:
        return _derived(percent(r, c), "rule.resolution", 1)
    return None


def _compare(v: ReportView, path: str, index: int, content: Content) -> list[Problem]:
    """Warn when projects' own figures add up to something other than the report."""
    roll, rep = v.rollup, v.report
    if roll is None or not roll.matches_count:
        return []
    line, col = content.positions.get(path, {}).get(("reports", index), (0, 0))
    out = []
    for name, summed in (("annual_plan", roll.annual_plan), ("completed", roll.completed)):
        fig = getattr(rep, name)
        if fig is not None and fig.is_actual and not agrees(fig, summed):
            out.append(Problem(path, line, col, ("reports", index, name), "rollup-mismatch", Msg(
                "rollup.mismatch", value=fig.value, n=roll.project_count, sum=summed), "warning"))
    return out
