"""`bulletin import LEDGER --as-of YYYY-MM-DD`: a monthly ledger (台账) updates the project files."""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path

from ..errors import ConfigError, Problem
from ..importer import diff_text, plan_import, write_changes
from ..messages import LANGS, Msg, site_language
from ..messages import text as _text
from ..report import format_text

HELP = "import a month's ledger (台账, .xlsx or .csv) into the project files"


def _as_of(text: str) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        return None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("ledger", metavar="LEDGER", help="the ledger file (.xlsx or .csv)")
    p.add_argument("--as-of", required=True, metavar="YYYY-MM-DD",
                   help="the date the ledger reports (2023-03-31 fills month 2023-03)")
    p.add_argument("--content", default="content", metavar="DIR",
                   help="content folder (default: content)")
    p.add_argument("--dry-run", action="store_true",
                   help="print what would change, as a diff, and write nothing")
    p.add_argument("--allow-partial", action="store_true",
                   help="write the rows that match even when others are refused")
    p.add_argument("--sheet", metavar="NAME", help="the worksheet to read (default: the first)")
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="language of the messages (default: the site's language, else zh-CN)")


def _line(p: Problem, lang: str) -> str:
    where = f"{p.path}:{p.line}" if p.line > 0 else p.path
    said = Msg("import.warning", message=p.message) if p.severity == "warning" else p.message
    return f"{where}: {_text(said, lang)}"


def _rows(n: int) -> Msg:
    return Msg("import.row_one" if n == 1 else "import.rows", n=n)


def _files(n: int) -> Msg:
    return Msg("import.file_one" if n == 1 else "import.files", n=n)


def run(args: argparse.Namespace) -> int:
    content, ledger = Path(args.content), Path(args.ledger)
    lang = args.lang or site_language(content)
    as_of = args.as_of if isinstance(args.as_of, _dt.date) else _as_of(args.as_of)
    if as_of is None:  # as argparse would say it, but in the messages' language
        said = Msg("import.bad_date", value=args.as_of).text(lang)
        print(f"bulletin import: error: argument --as-of: {said}", file=sys.stderr)
        return 2
    try:
        return _run(args, content, ledger, as_of, lang)
    except ConfigError as err:  # the importer's own words, said in the chosen language
        if err.args and isinstance(err.args[0], Msg):
            raise ConfigError(err.args[0].text(lang)) from None
        raise


def _run(args: argparse.Namespace, content: Path, ledger: Path, as_of: _dt.date,
         lang: str) -> int:
    if not content.is_dir():
        raise ConfigError(Msg("import.no_content", content=str(content)))
    if not ledger.is_file():
        raise ConfigError(Msg("import.no_ledger", ledger=str(ledger)))
    plan = plan_import(content, ledger, as_of, args.sheet, args.allow_partial)
    if plan.content_errors:
        n = len(plan.content_errors)
        errors = Msg("summary.error_one" if n == 1 else "summary.errors", n=n)
        print(format_text(plan.content_errors, lang=lang), file=sys.stderr)
        print(Msg("import.content_errors", content=str(content), errors=errors).text(lang),
              file=sys.stderr)
        return 1
    led = plan.ledger
    if led.header_row:
        rows = _rows(len(led.rows))
        said = (Msg("import.read_sheet", path=led.path, sheet=led.sheet, row=led.header_row,
                    rows=rows, month=plan.month) if led.sheet
                else Msg("import.read", path=led.path, row=led.header_row, rows=rows,
                         month=plan.month))
        print(said.text(lang))
    for p in plan.problems:
        print(_line(p, lang), file=sys.stderr)
    if not led.usable:
        print(Msg("import.nothing_written").text(lang), file=sys.stderr)
        return 1
    refused = sorted({p.line for p in plan.errors})
    if refused and not args.allow_partial:
        print(Msg("import.refused", rows=_rows(len(refused))).text(lang), file=sys.stderr)
        return 1
    files, unchanged = _files(len(plan.changes)), len(plan.unchanged)
    if args.dry_run:
        sys.stdout.write(diff_text(plan.changes))
        print(Msg("import.dry_run", files=files, unchanged=unchanged).text(lang))
    else:
        write_changes(plan.changes)
        sep = Msg("import.list_sep").text(lang)
        for ch in plan.changes:
            print(Msg("import.updated_file", path=ch.path, rows=sep.join(map(str, ch.rows)),
                      what=sep.join(ch.what)).text(lang))
        print(Msg("import.updated", files=files, unchanged=unchanged).text(lang))
    if refused:
        print(Msg("import.not_imported", rows=_rows(len(refused))).text(lang),
              file=sys.stderr)
    return 0
