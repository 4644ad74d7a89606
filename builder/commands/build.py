"""`bulletin build`: check the content and, only if it is sound, write the site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import BuildError, ConfigError
from ..messages import LANGS, site_language
from ..pipeline import build
from ..report import format_text, summary


def _progress():
    if not sys.stderr.isatty():
        return None

    def show(stage: str, done: int, total: int) -> None:
        end = "\n" if done == total else ""
        print(f"\r{stage}: {done}/{total}", end=end, file=sys.stderr, flush=True)
    return show


HELP = "check the content and build the site into output/"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("content", nargs="?", default="content", help="content folder (default: content)")
    p.add_argument("--out", default="output", help="output folder (default: output)")
    p.add_argument("--cache", default=".cache", help="cache folder (default: .cache)")
    p.add_argument("--templates", default=None,
                   help="templates folder (default: site_templates, or the bundled one)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="language of the messages (default: the site's language, else zh-CN)")


def run(args: argparse.Namespace) -> int:
    content = Path(args.content)
    if not content.is_dir():
        raise ConfigError(f"{content} is not a folder (give the content folder, e.g. content)")
    try:
        result = build(content, Path(args.out), Path(args.cache) if args.cache else None,
                       Path(args.templates) if args.templates else None, args.jobs, args.strict,
                       _progress())
    except BuildError as err:
        problems = [p.as_error() for p in err.problems] if args.strict else err.problems
        print(format_text(problems, lang=args.lang or site_language(content)))
        print(summary(problems), file=sys.stderr)
        print(f"bulletin build: nothing was written; {args.out}/ is unchanged.", file=sys.stderr)
        return 1
    if result.problems:
        print(format_text(result.problems, lang=args.lang or site_language(content)))
    w = result.write
    print(f"Built {result.pages} pages, {result.charts} charts, {result.files} files into "
          f"{args.out}/ in {result.seconds['total']:.1f} s ({w.written} written, {w.linked} unchanged, "
          f"{w.removed} removed). {summary(list(result.problems))}", file=sys.stderr)
    return 0
