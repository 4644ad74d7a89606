"""What drawing the charts costs: planning specs, one drawing per kind, the pool.

    python bench/chart_bench.py N [--k 20] [--jobs 2] [--pool all|none|COUNT]

Generates (or reuses) the synthetic site of N projects in /dev/shm/chart-bench/n<N>,
plans its charts as a build does, then, in this one process:
  plan       chart._plan over every chart (Altair templates filled as plain data)
  per kind   the median of K drawings of each kind, three ways:
               vl      vl_convert.vegalite_to_svg(spec), real font (how charts were drawn before)
               vega    the compiled template filled (`Engine`), measured with the real font
               metrics the same, measured with the metrics copy of the font (what a build does)
and then `chart.draw(all charts, no cache, jobs)` in worker processes (--pool), the
cold-cache case of a build. Prints a table and one JSON line; quote `uptime` with it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import vl_convert  # noqa: E402

from builder import chart as CH  # noqa: E402
from builder._chartengine import Engine  # noqa: E402
from builder._chartfill import template  # noqa: E402


def requests(n: int, root: Path) -> list:
    from builder.chartplan import plan_charts
    from builder.derive import derive
    from builder.i18n import load_catalog
    from builder.session import default_templates
    from builder.validate import validate

    content = root / f"n{n}" / "content"
    if not (content / "site.yaml").exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(n), str(content.parent)],
                       check=True, stdout=subprocess.DEVNULL)
    checked = validate(content, jobs=2)
    derived = derive(checked)
    return list(plan_charts(derived, load_catalog(default_templates(),
                                                  checked.site.language)).values())


def median_ms(fn, items) -> float:
    times = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def load() -> float:
    return os.getloadavg()[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--k", type=int, default=20, help="drawings per kind and way")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--pool", default="all", help="all, none, or how many charts")
    ap.add_argument("--root", type=Path, default=Path("/dev/shm/chart-bench"))
    args = ap.parse_args()
    reqs = requests(args.n, args.root)
    out: dict = {"n": args.n, "charts": len(reqs), "load_before": load()}

    font = CH._measure_font(None)
    t = time.perf_counter()
    planned, failures = CH._plan(reqs, font is not None)
    out["plan_s"] = round(time.perf_counter() - t, 3)
    assert not failures, failures

    vl_convert.vegalite_to_svg(CH._chartengine._WARM_UP)
    real, measured = Engine(None), Engine(font and (font.folder, font.family))
    by_kind = defaultdict(list)
    for p in planned:
        by_kind[p.request.kind].append(p)
    rows = []
    for kind, ps in sorted(by_kind.items()):
        sample = ps[:args.k]
        t = time.perf_counter()
        for p in sample:
            for e in (real, measured):
                e.define(p.fill.template, template(p.fill.template))
        compile_ms = (time.perf_counter() - t) * 1000 / 2
        row = {"kind": kind, "count": len(ps),
               "vl": median_ms(lambda p: vl_convert.vegalite_to_svg(p.spec_json), sample),
               "vega": median_ms(lambda p: real.svg(*p.fill), sample),
               "metrics": median_ms(lambda p: measured.svg(*p.fill), sample),
               "templates_compile_ms": round(compile_ms, 1)}
        rows.append(row)
    out["kinds"] = rows
    print(f"{'kind':18} {'charts':>6} {'vl ms':>8} {'vega ms':>8} {'metrics ms':>10}")
    for r in rows:
        print(f"{r['kind']:18} {r['count']:6} {r['vl']:8.1f} {r['vega']:8.1f} {r['metrics']:10.1f}")
    est = sum(r["count"] * r["metrics"] for r in rows) / 1000
    print(f"plan {out['plan_s']:.2f} s; all charts at these medians, one core: {est:.1f} s")

    if args.pool != "none":
        todo = reqs if args.pool == "all" else reqs[:int(args.pool)]
        CH._engine.cache_clear()
        t, c = time.perf_counter(), os.times()
        CH.draw(todo, None, jobs=args.jobs)
        c2 = os.times()
        out["pool"] = {"charts": len(todo), "jobs": args.jobs,
                       "wall_s": round(time.perf_counter() - t, 2),
                       "children_user_s": round(c2.children_user - c.children_user, 2),
                       "children_sys_s": round(c2.children_system - c.children_system, 2),
                       "parent_cpu_s": round(c2.user + c2.system - c.user - c.system, 2)}
        print(f"pool: {out['pool']}")
    out["load_after"] = load()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
