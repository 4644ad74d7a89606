"""`bulletin check`: validate the content and report every problem at once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..derive import derive
from ..errors import ConfigError
from ..messages import LANGS, site_language
from ..report import FORMATS, summary
from ..validate import validate


HELP = "check the content and report every problem"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("content", nargs="?", default="content", help="content folder (default: content)")
    p.add_argument("--format", choices=("text", "github", "json"), default="text",
                   help="text for people, github for workflow annotations, json for tools")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="language of the messages (default: the site's language, else zh-CN)")
    p.add_argument("--cache", default=None, metavar="DIR",
                   help="keep checked records in DIR/records between runs, keyed by each "
                        "file's bytes (e.g. .cache, as bulletin build uses); default: none")


def run(args: argparse.Namespace) -> int:
    content = Path(args.content)
    if not content.is_dir():
        raise ConfigError(f"{content} is not a folder (give the content folder, e.g. content)")
    result = validate(content, jobs=args.jobs,
                      cache_dir=Path(args.cache) / "records" if args.cache else None)
    if not result.errors and result.site is not None:
        result = result.with_problems(list(derive(result).problems))
    problems = list(result.problems)
    if args.strict:
        problems = [p.as_error() for p in problems]
    lang = args.lang or site_language(content)
    text = FORMATS[args.format](problems, lang=lang)
    if text:
        print(text)
    if args.format == "text":
        print(summary(problems, result.file_count, lang), file=sys.stderr)
    return 1 if any(p.severity == "error" for p in problems) else 0
