"""Check that a generated content tree is valid and that its aggregates add up.

    python bench/verify.py OUTDIR/content [--jobs N]

Runs `builder.validate.validate` and, when it exists, `builder.derive.derive`
(neither may report any problem, not even a warning), then re-checks from the typed records what the validator cannot see
on its own: every report equals the sums over the projects of its region and
its descendants, a province 三个一批 round is the sum of its cities' rounds,
rankings follow plan completion, each bulletin's date equals its file name's.
Exit 0 when all holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from builder.validate import validate  # noqa: E402

ZERO = Decimal(0)


def _v(fig):
    return None if fig is None else fig.value


def verify(content: Path, jobs: int | None = None) -> list[str]:
    c = validate(content, jobs=jobs)
    bad = [f"{p.path}:{p.line}:{p.column}: {p.severity}: {p.message}" for p in c.problems]
    if bad:
        return bad[:20] + ([f"… {len(bad) - 20} more"] if len(bad) > 20 else [])
    out: list[str] = []
    try:
        from builder.derive import derive
    except ImportError:
        derive = None
    if derive is not None:
        out += [f"{p.path}:{p.line}:{p.column}: derive {p.severity}: {p.message}"
                for p in derive(c).problems]
    children = defaultdict(list)
    for rid, r in c.regions.items():
        if r.parent:
            children[r.parent].append(rid)
    own = defaultdict(list)
    for p in c.projects.values():
        own[p.region].append(p)

    def subtree(rid):
        ps = list(own[rid])
        for k in children[rid]:
            ps.extend(subtree(k))
        return ps

    for rid, r in sorted(c.regions.items()):
        ps = subtree(rid)
        for rep in r.reports:
            month = rep.as_of.strftime("%Y-%m")
            want = {
                "project_count": len(ps),
                "total_investment": sum((_v(p.total_investment) for p in ps), ZERO),
                "annual_plan": sum((_v(p.annual_plan[rep.year]) for p in ps), ZERO),
                "completed": sum((next(e.completed_ytd for e in p.progress if e.month == month)
                                  for p in ps), ZERO),
            }
            for name, w in want.items():
                got = _v(getattr(rep, name))
                if got != w:
                    out.append(f"{rid} {rep.key} {name}: printed {got}, projects give {w}")
        for rk in r.rankings:
            if rk.key == "kpi-2023" and r.parent:
                def order(s):
                    rep = next(x for x in c.regions[s].reports if x.key == "2023")
                    pct = _v(rep.plan_completion_pct)
                    return (pct is None, -(pct or 0), c.regions[s].name)
                sibs = sorted(children[r.parent], key=order)
                if sibs.index(rid) + 1 != rk.rank:
                    out.append(f"{rid} kpi-2023: rank {rk.rank}, plan completion gives "
                               f"{sibs.index(rid) + 1}")
    for cid, camp in sorted(c.campaigns.items()):
        if camp.totals and _v(camp.totals.count) != sum(_v(b.count) for b in camp.batches):
            out.append(f"{cid}: totals.count is not the sum of the batches")
        for m in camp.members:
            if not any(x.campaign == cid for x in c.projects[m].campaigns):
                out.append(f"{cid}: member {m} does not name the campaign")
    by_round = defaultdict(lambda: defaultdict(lambda: [0, ZERO, 0]))
    province = c.site.home_region
    for cid, camp in c.campaigns.items():
        if camp.region != province:
            for b in camp.batches:
                s = by_round[camp.round][b.batch]
                s[0] += _v(b.count)
                s[1] += _v(b.investment)
                s[2] += _v(b.advanced)
    for cid, camp in c.campaigns.items():
        if camp.region == province:
            for b in camp.batches:
                if by_round[camp.round][b.batch] != [_v(b.count), _v(b.investment), _v(b.advanced)]:
                    out.append(f"{cid} {b.batch}: not the sum of the cities' round {camp.round}")
    for b in c.bulletins:
        if not Path(b.path).name.startswith(b.meta.date.isoformat()):
            out.append(f"{b.path}: date {b.meta.date} differs from the file name")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("content", type=Path)
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args(argv)
    out = verify(args.content, args.jobs)
    for line in out:
        print(line)
    print(f"{args.content}: " + ("OK" if not out else f"{len(out)} problem(s)"), file=sys.stderr)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
