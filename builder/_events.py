"""Positions read from PyYAML's event stream, for values behind aliases.

A composed alias node carries its anchor's marks; only the event stream
keeps where the alias itself stands. Used only for problems behind aliases,
so its cost is off the common path.
"""

from __future__ import annotations

import datetime as _dt

import yaml

from ._resolve import SIMPLE, FastLoader, plain
from .types import FieldPath, Position

__all__ = ["event_position"]


def event_position(text: str, field: FieldPath, offset: int = 0,
                   at_key: bool = False) -> Position:
    """Where `field` stands, read from the event stream: the only place PyYAML keeps
    an alias's own position (a composed alias node carries its anchor's marks).
    Used only for problems behind aliases, so its cost is off the common path."""
    stack: list[list] = []  # [is_mapping, key or index, expecting a key]
    best: Position = (1 + offset, 1)
    try:
        for ev in yaml.parse(text, Loader=FastLoader):
            if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                _advance(stack)
                continue
            if not isinstance(ev, yaml.NodeEvent):
                continue
            if stack and stack[-1][0] and stack[-1][2]:  # a mapping key
                stack[-1][1] = _event_key(ev)
                stack[-1][2] = False
                here = tuple(e[1] for e in stack)
                if at_key and here == field:
                    return (ev.start_mark.line + 1 + offset, ev.start_mark.column + 1)
                continue
            here = tuple(e[1] for e in stack)
            pos = (ev.start_mark.line + 1 + offset, ev.start_mark.column + 1)
            if here == field:
                return pos
            if field[:len(here)] == here:
                best = pos
            if isinstance(ev, yaml.MappingStartEvent):
                stack.append([True, None, True])
            elif isinstance(ev, yaml.SequenceStartEvent):
                stack.append([False, 0, False])
            else:
                _advance(stack)
    except yaml.YAMLError:
        pass
    return best


def _advance(stack: list[list]) -> None:
    if stack:
        if stack[-1][0]:
            stack[-1][2] = True
        else:
            stack[-1][1] += 1


def _event_key(ev: yaml.NodeEvent) -> str:
    if isinstance(ev, yaml.ScalarEvent):
        v = plain(ev.value) if ev.implicit[0] else ev.value
        if isinstance(v, _dt.date):
            return v.isoformat()
        return ev.value if v.__class__ not in SIMPLE else str(v)
    return "?"
