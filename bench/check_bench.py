"""Benchmark load + validate (+ derive) on synthetic sites of N projects.

    python bench/check_bench.py                       # N = 1,000 / 5,000 / 20,000, jobs 1 and 2
    python bench/check_bench.py --sizes 1000,5000 --runs 5
    python bench/check_bench.py --keep                # reuse the sites already generated
    python bench/check_bench.py --wait-idle 300       # on a shared machine: wait for quiet
    python bench/check_bench.py --store               # and with the record store, cold and warm

For each N the site is generated once with `bench/generate.py` into tmpfs
(/dev/shm), and that generation is timed. Each measurement then runs
`bench/measure.py` in a fresh interpreter (under `/usr/bin/time -v` when it
exists), so imports and the worker pool are counted as a real
`bulletin check` pays them. Reported per (N, jobs): median and min wall time
of the whole process, the medians of its parts (validate, derive), and peak
RSS, and how many cores other processes kept busy meanwhile (above ~0.2 the
run was contended and its times are too high). A Markdown table goes to
stdout; the raw numbers to bench/out/check_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TIME = "/usr/bin/time"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import yaml
        libyaml = bool(getattr(yaml, "__with_libyaml__", False))
        pyyaml = yaml.__version__
    except ImportError:
        libyaml, pyyaml = False, None
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--", "builder")
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "pyyaml": pyyaml, "libyaml": libyaml, "commit": commit,
            "builder_dirty": bool(dirty), "loadavg": _loadavg()}


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def generate(n: int, out: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(n), str(out), "-q"],
                   check=True)
    return time.perf_counter() - t


_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def _cpu_busy() -> float | None:
    """Seconds of CPU time spent busy on all cores since boot (from /proc/stat)."""
    try:
        f = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(x) for x in f[:8]]
    busy = sum(ticks) - ticks[3] - ticks[4]  # minus idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def wait_idle(limit: float, threshold: float = 0.15) -> float:
    """Wait (up to `limit` seconds) until other processes use under `threshold` cores.

    Returns the busy cores seen last. On a shared machine a run beside
    someone's test suite measures that suite as much as the builder.
    """
    deadline = time.monotonic() + limit
    while True:
        b0, t0 = _cpu_busy(), time.monotonic()
        time.sleep(1.0)
        b1 = _cpu_busy()
        if b0 is None:
            return 0.0
        busy = (b1 - b0) / (time.monotonic() - t0)
        if busy < threshold or time.monotonic() >= deadline:
            return busy
        time.sleep(2.0)


def measure(content: Path, jobs: int, derive: bool, cache_dir: Path | None = None) -> dict:
    cmd = [sys.executable, str(HERE / "measure.py"), str(content), "--jobs", str(jobs)]
    if not derive:
        cmd.append("--no-derive")
    if cache_dir is not None:
        cmd += ["--cache-dir", str(cache_dir)]
    use_time = os.access(TIME, os.X_OK)
    if use_time:
        cmd = [TIME, "-v"] + cmd
    busy0, mine0 = _cpu_busy(), _children_cpu()
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    busy1, mine1 = _cpu_busy(), _children_cpu()
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"measurement failed: {' '.join(cmd)}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["wall_s"] = wall
    res["cpu_s"] = mine1 - mine0
    # CPU that other processes used meanwhile, in cores: > 0.2 means the run was contended.
    res["foreign_cores"] = (None if busy0 is None
                            else max(0.0, (busy1 - busy0) - (mine1 - mine0)) / wall)
    m = _RSS.search(proc.stderr) if use_time else None
    res["rss_peak_kb"] = int(m[1]) if m else max(res["rss_parent_kb"], res["rss_worker_kb"])
    return res


def _med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def _s(x) -> str:
    return "–" if x is None else f"{x:.2f}"


def _mb(kb) -> str:
    return "–" if not kb else f"{kb / 1024:.0f}"


def table(rows: list[dict], gen: dict) -> str:
    out = [
        "| N projects | files | jobs | store | wall median (s) | wall min (s) | validate (s) | derive (s) "
        "| CPU (s) | peak RSS (MB) | worker RSS (MB) | problems | other load (cores) | generate (s) |",
        "|---:|---:|---:|:--|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        runs = r["runs"]
        walls = [x["wall_s"] for x in runs]
        problems = runs[0]["errors"] + runs[0]["warnings"]
        worker = _med([x["rss_worker_kb"] for x in runs]) if r["jobs"] > 1 else None
        out.append(
            f"| {r['n']:,} | {runs[0]['records']:,} | {r['jobs']} | {r.get('store', '–')} | "
            f"{_s(_med(walls))} | "
            f"{_s(min(walls))} | {_s(_med([x['validate_s'] for x in runs]))} | "
            f"{_s(_med([x['derive_s'] for x in runs]))} | {_s(_med([x['cpu_s'] for x in runs]))} | "
            f"{_mb(_med([x['rss_peak_kb'] for x in runs]))} | {_mb(worker)} | {problems} | "
            f"{_s(_med([x['foreign_cores'] for x in runs]))} | {_s(gen.get(r['n']))} |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,5000,20000", help="comma-separated project counts")
    ap.add_argument("--jobs", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--runs", type=int, default=3, help="measurements per (N, jobs); at least 1")
    ap.add_argument("--keep", action="store_true", help="do not regenerate existing sites")
    ap.add_argument("--no-derive", action="store_true", help="time validate only")
    ap.add_argument("--store", action="store_true",
                    help="also time validate with the on-disk record store, cold (empty) and warm")
    ap.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                    help="before each run, wait up to SECONDS for other processes to go idle")
    ap.add_argument("--root", type=Path,
                    default=Path("/dev/shm" if os.path.isdir("/dev/shm") else "/tmp") / "bulletin-bench",
                    help="where the sites are generated (default: /dev/shm/bulletin-bench)")
    ap.add_argument("--json", type=Path, default=HERE / "out" / "check_bench.json",
                    help="where to write the raw numbers")
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    jobs_list = [int(j) for j in args.jobs.split(",") if j]
    runs = max(1, args.runs)

    info = machine()
    print(f"machine: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, "
          f"PyYAML {info['pyyaml']} (libyaml: {'yes' if info['libyaml'] else 'NO'}), "
          f"commit {info['commit']}{' + uncommitted builder changes' if info['builder_dirty'] else ''}, "
          f"load average {info['loadavg']}", file=sys.stderr)

    gen: dict[int, float] = {}
    rows = []
    for n in sizes:
        site = args.root / f"n{n}"
        content = site / "content"
        if not (args.keep and content.is_dir()):
            gen[n] = generate(n, site)
            print(f"N={n:,}: generated in {gen[n]:.2f} s", file=sys.stderr)
        for jobs in jobs_list:
            for store in (["–", "cold", "warm"] if args.store else ["–"]):
                cache_dir = None if store == "–" else site / "store"
                if store == "warm":
                    measure(content, jobs, False, cache_dir)  # fill it
                results = []
                for i in range(runs):
                    if store == "cold":
                        shutil.rmtree(cache_dir, ignore_errors=True)  # type: ignore[arg-type]
                    if args.wait_idle:
                        wait_idle(args.wait_idle)
                    res = measure(content, jobs, not args.no_derive, cache_dir)
                    res["loadavg"] = _loadavg()
                    results.append(res)
                    print(f"N={n:,} jobs={jobs} store={store} run {i + 1}/{runs}: "
                          f"{res['wall_s']:.2f} s (validate {res['validate_s']:.2f}, derive "
                          f"{_s(res['derive_s'])}, CPU {res['cpu_s']:.2f}; other processes "
                          f"{_s(res['foreign_cores'])} cores)", file=sys.stderr)
                    if res["errors"] or res["warnings"]:
                        print(f"  warning: the generated site has {res['errors']} errors and "
                              f"{res['warnings']} warnings; first: {res['first_problem']}",
                              file=sys.stderr)
                if cache_dir is not None:
                    shutil.rmtree(cache_dir, ignore_errors=True)
                rows.append({"n": n, "jobs": jobs, "store": store, "runs": results})

    after = machine()
    if (after["commit"], after["builder_dirty"]) != (info["commit"], info["builder_dirty"]):
        print(f"warning: builder/ changed during the run (commit {info['commit']} -> "
              f"{after['commit']}); the rows may measure different code", file=sys.stderr)
    info["commit_after"] = after["commit"]
    print(table(rows, gen))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": info, "generate_s": gen, "rows": rows},
                                    indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
