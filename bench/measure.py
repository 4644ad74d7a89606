"""One measurement, in this (fresh) process: import, validate, derive.

    python bench/measure.py CONTENT [--jobs N] [--no-derive] [--cache-dir DIR]

Prints one JSON line on stdout: seconds spent importing the builder, in
`validate(content, jobs)` and in `derive(content)` (when `builder.derive`
has one), the problem counts, and peak RSS of this process and of its
largest worker. `check_bench.py` runs it in a new interpreter for every
measurement so that imports and the process pool are paid each time, as a
real `bulletin check` pays them. `--cache-dir` hands validate a record store
(`validate(..., cache_dir=DIR)`): empty for a cold run, filled for a warm one.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("content", type=Path)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--no-derive", action="store_true")
    ap.add_argument("--cache-dir", type=Path, default=None)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from builder.validate import validate
    try:
        from builder import derive as derive_mod
        derive = getattr(derive_mod, "derive", None)
    except ImportError:
        derive = None
    t1 = time.perf_counter()
    kwargs = {"cache_dir": args.cache_dir} if args.cache_dir else {}
    content = validate(args.content, jobs=args.jobs, **kwargs)
    t2 = time.perf_counter()
    problems = list(content.problems)
    derive_s = None
    errors = sum(1 for p in problems if p.severity == "error")
    if derive is not None and not args.no_derive and not errors and content.site is not None:
        t3 = time.perf_counter()
        derived = derive(content)
        derive_s = time.perf_counter() - t3
        problems += list(getattr(derived, "problems", ()))
    errors = sum(1 for p in problems if p.severity == "error")
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({
        "startup_s": t0 - T_START,
        "import_s": t1 - t0,
        "validate_s": t2 - t1,
        "derive_s": derive_s,
        "has_derive": derive is not None,
        "errors": errors,
        "warnings": len(problems) - errors,
        "first_problem": (f"{problems[0].path}:{problems[0].line}: {problems[0].message}"
                          if problems else None),
        "records": len(content.paths) + (content.site is not None),
        "rss_parent_kb": self_kb,
        "rss_worker_kb": child_kb,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
