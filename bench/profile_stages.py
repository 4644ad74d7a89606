"""Where validation time goes, stage by stage, in one process.

    python bench/profile_stages.py CONTENT            # stage table
    python bench/profile_stages.py CONTENT --cprofile 25   # and cProfile's top 25 (by tottime)

The cProfile run (validate(jobs=1) + derive) goes first, in a clean heap;
cProfile roughly triples the run time, so read its numbers as shares.

Stages, each timed over every file of CONTENT with the cyclic GC paused (as
`builder.validate` does):

  discover     builder.load.discover (list the files)
  read         builder.load.read_text (bytes -> checked text)
  compose      yaml.compose with PyYAML's C loader (the floor for any
               PyYAML-based loader that keeps node marks)
  yaml.load    yaml.load with the C loader (plain values, no positions)
  parse_yaml   builder._yaml.parse_yaml (compose + values + checks)
  validate_file builder.validate.validate_file (read + parse + coerce + rules)
  validate     builder.validate.validate(jobs=1) (all of the above + cross pass)
  derive       builder.derive.derive, when it exists

Numbers from one run on a shared machine; compare stages within one run.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import yaml  # noqa: E402

from builder import load as L  # noqa: E402
from builder import validate as V  # noqa: E402
from builder._yaml import parse_yaml  # noqa: E402

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as Loader


def timed(fn):
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    t = time.perf_counter()
    try:
        out = fn()
    finally:
        if was:
            gc.enable()
    return time.perf_counter() - t, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("content", type=Path)
    ap.add_argument("--cprofile", type=int, default=0, metavar="TOP",
                    help="also profile validate(jobs=1) and print the TOP functions")
    args = ap.parse_args(argv)

    # Profile first, in a clean heap: later stages keep large data alive, and
    # collections they trigger would be charged to whatever runs next.
    profile_text = ""
    if args.cprofile:
        pr = cProfile.Profile()
        pr.enable()
        content = V.validate(args.content, jobs=1)
        try:
            from builder.derive import derive as _derive
            _derive(content)
        except ImportError:
            pass
        pr.disable()
        del content
        buf = io.StringIO()
        st = pstats.Stats(pr, stream=buf)
        st.sort_stats("tottime").print_stats(args.cprofile)
        st.sort_stats("cumulative").print_stats(r"builder[/\\]", args.cprofile)
        profile_text = "\n```\n" + buf.getvalue().strip() + "\n```"
    gc.collect()
    rows = []
    t, (files, _) = timed(lambda: L.discover(args.content))
    rows.append(("discover", t))
    t, texts = timed(lambda: [L.read_text(f.fs_path, f.path)[0] for f in files])
    rows.append(("read", t))
    yaml_texts = []
    for f, text in zip(files, texts):
        if f.kind == "bulletins":
            lines = text.split("\n")
            end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
            yaml_texts.append("\n".join(lines[1:end]))
        else:
            yaml_texts.append(text)
    n_nodes = 0

    def compose():
        nonlocal n_nodes
        out = []
        for s in yaml_texts:
            out.append(yaml.compose(s, Loader=Loader))
        return out

    t, nodes = timed(compose)
    rows.append(("compose (C loader)", t))

    def count(node):
        if isinstance(node, yaml.ScalarNode):
            return 1
        if isinstance(node, yaml.SequenceNode):
            return 1 + sum(count(x) for x in node.value)
        return 1 + sum(count(k) + count(v) for k, v in node.value)

    n_nodes = sum(count(n) for n in nodes if n is not None)
    del nodes
    t, _ = timed(lambda: [yaml.load(s, Loader=Loader) for s in yaml_texts])
    rows.append(("yaml.load (C loader, no positions)", t))
    t, _ = timed(lambda: [parse_yaml(s, f.path) for s, f in zip(yaml_texts, files)])
    rows.append(("builder parse_yaml", t))
    t, _ = timed(lambda: [V.validate_file(f) for f in files])
    rows.append(("builder validate_file (all files)", t))
    t, content = timed(lambda: V.validate(args.content, jobs=1))
    rows.append(("builder validate(jobs=1)", t))
    try:
        from builder.derive import derive
    except ImportError:
        derive = None
    if derive is not None:
        gc.enable()
        t0 = time.perf_counter()
        derive(content)
        rows.append(("builder derive (GC on)", time.perf_counter() - t0))

    nfiles = len(files)
    print(f"{args.content}: {nfiles:,} files, {n_nodes:,} YAML nodes "
          f"({n_nodes / max(nfiles, 1):.0f} per file)\n")
    print("| stage | s | µs per file |")
    print("|---|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {t:.2f} | {t / nfiles * 1e6:.0f} |")
    if profile_text:
        print(profile_text)

    return 0


if __name__ == "__main__":
    sys.exit(main())
