"""A fast path for the one YAML form a ledger repeats thousands of times.

Three quarters of the YAML nodes of a large site are monthly progress lines
of one shape::

      - {month: 2023-03, completed_ytd: 2.1, completed_cumulative: 5.6}

PyYAML spends most of its time building nodes for them. A line that is a
flow mapping of plain `key: value` pairs, with nothing YAML could read
another way (no quotes, brackets, anchors, tags, comments or colons inside
values), is read here with a regular expression and stands in the text given
to PyYAML as one marker scalar; anything else goes to PyYAML unchanged.
Values resolve through the same `plain()` as PyYAML's path, so the data and
every position are identical (tests/test_fastlines.py checks both paths
against each other). Files written entirely one value a line do not get
here: `_flatyaml.read_flat` reads them whole.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ._resolve import SIMPLE, plain
from .types import Position

__all__ = ["MARK", "substitute", "FastLine"]

MARK = "\u2063"  # INVISIBLE SEPARATOR: cannot be typed by accident; checked absent first
_LINE = re.compile(r"^( *)- \{([^{}\[\]#&*!|>'\"%@`\t]*)\} *$")
_PAIR = re.compile(r" *([A-Za-z_][A-Za-z0-9_]*): +((?:-(?=[0-9.])|[0-9A-Za-z_.+~\u0080-\U0010ffff])"
                   r"[^,:]*?) *$")

#: The ledger's own shape, read with one match (most lines of a large site).
_COMMON = re.compile(r"^( *)- \{month: (\d{4}-\d{2}), "  # (absurdly long numbers: the slow path)
                     r"completed_ytd: ([0-9]{1,30}\.[0-9]{1,30}|[0-9]{1,30}), "
                     r"completed_cumulative: ([0-9]{1,30}\.[0-9]{1,30}|[0-9]{1,30})\} *$")

_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")

#: (data, {key: (key position, value position)}, position of the "{")
FastLine = tuple


def _common(m: re.Match, lineno: int) -> FastLine:
    def num(text: str):
        return Decimal(text) if "." in text else plain(text)
    data = {"month": m[2], "completed_ytd": num(m[3]), "completed_cumulative": num(m[4])}
    where = {name: ((lineno, m.start(g) - len(name) - 1), (lineno, m.start(g) + 1))
             for name, g in (("month", 2), ("completed_ytd", 3), ("completed_cumulative", 4))}
    return data, where, (lineno, len(m[1]) + 3)


def _parse(line: str, lineno: int, brace: int) -> FastLine | None:
    inner_start = brace + 1
    inner = line[inner_start:line.rindex("}")]
    if not inner.strip():
        return None
    data: dict[str, Any] = {}
    where: dict[str, tuple[Position, Position]] = {}
    offset = inner_start
    for part in inner.split(","):
        m = _PAIR.match(part)
        if m is None:
            return None
        key, text = m[1], m[2]
        if key in data or plain(key) != key:
            return None  # duplicates and keys YAML would read as numbers: the slow path explains
        value = plain(text)
        if value.__class__ not in SIMPLE:
            return None
        data[key] = value
        where[key] = ((lineno, offset + m.start(1) + 1), (lineno, offset + m.start(2) + 1))
        offset += len(part) + 1
    return data, where, (lineno, brace + 1)


def substitute(text: str, line_offset: int = 0) -> tuple[str, dict[str, FastLine]]:
    """The text with each fast line's mapping replaced by a marker, and the lines read.

    `line_offset` is added to line numbers (for front matter)."""
    if "{" not in text or MARK in text or _OTHER_BREAKS.search(text):
        return text, {}  # (YAML's other line breaks would shift our line numbers)
    lines = text.split("\n")
    table: dict[str, FastLine] = {}
    for i, line in enumerate(lines):
        if not line.endswith("}") and not line.rstrip().endswith("}"):
            continue
        c = _COMMON.match(line)
        if c is not None:
            parsed = _common(c, i + 1 + line_offset)
            marker = f"{MARK}{len(table)}{MARK}"
            table[marker] = parsed
            lines[i] = f"{c[1]}- {marker}"
            continue
        m = _LINE.match(line)
        if m is None:
            continue
        brace = len(m[1]) + 2
        parsed = _parse(line, i + 1 + line_offset, brace)
        if parsed is None:
            continue
        marker = f"{MARK}{len(table)}{MARK}"
        table[marker] = parsed
        lines[i] = f"{m[1]}- {marker}"
    if not table:
        return text, {}
    return "\n".join(lines), table
