"""YAML with source positions, and nothing PyYAML would let slip.

PyYAML's C parser composes the node tree (fast, and every node keeps its
marks); this module turns nodes into plain values itself so that it can keep
the line and column of every key and value, refuse duplicate keys (PyYAML
keeps the last one silently), refuse tags other than the standard ones, bound
alias expansion ("billion laughs") and nesting depth, and keep numbers exactly
as typed (`Decimal`, never float).

Plain scalars resolve as `_resolve.plain` says (YAML 1.1, three exceptions).
Most record files never reach PyYAML: `_flatyaml.read_flat` reads the
one-line-per-value subset they are written in, and gives the same data and
positions (tests/test_fastlines.py holds it to this module's own path).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from ._events import event_position
from ._fastlines import MARK, substitute
from ._flatyaml import FlatIndex, read_flat
from ._resolve import (
    BAD_DATE,
    HAVE_LIBYAML,
    HUGE_NUMBER,
    MAX_DIGITS,
    MAX_EXPONENT,
    MERGE_KEY,
    NOT_FINITE,
    PLAIN,
    SIMPLE,
    FastLoader,
    plain,
    require_libyaml,
)
from ._yamlwords import hint_for, phrase
from .errors import Problem
from .messages import Msg
from .types import FieldPath, Position

__all__ = ["Document", "parse_yaml", "HAVE_LIBYAML", "MAX_DEPTH", "MAX_ALIAS_EXPANSION"]

MAX_DEPTH = 32
MAX_ALIAS_EXPANSION = 1000

_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = _T + "str", _T + "int", _T + "float", _T + "bool", _T + "null"
_TIMESTAMP, _MAP, _SEQ, _MERGE = _T + "timestamp", _T + "map", _T + "seq", _T + "merge"
_ALLOWED_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _MAP, _SEQ}
#: Unseen characters: YAML breaks lines at the first three (so every line number after one
#: would be wrong) and allows a byte order mark only at the start.
_INVISIBLE = re.compile("[\x85\u2028\u2029\ufeff]")
_INVISIBLE_NAMES = {"\x85": "U+0085 (NEXT LINE)", "\u2028": "U+2028 (LINE SEPARATOR)",
                    "\u2029": "U+2029 (PARAGRAPH SEPARATOR)"}


def _key_text(node: yaml.Node) -> str:
    v = plain(node.value) if node.tag == PLAIN else node.value
    if isinstance(v, _dt.date):
        return v.isoformat()
    return node.value if v.__class__ not in SIMPLE else str(v)


@dataclass(frozen=True)
class Document:
    """A parsed YAML document: plain values, and the node tree to find positions in."""

    path: str
    data: Any
    root: Any  # yaml.Node (None when `flat` is set); positions are looked up when needed
    lines: tuple[str, ...]
    line_offset: int = 0
    text: str = ""  # the YAML text parsed (for positions behind aliases)
    fast: Any = None  # lines read by the fast path: marker -> (data, positions, brace position)
    flat: FlatIndex | None = None  # set when `read_flat` read the whole text (then no `root`)
    _keys: dict = field(default_factory=dict, compare=False, repr=False)  # see `_entry`

    def _pos(self, node: yaml.Node) -> Position:
        m = node.start_mark
        return (m.line + 1 + self.line_offset, m.column + 1)

    def position(self, field: FieldPath, at_key: bool = False) -> Position:
        """Where `field` is; a missing field points at its nearest parent."""
        if self.flat is not None:
            return self.flat.position(tuple(field), at_key)
        node, key_node = self.root, None
        for depth, part in enumerate(field):
            nxt = None
            if isinstance(node, yaml.MappingNode):
                key_node, nxt = self._entry(node, str(part))
                behind_alias = nxt is not None and nxt.start_mark.index < key_node.start_mark.index
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    key_node, nxt = None, node.value[part]
                    last = max([node.start_mark.index] + [n.start_mark.index for n in node.value[:part]])
                    behind_alias = nxt.start_mark.index < last
            elif (isinstance(node, yaml.ScalarNode) and self.fast and node.value in self.fast
                  and isinstance(part, str)):
                _data, where, brace = self.fast[node.value]
                if part in where:  # a scalar: a longer path stops at its value, as below
                    return where[part][0 if at_key and depth == len(field) - 1 else 1]
                return brace
            if nxt is None:
                return self.fast[node.value][2] if self._is_fast(node) else self._pos(node)
            if behind_alias:  # an alias (*x) holds its anchor's marks: ask the event stream
                return event_position(self.text, tuple(field), self.line_offset, at_key)
            node = nxt
        if at_key and key_node is not None:
            return self._pos(key_node)
        return self._pos(node)

    def _entry(self, node: yaml.MappingNode, key: str) -> tuple[Any, Any]:
        """(key node, value node) of `key` in a mapping, or (None, None); a large mapping is
        indexed once (a scan per lookup made 20,000 unknown keys take minutes)."""
        if len(node.value) > 32:
            index = self._keys.get(id(node))
            if index is None:
                index = self._keys[id(node)] = {}
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode):
                        index.setdefault(_key_text(k), (k, v))
            return index.get(key, (None, None))
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and _key_text(k) == key:
                return k, v
        return None, None

    def _is_fast(self, node: yaml.Node) -> bool:
        return bool(self.fast) and isinstance(node, yaml.ScalarNode) and node.value in self.fast

    def positions_at(self, depth: int, lists: frozenset = frozenset()) -> dict[FieldPath, Position]:
        """Positions of top-level fields, and of items of the named top-level lists."""
        if self.flat is not None:
            return self.flat.positions_at(depth, lists)
        out: dict[FieldPath, Position] = {}
        if not isinstance(self.root, yaml.MappingNode):
            return out
        for k, v in self.root.value:
            if not isinstance(k, yaml.ScalarNode):
                continue
            name = _key_text(k)
            out[(name,)] = self._pos(v)
            if depth > 1 and name in lists and isinstance(v, yaml.SequenceNode):
                for i, item in enumerate(v.value):
                    out[(name, i)] = self._pos(item)
        return out

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
    """Turns a node tree into plain values, refusing what `parse_yaml` promises to refuse."""

    def __init__(self, path: str, text: str, lines: tuple[str, ...], line_offset: int,
                 fast: dict | None = None):
        self.fast = fast or {}
        self.fast_used = 0
        self.path = path
        self.text = text
        self.lines = lines
        self.offset = line_offset
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.expanded = 0
        self.stack: set[int] = set()
        self.trail: list = []  # the field path of the node being built
        self.alias_at: int | None = None  # trail length where the first alias was followed

    def fail(self, node: yaml.Node, code: str, msg: str, at_alias: bool = False) -> Problem:
        field = tuple(str(p) if not isinstance(p, int) else p for p in self.trail)
        if at_alias or self.alias_at is not None:
            if self.alias_at is not None:
                field = field[:self.alias_at]
            line, col = event_position(self.text, field, self.offset)
        else:
            m = node.start_mark
            line, col = m.line + 1 + self.offset, m.column + 1
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return Problem(self.path, line, col, field, code, msg, "error", src)

    def build(self, node: yaml.Node, depth: int) -> Any:
        tag = node.tag
        if tag == PLAIN:
            v = plain(node.value)
            if v.__class__ in SIMPLE:
                if self.fast and v.__class__ is str and v[:1] == MARK and v in self.fast:
                    self.fast_used += 1
                    return dict(self.fast[v][0])
                return v
            return self.special(node, v)
        if tag == _STR:
            return node.value
        if depth > MAX_DEPTH:
            del self.trail[3:]  # the field path of the outermost containers is enough
            raise _Abort(self.fail(node, "yaml-depth", Msg("yaml.depth", n=MAX_DEPTH)))
        if tag not in _ALLOWED_TAGS:
            if tag == _MERGE:
                msg = Msg("yaml.merge")
            else:
                msg = Msg("yaml.tag", tag=tag.replace(_T, "!!"))
            raise _Abort(self.fail(node, "yaml-tag", msg))
        if isinstance(node, yaml.ScalarNode):
            return self.tagged(node)
        nid = id(node)
        if nid in self.stack:
            raise _Abort(self.fail(node, "yaml-alias", Msg("yaml.alias_self"), at_alias=True))
        entered_alias = False
        if nid in self.seen:
            if self.alias_at is None:
                self.alias_at, entered_alias = len(self.trail), True
            self.expanded += len(node.value)
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise _Abort(self.fail(node, "yaml-alias",
                                       Msg("yaml.alias_bomb", n=MAX_ALIAS_EXPANSION)))
        else:
            self.seen.add(nid)
        self.stack.add(nid)
        try:
            if isinstance(node, yaml.SequenceNode):
                out = []
                trail = self.trail
                for i, item in enumerate(node.value):
                    trail.append(i)
                    out.append(self.build(item, depth + 1))
                    trail.pop()
                return out
            return self.mapping(node, depth)
        finally:
            self.stack.discard(nid)
            if entered_alias:
                self.alias_at = None

    def special(self, node: yaml.ScalarNode, v: Any) -> Any:
        if v is NOT_FINITE:
            self.problems.append(self.fail(node, "not-finite",
                                           Msg("yaml.not_finite", value=node.value)))
            return None
        if v is BAD_DATE:
            self.problems.append(self.fail(node, "bad-date", Msg("yaml.bad_date", value=node.value)))
            return None
        if v is MERGE_KEY:
            raise _Abort(self.fail(node, "yaml-tag", Msg("yaml.merge")))
        if v is HUGE_NUMBER:
            text = node.value if len(node.value) <= 40 else f"{node.value[:24]}…({len(node.value)})"
            self.problems.append(self.fail(node, "range", Msg(
                "yaml.huge_number", value=text, digits=MAX_DIGITS, exponent=MAX_EXPONENT)))
            return None
        return v

    def tagged(self, node: yaml.ScalarNode) -> Any:
        """A scalar with an explicit standard tag (!!int 3, !!null ''): read it as that type."""
        tag, text = node.tag, node.value
        if tag == _STR:
            return text
        v = self.special(node, plain(text))
        want = {_INT: int, _FLOAT: Decimal, _BOOL: bool, _NULL: type(None), _TIMESTAMP: _dt.date}[tag]
        if tag == _FLOAT and isinstance(v, int) and not isinstance(v, bool):
            return Decimal(v)
        if not isinstance(v, want) or (want is int and isinstance(v, bool)):
            raise _Abort(self.fail(node, "yaml-tag", Msg("yaml.bad_tagged", value=repr(text),
                                                         tag=tag.replace(_T, "!!"))))
        return v

    def mapping(self, node: yaml.MappingNode, depth: int) -> dict:
        out: dict = {}
        first_seen: dict[str, int] = {}
        for knode, vnode in node.value:
            if knode.tag == _MERGE or (knode.tag == PLAIN and knode.value == "<<"):
                self.trail.append("<<")
                raise _Abort(self.fail(knode, "yaml-tag", Msg("yaml.merge")))
            if not isinstance(knode, yaml.ScalarNode):
                raise _Abort(self.fail(knode, "yaml-key", Msg("yaml.key_not_plain")))
            key = self.build(knode, depth + 1)
            if key is None:
                raise _Abort(self.fail(knode, "yaml-key", Msg("yaml.key_empty")))
            skey = key.isoformat() if isinstance(key, _dt.date) else str(key)
            self.trail.append(skey)
            if skey in first_seen:
                p = self.fail(knode, "duplicate-key",
                              Msg("yaml.duplicate_key", key=skey, line=first_seen[skey]))
                self.problems.append(p)
            else:
                first_seen[skey] = knode.start_mark.line + 1 + self.offset
                out[key] = self.build(vnode, depth + 1)
            self.trail.pop()
        return out


def _syntax_problem(path: str, err: yaml.YAMLError, lines: tuple[str, ...],
                    offset: int) -> Problem:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    what = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    if "maximum nesting depth" in what:  # libyaml 0.2.5's own bound (PyYAML >= 6.0.3 wheels)
        line = mark.line + 1 + offset if mark is not None else 1 + offset
        return Problem(path, line, mark.column + 1 if mark is not None else 1, (), "yaml-depth",
                       f"the data is nested more than {MAX_DEPTH} levels deep", "error",
                       lines[line - 1] if 0 < line <= len(lines) else None)
    # For these the parser notices the mistake only later (often at the end of the
    # file); the context mark is where the editor has to look.
    if context and getattr(err, "context_mark", None) is not None and context.startswith(
            ("while scanning a simple key", "while scanning a quoted scalar")):
        mark = err.context_mark
    hint = hint_for(f"{what} {context or ''}")
    hint = Msg("yaml.hint", hint=Msg(hint)) if hint else ""
    if context and "expected a single document" in context:
        msg = Msg("yaml.second_document", hint=hint)
    else:
        msg = Msg("yaml.syntax", what=phrase(what), hint=hint,
                  context=Msg("yaml.context", context=phrase(context)) if context else "")
    if mark is None:
        return Problem(path, 1 + offset, 1, (), "yaml-syntax", msg)
    line = mark.line + 1 + offset
    src = lines[line - 1] if 0 < line <= len(lines) else None
    return Problem(path, line, mark.column + 1, (), "yaml-syntax", msg, "error", src)


def parse_yaml(text: str, path: str, lines: tuple[str, ...] | None = None,
               line_offset: int = 0, fast_path: bool = True,
               flat: bool = True) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML document; never raises for bad input (ConfigError when
    PyYAML lacks libyaml: the environment, not the input, is at fault).

    `lines` are the whole file's lines (for messages) when `text` is a part of
    it starting `line_offset` lines in, as Markdown front matter is.
    `fast_path=False` reads everything through PyYAML's nodes, and
    `flat=False` only skips the whole-file reader (`read_flat`); both are
    for tests and for callers that need `Document.root`.
    """
    require_libyaml()
    if lines is None:
        lines = tuple(text.split("\n"))
    for i, line in enumerate(text.split("\n") if "\t" in text else ()):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            n = i + 1 + line_offset
            return None, [Problem(path, n, len(line) - len(stripped) + 1, (), "tab",
                                  Msg("yaml.tab"), "error", lines[n - 1] if n <= len(lines) else None)]
    odd = _INVISIBLE.search(text, 1 if text[:1] == "\ufeff" else 0)  # (one BOM may lead)
    if odd is not None:
        n = text.count("\n", 0, odd.start()) + 1 + line_offset
        col = odd.start() - text.rfind("\n", 0, odd.start())
        msg = Msg("yaml.invisible_bom") if odd[0] == "\ufeff" else Msg(
            "yaml.invisible_break", name=_INVISIBLE_NAMES[odd[0]])
        return None, [Problem(path, n, col, (), "invisible-character", msg, "error", lines[n - 1])]
    read = read_flat(text, line_offset) if fast_path and flat else None
    if read is not None:
        return Document(path, read[0], None, lines, line_offset, text, None, read[1]), []
    fast_text, fast = substitute(text, line_offset) if fast_path else (text, {})
    try:
        node = yaml.compose(fast_text, Loader=FastLoader)
    except yaml.YAMLError as err:
        if fast:
            return parse_yaml(text, path, lines, line_offset, fast_path=False, flat=False)
        return None, [_syntax_problem(path, err, lines, line_offset)]
    except RecursionError:
        return None, [Problem(path, 1 + line_offset, 1, (), "yaml-depth",
                              Msg("yaml.depth", n=MAX_DEPTH))]
    if node is None:
        return None, [Problem(path, 1 + line_offset, 1, (), "empty",
                              Msg("yaml.empty"))]
    b = _Builder(path, text, lines, line_offset, fast)
    try:
        data = b.build(node, 0)
    except _Abort as abort:
        if fast:
            return parse_yaml(text, path, lines, line_offset, fast_path=False, flat=False)
        return None, b.problems + [abort.problem]
    except RecursionError:
        return None, [Problem(path, 1 + line_offset, 1, (), "yaml-depth",
                              Msg("yaml.depth", n=MAX_DEPTH))]
    if b.fast_used != len(fast) or (fast and b.problems):
        # A marker landed inside a block of text, or something needs the slow path's
        # own report: read the file again the ordinary way.
        return parse_yaml(text, path, lines, line_offset, fast_path=False, flat=False)
    return Document(path, data, node, lines, line_offset, text, fast), b.problems
