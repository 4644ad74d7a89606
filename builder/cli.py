"""The `bulletin` command line: parses arguments and hands off to `commands/`.

Nothing here knows about content. Each verb is one module in
`builder/commands/` with `HELP`, `add_arguments(parser)` and `run(args) -> int`;
adding a verb means adding a module and a line to `VERBS`. Any
`BulletinError` ends as a one-line message and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from types import ModuleType
from typing import Sequence

from .errors import BulletinError

__all__ = ["VERBS", "main", "parser"]

# verb → module in builder/commands/ (a module may not be named after a keyword).
VERBS: dict[str, str] = {
    "build": "build",
    "check": "check",
    "import": "import_",
    "new": "new",
    "schema": "schema",
    "serve": "serve",
}


def _command(verb: str) -> ModuleType:
    return import_module(f"builder.commands.{VERBS[verb]}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bulletin",
        description="Build and check a key-project progress site from YAML and Markdown.")
    sub = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    for verb in VERBS:
        command = _command(verb)
        command.add_arguments(sub.add_parser(verb, help=command.HELP, description=command.HELP))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return _command(args.verb).run(args)
    except BulletinError as err:
        print(f"bulletin {args.verb}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
