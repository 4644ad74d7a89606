"""Which project a ledger row is about: by id, then name, then alias, then loosely.

Ledgers are typed by hand, so the last tier compares names with full-width
and half-width forms folded, brackets unified and spaces removed
(`富士康（周口）科技工业园` finds `富士康(周口)科技工业园`). A row that
matches nothing is reported with the three nearest names; a row that
matches several projects lists them; two rows for one project are both
refused. Nothing is guessed.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from typing import Mapping

from .errors import Problem
from .ledger import Ledger, LedgerRow, normalize
from .model import Project

__all__ = ["match_rows"]


class _Index:
    def __init__(self, projects: Mapping[str, Project]):
        self.projects = projects
        self.tiers: list[dict[str, set[str]]] = [defaultdict(set) for _ in range(3)]
        self.labels: dict[str, str] = {}  # every name and alias -> project id, for suggestions
        for pid in sorted(projects):
            p = projects[pid]
            self.tiers[0][p.name].add(pid)
            for alias in p.aliases:
                self.tiers[1][alias].add(pid)
            for text in (p.name, *p.aliases):
                self.tiers[2][normalize(text)].add(pid)
                self.labels.setdefault(text, pid)

    def by_name(self, name: str) -> set[str]:
        for tier, key in zip(self.tiers, (name, name, normalize(name))):
            if key in tier:
                return tier[key]
        return set()

    def shown(self, pid: str) -> str:
        return f"{self.projects[pid].name}（{pid}）"

    def nearest(self, name: str) -> str:
        near = difflib.get_close_matches(name, list(self.labels), n=6, cutoff=0.3)
        ids = list(dict.fromkeys(self.labels[n] for n in near))[:3]
        return "、".join(self.shown(i) for i in ids) if ids else "无"


def _match(ix: _Index, row: LedgerRow) -> tuple[str | None, str, str]:
    """(project id, "", "") or (None, problem code, message)."""
    by_name = ix.by_name(row.name.strip()) if row.name else set()
    if row.id and row.id.strip() in ix.projects:
        pid = row.id.strip()
        if by_name and pid not in by_name:
            others = "、".join(ix.shown(i) for i in sorted(by_name))
            return None, "id-name-conflict", (f"项目编号“{pid}”与项目名称“{row.name}”不一致"
                                              f"（该名称对应 {others}）")
        return pid, "", ""
    if not row.name:
        return None, "unmatched", f"未找到标识为“{row.id}”的项目（最接近：{ix.nearest(row.id or '')}）"
    if len(by_name) == 1:
        return next(iter(by_name)), "", ""
    if by_name:
        names = "、".join(ix.shown(i) for i in sorted(by_name))
        return None, "ambiguous", (f"“{row.name}”对应多个项目：{names}；请在台账中加“项目编号”列"
                                   "写明项目标识")
    return None, "unmatched", f"未找到项目“{row.name}”（最接近：{ix.nearest(row.name)}）"


def match_rows(ledger: Ledger, projects: Mapping[str, Project]
               ) -> tuple[list[tuple[LedgerRow, str]], list[Problem]]:
    """Rows paired with project ids, and a Problem for every row that cannot be paired."""
    ix = _Index(projects)
    problems: list[Problem] = []
    found: dict[str, list[LedgerRow]] = defaultdict(list)
    for row in ledger.rows:
        pid, code, message = _match(ix, row)
        if pid is None:
            problems.append(Problem(ledger.path, row.row, 0, ("name",), code, message))
        else:
            found[pid].append(row)
    matched = []
    for pid, rows in found.items():
        if len(rows) > 1:
            lines = "、".join(str(r.row) for r in rows)
            for r in rows:
                problems.append(Problem(ledger.path, r.row, 0, ("name",), "duplicate-row",
                                        f"第 {lines} 行都对应项目 {ix.shown(pid)}；每个项目只能有一行"))
        else:
            matched.append((rows[0], pid))
    matched.sort(key=lambda rp: rp[0].row)
    return matched, problems
