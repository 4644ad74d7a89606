"""YAML with source positions, and nothing PyYAML would let slip.

PyYAML's C parser composes the node tree (fast, and every node keeps its
marks); this module turns nodes into plain values itself so that it can keep
the line and column of every key and value, refuse duplicate keys (PyYAML
keeps the last one silently), refuse tags other than the standard ones, bound
alias expansion ("billion laughs") and nesting depth, and keep numbers exactly
as typed (`Decimal`, never float).

Scalars resolve as in YAML 1.1 with three deliberate differences, all to
protect editors: only `true`/`false` are booleans (`yes`, `no`, `on`, `off`
stay text); integers in octal, hex or base 60 stay text; timestamps with a
time of day stay text.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from .errors import Problem
from .types import FieldPath, Position

try:  # libyaml's C parser: ~8x faster; results are identical (tested).
    from yaml import CSafeLoader as _Loader
    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
    HAVE_LIBYAML = False

__all__ = ["Document", "parse_yaml", "HAVE_LIBYAML", "MAX_DEPTH", "MAX_ALIAS_EXPANSION"]

MAX_DEPTH = 32
MAX_ALIAS_EXPANSION = 1000

_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = _T + "str", _T + "int", _T + "float", _T + "bool", _T + "null"
_TIMESTAMP, _MAP, _SEQ, _MERGE = _T + "timestamp", _T + "map", _T + "seq", _T + "merge"
_ALLOWED_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _MAP, _SEQ}

_DECIMAL_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")


@dataclass(frozen=True)
class Document:
    """A parsed YAML document: plain values plus where each one stood."""

    path: str
    data: Any
    positions: dict[FieldPath, Position]
    key_positions: dict[FieldPath, Position]
    lines: tuple[str, ...]

    def position(self, field: FieldPath, at_key: bool = False) -> Position:
        """Where `field` is; a missing field points at its nearest parent."""
        table = self.key_positions if at_key else self.positions
        f = tuple(field)
        while True:
            if f in table:
                return table[f]
            if at_key and f in self.positions:
                return self.positions[f]
            if not f:
                return (1, 1)
            f = f[:-1]

    def problem(self, field: FieldPath, code: str, message: str,
                severity: str = "error", at_key: bool = False) -> Problem:
        line, col = self.position(field, at_key)
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return Problem(self.path, line, col, tuple(field), code, message,
                       severity, src)  # type: ignore[arg-type]


class _Abort(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


class _Builder:
    def __init__(self, path: str, lines: tuple[str, ...], line_offset: int):
        self.path = path
        self.lines = lines
        self.offset = line_offset
        self.positions: dict[FieldPath, Position] = {}
        self.key_positions: dict[FieldPath, Position] = {}
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.expanded = 0
        self.stack: set[int] = set()

    def pos(self, node: yaml.Node) -> Position:
        m = node.start_mark
        return (m.line + 1 + self.offset, m.column + 1)

    def fail(self, node: yaml.Node, field: FieldPath, code: str, msg: str) -> Problem:
        line, col = self.pos(node)
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return Problem(self.path, line, col, field, code, msg, "error", src)

    def build(self, node: yaml.Node, path: FieldPath, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _Abort(self.fail(node, path, "yaml-depth",
                                   f"the data is nested more than {MAX_DEPTH} levels deep"))
        nid = id(node)
        if nid in self.stack:
            raise _Abort(self.fail(node, path, "yaml-alias",
                                   "an alias refers to the mapping or list that contains it"))
        if nid in self.seen:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise _Abort(self.fail(node, path, "yaml-alias",
                                       f"aliases (*name) expand to more than {MAX_ALIAS_EXPANSION} "
                                       "values; write the values out instead"))
        else:
            self.seen.add(nid)
        self.positions[path] = self.pos(node)
        tag = node.tag
        if tag not in _ALLOWED_TAGS:
            if tag == _MERGE:
                msg = "merge keys (<<) are not supported; write the fields out"
            else:
                msg = (f"the tag {tag.replace(_T, '!!')} is not allowed; "
                       "only plain values, mappings and lists are")
            raise _Abort(self.fail(node, path, "yaml-tag", msg))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        self.stack.add(nid)
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, path + (i,), depth + 1)
                        for i, item in enumerate(node.value)]
            return self.mapping(node, path, depth)
        finally:
            self.stack.discard(nid)

    def mapping(self, node: yaml.MappingNode, path: FieldPath, depth: int) -> dict:
        out: dict = {}
        first_seen: dict[str, Position] = {}
        for knode, vnode in node.value:
            if knode.tag == _MERGE:
                raise _Abort(self.fail(knode, path, "yaml-tag",
                                       "merge keys (<<) are not supported; write the fields out"))
            if not isinstance(knode, yaml.ScalarNode):
                raise _Abort(self.fail(knode, path, "yaml-key",
                                       "a key must be a plain word, not a list or mapping"))
            key = self.scalar(knode, path)
            if key is None or isinstance(key, (list, dict)):
                raise _Abort(self.fail(knode, path, "yaml-key", "a key cannot be empty"))
            skey = key.isoformat() if isinstance(key, _dt.date) else str(key)
            kpath = path + (skey,)
            if skey in first_seen:
                line, _ = first_seen[skey]
                self.problems.append(self.fail(
                    knode, kpath, "duplicate-key",
                    f"the key `{skey}` appears twice in one mapping (first on line {line}); "
                    "YAML would silently keep only the last one"))
                continue
            first_seen[skey] = self.pos(knode)
            self.key_positions[kpath] = self.pos(knode)
            out[key] = self.build(vnode, kpath, depth + 1)
        return out

    def scalar(self, node: yaml.ScalarNode, path: FieldPath) -> Any:
        text, tag = node.value, node.tag
        if tag == _STR or node.style in ("'", '"', "|", ">"):
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            low = text.lower()
            return True if low == "true" else False if low == "false" else text
        if tag == _INT:
            if _DECIMAL_INT.match(text):
                return int(text.replace("_", ""))
            return text  # octal, hex, base 60: keep the text, the validator explains
        if tag == _FLOAT:
            low = text.lower()
            if low.lstrip("+-") in (".inf", ".nan"):
                self.problems.append(self.fail(
                    node, path, "not-finite",
                    f"{text} is not a finite number; write the figure itself"))
                return None
            try:
                return Decimal(text.replace("_", ""))
            except InvalidOperation:
                return text
        if tag == _TIMESTAMP:
            m = _DATE.match(text)
            if not m:
                return text  # a date with a time of day: the validator explains
            try:
                return _dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                self.problems.append(self.fail(
                    node, path, "bad-date", f"{text} is not a real date"))
                return None
        return text


def _syntax_problem(path: str, err: yaml.YAMLError, lines: tuple[str, ...],
                    offset: int) -> Problem:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    what = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    msg = f"YAML syntax error: {what}"
    if context:
        msg += f" ({context})"
    hint = _hint(f"{what} {context or ''}")
    if hint:
        msg += f"; {hint}"
    if mark is None:
        return Problem(path, 1 + offset, 1, (), "yaml-syntax", msg)
    line = mark.line + 1 + offset
    src = lines[line - 1] if 0 < line <= len(lines) else None
    return Problem(path, line, mark.column + 1, (), "yaml-syntax", msg, "error", src)


def _hint(what: str) -> str:
    if "expected a single document" in what:
        return "a file holds one record: remove the second `---`"
    if "could not find expected ':'" in what:
        return "is a colon missing after a field name, or a quote left open?"
    if "mapping values are not allowed" in what:
        return "put quotes around a value that contains ': '"
    if "found undefined alias" in what:
        return "an alias (*name) needs an anchor (&name) earlier in the file"
    return ""


def parse_yaml(text: str, path: str, lines: tuple[str, ...] | None = None,
               line_offset: int = 0) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML document; never raises for bad input.

    `lines` are the whole file's lines (for messages) when `text` is a part of
    it starting `line_offset` lines in, as Markdown front matter is.
    """
    if lines is None:
        lines = tuple(text.split("\n"))
    for i, line in enumerate(text.split("\n")):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            n = i + 1 + line_offset
            return None, [Problem(path, n, len(line) - len(stripped) + 1, (), "tab",
                                  "a tab is used for indentation; YAML allows only spaces",
                                  "error", lines[n - 1] if n <= len(lines) else None)]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as err:
        return None, [_syntax_problem(path, err, lines, line_offset)]
    except RecursionError:
        return None, [Problem(path, 1 + line_offset, 1, (), "yaml-depth",
                              f"the data is nested more than {MAX_DEPTH} levels deep")]
    if node is None:
        return None, [Problem(path, 1 + line_offset, 1, (), "empty",
                              "the file holds no data (it is empty or only comments)")]
    b = _Builder(path, lines, line_offset)
    try:
        data = b.build(node, (), 0)
    except _Abort as abort:
        return None, b.problems + [abort.problem]
    except RecursionError:
        return None, [Problem(path, 1 + line_offset, 1, (), "yaml-depth",
                              f"the data is nested more than {MAX_DEPTH} levels deep")]
    return Document(path, data, b.positions, b.key_positions, lines), b.problems
