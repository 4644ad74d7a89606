"""Editing a YAML record in place: only the bytes of the changed values move.

`bulletin import` must keep an editor's comments, key order, quoting, flow
lines (`- {month: …}`) and blank lines. A round-trip library re-emits the
whole file and attaches a comment line to the key *before* it, so inserting
a key moves comments that introduce the next one. Instead this module
splices text: PyYAML's node tree gives the exact span of every value, an
edit replaces a value's span or inserts a new line beside its siblings in
their own style, and everything else is copied byte for byte. After the
edits the text is parsed again and must give exactly the data intended, or
`EditError` is raised and nothing is written.
"""

from __future__ import annotations

import copy
import datetime as _dt
import re
from decimal import Decimal
from typing import Any, Callable

import yaml

from ._resolve import PLAIN, plain
from ._yaml import parse_yaml
from .types import FieldPath

__all__ = ["EditError", "YamlEditor", "render"]


class EditError(Exception):
    """The file cannot be edited in place (or the edit would not read back as intended)."""


def render(value: Any, flow: bool = True, style: str | None = None) -> str:
    """A value as a one-line YAML scalar or flow mapping (text in `style` quotes if given)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render(k)}: {render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str) and style in ('"', "'"):
        out = yaml.safe_dump(value, allow_unicode=True, default_style=style, width=1 << 30)
        return out.removesuffix("\n...\n").rstrip("\n")
    if isinstance(value, str):
        # PyYAML picks plain style when it reads back as the same text, else quotes;
        # dumped inside a flow list it also respects the flow indicators , [ ] { }.
        out = yaml.safe_dump([value] if flow else value, allow_unicode=True,
                             default_flow_style=True, width=1 << 30)
        out = out[1:-2] if flow else out.removesuffix("\n...\n").rstrip("\n")
        if out == value and plain(out) != value:
            out = "'" + value.replace("'", "''") + "'"
        return out
    raise EditError(f"cannot write a {type(value).__name__}")


def _key(node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        return ""
    v = plain(node.value) if node.tag == PLAIN else node.value
    return v.isoformat() if isinstance(v, _dt.date) else str(v)


def _last_leaf(node: yaml.Node) -> yaml.Node:
    while not getattr(node, "flow_style", True) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


class YamlEditor:
    """Edits queued against the original text; `result()` applies and checks them."""

    def __init__(self, text: str, path: str = "<file>"):
        self.path = path
        self.bom = "\ufeff" if text.startswith("\ufeff") else ""
        self.text = text[len(self.bom):]
        doc, problems = parse_yaml(self.text, path, fast_path=False)
        if doc is None or not isinstance(doc.root, yaml.MappingNode) or not isinstance(doc.data, dict):
            raise EditError(problems[0].message if problems else "the file is not a mapping")
        self.root = doc.root
        self.expected = copy.deepcopy(doc.data)
        self.nl = "\r\n" if "\r\n" in self.text else "\n"
        self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self._edits: list[tuple[int, int, int, int, str]] = []

    # -- positions ---------------------------------------------------------
    def _off(self, mark: Any) -> int:
        return self._starts[mark.line] + mark.column

    def _line_start(self, off: int) -> int:
        return self.text.rfind("\n", 0, off) + 1

    def _after(self, node: yaml.Node) -> int:
        """The start of the line after `node` (and everything nested in it) ends."""
        leaf = _last_leaf(node)
        off = self._off(leaf.end_mark)
        if getattr(leaf, "style", None) in ("|", ">") and off == self._line_start(off):
            return off
        i = self.text.find("\n", off)
        return len(self.text) if i < 0 else i + 1

    def _above(self, line_start: int) -> int:
        """Move up over comment lines directly above a line: they introduce it."""
        while line_start > 0:
            prev = self._line_start(line_start - 1)
            if not self.text[prev:line_start].lstrip().startswith("#"):
                break
            line_start = prev
        return line_start

    def _below(self, line_start: int, indent: int) -> int:
        """Move down over comment lines indented like the list items: they belong to the list."""
        while line_start < len(self.text):
            end = self.text.find("\n", line_start)
            end = len(self.text) if end < 0 else end + 1
            line = self.text[line_start:end]
            body = line.lstrip()
            if not body.startswith("#") or len(line) - len(body) < indent:
                break
            line_start = end
        return line_start

    def _insert(self, pos: int, text: str, depth: int) -> None:
        if pos == len(self.text) and self.text and not self.text.endswith("\n"):
            text = self.nl + text
        # At one position, what goes inside a nested entry comes before a new sibling of it.
        self._edits.append((pos, pos, -depth, len(self._edits), text))

    # -- lookup ----------------------------------------------------------
    def node(self, path: FieldPath) -> yaml.Node | None:
        node: Any = self.root
        for part in path:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if _key(k) == str(part)), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
            else:
                return None
            if node is None:
                return None
        return node

    def _data(self, path: FieldPath) -> Any:
        d = self.expected
        for part in path:
            d = d[part]
        return d

    # -- edits -----------------------------------------------------------
    def set(self, path: FieldPath, key: Any, value: Any, rank: Callable[[Any], Any]) -> None:
        """mapping[key] = value for the mapping at `path`, in place or as a new entry."""
        node = self.node(path)
        if not isinstance(node, yaml.MappingNode):
            raise EditError(f"{'.'.join(map(str, path)) or 'the file'} is not a mapping")
        hit = next(((k, v) for k, v in node.value if _key(k) == str(key)), None)
        if hit is not None:
            self._replace(hit[1], value, bool(node.flow_style))
        else:
            self._add_key(node, key, value, rank, len(path))
        self._data(path)[key] = value

    def insert_item(self, path: FieldPath, index: int, value: dict) -> None:
        """Insert a mapping into the list at `path` before `index` (or at its end)."""
        node = self.node(path)
        if not isinstance(node, yaml.SequenceNode):
            raise EditError(f"{'.'.join(map(str, path))} is not a list")
        items = node.value
        if node.flow_style or not items:
            text = render(value)
            if index < len(items):
                self._insert(self._off(items[index].start_mark), text + ", ", len(path))
            elif items:
                self._insert(self._off(items[-1].end_mark), ", " + text, len(path))
            else:
                self._insert(self._off(node.start_mark) + 1, text, len(path))
        else:
            like = items[max(index - 1, 0)]
            start = self._off(like.start_mark)
            prefix = self.text[self._line_start(start):start]
            if not re.fullmatch(r"\s*-\s+", prefix):
                raise EditError("a list item does not start its own line")
            lines = self._item_lines(prefix, like, value)
            pos = (self._above(self._line_start(self._off(items[index].start_mark)))
                   if index < len(items) else self._below(self._after(items[-1]), prefix.index("-")))
            self._insert(pos, lines, len(path))
        self._data(path).insert(index, value)

    def _item_lines(self, prefix: str, like: yaml.Node, value: dict) -> str:
        if not isinstance(like, yaml.MappingNode) or like.flow_style:
            return prefix + render(value) + self.nl
        pad = " " * like.start_mark.column
        parts = [f"{render(k)}: {render(v, False)}" for k, v in value.items()]
        return prefix + (self.nl + pad).join(parts) + self.nl

    def _replace(self, node: yaml.Node, value: Any, flow: bool) -> None:
        start = self._off(node.start_mark)
        if isinstance(value, list):
            raise EditError("replacing a value with a list is not supported")
        quoted = node.style if isinstance(node, yaml.ScalarNode) and node.style in ('"', "'") else None
        text = render(value, flow, quoted)
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            end = self._off(node.end_mark)
            if end == self._line_start(end):
                text += self.nl
        elif isinstance(node, yaml.ScalarNode) or node.flow_style:
            end = self._off(node.end_mark)
        else:  # a block mapping or list: up to where its last value ends
            leaf = _last_leaf(node)
            end = self._off(leaf.end_mark)
            if getattr(leaf, "style", None) in ("|", ">"):
                end = self._after(leaf) - len(self.nl)
        if start == end and self.text[start - 1:start] == ":":
            text = " " + text
        self._edits.append((start, end, 0, len(self._edits), text))

    def _add_key(self, node: yaml.MappingNode, key: Any, value: Any,
                 rank: Callable[[Any], Any], depth: int) -> None:
        entries = node.value
        later = next(((k, v) for k, v in entries if rank(_key(k)) > rank(str(key))), None)
        if node.flow_style or not entries:
            item = f"{render(key)}: {render(value)}"
            if later is not None:
                self._insert(self._off(later[0].start_mark), item + ", ", depth)
            elif entries:
                self._insert(self._off(entries[-1][1].end_mark), ", " + item, depth)
            else:
                self._insert(self._off(node.start_mark) + 1, item, depth)
            return
        pad = " " * entries[0][0].start_mark.column
        if isinstance(value, list):
            dash = " " * (len(pad) + self._seq_indent())
            text = f"{pad}{render(key)}:{self.nl}" + "".join(
                f"{dash}- {render(v)}{self.nl}" for v in value)
        else:
            text = f"{pad}{render(key)}: {render(value, False)}{self.nl}"
        before = [(k, v) for k, v in entries if rank(_key(k)) < rank(str(key))]
        if before:
            prev = max(before, key=lambda kv: self._off(kv[0].start_mark))
            self._insert(self._after(prev[1]), text, depth)
        elif later is not None:
            self._insert(self._above(self._line_start(self._off(later[0].start_mark))), text, depth)

    def _seq_indent(self) -> int:
        """How far this file indents a list under its key (`progress:` / `  - …`)."""
        for _k, v in self.root.value:
            if isinstance(v, yaml.SequenceNode) and not v.flow_style and v.value:
                start = self._off(v.value[0].start_mark)
                prefix = self.text[self._line_start(start):start]
                return len(prefix) - len(prefix.lstrip())
        return 2

    # -- result ----------------------------------------------------------
    def result(self) -> str:
        """The edited text; raises EditError unless it reads back as intended."""
        out, at = [], 0
        for start, end, _depth, _seq, text in sorted(self._edits):
            if start < at:
                raise EditError("two edits overlap")
            out += [self.text[at:start], text]
            at = end
        new = "".join(out) + self.text[at:]
        doc, problems = parse_yaml(new, self.path, fast_path=False)
        if doc is None or doc.data != self.expected:
            raise EditError("the edited file would not read back as intended"
                            + (f" ({problems[0].message})" if problems else ""))
        return self.bom + new
