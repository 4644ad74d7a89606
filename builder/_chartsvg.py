"""The chart stage's SVG hygiene: an engine's SVG made deterministic and safe to inline.

Edits touch tags only: the engine escapes < and > in text and attribute values, so
every "<...>" is a tag and no text from the data can look like an attribute.
"""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree

__all__ = ["clean", "check", "own"]

_SVG_NS = "http://www.w3.org/2000/svg"
_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?")
_TAG = re.compile(r"<[^>]+>")
_ID = re.compile(r'(\sid="|url\(#|href="#)([^")]+)')
_TAG_B, _ID_B = (re.compile(x.pattern.encode()) for x in (_TAG, _ID))
_FONT = re.compile(r' font-family="([^"]*)"')
_FORBIDDEN = {"script", "foreignObject", "iframe", "object", "embed", "a", "image", "use",
              "animate", "set", "animateTransform", "animateMotion", "style"}


_INNER_ARIA = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')


def clean(svg: str, description: str) -> str:
    """The engine's SVG, made deterministic and ready to inline (ids not yet owned)."""
    svg = _PROLOG.sub("", svg).strip()
    check(svg)
    tags = _TAG.findall(svg)
    # Renumber ids in order of appearance: the engine counts clip paths per process.
    ids: dict[str, str] = {}
    for tag in tags:
        for m in re.finditer(r'\sid="([^"]+)"', tag):
            ids.setdefault(m[1], f"{re.sub(r'[0-9_]+$', '', m[1]) or 'id'}{len(ids) + 1}")
    # The same font list on every <text>: say it once, on the root.
    fonts = {f for tag in tags for f in _FONT.findall(tag)}
    hoist = len(fonts) == 1 and all(_FONT.search(t) for t in tags if t.startswith("<text"))

    def edit(m: re.Match) -> str:
        tag = _ID.sub(lambda i: i[1] + ids.get(i[2], i[2]), m[0]) if ids else m[0]
        # Inside role="img" everything is presentation: the engine's per-mark roles would
        # ask screen readers (and axe) for names the data table beside the chart gives.
        tag = _INNER_ARIA.sub("", tag)
        return _FONT.sub("", tag) if hoist else tag

    svg = _TAG.sub(edit, svg)
    end = svg.index(">")
    root = svg[:end].replace(' class="marks"', ' class="chart-svg"')
    font = f' font-family="{next(iter(fonts))}"' if hoist else ""
    label = html.escape(description, quote=True)
    return f'{root} role="img" aria-label="{label}"{font}{svg[end:]}'


def check(svg: str) -> None:
    """Refuse anything but a plain drawing: no scripts, links, handlers or foreign content."""
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as err:
        raise ValueError(f"the engine's SVG is not well-formed: {err}") from None
    if root.tag != f"{{{_SVG_NS}}}svg":
        raise ValueError("the engine's output is not an SVG")
    for el in root.iter():
        name = el.tag.rpartition("}")[2]
        if name in _FORBIDDEN:
            raise ValueError(f"the engine's SVG has a <{name}> element")
        for attr, value in el.attrib.items():
            attr = attr.rpartition("}")[2]
            if attr.lower().startswith("on") or (attr == "href" and not value.startswith("#")):
                raise ValueError(f"the engine's SVG has a {attr} attribute")


def own(svg: bytes, chart_id: str) -> bytes:
    """Prefix the ids with the chart id, so that two charts on a page never clash (on
    UTF-8: a site's SVGs are held as bytes)."""
    if b' id="' not in svg:
        return svg
    prefix = chart_id.encode("utf-8") + b"-"
    return _TAG_B.sub(lambda m: _ID_B.sub(lambda i: i[1] + prefix + i[2], m[0]), svg)
