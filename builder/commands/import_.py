"""`bulletin import LEDGER --as-of YYYY-MM-DD`: a monthly ledger (台账) updates the project files."""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path

from ..errors import ConfigError, Problem
from ..importer import diff_text, plan_import, write_changes
from ..report import format_text

HELP = "import a month's ledger (台账, .xlsx or .csv) into the project files"


def _as_of(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}”不是日期：写作 YYYY-MM-DD，即台账所报月份的截止日，如 2023-03-31") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ledger", metavar="LEDGER", help="the ledger file (.xlsx or .csv)")
    p.add_argument("--as-of", required=True, type=_as_of, metavar="YYYY-MM-DD",
                   help="the date the ledger reports (2023-03-31 fills month 2023-03)")
    p.add_argument("--content", default="content", metavar="DIR",
                   help="content folder (default: content)")
    p.add_argument("--dry-run", action="store_true",
                   help="print what would change, as a diff, and write nothing")
    p.add_argument("--allow-partial", action="store_true",
                   help="write the rows that match even when others are refused")
    p.add_argument("--sheet", metavar="NAME", help="the worksheet to read (default: the first)")


def _line(p: Problem) -> str:
    where = f"{p.path}:{p.line}" if p.line > 0 else p.path
    return f"{where}: {'警告：' if p.severity == 'warning' else ''}{p.message}"


def run(args: argparse.Namespace) -> int:
    content, ledger = Path(args.content), Path(args.ledger)
    if not content.is_dir():
        raise ConfigError(f"{content} 不是文件夹（用 --content 指定内容文件夹）")
    if not ledger.is_file():
        raise ConfigError(f"找不到台账文件 {ledger}")
    plan = plan_import(content, ledger, args.as_of, args.sheet, args.allow_partial)
    if plan.content_errors:
        print(format_text(plan.content_errors), file=sys.stderr)
        print(f"{content} 已有 {len(plan.content_errors)} 个错误，未导入：先修正（bulletin check），"
              "再导入", file=sys.stderr)
        return 1
    led = plan.ledger
    if led.header_row:
        sheet = f"工作表“{led.sheet}”，" if led.sheet else ""
        print(f"读取 {led.path}（{sheet}表头在第 {led.header_row} 行）：{len(led.rows)} 行可导入，"
              f"月份 {plan.month}")
    for p in plan.problems:
        print(_line(p), file=sys.stderr)
    if not led.usable:
        print("未写入任何文件", file=sys.stderr)
        return 1
    refused = sorted({p.line for p in plan.errors})
    if refused and not args.allow_partial:
        print(f"未写入任何文件：{len(refused)} 行有错误；改正台账后重新导入，"
              "或加 --allow-partial 只导入其余各行", file=sys.stderr)
        return 1
    unchanged = len(plan.unchanged)
    if args.dry_run:
        sys.stdout.write(diff_text(plan.changes))
        print(f"试运行：将更新 {len(plan.changes)} 个项目文件（{unchanged} 个无变化），未写入任何文件")
    else:
        write_changes(plan.changes)
        for ch in plan.changes:
            rows = "、".join(str(r) for r in ch.rows)
            print(f"已更新 {ch.path}（第 {rows} 行：{'、'.join(ch.what)}）")
        print(f"已更新 {len(plan.changes)} 个项目文件（{unchanged} 个无变化）")
    if refused:
        print(f"{len(refused)} 行未导入（见上）", file=sys.stderr)
    return 0
