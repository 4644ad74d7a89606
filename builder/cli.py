"""The `bulletin` command line: parses arguments and hands off to `commands/`.

Nothing here knows about content; each verb is one module in
`builder/commands/` with `run(args) -> int`. Any `BulletinError` ends as a
one-line message and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .errors import BulletinError

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bulletin",
        description="Build and check a key-project progress site from YAML and Markdown.")
    sub = p.add_subparsers(dest="verb", metavar="VERB", required=True)

    c = sub.add_parser("check", help="check the content and report every problem")
    c.add_argument("content", nargs="?", default="content", help="content folder (default: content)")
    c.add_argument("--format", choices=("text", "github", "json"), default="text",
                   help="text for people, github for workflow annotations, json for tools")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")

    s = sub.add_parser("schema", help="write the JSON Schema of every record kind")
    s.add_argument("--out", default="schema", help="folder to write into (default: schema)")
    s.add_argument("--reference", metavar="FILE",
                   help="also write the Markdown data reference to FILE")

    b = sub.add_parser("build", help="check the content and build the site into output/")
    b.add_argument("content", nargs="?", default="content", help="content folder (default: content)")
    b.add_argument("--out", default="output", help="output folder (default: output)")
    b.add_argument("--cache", default=".cache", help="cache folder (default: .cache)")
    b.add_argument("--templates", default=None,
                   help="templates folder (default: site_templates, or the bundled one)")
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from importlib import import_module
    command = import_module(f"builder.commands.{args.verb}")
    try:
        return command.run(args)
    except BulletinError as err:
        print(f"bulletin {args.verb}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
