"""Which content files each page is made from: the dependency map of incremental rebuilds.

A page is rendered again when one of its files' records changed; every other
page keeps its bytes. The map is derived here, in one place, from the derived
site (Lektor's "declared sources", without a recording context):

- a project page reads its project, the regions named in its breadcrumb and
  the campaigns it belongs to;
- a region page reads its region, the regions above and below it, every
  project below it (rows, roll-ups, funnels), and the campaigns and bulletins
  about it;
- a campaign page reads its campaign, its region's breadcrumb and its members;
- a bulletin reads its file and everything it cites: a region's figures and
  headline cards come from its own file (a report's derived percentages use the
  report's own figures; cards show no roll-up), a chart of a region's stages or
  sectors from every project below it, its other charts from it and the regions
  just below it (rankings, their latest reports);
- a page of the projects table reads the projects on it and their regions;
- the home page, the other lists, the data page and 404 are cheap, and
  rendered every time.

What decides *which* records a page reads (ids, parents, memberships,
sectors, bulletin dates…) is the site's `shape`: when it changes, every page is
rendered. site.yaml, templates and messages are inputs of every page.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any, Iterable

from .derive import Derived

__all__ = ["page_sources", "shape", "templates_key", "records_by_path"]


def shape(content: Any, memo: dict | None = None) -> tuple:
    """Everything that decides which records a page reads; equal shapes, equal map.
    `memo`: each project's part, kept with its record (a session's next rebuild makes
    only the changed ones' again; 20,000 at N = 20,000)."""
    memo = {} if memo is None else memo
    return (
        tuple(sorted(content.paths.items())),
        tuple((rid, r.parent) for rid, r in sorted(content.regions.items())),
        tuple(_project_shape(pid, p, memo) for pid, p in sorted(content.projects.items())),
        tuple((cid, c.region, tuple(c.members)) for cid, c in sorted(content.campaigns.items())),
        tuple((b.path, b.meta.region, b.meta.campaign, b.meta.draft, b.meta.date)
              for b in content.bulletins),
    )


def _project_shape(pid: str, p: Any, memo: dict) -> tuple:
    hit = memo.get(pid)
    if hit is None or hit[0] is not p:
        hit = memo[pid] = (p, (pid, p.region, p.sector,
                               tuple((c.campaign, c.batch) for c in p.campaigns)))
    return hit[1]


#: Region chart kinds drawn from the projects below the region (`chartplan.region_requests`).
_FROM_PROJECTS = frozenset({"stage_funnel", "sector_investment"})


class _Map:
    def __init__(self, d: Derived, memo: dict | None = None):
        self.d = d
        self.paths = d.content.paths
        self.memo = {} if memo is None else memo

    def region(self, rid: str) -> set[str]:
        return {self.paths[("region", rid)]} if ("region", rid) in self.paths else set()

    def chain(self, rid: str) -> set[str]:
        rv = self.d.regions.get(rid)
        out = self.region(rid)
        for a in rv.ancestors if rv else ():
            out |= self.region(a)
        return out

    def subtree(self, rid: str) -> frozenset[str]:
        """The region, every region and project below it (kept in `memo`: the province's
        is every file of the site, and is asked for each bulletin about it)."""
        hit = self.memo.get(rid)
        if hit is None:
            hit = self.memo[rid] = frozenset(self._subtree(rid))
        return hit

    def _subtree(self, rid: str) -> set[str]:
        rv = self.d.regions.get(rid)
        if rv is None:
            return set()
        out = self.region(rid)
        todo = list(rv.children)
        while todo:
            c = todo.pop()
            out |= self.region(c)
            todo.extend(self.d.regions[c].children)
        out |= {self.paths[("project", p)] for p in rv.projects if ("project", p) in self.paths}
        return out

    def project(self, pid: str) -> set[str]:
        return {self.paths[("project", pid)]} if ("project", pid) in self.paths else set()

    def campaign(self, cid: str) -> set[str]:
        return {self.paths[("campaign", cid)]} if ("campaign", cid) in self.paths else set()

    def projects_on(self, ids: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for pid in ids:
            out |= self.project(pid)
            pv = self.d.projects.get(pid)
            if pv is not None:
                out |= self.chain(pv.project.region)
        return out


def page_sources(d: Derived, kind: str, key: Any, memo: dict | None = None
                 ) -> frozenset[str] | None:
    """The content files the page of `kind` for record `key` is made from; None: render
    always. `memo`: regions' subtrees, which a caller may keep while the site's `shape` holds."""
    m = _Map(d, memo)
    if kind == "project":
        pv = d.projects[key]
        out = m.project(key) | m.chain(pv.project.region)
        for c in pv.project.campaigns:
            out |= m.campaign(c.campaign)
        return frozenset(out)
    if kind == "region":
        rv = d.regions[key]
        out = m.subtree(key) | m.chain(key)
        out |= {p for cid, cv in d.campaigns.items() if cv.campaign.region == key
                for p in m.campaign(cid)}
        out |= {b.path for b in d.content.bulletins if b.meta.region == key}
        for c in rv.children:
            out |= m.subtree(c)
        return frozenset(out)
    if kind == "campaign":
        c = d.campaigns[key].campaign
        out = m.campaign(key) | m.chain(c.region)
        members = set(c.members) | {pid for pid, pv in d.projects.items()
                                    if any(x.campaign == key for x in pv.project.campaigns)}
        for pid in members:
            out |= m.project(pid)
        return frozenset(out)
    if kind == "bulletin":
        b = next(x for x in d.content.bulletins if x.slug == key)
        out = {b.path}
        regions = {b.meta.region} | {h.partition("/")[0] for h in b.meta.headline}
        for ref in b.figure_refs:
            if ref.kind == "region":
                regions.add(ref.target)
            elif ref.kind == "project":
                out |= m.projects_on([ref.target])
            elif ref.kind == "campaign":
                out |= m.campaign(ref.target)
        for block in b.charts:
            if block.region:
                regions.add(block.region)
                if block.kind in _FROM_PROJECTS:
                    out |= m.subtree(block.region)
                rv = d.regions.get(block.region)
                for c in rv.children if rv else ():
                    out |= m.region(c)
            if block.project:
                out |= m.projects_on([block.project])
            if block.campaign:
                out |= m.campaign(block.campaign)
        if b.meta.campaign:
            out |= m.campaign(b.meta.campaign)
        for rid in regions:
            out |= m.chain(rid)
        return frozenset(out)
    if kind == "projects":
        return frozenset(m.projects_on(key))
    return None


def templates_key(templates: Path) -> tuple:
    """Every template, message and static file's stat: any edit renders every page.

    (Stat, not bytes: reading the folder after every save costs more than the rest
    of a one-page rebuild; an editor's save always moves the mtime.)"""
    out = []
    for p in sorted(templates.rglob("*")):
        st = p.stat()
        if stat.S_ISREG(st.st_mode):
            out.append((p.relative_to(templates).as_posix(), st.st_size, st.st_mtime_ns,
                        st.st_ino, st.st_ctime_ns))
    return tuple(out)


def records_by_path(checked: Any) -> dict[str, object]:
    """Each content file's record (or bulletin), by its path."""
    out: dict[str, object] = {}
    for (kind, rid), path in checked.paths.items():
        rec = {"region": checked.regions, "project": checked.projects,
               "campaign": checked.campaigns}.get(kind, {}).get(rid)
        if rec is not None:
            out[path] = rec
    for b in checked.bulletins:
        out[b.path] = b
    return out
