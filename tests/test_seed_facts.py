"""Every fact of the seed articles is in the demo content (held-out check).

`../shared/seed_facts.yaml` lists the quantitative facts of the five seed
articles, each with its region, value, unit, kind and bound. This test loads
`content/` through the validator and walks every record generically
(`dataclasses.fields`, recursively, over regions, projects and campaigns),
collecting each number it holds: every `Figure` (with its kind, bound and
unit) and every plain number of a figure-like field (a rank, a count of
batches, a capacity). A project's or campaign's numbers belong to its region
and that region's ancestors; a region's own numbers belong to it alone.

A fact is found when a number in its region has the same value (as Decimal),
the same kind (target → target, projection → projection, anything else →
actual: mechanism rules and taxonomy sizes are stored as actual indicators)
and the same bound, and a 万元 fact is stored with `unit: 万元` (never
converted). Facts and numbers are matched one to one, so two facts with the
same value cannot both be satisfied by one stored number.

Facts deliberately left out of the site (they are not about project progress):

- zmd-population: 驻马店 population, "960多万天中儿女" — rhetoric, not a project figure.
- hl-fc-sweepers: 25 hydrogen street sweepers delivered in 华龙区 — vehicles, not projects.
- hl-fc-buses: 5 hydrogen city buses delivered in 华龙区 — vehicles, not projects.
- hn-case-compilation-measures: the 189 reform measures in the provincial case compilation
  — a fact about the source book, not about any region's projects.
- sfq-leaflets: 100+ leaflets handed out at a job fair in 示范区 — not a progress figure.

The module also checks that each of the 59 named projects appears as a
project's name or alias.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from builder import Figure
from builder.validate import validate

ROOT = Path(__file__).resolve().parents[1]
SEED_FACTS = Path(__file__).resolve().parents[2] / "shared" / "seed_facts.yaml"

#: fact id -> why it is not on the site. Keep this short and honest.
EXCLUDED = {
    "zmd-population": "population (960多万天中儿女): rhetoric, not a project figure",
    "hl-fc-sweepers": "hydrogen sweepers delivered: vehicles, not projects",
    "hl-fc-buses": "hydrogen buses delivered: vehicles, not projects",
    "hn-case-compilation-measures": "189 measures in the case compilation: about the source book",
    "sfq-leaflets": "leaflets handed out at a job fair: not a progress figure",
}

pytestmark = pytest.mark.skipif(
    not SEED_FACTS.is_file(),
    reason=f"seed facts not found at {SEED_FACTS} (CI clones shared/ beside the repository)")


@dataclasses.dataclass(frozen=True)
class Number:
    """One number found in a record, with what it needs for matching."""

    regions: frozenset
    value: Decimal
    kind: str
    bound: str | None
    unit: str | None
    where: str


@pytest.fixture(scope="module")
def content():
    result = validate(ROOT / "content")
    assert not result.errors, [f"{p.path}:{p.line}: {p.message}" for p in result.errors]
    return result


@pytest.fixture(scope="module")
def facts():
    with open(SEED_FACTS, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _ancestors(regions, rid: str) -> frozenset:
    out = []
    while rid is not None and rid not in out:
        out.append(rid)
        rid = regions[rid].parent if rid in regions else None
    return frozenset(out)


#: Fields that hold identifiers written as numbers (第N期), not figures.
_NOT_FIGURES = {"round"}

#: Where a fact of each indicator is expected first; any number that fits may still
#: match, but these are tried first so equal values pair up sensibly in messages.
_PREFERRED = {
    "project_count": {"project_count", "count"},
    "completed_investment": {"completed", "completed_investment"},
    "annual_plan_investment": {"annual_plan"},
    "total_investment": {"total_investment", "investment", "started_investment",
                         "finished_investment"},
    "rank_among_cities": {"rank"}, "rank_in_province": {"rank"},
    "problems_collected": {"collected"}, "problems_resolved": {"resolved"},
    "problems_in_progress": {"in_progress"}, "problem_resolution_pct": {"resolution_pct"},
    "start_rate_pct": {"rate_pct", "targets"}, "commissioning_rate_pct": {"rate_pct"},
    "effectiveness_rate_pct": {"rate_pct"},
    "started_count": {"advanced", "started_count"}, "commissioned_count": {"advanced"},
    "effective_count": {"advanced"}, "completed_count": {"finished_count"},
    "batch_count": {"batches", "round_count"}, "annual_capacity": {"capacity"},
    "schedule_lead_months": {"target_met_months_early"}, "yoy_growth_pct": {"yoy_pct"},
}


def _preferred(fact: dict, where: str) -> bool:
    parts = set(where.replace("[", ".").replace("]", "").split("."))
    return bool(parts & _PREFERRED.get(fact["indicator"], {fact["indicator"]}))


def _numeric_spec(spec) -> bool:
    """Whether a field's spec is a number kind other than a year (by class name, so the
    test does not depend on which builder module defines the kinds)."""
    names = {c.__name__ for c in type(spec).__mro__}
    return bool(names & {"Amount", "FigureSpec"}) and "Year" not in names


def _walk(obj, where: str, unit_hint: str | None, out: list, spec=None) -> None:
    """Collect every number under `obj` as (value, kind, bound, unit, where)."""
    if isinstance(obj, Figure):
        out.append((Decimal(str(obj.value)), obj.kind, obj.bound, obj.unit or unit_hint, where))
    elif isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return
    elif isinstance(obj, (int, Decimal)):
        # Plain numbers count when their field holds a figure-like amount (a rank,
        # a batch's round, a capacity), never a year.
        if _numeric_spec(spec):
            out.append((Decimal(str(obj)), "actual", None, unit_hint, where))
    elif dataclasses.is_dataclass(obj):
        hint = getattr(obj, "unit", None) if isinstance(getattr(obj, "unit", None), str) else unit_hint
        for f in dataclasses.fields(obj):
            fspec = f.metadata.get("spec")
            inner = getattr(fspec, "item", None) or getattr(fspec, "value", None) or fspec
            if f.name not in _NOT_FIGURES:
                _walk(getattr(obj, f.name), f"{where}.{f.name}", hint, out, inner)
    elif isinstance(obj, (tuple, list)):
        for i, item in enumerate(obj):
            _walk(item, f"{where}[{i}]", unit_hint, out, spec)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _walk(v, f"{where}.{k}", unit_hint, out, spec)


def _numbers(content) -> list[Number]:
    regions = content.regions
    found: list[Number] = []

    def add(record, own: frozenset, where: str) -> None:
        raw: list = []
        _walk(record, where, None, raw)
        found.extend(Number(own, v, k, b, u, w) for v, k, b, u, w in raw)

    for rid, region in regions.items():
        add(region, frozenset([rid]), f"regions/{rid}")
    for pid, project in content.projects.items():
        add(project, _ancestors(regions, project.region), f"projects/{pid}")
    for cid, campaign in content.campaigns.items():
        add(campaign, _ancestors(regions, campaign.region), f"campaigns/{cid}")
    return found


def _region_ids(content) -> dict[str, str]:
    """Chinese name, full name or alias -> region id."""
    out: dict[str, str] = {}
    for rid, r in content.regions.items():
        for name in (r.name, r.full_name, *r.aliases):
            if name:
                assert out.get(name, rid) == rid, f"{name} names both {out[name]} and {rid}"
                out[name] = rid
    return out


def _expected_kind(fact: dict) -> str:
    return {"target": "target", "projection": "projection"}.get(fact.get("kind"), "actual")


def _accepts(fact: dict, region: str, n: Number) -> bool:
    if region not in n.regions:
        return False
    if n.value != Decimal(str(fact["value"])):
        return False
    if n.kind != _expected_kind(fact) or n.bound != fact.get("bound"):
        return False
    if fact["unit"] == "万元":
        return n.unit == "万元"
    if fact["unit"] == "亿元":
        return n.unit != "万元"
    return True


def _match(candidates: dict[str, list[int]], preferred: dict[str, list[int]]) -> dict[str, int]:
    """A one-to-one matching of facts to numbers (Kuhn's augmenting paths).

    Phase one pairs each fact with a number in its preferred field; phase two
    completes the matching over all candidates, moving a fact off its preferred
    number only when another fact has nowhere else to go.
    """
    owner: dict[int, str] = {}

    def augment(fid: str, lists: dict[str, list[int]], seen: set) -> bool:
        free = next((n for n in lists[fid] if n not in owner), None)
        if free is not None:  # take a free number before displacing anyone
            owner[free] = fid
            return True
        for n in lists[fid]:
            if n in seen:
                continue
            seen.add(n)
            if n not in owner or augment(owner[n], lists, seen):
                owner[n] = fid
                return True
        return False

    for lists in (preferred, candidates):
        matched = set(owner.values())
        for fid in sorted(candidates, key=lambda f: len(candidates[f])):
            if fid not in matched:
                augment(fid, lists, set())
    return {fid: n for n, fid in owner.items()}


def test_excluded_facts_exist_and_are_few(facts):
    ids = {f["id"] for f in facts["facts"]}
    assert set(EXCLUDED) <= ids, set(EXCLUDED) - ids
    assert len(ids) - len(EXCLUDED) >= 250


def test_every_fact_region_is_a_region(content, facts):
    names = _region_ids(content)
    unknown = sorted({f["region"] for f in facts["facts"]} - set(names))
    assert not unknown, f"no region record is named {unknown}"


def test_every_fact_is_in_the_content(content, facts):
    names = _region_ids(content)
    numbers = _numbers(content)
    wanted = [f for f in facts["facts"] if f["id"] not in EXCLUDED]
    by_id = {f["id"]: f for f in wanted}
    candidates = {f["id"]: sorted((i for i, n in enumerate(numbers)
                                   if _accepts(f, names[f["region"]], n)),
                                  key=lambda i, f=f: (not _preferred(f, numbers[i].where), i))
                  for f in wanted}
    preferred = {fid: [i for i in c if _preferred(by_id[fid], numbers[i].where)]
                 for fid, c in candidates.items()}
    matched = _match(candidates, preferred)
    missing = [f for f in wanted if f["id"] not in matched]
    report = "\n".join(
        f"  {f['id']}: {f['region']} {f['value']} {f['unit']} kind={f.get('kind')} "
        f"bound={f.get('bound')} ({f['subject']}; candidates: "
        f"{[numbers[i].where for i in candidates[f['id']]]})" for f in missing)
    assert not missing, f"{len(missing)} of {len(wanted)} facts are not in content/:\n{report}"
    assert len(matched) >= 250


def test_named_projects_are_projects(content, facts):
    known = set()
    for p in content.projects.values():
        known.update((p.name, *p.aliases))
    missing = [p["name"] for p in facts["named_projects"] if p["name"] not in known]
    assert not missing, f"named projects with no project record: {missing}"
    aliases = [a for p in facts["named_projects"] for a in p.get("aliases", ()) if a not in known]
    assert not aliases, f"aliases the seeds use that no project lists: {aliases}"
    assert len(facts["named_projects"]) == 59


def test_named_projects_keep_their_money(content, facts):
    """The four projects the seeds give money for carry it, and no other project has any."""
    by_name = {n: p for p in content.projects.values() for n in (p.name, *p.aliases)}
    given = {p["name"]: Decimal(str(p["investment"])) for p in facts["named_projects"]
             if p.get("investment") is not None}
    assert len(given) == 4
    for pid, p in content.projects.items():
        expected = given.get(p.name)
        actual = None if p.total_investment is None else Decimal(str(p.total_investment.value))
        assert actual == expected, f"{pid}: total_investment {actual}, seed says {expected}"
    assert set(given) <= set(by_name)
