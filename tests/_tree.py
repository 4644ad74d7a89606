"""Walking and editing parsed YAML trees (dicts and lists), for the property tests."""

from __future__ import annotations

from typing import Any, Iterator


def walk(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every (path, node) in `value`, its own (the empty path) first."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, path + (i,))


def paths(value: Any) -> Iterator[tuple]:
    """Every path into `value`, its own (the empty path) first."""
    return (path for path, _node in walk(value))


def replace(value: Any, path: tuple, new: Any) -> Any:
    """A copy of `value` with the node at `path` replaced by `new` (the rest shared)."""
    if not path:
        return new
    out = dict(value) if isinstance(value, dict) else list(value)
    out[path[0]] = replace(value[path[0]], path[1:], new)
    return out
