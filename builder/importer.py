"""`bulletin import`: a month's ledger rows become edits of project files.

`plan_import` reads the content (which must already be valid), reads the
ledger, matches each row to a project (`_matching`), works out each file's
new text with `YamlEditor` (only changed values move), refuses figures that
would make cumulative progress fall, and finally validates the would-be
content tree, on a temporary copy, with the real validator. Nothing is
written by planning; `write_changes` then replaces each changed file
atomically. A row that changes nothing leaves its file untouched, so
importing the same ledger twice changes nothing the second time.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import vocab as V
from ._matching import match_rows
from .errors import ConfigError, Problem
from .ledger import Ledger, LedgerRow, read_ledger, to_unit
from .load import display_path
from .messages import Msg
from .model import Progress, Project
from .validate import validate
from .yamledit import EditError, YamlEditor

__all__ = ["FileChange", "ImportPlan", "plan_import", "write_changes", "diff_text"]

_PROJECT_ORDER = [f.name for f in dataclasses.fields(Project)]
_PROGRESS_ORDER = [f.name for f in dataclasses.fields(Progress)]
_FIGURES = ("completed_ytd", "completed_cumulative")
_LABELS = {"completed_ytd": "本年完成投资", "completed_cumulative": "累计完成投资"}


def _rank(order: list[str]):
    return lambda key: order.index(key) if key in order else len(order)


def _year_rank(key: Any) -> int:
    return int(key) if str(key).isdigit() else 0


@dataclass(frozen=True)
class FileChange:
    """One project file's old and new text, and the ledger rows behind the change."""

    project: str
    fs_path: Path
    path: str  # as shown
    old: str
    new: str
    rows: tuple[int, ...]
    what: tuple[str, ...]  # what changed, e.g. ("progress 2023-03", "annual_plan 2023")


@dataclass(frozen=True)
class ImportPlan:
    ledger: Ledger
    month: str
    changes: tuple[FileChange, ...]  # only files whose bytes change
    unchanged: tuple[str, ...]  # matched projects whose files stay as they are
    problems: tuple[Problem, ...]  # ledger rows refused, and why
    content_errors: tuple[Problem, ...] = ()  # the content was already invalid: nothing planned

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)) and not isinstance(a, bool):
        return Decimal(a) == Decimal(b)
    return a == b


def _money(fig: Any, site_unit: str) -> Any:
    """A figure as stored in YAML (number or mapping) in the site's unit, or None."""
    if isinstance(fig, dict):
        value, unit = fig.get("value"), fig.get("unit") or site_unit
        if not isinstance(value, (int, Decimal)) or unit not in V.MONEY_UNITS:
            return None
        return to_unit(Decimal(value), unit, site_unit)
    return fig if isinstance(fig, (int, Decimal)) else None


class _FilePlan:
    """The edits one ledger row asks of one project file."""

    def __init__(self, ledger: Ledger, row: LedgerRow, editor: YamlEditor, month: str,
                 as_of: _dt.date, site_unit: str, label: str):
        self.ledger, self.row, self.ed = ledger, row, editor
        self.month, self.as_of, self.site_unit, self.label = month, as_of, site_unit, label
        self.what: list[str] = []
        self.problems: list[Problem] = []

    def problem(self, code: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.ledger.path, self.row.row, 0, (), code, message,
                                     severity))  # type: ignore[arg-type]

    def apply(self) -> None:
        data = self.ed.expected
        values = self.row.values
        self.progress(data)
        if "annual_plan" in values:
            self.annual_plan(data.get("annual_plan"), values["annual_plan"])
        if "stage" in values:
            self.stage(data.get("stage"), values["stage"])
        if "status_text" in values and values["status_text"] != data.get("status_text"):
            self.ed.set((), "status_text", values["status_text"], _rank(_PROJECT_ORDER))
            self.ed.set((), "status_as_of", self.as_of, _rank(_PROJECT_ORDER))
            self.what.append("status_text")

    def progress(self, data: dict) -> None:
        fields = {k: self.row.values[k] for k in _PROGRESS_ORDER if k in self.row.values}
        if not fields:
            return
        raw = data.get("progress")
        items = raw if isinstance(raw, list) else []
        entries = [(i, e) for i, e in enumerate(items)
                   if isinstance(e, dict) and isinstance(e.get("month"), str)]
        for f in _FIGURES:
            if f in fields:
                self.check_falling(f, fields[f], entries)
        if self.problems:
            return
        at = next((i for i, e in entries if e["month"] == self.month), None)
        rank = _rank(_PROGRESS_ORDER)
        if at is not None:
            changed = False
            for f, v in fields.items():
                if not _same(items[at].get(f), v):
                    self.ed.set(("progress", at), f, v, rank)
                    changed = True
            if changed:
                self.what.append(f"progress {self.month}")
            return
        if not any(f in fields for f in _FIGURES):
            self.problem("no-figure", f"“{self.label}”只有形象进度，没有完成投资数；"
                         f"{self.month} 的进度未导入", "warning")
            return
        entry = {"month": self.month, **fields}
        if raw is None and "progress" not in data:
            self.ed.set((), "progress", [entry], _rank(_PROJECT_ORDER))
        else:
            later = [i for i, e in entries if e["month"] > self.month]
            self.ed.insert_item(("progress",), later[0] if later else len(items), entry)
        self.what.append(f"progress {self.month}")

    def check_falling(self, f: str, new: Any, entries: list[tuple[int, dict]]) -> None:
        same_year = f == "completed_ytd"
        near = [(e["month"], e[f]) for _i, e in entries
                if isinstance(e.get(f), (int, Decimal)) and e["month"] != self.month
                and (not same_year or e["month"][:4] == self.month[:4])]
        before = max((m for m in near if m[0] < self.month), default=None)
        after = min((m for m in near if m[0] > self.month), default=None)
        what = f"“{self.label}”{self.month} 的{_LABELS[f]} {new}"
        rule = "累计数不能下降" + ("（同一年内）" if same_year else "")
        if before is not None and new < before[1]:
            self.problem("falling", f"{what} 低于 {before[0]} 的 {before[1]}；{rule}")
        if after is not None and new > after[1]:
            self.problem("falling", f"{what} 高于其后 {after[0]} 的 {after[1]}；{rule}")

    def annual_plan(self, plan: Any, value: Any) -> None:
        year = self.as_of.year
        if isinstance(plan, dict):
            if year in plan and _same(_money(plan[year], self.site_unit), value):
                return
            self.ed.set(("annual_plan",), year, value, _year_rank)
        else:
            self.ed.set((), "annual_plan", {year: value}, _rank(_PROJECT_ORDER))
        self.what.append(f"annual_plan {year}")

    def stage(self, current: Any, new: str) -> None:
        words = {a: c for c, aliases in V.STAGES.items() for a in (c, *aliases)}
        if words.get(current) == new:
            return
        english = isinstance(current, str) and current in V.STAGES
        self.ed.set((), "stage", new if english else V.STAGES[new][0], _rank(_PROJECT_ORDER))
        self.what.append("stage")


def _fs_path(content: Path, pid: str) -> Path:
    return content / "projects" / f"{pid}.yaml"


def plan_import(content: Path, ledger_path: Path, as_of: _dt.date, sheet: str | None = None,
                allow_partial: bool = False) -> ImportPlan:
    """Everything the import would do, checked; nothing is written."""
    content = Path(content)
    month = f"{as_of:%Y-%m}"
    before = validate(content)
    site = before.site
    if before.errors or site is None:
        empty = Ledger(display_path(ledger_path), sheet, 0, (), (), ())
        return ImportPlan(empty, month, (), (), (), tuple(before.errors))
    ledger = read_ledger(ledger_path, site.ledger, site.money_unit, sheet, display_path(ledger_path))
    problems = list(ledger.problems)
    if not ledger.usable:
        return ImportPlan(ledger, month, (), (), tuple(problems))
    matched, match_problems = match_rows(ledger, before.projects)
    problems += match_problems
    changes: list[FileChange] = []
    unchanged: list[str] = []
    for row, pid in matched:
        fs = _fs_path(content, pid)
        shown = before.paths.get(("project", pid), display_path(fs))
        old = fs.read_bytes().decode("utf-8")
        try:
            plan = _FilePlan(ledger, row, YamlEditor(old, shown), month, as_of, site.money_unit,
                             before.projects[pid].name)
            plan.apply()
            new = plan.ed.result() if plan.what else old
        except EditError as err:
            problems.append(Problem(ledger.path, row.row, 0, (), "edit-failed",
                                    f"无法在保持格式的前提下修改 {shown}（{err}）；请手工修改"))
            continue
        problems += plan.problems
        if any(p.severity == "error" for p in plan.problems):
            continue
        if new == old:
            unchanged.append(pid)
        else:
            changes.append(FileChange(pid, fs, shown, old, new, (row.row,), tuple(plan.what)))
    if changes:
        changes, invalid = _check_result(content, changes, ledger.path)
        problems += invalid
    if any(p.severity == "error" for p in problems) and not allow_partial:
        changes = []
    problems.sort(key=lambda p: p.line)  # in ledger order (stable within a row)
    return ImportPlan(ledger, month, tuple(changes), tuple(unchanged), tuple(problems))


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _check_result(content: Path, changes: list[FileChange],
                  ledger: str) -> tuple[list[FileChange], list[Problem]]:
    """Validate the content as it would be after the changes; drop changes that fail."""
    by_rel = {ch.fs_path.relative_to(content).as_posix(): ch for ch in changes}
    with tempfile.TemporaryDirectory(prefix="bulletin-import-") as tmp:
        copy = Path(tmp) / "content"
        shutil.copytree(content, copy, copy_function=_link_or_copy)
        for rel, ch in by_rel.items():
            target = copy / rel
            target.unlink()  # a hard link: never write through it into the original
            target.write_bytes(ch.new.encode("utf-8"))
        result = validate(copy)
        root = copy.resolve()
        bad: dict[str, list[Problem]] = {}
        for p in result.errors:
            where = Path(p.path) if Path(p.path).is_absolute() else Path.cwd() / p.path
            try:
                rel = where.resolve().relative_to(root).as_posix()
            except ValueError:
                rel = p.path
            bad.setdefault(rel, []).append(p)
    problems = []
    for rel, errs in sorted(bad.items()):
        ch = by_rel.get(rel)
        for p in errs:
            field = f"{p.field_name}: " if p.field else ""
            if ch is None:
                raise ConfigError(Msg("import.error_after", path=rel, field=field,
                                      message=p.message))
            problems.append(Problem(ledger, ch.rows[0], 0, p.field, "invalid-result",
                                    f"导入后 {ch.path} 第 {p.line} 行出错：{field}{p.message}"))
    return [ch for rel, ch in by_rel.items() if rel not in bad], problems


def write_changes(changes: tuple[FileChange, ...] | list[FileChange]) -> None:
    """Replace each changed file atomically (temp file beside it, then rename)."""
    for ch in changes:
        current = ch.fs_path.read_bytes().decode("utf-8", "replace")
        if current != ch.old:
            raise ConfigError(Msg("import.changed_meanwhile", path=ch.path))
        fd, tmp = tempfile.mkstemp(prefix=f".{ch.fs_path.name}.", suffix=".import",
                                   dir=ch.fs_path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(ch.new.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, stat.S_IMODE(ch.fs_path.stat().st_mode))
            os.replace(tmp, ch.fs_path)
        except OSError as err:
            Path(tmp).unlink(missing_ok=True)
            raise ConfigError(Msg("import.cannot_write", path=ch.path,
                                  why=err.strerror or str(err))) from None


def diff_text(changes: tuple[FileChange, ...] | list[FileChange]) -> str:
    """A unified diff of every change, file by file."""
    out = []
    for ch in changes:
        old, new = ch.old.splitlines(keepends=True), ch.new.splitlines(keepends=True)
        lines = difflib.unified_diff(old, new, f"a/{ch.path}", f"b/{ch.path}")
        out.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    return "".join(out)
