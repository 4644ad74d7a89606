"""Whole record files read without PyYAML, when they are written one value a line.

Most record files are "flat": top-level `key: value` lines whose values are
one-line plain scalars or one-line flow collections of them, and block lists
of such items (the ledger)::

    id: p-000001
    levels: [province, city]
    annual_plan: {2022: 1.21, 2023: 0.52}
    progress:
      - {month: 2022-01, completed_ytd: 0.12, completed_cumulative: 0.70}

`read_flat` reads such a file with a few regular expressions and returns
None for anything outside that subset (quotes, anchors, tags, comments after
values, block scalars, nested block mappings, continued lines, duplicate
keys, unusual characters...), which PyYAML then reads as before. Values go
through the same `plain()`. Positions are not built while reading: a
`FlatIndex` keeps each top-level key's line, and finds anything deeper by
reading its one line again when a problem needs it. tests/test_fastlines.py
holds data, problems and every position to PyYAML's path.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from ._resolve import SIMPLE, plain, plain_memo
from .types import Position

__all__ = ["read_flat", "FlatIndex"]

#: Anything but printable YAML (and tabs, CR, the BOM, and YAML's other line
#: breaks U+0085, U+2028, U+2029): the flat reader leaves such text to PyYAML.
_UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                      "\U00010000-\U0010ffff]")
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: +|$)")
_ITEM = re.compile(r"( *)- +")
#: A plain scalar on one line: no indicator first (a minus only before a digit or
#: a dot), no `#` or `:` anywhere (so no comment, and nothing YAML reads as a key).
_BLOCK_SCALAR = re.compile(r"(?:-(?=[0-9.])|[^-?:,\[\]{}#&*!|>'\"%@` ])[^#:]*")
_COMMON_LINE = re.compile(r"( *)- \{month: ([0-9]{4}-[0-9]{2}), "  # (absurdly long numbers: slow path)
                          r"completed_ytd: ([0-9]{1,30}(?:\.[0-9]{1,30})?), "
                          r"completed_cumulative: ([0-9]{1,30}(?:\.[0-9]{1,30})?)\} *$")
_MAX_FLOW_DEPTH = 4
#: The same plain scalar in flow context: no brackets or commas either.
_S = r"(?:-(?=[0-9.])|[^-?:,\[\]{}#&*!|>'\"%@` ])[^,\[\]{}#:]*"
_SIMPLE_LIST = re.compile(r"\[([^\[\]{}#:]*)\]")
_SIMPLE_MAP = re.compile(r"\{([^\[\]{}#]*)\}")
_FLOW_ITEM = re.compile(f" *({_S})")
_FLOW_PAIR = re.compile(f" *({_S}): +({_S})")
_FLOW_SCALAR = re.compile(_S)


class _No(Exception):
    """The text is outside the flat subset: PyYAML reads it."""


def _scalar(text: str) -> Any:
    v = plain(text)
    if v.__class__ not in SIMPLE:  # .nan, 2023-02-30, <<: the slow path explains
        raise _No
    return v


def _skey(v: Any) -> str:
    return v.isoformat() if v.__class__ is _dt.date else str(v)


def _spaces(s: str, i: int) -> int:
    n = len(s)
    while i < n and s[i] == " ":
        i += 1
    return i


def _flow(s: str, i: int, depth: int, line: int) -> tuple[Any, int]:
    """The flow collection opening at s[i] and the index after it.

    With `line` > 0 the result is a position node instead of the value:
    ("s", pos) | ("q", pos, [node]) | ("m", pos, [(key text, key pos, node)])."""
    if depth > _MAX_FLOW_DEPTH:
        raise _No
    mapping = s[i] == "{"
    close = "}" if mapping else "]"
    start, n = i, len(s)
    items: list = []
    out: Any = {} if mapping else []
    i = _spaces(s, i + 1)
    if i < n and s[i] == close:
        return ((("m" if mapping else "q"), (line, start + 1), items) if line else out), i + 1
    while True:
        key = skey = kpos = None
        if mapping:
            m = _FLOW_SCALAR.match(s, i)
            if m is None or m.end() - i > 1000:  # libyaml allows 1024 characters per key
                raise _No
            key = _scalar(m[0].rstrip(" "))
            if key is None:
                raise _No
            skey, kpos = _skey(key), (line, i + 1)
            i = m.end()
            if s[i:i + 2] != ": ":
                raise _No
            i = _spaces(s, i + 2)
        if i >= n:
            raise _No
        if s[i] == "[" or s[i] == "{":
            value, j = _flow(s, i, depth + 1, line)
        else:
            m = _FLOW_SCALAR.match(s, i)
            if m is None:
                raise _No
            value = _scalar(m[0].rstrip(" ")) if not line else ("s", (line, i + 1))
            j = m.end()
        if line:
            items.append((skey, kpos, value) if mapping else value)
        elif not mapping:
            out.append(value)
        elif any(_skey(k) == skey for k in out):
            raise _No  # a duplicate key: the slow path reports it
        else:
            out[key] = value
        j = _spaces(s, j)
        if j >= n:
            raise _No
        if s[j] == close:
            return ((("m" if mapping else "q"), (line, start + 1), items) if line else out), j + 1
        if s[j] != ",":
            raise _No
        i = _spaces(s, j + 1)
        if i >= n or s[i] == close:
            raise _No  # a trailing comma


def _simple_flow(m: re.Match) -> Any:
    """A flow list or mapping of plain scalars only (the common case), split with
    regular expressions; `_flow` reads the same and more, a character at a time."""
    inner = m[1]
    mapping = m[0][0] == "{"
    if not inner.strip(" "):
        return {} if mapping else []
    if not mapping:
        out = []
        for part in inner.split(","):
            im = _FLOW_ITEM.fullmatch(part)
            if im is None:
                raise _No
            out.append(_scalar(im[1].rstrip(" ")))
        return out
    pairs: dict = {}
    seen = set()
    for part in inner.split(","):
        pm = _FLOW_PAIR.fullmatch(part)
        if pm is None or len(pm[1]) > 1000:
            raise _No
        key = _scalar(pm[1].rstrip(" "))
        skey = _skey(key)
        if key is None or skey in seen:
            raise _No
        seen.add(skey)
        pairs[key] = _scalar(pm[2].rstrip(" "))
    return pairs


def _value(s: str, i: int) -> Any:
    """The value written from s[i] to the end of the line (trailing spaces gone)."""
    c = s[i]
    if c == "[" or c == "{":
        m = (_SIMPLE_LIST if c == "[" else _SIMPLE_MAP).fullmatch(s, i)
        if m is not None:
            return _simple_flow(m)
        value, j = _flow(s, i, 1, 0)
        if j != len(s):
            raise _No
        return value
    if _BLOCK_SCALAR.fullmatch(s, i) is None:
        raise _No
    return _scalar(s[i:])


class FlatIndex:
    """Where the keys and values of a document read by `read_flat` stand.

    Holds only each top-level key's line and value column (and a block list's
    item lines); anything deeper is found by reading its one line again, so the
    common path pays nothing for positions it never asks for."""

    __slots__ = ("lines", "offset", "entries", "first")

    def __init__(self, lines: list[str], offset: int, entries: dict, first: int):
        self.lines = lines
        self.offset = offset
        #: key -> (line index, value column index, or -1 and the item line indices of a list)
        self.entries = entries
        self.first = first

    def _value_pos(self, entry: tuple) -> Position:
        li, col, items = entry
        if col >= 0:
            return (li + 1 + self.offset, col + 1)
        first = self.lines[items[0]]
        return (items[0] + 1 + self.offset, len(first) - len(first.lstrip(" ")) + 1)

    def _node_at(self, li: int, col: int) -> Any:
        s = self.lines[li].rstrip(" ")
        if col < len(s) and s[col] in "[{":
            return _flow(s, col, 1, li + 1 + self.offset)[0]
        return ("s", (li + 1 + self.offset, col + 1))

    def _item(self, li: int) -> Any:
        return self._node_at(li, _ITEM.match(self.lines[li]).end())

    def position(self, field: tuple, at_key: bool = False) -> Position:
        """As `Document.position`: where `field` is, or its nearest parent."""
        root = (self.first + 1 + self.offset, 1)
        if not field:
            return root
        entry = self.entries.get(str(field[0]))
        if entry is None:
            return root
        key_pos: Position | None = (entry[0] + 1 + self.offset, 1)
        pos = self._value_pos(entry)
        rest = field[1:]
        if not rest:
            return key_pos if at_key else pos  # type: ignore[return-value]
        if entry[1] >= 0:
            node = self._node_at(entry[0], entry[1])
        else:
            part, items = rest[0], entry[2]
            if not (isinstance(part, int) and 0 <= part < len(items)):
                return pos
            node, key_pos, rest = self._item(items[part]), None, rest[1:]
        pos = node[1]
        for part in rest:
            nxt = None
            if node[0] == "m":
                for ktext, kpos, value in node[2]:
                    if ktext == str(part):
                        key_pos, nxt = kpos, value
                        break
            elif node[0] == "q" and isinstance(part, int) and 0 <= part < len(node[2]):
                key_pos, nxt = None, node[2][part]
            if nxt is None:
                return pos
            node, pos = nxt, nxt[1]
        return key_pos if at_key and key_pos is not None else pos

    def positions_at(self, depth: int, lists: frozenset) -> dict:
        """As `Document.positions_at`."""
        out: dict = {}
        for key, entry in self.entries.items():
            out[(key,)] = self._value_pos(entry)
            if depth > 1 and key in lists:
                if entry[1] < 0:
                    nodes = [self._item(li) for li in entry[2]]
                else:
                    node = self._node_at(entry[0], entry[1])
                    nodes = node[2] if node[0] == "q" else []
                for i, node in enumerate(nodes):
                    out[(key, i)] = node[1]
        return out


def read_flat(text: str, line_offset: int = 0) -> tuple[dict, FlatIndex] | None:
    """`text` read as a flat document (see above), or None when it is not one."""
    if _UNUSUAL.search(text) is not None:
        return None
    lines = text.split("\n")
    data: dict = {}
    entries: dict = {}
    key: str | None = None  # the key whose value is being read (a pending list)
    items: list[int] = []
    values: list = []
    indent = -1  # of the list's dashes; -1 before its first item
    first = -1
    memo = plain_memo.get
    try:
        for li, raw in enumerate(lines):
            if key is not None:
                cm = _COMMON_LINE.match(raw)
                if cm is not None and (indent < 0 or cm.end(1) == indent):
                    # The ledger's own line, in one match. These texts never resolve
                    # to None, so a memo miss is a plain None.
                    month, ytd, cum = cm.group(2, 3, 4)
                    values.append({"month": memo(month) or plain(month),
                                   "completed_ytd": memo(ytd) or plain(ytd),
                                   "completed_cumulative": memo(cum) or plain(cum)})
                    items.append(li)
                    indent = cm.end(1)
                    continue
            s = raw.rstrip(" ")
            if not s:
                continue
            c = s[0]
            if c == "#" or (c == " " and s.lstrip(" ")[0] == "#"):
                continue  # a comment line: never inside a value in this subset
            if c == " " or c == "-":
                m = _ITEM.match(s)
                if (key is None or m is None or m.end() == len(s)
                        or (indent >= 0 and len(m[1]) != indent)):
                    raise _No  # continued scalars, nested mappings, ragged lists
                indent = len(m[1])
                values.append(_value(s, m.end()))
                items.append(li)
                continue
            if key is not None:  # the pending key's value ends here
                _close(key, items, values, data, entries)
                key = None
            m = _KEY.match(s)
            if m is None:
                raise _No
            name = m[1]
            if name in data or plain(name) != name or len(name) > 1000:
                raise _No  # a duplicate, or a key YAML reads as true/null: PyYAML explains
            if first < 0:
                first = li
            i = m.end()
            if i == len(s):
                key, items, values, indent = name, [li], [], -1
                continue
            data[name] = _value(s, i)
            entries[name] = (li, i, None)
        if key is not None:
            _close(key, items, values, data, entries)
    except _No:
        return None
    if first < 0:
        return None
    return data, FlatIndex(lines, line_offset, entries, first)


def _close(key: str, items: list[int], values: list, data: dict, entries: dict) -> None:
    """Store a key whose value started on the next lines: a block list, or nothing."""
    if len(items) == 1:  # no item followed: an empty value, at the end of `key:`
        data[key] = None
        entries[key] = (items[0], len(key) + 1, None)
    else:
        data[key] = values
        entries[key] = (items[0], -1, items[1:])
