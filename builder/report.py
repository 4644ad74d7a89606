"""Problems as editors and tools read them: text, GitHub annotations, JSON."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Iterable

from .errors import Problem
from .messages import Msg
from .messages import text as _text

__all__ = ["format_text", "format_github", "format_json", "summary", "FORMATS"]


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


#: What a terminal would obey rather than show (escape sequences, bidi overrides): a file
#: name or a line of content must never move the cursor or recolour the screen.
_UNSEEN = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_WINDOW = 120  # columns of a long line quoted around the caret


def _visible(s: str) -> str:
    """`s` with what a terminal would obey written out: `\\x1b`, `\\u202e`."""
    return _UNSEEN.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 256
                       else f"\\u{ord(m[0]):04x}", s)


def _caret(p: Problem) -> list[str]:
    if not p.source_line or p.line <= 0:
        return []
    src = p.source_line.rstrip()
    col = max(p.column - 1, 0)
    token = src[col:]
    if len(src) > _WINDOW:  # a line of 2 MB is quoted as the part around the caret
        start = max(0, min(col - _WINDOW // 3, len(src) - _WINDOW))
        src = ("…" if start else "") + src[start:start + _WINDOW] + (
            "…" if start + _WINDOW < len(src) else "")
        col = col - start + (1 if start else 0)
        token = token[:_WINDOW]
    num = str(p.line)
    shown = f"  {num} | {_visible(src)}"
    if p.code == "missing":  # the caret would sit under whatever comes first: quote only
        return [shown]
    if token.startswith("{{") and "}}" in token:
        token = token[: token.index("}}") + 2]
    else:
        if token.startswith(("{", "[")):
            token = token[0]
        for stop in (": ", " #", ", ", "}", "]"):
            token = token.split(stop)[0]
        token = token.rstrip() or " "
    pad = " " * (len(num) + 1)
    caret = "^" * max(1, _width(_visible(token)))
    return [shown, f"  {pad}| {' ' * _width(_visible(src[:col]))}{caret}"]


def format_text(problems: Iterable[Problem], context: bool = True, lang: str = "en") -> str:
    """`path:line:col: error: field: message`, then the line with a caret; the
    message in `lang` (the rest of the line is the same in every language)."""
    out = []
    for p in problems:
        where = f"{p.path}:{p.line}:{p.column}" if p.line > 0 else p.path
        field = f"{p.field_name}: " if p.field else ""
        out.append(_visible(f"{where}: {p.severity}: {field}{_text(p.message, lang)}"))
        if context:
            out.extend(_caret(p))
    return "\n".join(out)


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def format_github(problems: Iterable[Problem], lang: str = "en") -> str:
    """GitHub Actions workflow commands: annotations on the pull request's files."""
    out = []
    for p in problems:
        props = [f"file={_gh_escape(p.path, True)}"]
        if p.line > 0:
            props += [f"line={p.line}", f"col={p.column}"]
        title = p.field_name or p.code
        props.append(f"title={_gh_escape(title, True)}")
        out.append(f"::{p.severity} {','.join(props)}::{_gh_escape(_text(p.message, lang))}")
    return "\n".join(out)


def format_json(problems: Iterable[Problem], lang: str = "en") -> str:
    """A list of problems; `code` is stable, `message` is in `lang`."""
    return json.dumps([{
        "path": p.path, "line": p.line, "column": p.column, "field": p.field_name,
        "code": p.code, "severity": p.severity, "message": _text(p.message, lang),
    } for p in problems], ensure_ascii=False, indent=2)


def summary(problems: list[Problem], files: int | None = None, lang: str = "en") -> str:
    """`1 error, 2 warnings in 40 files.` (or `No problems …`), in `lang`."""
    e = sum(1 for p in problems if p.severity == "error")
    w = len(problems) - e
    if not problems:
        said = Msg("summary.clean") if files is None else Msg("summary.clean_in", files=files)
    else:
        counts = {"errors": Msg("summary.error_one" if e == 1 else "summary.errors", n=e),
                  "warnings": Msg("summary.warning_one" if w == 1 else "summary.warnings", n=w)}
        said = (Msg("summary.counts", **counts) if files is None
                else Msg("summary.counts_in", files=files, **counts))
    return _text(said, lang)


FORMATS = {"text": format_text, "github": format_github, "json": format_json}
