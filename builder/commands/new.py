"""`bulletin new KIND`: start a new record file, asking on a terminal for what flags leave out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import ConfigError, Problem
from ..load import display_path
from ..scaffold import (
    FLAGS,
    KINDS,
    Ask,
    Existing,
    Kind,
    check_target,
    check_value,
    create,
    existing,
)

HELP = "start a new project, region, bulletin or campaign file (asks for what flags leave out)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = ("在终端中运行时，缺少的必填项会逐项询问；否则缺少即报错。"
                "On a terminal, missing values are asked for; otherwise they are an error.")
    p.add_argument("kind", choices=list(KINDS), help="what to create")
    for flag, text in FLAGS.items():
        p.add_argument(f"--{flag}", metavar=flag.upper(), help=text)
    p.add_argument("--content", default="content", help="content folder (default: content)")


def _say(kind: Kind, text: str) -> None:
    print(f"bulletin new {kind.name}: {text}", file=sys.stderr)


def _about(ask: Ask, problem: Problem) -> str:
    """`--name is 201 characters long`, `--id: "../x" is not a valid id`."""
    sep = " " if problem.message.startswith(("is ", "must ")) else ": "
    return f"{ask.option}{sep}{problem.message}"


def _ask(ask: Ask) -> str | None:
    """One answer from the terminal; None for an empty one."""
    try:
        answer = input(ask.prompt).strip()
    except EOFError:
        print(file=sys.stderr)
        raise ConfigError("cancelled; nothing was written") from None
    return answer or None


def _collect(kind: Kind, args: argparse.Namespace, ex: Existing,
             interactive: bool) -> tuple[dict[str, Any], list[tuple[Ask, Problem]], list[Ask]]:
    """Values from flags and prompts: (values, problems, missing required asks)."""
    values: dict[str, Any] = {}
    problems: list[tuple[Ask, Problem]] = []
    missing: list[Ask] = []
    for ask in kind.asks:
        raw = getattr(args, ask.flag or ask.field)
        while True:
            prompted = raw is None and interactive and (ask.required or ask.ask_optional)
            if prompted:
                raw = _ask(ask)
                if raw is None and ask.required:
                    print("  必填 / required", file=sys.stderr)
                    continue
            if raw is None:
                if ask.required:
                    missing.append(ask)
                break
            value, problem = check_value(kind, ask, raw, ex, values)
            if problem is not None and problem.severity == "warning":
                _say(kind, "warning: " + _about(ask, problem))
                problem = None
            if problem is None:
                values[ask.field] = value
                break
            if interactive:  # ask again rather than start over
                print("  " + _about(ask, problem), file=sys.stderr)
                raw = None
                continue
            problems.append((ask, problem))
            break
    return values, problems, missing


def run(args: argparse.Namespace) -> int:
    kind = KINDS[args.kind]
    content = Path(args.content)
    if not content.is_dir():
        raise ConfigError(f"{content} is not a folder (give the content folder with --content, "
                          "e.g. --content content)")
    takes = {a.flag or a.field for a in kind.asks}
    stray = [f"--{f}" for f in FLAGS if getattr(args, f) is not None and f not in takes]
    if stray:
        raise ConfigError(f"{', '.join(stray)} does not apply to a {kind.name}; it takes "
                          + ", ".join(a.option for a in kind.asks))
    interactive = sys.stdin.isatty()
    ex = existing(content, names=kind.name == "project")
    values, problems, missing = _collect(kind, args, ex, interactive)
    for ask, problem in problems:
        _say(kind, _about(ask, problem))
    if missing:
        _say(kind, "missing " + ", ".join(f"{a.option} ({a.label})" for a in missing)
             + "; stdin is not a terminal, so nothing can be asked: give them as flags")
    if problems or missing:
        return 1
    clash = check_target(content, kind, values)
    if clash is not None:
        _say(kind, f"--id: {clash.message}")
        return 1
    created = create(content, kind, values)
    print(f"已创建 / created {display_path(created.path)}")
    if created.schema is not None:
        print(f"另写入 / also wrote {display_path(created.schema)} "
              "(供编辑器补全 / for completion in editors)")
    print("下一步：编辑这个文件，然后运行 `bulletin serve` 预览。")
    print("Next: edit the file, then run `bulletin serve`.")
    return 0
