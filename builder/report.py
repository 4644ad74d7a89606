"""Problems as editors and tools read them: text, GitHub annotations, JSON."""

from __future__ import annotations

import json
import unicodedata
from typing import Iterable

from .errors import Problem

__all__ = ["format_text", "format_github", "format_json", "summary", "FORMATS"]


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _caret(p: Problem) -> list[str]:
    if not p.source_line or p.line <= 0:
        return []
    src = p.source_line.rstrip()
    col = max(p.column - 1, 0)
    token = src[col:]
    if p.code == "missing":  # the caret would sit under whatever comes first: quote only
        return [f"  {p.line} | {src}"]
    if token.startswith("{{") and "}}" in token:
        token = token[: token.index("}}") + 2]
        return [f"  {p.line} | {src}", f"  {' ' * len(str(p.line))} | "
                f"{' ' * _width(src[:col])}{'^' * _width(token)}"]
    if token.startswith(("{", "[")):
        token = token[0]
    for stop in (": ", " #", ", ", "}", "]"):
        token = token.split(stop)[0]
    token = token.rstrip() or " "
    num = str(p.line)
    pad = " " * (len(num) + 1)
    return [f"  {num} | {src}", f"  {pad}| {' ' * _width(src[:col])}{'^' * max(1, _width(token))}"]


def format_text(problems: Iterable[Problem], context: bool = True) -> str:
    """`path:line:col: error: field: message`, then the line with a caret."""
    out = []
    for p in problems:
        where = f"{p.path}:{p.line}:{p.column}" if p.line > 0 else p.path
        field = f"{p.field_name}: " if p.field else ""
        out.append(f"{where}: {p.severity}: {field}{p.message}")
        if context:
            out.extend(_caret(p))
    return "\n".join(out)


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def format_github(problems: Iterable[Problem]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's files."""
    out = []
    for p in problems:
        props = [f"file={_gh_escape(p.path, True)}"]
        if p.line > 0:
            props += [f"line={p.line}", f"col={p.column}"]
        title = p.field_name or p.code
        props.append(f"title={_gh_escape(title, True)}")
        out.append(f"::{p.severity} {','.join(props)}::{_gh_escape(p.message)}")
    return "\n".join(out)


def format_json(problems: Iterable[Problem]) -> str:
    return json.dumps([{
        "path": p.path, "line": p.line, "column": p.column, "field": p.field_name,
        "code": p.code, "severity": p.severity, "message": p.message,
    } for p in problems], ensure_ascii=False, indent=2)


def summary(problems: list[Problem], files: int | None = None) -> str:
    e = sum(1 for p in problems if p.severity == "error")
    w = len(problems) - e
    where = f" in {files} files" if files is not None else ""
    if not problems:
        return f"No problems{where}."
    return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}{where}."


FORMATS = {"text": format_text, "github": format_github, "json": format_json}
