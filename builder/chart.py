"""Stage 4, chart: Vega-Lite specs drawn to SVG at build time, cached by content.

The render stage asks for charts with `ChartRequest`s; `draw` answers with a
`Chart` per id: the spec (for the interactive layer), its JSON, the rows (for
the table beside the chart) and an SVG that is safe to inline in a page.

- Specs come from `charts.spec_for` (Altair-authored templates, filled as plain data).
- An SVG is drawn by vl-convert once per (spec, vl-convert version) and kept in
  `cache_dir/charts/<sha256>.svg`; a later build reads it back instead of drawing.
  Writes are atomic; an empty or damaged file is drawn again.
- Many misses and `jobs > 1` draw in worker processes, each starting one
  vl-convert engine before its first chart. The output is byte-identical.
- Every SVG is made deterministic and inlinable: no XML prolog, ids renumbered
  and prefixed with the chart id, `role="img"` and the description as its
  `aria-label` on the root, the font list once on the root.
- A chart that cannot be made raises `ChartError`, naming every chart that failed.

Drawn through vl-convert's Vega-Lite entry point: drawing from a Vega spec compiled
once per kind would save only the compile (5-8 ms of a 90-150 ms draw here; the
SVG is the same), at the cost of a second set of templates, in Vega, to fill.
Most of a draw is text: vl-convert reopens the CJK font file for every label it
measures, which is why the cache and the workers matter.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import hashlib
import html
import importlib.metadata
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence
from xml.etree import ElementTree

import vl_convert

from .errors import BulletinError

if TYPE_CHECKING:
    from .charts import Texts

__all__ = ["ChartRequest", "Chart", "ChartError", "ChartFailure", "draw", "spec_json",
           "ENGINE_VERSION"]

log = logging.getLogger(__name__)

#: What the cached SVGs depend on besides the spec: the engine, and how this module
#: cleans its output (bump `_FORMAT` when `_clean` changes).
ENGINE_VERSION = f"vl-convert-python {importlib.metadata.version('vl-convert-python')}"
_FORMAT = 2

#: Draw in worker processes only for at least this many misses: starting one, with
#: its engine, costs about as much as drawing ten charts.
_POOL_MIN = 24
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_SVG_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class ChartRequest:
    """What the render stage asks for: one chart, under an id unique on the site."""

    id: str  # URL-safe, e.g. "region-zhoukou-plan_vs_schedule"
    kind: str  # one of `charts.KINDS`
    rows: tuple[dict, ...]
    texts: Texts


@dataclass(frozen=True)
class Chart:
    """A drawn chart."""

    id: str
    kind: str
    spec: dict  # the Vega-Lite spec, for the interactive layer
    spec_json: str  # canonical JSON of `spec`, safe inside <script type="application/json">
    svg: str  # drawn at build time, safe to inline in HTML
    rows: tuple[dict, ...]  # the data, for the table beside the chart


@dataclass(frozen=True)
class ChartFailure:
    """One chart that could not be made, and why (for a Problem at the render stage)."""

    id: str
    kind: str
    reason: str


class ChartError(BulletinError):
    """Raised when charts cannot be made; `failures` names each chart and why."""

    def __init__(self, failures: Sequence[ChartFailure]):
        self.failures = tuple(failures)
        super().__init__("; ".join(f"chart {f.id!r} ({f.kind}) could not be drawn: {f.reason}"
                                   for f in self.failures))


# --- Specs and keys ----------------------------------------------------------------------------

def spec_json(spec: Mapping[str, Any]) -> str:
    """Canonical JSON, with <, > and & escaped so that it can sit inside a <script>
    element as it is (JSON.parse gives back the same values)."""
    text = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _key(text: str) -> str:
    salt = f"{ENGINE_VERSION}\0{_FORMAT}\0{_fonts()}\0"
    return hashlib.sha256((salt + text).encode()).hexdigest()


_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts",
              "/System/Library/Fonts", "/Library/Fonts", "~/Library/Fonts", "C:/Windows/Fonts")


@functools.lru_cache(maxsize=1)
def _fonts() -> str:
    """The system fonts the engine measures text with (file names and sizes): installing
    fonts-noto-cjk changes every layout, so it must change every key."""
    found = []
    for root in _FONT_DIRS:
        for folder, _, files in os.walk(os.path.expanduser(root)):
            for name in files:
                try:
                    found.append(f"{folder}/{name}:{os.path.getsize(os.path.join(folder, name))}")
                except OSError:  # a dangling link
                    continue
    return hashlib.sha256("\n".join(sorted(found)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class _Planned:
    request: ChartRequest
    spec: dict
    spec_json: str
    key: str


def _plan(requests: Sequence[ChartRequest]) -> tuple[list[_Planned], list[ChartFailure]]:
    from .charts import spec_for  # Altair loads here, never in a drawing process

    planned: dict[str, _Planned] = {}
    failures = []
    for req in requests:
        if not isinstance(req.id, str) or not _SAFE_ID.fullmatch(req.id):
            failures.append(ChartFailure(str(req.id), req.kind, "the id must be letters, digits, "
                                         "'-', '_' or '.', starting with a letter or digit"))
            continue
        try:
            spec = spec_for(req.kind, req.rows, req.texts)
        except (KeyError, TypeError, ValueError) as err:  # a missing label, rows not dicts
            failures.append(ChartFailure(req.id, req.kind, str(err.args[0] if err.args else err)))
            continue
        text = spec_json(spec)
        if req.id in planned and planned[req.id].spec_json != text:
            failures.append(ChartFailure(req.id, req.kind, "two different charts have this id"))
            continue
        planned.setdefault(req.id, _Planned(req, spec, text, _key(text)))
    return list(planned.values()), failures


# --- The engine: one call per drawing, in this process or a worker process ----------------------

def _engine_svg(spec: Mapping[str, Any]) -> str:
    """One drawing by vl-convert (tests wrap this to count the calls)."""
    return vl_convert.vegalite_to_svg(spec)


def _draw_one(spec_text: str) -> tuple[str | None, str | None]:
    """(svg, None), or (None, the engine's reason) — never an exception."""
    try:
        return _engine_svg(json.loads(spec_text)), None
    except Exception as err:  # the engine reports everything as ValueError; be sure
        return None, _reason(err)


def _reason(err: Exception) -> str:
    lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
    useful = [ln for ln in lines if not ln.startswith("at ")]  # drop the JS stack
    return " ".join(useful[:3]) or type(err).__name__


_WARM_UP = {"mark": "point", "data": {"values": [{}]}, "width": 1, "height": 1}
_ROOT = Path(__file__).resolve().parents[1]  # where `builder` imports from
_WORKER = "import builder.chart as c; c._worker()"


def _worker() -> None:
    """A drawing process: JSON lines `[key, spec_json]` in, `[key, svg, reason]` out.
    It starts its engine once, before the first chart."""
    _engine_svg(_WARM_UP)
    for line in sys.stdin:
        key, text = json.loads(line)
        sys.stdout.write(json.dumps([key, *_draw_one(text)]) + "\n")
    sys.stdout.flush()


def _draw_misses(misses: Mapping[str, str], jobs: int) -> dict[str, tuple[str | None, str | None]]:
    """{key: (svg, reason)} for each spec not in the cache."""
    items = sorted(misses.items())
    if jobs > 1 and len(items) >= _POOL_MIN:
        try:
            return _draw_in_workers(items, min(jobs, len(items) // max(1, _POOL_MIN // 2)))
        except OSError as err:
            log.warning("drawing the charts in one process: %s", err)
    return {key: _draw_one(text) for key, text in items}


def _draw_in_workers(items: list[tuple[str, str]], workers: int) -> dict[str, tuple]:
    """Draw in `workers` fresh processes, each given every n-th chart.

    Fresh interpreters, not a multiprocessing pool: "fork" would copy a process whose
    engine may already run (the copy hangs), and "spawn" re-runs the caller's main
    script in every worker unless it is guarded by `if __name__ == "__main__"`.
    """
    path = os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}

    def run(part: list[tuple[str, str]]) -> list[list]:
        payload = "".join(json.dumps([key, text]) + "\n" for key, text in part).encode()
        proc = subprocess.run([sys.executable, "-c", _WORKER], input=payload, env=env,
                              capture_output=True, check=False)
        if proc.returncode != 0:
            tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:]
            raise OSError(f"a drawing process failed ({proc.returncode}): {' '.join(tail)}")
        return [json.loads(ln) for ln in proc.stdout.decode().splitlines() if ln[:1] == "["]

    with cf.ThreadPoolExecutor(workers) as pool:
        done = list(pool.map(run, [items[i::workers] for i in range(workers)]))
    return {key: (svg, reason) for part in done for key, svg, reason in part}


# --- The cache ---------------------------------------------------------------------------------

def _cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / "charts" / f"{key}.svg"


def _read(cache_dir: Path | None, key: str) -> str | None:
    if cache_dir is None:
        return None
    try:
        svg = _cache_path(cache_dir, key).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return svg if svg.startswith("<svg ") and svg.endswith("</svg>") else None  # else redraw


def _write(cache_dir: Path | None, key: str, svg: str) -> None:
    if cache_dir is None:
        return
    path = _cache_path(cache_dir, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(svg)
        os.replace(tmp, path)
    except OSError as err:  # a cache that cannot be written only costs time
        log.warning("cannot cache a chart in %s: %s", path.parent, err)


# --- Making an SVG deterministic and safe to inline ------------------------------------------
# Edits touch tags only: the engine escapes < and > in text and attribute values, so
# every "<...>" is a tag and no text from the data can look like an attribute.

_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?")
_TAG = re.compile(r"<[^>]+>")
_ID = re.compile(r'(\sid="|url\(#|href="#)([^")]+)')
_FONT = re.compile(r' font-family="([^"]*)"')
_FORBIDDEN = {"script", "foreignObject", "iframe", "object", "embed", "a", "image", "use",
              "animate", "set", "animateTransform", "animateMotion", "style"}


_INNER_ARIA = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')


def _clean(svg: str, description: str) -> str:
    """The engine's SVG, made deterministic and ready to inline (ids not yet owned)."""
    svg = _PROLOG.sub("", svg).strip()
    _check(svg)
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


def _check(svg: str) -> None:
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


def _own(svg: str, chart_id: str) -> str:
    """Prefix the ids with the chart id, so that two charts on a page never clash."""
    if ' id="' not in svg:
        return svg
    return _TAG.sub(lambda m: _ID.sub(lambda i: f"{i[1]}{chart_id}-{i[2]}", m[0]), svg)


# --- The stage ---------------------------------------------------------------------------------

def draw(requests: Sequence[ChartRequest], cache_dir: Path | None,
         jobs: int = 1) -> dict[str, Chart]:
    """A `Chart` per request id, in request order; drawn only when not in the cache.

    Raises `ChartError` naming every chart that could not be made."""
    planned, failures = _plan(requests)
    cache = Path(cache_dir) if cache_dir is not None else None
    by_key: dict[str, _Planned] = {}
    for p in planned:  # one drawing per spec, however many ids show it
        by_key.setdefault(p.key, p)
    svgs: dict[str, str] = {}
    for key in by_key:
        cached = _read(cache, key)
        if cached is not None:
            svgs[key] = cached
    misses = {key: p.spec_json for key, p in by_key.items() if key not in svgs}
    reasons: dict[str, str] = {}
    for key, (raw, reason) in _draw_misses(misses, jobs).items():
        try:
            if raw is None:
                raise ValueError(reason)
            svgs[key] = _clean(raw, str(by_key[key].spec.get("description", "")))
        except ValueError as err:
            reasons[key] = str(err)
            continue
        _write(cache, key, svgs[key])
    failures += [ChartFailure(p.request.id, p.request.kind, reasons.get(p.key, "not drawn"))
                 for p in planned if p.key not in svgs]
    if failures:
        raise ChartError(failures)
    return {p.request.id: Chart(p.request.id, p.request.kind, p.spec, p.spec_json,
                                _own(svgs[p.key], p.request.id), tuple(p.request.rows))
            for p in planned}
