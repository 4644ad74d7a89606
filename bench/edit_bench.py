"""Edit to updated output: one project's figure edited, then `Session.rebuild()` as `bulletin serve` runs it.

    .venv/bin/python bench/edit_bench.py                 # the demo and N = 5,000
    .venv/bin/python bench/edit_bench.py --sizes 0,1000  # 0 is the demo (content/)

For each site: a full build with a cold cache and one with a warm cache (through
`pipeline.build`, as `bulletin build` runs it), then one long-lived session (first
build, `warm()`, as serve does), then no-change rebuilds and one-edit rebuilds: each
edit raises a different project's figure (the demo's projects have no monthly
figures: their total investment; a synthetic project's last month), and the run
checks that the project's page changed and shows the new figure. Medians, with the
load average, printed as a Markdown table row per site. Sites live in /dev/shm.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.pipeline import build  # noqa: E402
from builder.session import Session  # noqa: E402

_TOTAL = re.compile(r"(?m)^total_investment: ([\d.]+)$")
_MONTH = re.compile(r"(?m)^  - \{month: (\S+), completed_ytd: ([\d.]+), completed_cumulative: ([\d.]+)\}$")


def _edit(path: Path, k: int) -> str | None:
    """Raise one figure by 0.01 × k; the new figure's text (None: nothing to edit)."""
    text = path.read_text(encoding="utf-8")
    months = list(_MONTH.finditer(text))
    total = _TOTAL.search(text)
    if total is None:
        return None
    delta = Decimal("0.01") * k
    if months:  # the last month's figures (cumulative ones never fall, stay within the total)
        m = months[-1]
        ytd, cum = Decimal(m[2]) + delta, Decimal(m[3]) + delta
        if cum > Decimal(total[1]):
            return None
        new, figure = (f"  - {{month: {m[1]}, completed_ytd: {ytd}, completed_cumulative: {cum}}}",
                       str(cum))
        start, end = m.span()
    else:
        figure = new = str(Decimal(total[1]) + delta)
        start, end = total.span(1)
    path.write_text(text[:start] + new + text[end:], encoding="utf-8")
    return figure


def site(n: int, root: Path) -> Path:
    base = root / (f"n{n}" if n else "demo")
    shutil.rmtree(base, ignore_errors=True)
    if n:
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(n), str(base)],
                       check=True, capture_output=True)
    else:
        shutil.copytree(ROOT / "content", base / "content")
    return base


def measure(n: int, root: Path, runs: int) -> dict:
    base = site(n, root)
    content, cache = base / "content", base / "cache"
    t = time.perf_counter()
    build(content, base / "out-cold", cache)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    build(content, base / "out-warm", cache)
    warm = time.perf_counter() - t
    s = Session(content, None, cache)
    s.rebuild()
    s.warm()
    s.rebuild()
    nochange = []
    for _ in range(runs):
        t = time.perf_counter()
        s.rebuild()
        nochange.append(time.perf_counter() - t)
    files = sorted((content / "projects").glob("*.yaml"))
    order = files[::max(1, len(files) // (runs + 1))] + files
    edits, originals = [], {}
    try:
        for k, path in enumerate(order, 1):
            if len(edits) == runs:
                break
            originals.setdefault(path, path.read_bytes())
            figure = _edit(path, k)
            if figure is None:
                continue
            t = time.perf_counter()
            o = s.rebuild()
            edits.append(time.perf_counter() - t)
            route = f"projects/{path.stem}/index.html"
            assert route in o.changed and figure.encode() in o.files[route], (route, figure)
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
    return {"site": f"N = {n:,}" if n else "demo", "cold": cold, "warm": warm,
            "nochange": statistics.median(nochange), "edit": statistics.median(edits),
            "edit_max": max(edits), "edits": len(edits), "load": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="0,5000", help="project counts; 0 is the demo site")
    ap.add_argument("--runs", type=int, default=5, help="no-change and one-edit rebuilds per site")
    ap.add_argument("--root", type=Path, default=Path("/dev/shm/bulletin-edit-bench"))
    args = ap.parse_args(argv)
    print("| site | full build, cold cache (s) | full build, warm cache (s) | no-change rebuild (s) "
          "| one-edit rebuild, median / max (s) | full warm ÷ one edit | load average |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n in (int(x) for x in args.sizes.split(",")):
        r = measure(n, args.root, args.runs)
        print(f"| {r['site']} | {r['cold']:.2f} | {r['warm']:.2f} | {r['nochange']:.3f} | "
              f"{r['edit']:.3f} / {r['edit_max']:.3f} | {r['warm'] / r['edit']:.0f}× | {r['load']:.1f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
