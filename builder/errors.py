"""Problems and exceptions: the one error currency of the builder.

An editor's mistake is never an exception that escapes; it is a `Problem`, a
frozen value that names the file, the line, the column, the field and what is
wrong. Validators return lists of them and never stop at the first.

Exceptions exist only at the edges, all under one root::

    BulletinError                  anything the builder reports on purpose
    ├── BuildError                 content has errors: carries the Problems
    ├── ConfigError                the command line, a template or the environment is unusable
    ├── ChartError (chart.py)      the chart engine could not draw some charts
    └── WriteError (routes.py)     output/ could not be replaced (disk full, permissions)
        └── UnsafePath             a route that would escape output/ or clash on disk

Commands catch `BulletinError`, print it and exit 1; nothing an editor can
cause ends in a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

from .types import FieldPath

Severity = Literal["error", "warning"]

__all__ = [
    "Problem",
    "Severity",
    "BulletinError",
    "BuildError",
    "ConfigError",
    "format_field",
    "sort_problems",
]


def format_field(path: FieldPath) -> str:
    """`("progress", 3, "completed_ytd")` -> `progress[3].completed_ytd`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass(frozen=True, order=False)
class Problem:
    """One thing wrong with the content, with where it is.

    `line` and `column` are 1-based; 0 means "the whole file". `code` is a
    stable machine name (tests and `--format json` rely on it); `message` is
    the sentence an editor reads.
    """

    path: str
    line: int
    column: int
    field: FieldPath
    code: str
    message: str
    severity: Severity = "error"
    source_line: str | None = field(default=None, compare=False)

    @property
    def field_name(self) -> str:
        return format_field(self.field)

    def as_warning(self) -> "Problem":
        return Problem(self.path, self.line, self.column, self.field, self.code,
                       self.message, "warning", self.source_line)

    def as_error(self) -> "Problem":
        return Problem(self.path, self.line, self.column, self.field, self.code,
                       self.message, "error", self.source_line)

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.severity != "error",
                self.code, self.message)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Sorted by file, then line and column; duplicates dropped."""
    seen: set[tuple] = set()
    out = []
    for p in sorted(problems, key=Problem.sort_key):
        key = p.sort_key() + (p.field,)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


class BulletinError(Exception):
    """Root of every error the builder raises on purpose."""


class BuildError(BulletinError):
    """Raised when the content has errors; carries every Problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = sum(1 for p in problems if p.severity == "error")
        super().__init__(f"{errors} error(s) in the content")


class ConfigError(BulletinError):
    """Raised when a command cannot run: a missing folder, a bad flag value."""
