"""Rules across records: references resolve, parents form a tree, figures cited exist."""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Iterable, Mapping

from . import vocab as V
from .blocks import FigureRef
from .errors import Problem
from .messages import Msg
from .model import Batch, CampaignTotals, Event, Indicator, ProblemLedger, Report
from .numbers import FigureSpec

__all__ = ["RefAt", "check_references", "check_parents", "check_figure_ref", "REF_FIELDS"]

#: (display path, field path, target kind, target id, line, column)
RefAt = tuple


def _figure_fields(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls)
                 if isinstance(f.metadata.get("spec"), FigureSpec))


#: Which names a figure reference may cite, per kind of item.
REF_FIELDS: dict[str, tuple[str, ...]] = {
    "reports": _figure_fields(Report) + ("schedule_pct",),
    "rankings": ("rank", "of"),
    "problems": _figure_fields(ProblemLedger),
    "events": _figure_fields(Event),
    "targets": _figure_fields(Indicator),
    "indicators": _figure_fields(Indicator),
    "project": ("total_investment", "annual_plan", "completed_ytd", "completed_cumulative",
                "plan_completion_pct"),
    "campaign": _figure_fields(CampaignTotals) + ("round", "round_count"),
    "batch": _figure_fields(Batch) + ("rate",),
}
_KEYED = ("reports", "rankings", "problems", "events", "targets", "indicators")
_BATCH_NAMES = {a: k for k, aliases in V.BATCHES.items() for a in (k,) + aliases}


def _near(word: str, options: Iterable[str]) -> str:
    near = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return Msg("tip.near", near=near[0]) if near else ""


def check_references(refs: Iterable[RefAt], known: Mapping[str, Mapping[str, Any]],
                     lines_of: Mapping[str, tuple[str, ...]] | None = None) -> list[Problem]:
    """Every (kind, id) reference names an existing record."""
    out = []
    for path, fpath, kind, target, line, col in refs:
        table = known.get(kind, {})
        if target in table:
            continue
        if kind == "report":
            rid = target.partition("/")[0]
            if f"{rid}/*" in table or rid not in known.get("region", {}):
                continue  # the region is unknown or failed: that error says why
            out.append(Problem(path, line, col, fpath, "unknown-reference",
                               Msg("ref.not_report", target=target, near=_near(target, table))))
            continue
        if kind == "media":
            out.append(Problem(path, line, col, fpath, "unknown-reference",
                               Msg("ref.no_media", target=target, near=_near(target, table))))
            continue
        where = {"region": "content/regions/", "project": "content/projects/",
                 "campaign": "content/campaigns/"}.get(kind) or Msg("ref.where_sources")
        out.append(Problem(path, line, col, fpath, "unknown-reference", Msg(
            "ref.unknown", kind=Msg(f"kind.{kind}"), id=target, where=where,
            near=_near(target, table))))
    return out


def check_parents(regions: Mapping[str, Any], where: Mapping[str, RefAt]) -> list[Problem]:
    """Parents form a tree: no region is its own ancestor."""
    out = []
    reported: set[str] = set()
    for rid in sorted(regions):
        chain = [rid]
        cur = regions[rid].parent
        while cur is not None and cur in regions:
            if cur in chain:
                cycle = chain[chain.index(cur):] + [cur]
                if not reported.intersection(cycle):
                    path, fpath, _k, _t, line, col = where[rid]
                    out.append(Problem(path, line, col, fpath, "parent-cycle",
                                       Msg("region.parent_cycle", cycle=" → ".join(cycle))))
                    reported.update(cycle)
                break
            chain.append(cur)
            cur = regions[cur].parent
    return out


def check_figure_ref(ref: FigureRef, regions, projects, campaigns,
                     broken: frozenset = frozenset()) -> str | None:
    """None if the reference resolves, else what is wrong.

    `broken` holds (kind, id) of records whose own file has errors: a figure
    missing from them is not reported again (their errors say why)."""
    msg = _resolve_ref(ref, regions, projects, campaigns)
    if msg and getattr(msg, "key", None) == "ref.absent" and (ref.kind, ref.target) in broken:
        return None
    return msg


def _resolve_ref(ref: FigureRef, regions, projects, campaigns) -> str | None:
    if ref.kind == "region":
        region = regions.get(ref.target)
        if region is None:
            return _no_id("region", ref.target, regions)
        for name in _KEYED:
            for item in getattr(region, name):
                if item.key == ref.key:
                    allowed = REF_FIELDS[name]
                    if name == "reports" and ref.name.startswith("yoy_pct."):
                        growth = item.yoy_pct or {}
                        if ref.name[8:] in growth:
                            return None
                        has = ", ".join("yoy_pct." + k for k in growth) or Msg("word.none")
                        return Msg("ref.no_growth", target=ref.target, key=ref.key,
                                   name=ref.name[8:], has=has)
                    if ref.name not in allowed:
                        return Msg("ref.not_figure_of", name=ref.name, target=ref.target,
                                   key=ref.key, coll=name, allowed=", ".join(allowed))
                    return _absent(item, ref.name, "what.item_ref", target=ref.target, key=ref.key)
        keys = [i.key for n in _KEYED for i in getattr(region, n)]
        return Msg("ref.no_key", target=ref.target, key=ref.key, near=_near(str(ref.key), keys))
    if ref.kind == "project":
        p = projects.get(ref.target)
        if p is None:
            return _no_id("project", ref.target, projects)
        names = REF_FIELDS["project"] + tuple(i.key for i in p.indicators)
        if ref.name not in names:
            return Msg("ref.not_project_figure", name=ref.name, target=ref.target,
                       allowed=", ".join(names))
        if ref.name == "total_investment":
            return _absent(p, ref.name, "what.project_ref", id=ref.target)
        return None
    c = campaigns.get(ref.target)
    if c is None:
        return _no_id("campaign", ref.target, campaigns)
    if ref.key is None:
        if ref.name not in REF_FIELDS["campaign"]:
            return Msg("ref.not_campaign_total", name=ref.name,
                       allowed=", ".join(REF_FIELDS["campaign"]))
        if ref.name in ("round", "round_count"):
            return _absent(c, ref.name, "what.campaign_ref", id=ref.target)
        return _absent(c.totals, ref.name, "what.campaign_totals", id=ref.target)
    batch, _, rnd = ref.key.partition("@")
    canon = _BATCH_NAMES.get(batch)
    matches = [b for b in c.batches if b.batch == canon and (not rnd or str(b.round) == rnd)]
    if not matches:
        return Msg("ref.no_batch", key=ref.key)
    if len(matches) > 1:
        return Msg("ref.batches", n=len(matches), batch=batch)
    if ref.name not in REF_FIELDS["batch"]:
        return Msg("ref.not_batch_figure", name=ref.name, allowed=", ".join(REF_FIELDS["batch"]))
    if ref.name == "rate":
        b = matches[0]
        if b.rate_pct is None and (b.count is None or b.advanced is None):
            return Msg("ref.no_rate")
        return None
    return _absent(matches[0], ref.name, "what.batch_ref", batch=batch)


def _no_id(kind: str, target: str, table: Iterable[str]) -> str:
    return Msg("ref.no_id", kind=Msg(f"kind.{kind}"), id=target, near=_near(target, table))


def _has(item: Any, name: str) -> bool:
    """Whether the record gives the figure, directly or through the inputs of its rule."""
    if name == "schedule_pct":
        return getattr(item, "as_of", None) is not None
    if name == "plan_completion_pct" and isinstance(item, Report):
        return item.plan_completion_pct is not None or (
            item.completed is not None and item.annual_plan is not None)
    if name == "ahead_of_schedule_pp" and isinstance(item, Report):
        return item.ahead_of_schedule_pp is not None or (
            _has(item, "plan_completion_pct") and item.as_of is not None)
    if name == "resolution_pct" and isinstance(item, ProblemLedger):
        return item.resolution_pct is not None or (
            item.collected is not None and item.resolved is not None)
    return item is not None and getattr(item, name, None) is not None


def _absent(item: Any, name: str, what: str, **args: Any) -> str | None:
    """A message when the cited figure is not in the record (`what`, `args`: the record's words)."""
    if _has(item, name):
        return None
    return Msg("ref.absent", what=Msg(what, **args), name=name)
