"""The fast path of `charts`: one Altair template per kind, filled as plain data.

Altair builds a kind's spec once per (label keys, height), with a placeholder
`\ue000name\ue000` for every text and `[{"\ue000rows\ue000": 0}]` for the rows; a chart's
spec is that template with the placeholders filled. The drawing engine takes the same
two parts apart (`Fill`): it compiles each template to Vega once and fills the Vega.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple

from . import cachefile
from .charts import _BUILDERS, KINDS, LABELS, Row, Texts, _data, _height, _Words, _words

__all__ = ["Fill", "fill_for", "filled", "template", "canonical_json", "MARK"]

MARK = "\ue000"  # a private-use character: never in real text
_ROWS_KEY = f"{MARK}rows{MARK}"
_slot = f"{MARK}{{}}{MARK}".format


class Fill(NamedTuple):
    """A spec as the drawing engine takes it: `template(self.template)` with each placeholder
    `\ue000name\ue000` standing for `slots[name]` and `[{"\ue000rows\ue000": 0}]` for the rows."""

    template: str  # "kind|label keys|height"
    slots: dict[str, Any]
    rows: list[dict]


def template(tid: str, cache_dir: Path | None = None) -> dict[str, Any]:
    """The spec of a `Fill.template` id, with a placeholder for every text and for the rows.

    Kept in `cache_dir/chart-templates/` too, keyed by the id and the code that makes it
    (this module, `charts`, `chartwords`, Altair's version): Altair takes about 1 s to build
    and validate a site's ten templates, which was most of a warm build's chart stage."""
    return _template(tid, str(cache_dir) if cache_dir is not None else None)


@functools.lru_cache(maxsize=256)
def _template(tid: str, cache_dir: str | None) -> dict[str, Any]:
    path = None
    if cache_dir is not None:
        name = hashlib.sha256(f"{_code_key()}\0{tid}".encode()).hexdigest()[:32]
        path = Path(cache_dir) / "chart-templates" / f"{name}.json"
        data = cachefile.read(path, lambda b: b.startswith(b"{") and b.endswith(b"}"))
        with contextlib.suppress(ValueError):  # (damaged: made again)
            if data is not None and isinstance(spec := json.loads(data), dict):
                return spec
    spec = _build(tid)
    if path is not None:
        cachefile.write(path, json.dumps(spec, ensure_ascii=False).encode("utf-8"), "a chart template")
    return spec


@functools.lru_cache(maxsize=1)
def _code_key() -> str:
    here = Path(__file__).resolve().parent
    h = hashlib.sha256(metadata.version("altair").encode())
    for name in ("_chartfill.py", "charts.py", "chartwords.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()


def _build(tid: str) -> dict[str, Any]:
    kind, keys, height = tid.split("|")
    w = _Words(kind, _slot("title"), _slot("description"),
               {k: _slot("label:" + k) for k in keys.split(",") if k})
    spec = _BUILDERS[kind]([{_ROWS_KEY: 0}], w)  # type: ignore[arg-type]
    spec["height"] = int(height)  # the one size that follows the data
    text = json.dumps(spec, ensure_ascii=False)  # each placeholder must be a whole string
    if text.count(MARK) != 2 * len(re.findall(f'"{MARK}[^"{MARK}]+{MARK}"', text)):
        raise AssertionError(f"a chart text is spliced into a longer string in {text}")
    return spec


def _fill(node: Any, slots: Mapping[str, Any], rows: list) -> Any:
    if isinstance(node, dict):
        return {k: _fill(v, slots, rows) for k, v in node.items()}
    if isinstance(node, list):
        if node and isinstance(node[0], dict) and _ROWS_KEY in node[0]:
            return rows
        return [_fill(v, slots, rows) for v in node]
    if isinstance(node, str) and node[:1] == MARK:
        value = slots[node[1:-1]]
        return list(value) if isinstance(value, list) else value
    return node


def fill_for(kind: str, rows: Iterable[Row], texts: Texts) -> Fill:
    """The chart as its kind's template and what fills it."""
    if kind not in _BUILDERS:
        raise KeyError(f"unknown chart kind {kind!r}; known: {', '.join(KINDS)}")
    w = _words(kind, texts)
    for key in LABELS[kind]:
        w(key)  # a missing label fails here as it would in the Altair path
    slots: dict[str, Any] = {"title": w.title, "description": w.description}
    slots.update(("label:" + k, v) for k, v in texts.labels.items())
    data = _data(kind, rows)
    return Fill(f"{kind}|{','.join(texts.labels)}|{_height(kind, data)}", slots, data)


def filled(kind: str, rows: Iterable[Row], texts: Texts) -> tuple[dict[str, Any], Fill]:
    """The kind's spec (as its Altair function makes it, at a fraction of the cost: Altair
    builds each template once) and the same as a `Fill`, for the drawing engine."""
    fill = fill_for(kind, rows, texts)
    return _fill(template(fill.template), fill.slots, fill.rows), fill


_CANONICAL = {"ensure_ascii": False, "sort_keys": True, "separators": (",", ":")}
_PIECE = re.compile(re.escape(json.dumps([{_ROWS_KEY: 0}], **_CANONICAL)) + f'|"{MARK}([^"]+){MARK}"')


@functools.lru_cache(maxsize=256)
def _pieces(tid: str, cache_dir: Path | None) -> list:
    text = json.dumps(template(tid, cache_dir), **_CANONICAL)
    pieces: list = []
    at = 0
    for m in _PIECE.finditer(text):
        pieces += [text[at:m.start()], m[1]]  # None: the rows
        at = m.end()
    return [*pieces, text[at:]]


def canonical_json(fill: Fill, cache_dir: Path | None = None) -> str:
    """`json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` of the
    filled spec, put together from the template's text: a fifth of the time."""
    out = []
    for i, piece in enumerate(_pieces(fill.template, cache_dir)):
        if not i % 2:
            out.append(piece)
        else:
            out.append(json.dumps(fill.rows if piece is None else fill.slots[piece], **_CANONICAL))
    return "".join(out)
