"""Stage 4, chart: Vega-Lite specs drawn to SVG at build time, cached by content.

The render stage asks for charts with `ChartRequest`s; `draw` answers with a
`Chart` per id: the spec (for the interactive layer), its JSON, the rows (for
the table beside the chart) and an SVG that is safe to inline in a page.

- Specs come from `charts.spec_for` (Altair-authored templates, filled as plain data).
- An SVG is drawn by vl-convert once per (spec, vl-convert version) and kept in
  `cache_dir/charts/<sha256>.svg`; a later build reads it back instead of drawing.
  Writes are atomic; an empty or damaged file is drawn again.
- Drawing (`_chartengine`) compiles each template to Vega once and fills it; text
  is measured with a metrics-only copy of the chart font (`_chartfont`). Many misses
  and `jobs > 1` draw in worker processes, one engine each. The output is
  byte-identical either way.
- Every SVG is made deterministic and inlinable: no XML prolog, ids renumbered
  and prefixed with the chart id, `role="img"` and the description as its
  `aria-label` on the root, the font list once on the root.
- A chart that cannot be made raises `ChartError`, naming every chart that failed.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import importlib.metadata
import json
import logging
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from . import _chartengine
from ._chartcache import cached_svg, write_svg
from ._chartfont import FONT_DIRS as _FONT_DIRS
from ._chartfont import MetricsFont, metrics_font
from ._chartfont import installed_fonts as _fonts
from ._chartsvg import clean as _clean
from ._chartsvg import own as _own
from .errors import BulletinError

if TYPE_CHECKING:
    from ._chartfill import Fill
    from .charts import Texts

__all__ = ["ChartRequest", "Chart", "ChartError", "ChartFailure", "draw", "start_drawing",
           "Drawing", "spec_json", "ENGINE_VERSION", "engine_salt", "cached_svg"]

log = logging.getLogger(__name__)

#: What the cached SVGs depend on besides the spec: the engine, and how this module
#: cleans its output (bump `_FORMAT` when `_chartsvg.clean` changes).
ENGINE_VERSION = f"vl-convert-python {importlib.metadata.version('vl-convert-python')}"
_FORMAT = 3

#: Draw in worker processes only for at least this many misses: starting one, with
#: its engine, costs about as much as drawing thirty charts.
_POOL_MIN = 48
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class ChartRequest:
    """What the render stage asks for: one chart, under an id unique on the site."""

    id: str  # URL-safe, e.g. "region-zhoukou-plan_vs_schedule"
    kind: str  # one of `charts.KINDS`
    rows: tuple[dict, ...]
    texts: Texts


@dataclass(frozen=True)
class Chart:
    """A drawn chart. Its spec and SVG are kept as UTF-8: a str of CJK text takes two
    bytes a character (at N = 5,000 the charts take 68 MB so, 137 MB as str)."""

    id: str
    kind: str
    spec_utf8: bytes  # canonical JSON of `spec`, safe inside <script type="application/json">
    svg_utf8: bytes  # drawn at build time, safe to inline in HTML
    rows: tuple[dict, ...]  # the data, for the table beside the chart
    svg_key: str = field(default="", compare=False)  # its SVG's name in the cache (`_key`)

    @property
    def spec_json(self) -> str:
        return self.spec_utf8.decode("utf-8")

    @property
    def svg(self) -> str:
        return self.svg_utf8.decode("utf-8")

    @property
    def spec(self) -> dict:
        """The Vega-Lite spec, for the interactive layer (the build only needs its JSON)."""
        return json.loads(self.spec_json)


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
    return _escape(json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def _escape(text: str) -> str:
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def engine_salt() -> str:
    """What every drawing depends on besides its spec: the engine, this module's cleaning
    of its output, the installed fonts."""
    return f"{ENGINE_VERSION}\0{_FORMAT}\0{_fonts()}"


def _key(text: str | bytes, measured: bool = True) -> str:
    """The cache key of a spec; `measured`: with the metrics font (it drops kerning)."""
    salt = f"{engine_salt()}\0{'m' if measured else ''}\0"
    return hashlib.sha256(salt.encode() + (text if isinstance(text, bytes) else text.encode())
                          ).hexdigest()


@dataclass(frozen=True)
class _Planned:
    request: ChartRequest
    spec_json: bytes  # UTF-8 (all of a site's specs are held at once)
    fill: Fill
    key: str


def _plan(requests: Sequence[ChartRequest], measured: bool,
          cache: Path | None = None) -> tuple[list[_Planned], list[ChartFailure]]:
    from ._chartfill import (  # Altair loads here, never in a worker
        canonical_json,
        fill_for,
    )

    planned: dict[str, _Planned] = {}
    failures = []
    for req in requests:
        if not isinstance(req.id, str) or not _SAFE_ID.fullmatch(req.id):
            failures.append(ChartFailure(str(req.id), req.kind, "the id must be letters, digits, "
                                         "'-', '_' or '.', starting with a letter or digit"))
            continue
        try:
            fill = fill_for(req.kind, req.rows, req.texts)
        except (KeyError, TypeError, ValueError) as err:  # a missing label, rows not dicts
            failures.append(ChartFailure(req.id, req.kind, str(err.args[0] if err.args else err)))
            continue
        text = _escape(canonical_json(fill, cache)).encode("utf-8")
        if req.id in planned and planned[req.id].spec_json != text:
            failures.append(ChartFailure(req.id, req.kind, "two different charts have this id"))
            continue
        planned.setdefault(req.id, _Planned(req, text, fill, _key(text, measured)))
    return list(planned.values()), failures


# --- Drawing: in this process, or in worker processes -----------------------------------------

_FONT_HOME: list[Path] = []  # where this process keeps the metrics font, fixed at first use


def _measure_font(cache_dir: Path | None) -> MetricsFont | None:
    """The metrics copy of the first installed font of the chart font list, if any.

    One folder per process: the engine cannot forget a font folder once given one, so
    the folder must stay where it was (it is written again if it has been removed)."""
    from .charts import FONT

    families = [f.strip().strip('"') for f in FONT.split(",")]
    try:
        if not _FONT_HOME:
            if cache_dir is not None:
                _FONT_HOME.append(Path(cache_dir) / "fonts")
            else:
                _FONT_HOME.append(Path(tempfile.mkdtemp(prefix="bulletin-fonts-")))
                atexit.register(shutil.rmtree, _FONT_HOME[0], True)
        return metrics_font([f for f in families if f != "sans-serif"], _FONT_DIRS, _FONT_HOME[0])
    except OSError as err:  # only slower: the engine measures with the font itself
        log.warning("cannot write the chart metrics font: %s", err)
        return None


@functools.lru_cache(maxsize=4)
def _engine(font: MetricsFont | None) -> _chartengine.Engine:
    """This process's engine (one per font), which keeps its compiled templates."""
    return _chartengine.Engine(font and (font.folder, font.family))


def _engine_svg(engine: _chartengine.Engine, fill: Fill) -> str:
    """One drawing in this process (tests wrap this to count the calls)."""
    return engine.svg(fill.template, fill.slots, fill.rows)


def _draw_misses(misses: Mapping[str, _Planned], jobs: int, font: MetricsFont | None,
                 done: Callable[[str, str | None, str | None], None],
                 cache: Path | None = None, elsewhere: bool = False) -> None:
    """Draw each spec not in the cache; `done(key, svg, reason)` as each is drawn (from
    worker threads too, so the cleaning overlaps the drawing). `elsewhere`: in a new
    process, however few (this one may be a fork of one whose engine runs: it would hang)."""
    from ._chartfill import template

    items = sorted(misses.items())
    templates = {p.fill.template: template(p.fill.template, cache) for _, p in items}
    if (jobs > 1 and len(items) >= _POOL_MIN) or elsewhere:
        work = [(key, p.fill.template, p.fill.slots, p.fill.rows) for key, p in items]
        got: set[str] = set()

        def collect(key: str, svg: str | None, reason: str | None) -> None:
            got.add(key)
            done(key, svg, reason)
        try:
            _chartengine.draw_in_workers(
                work, {t: json.dumps(s, ensure_ascii=False) for t, s in templates.items()},
                font and (font.folder, font.family),
                max(1, min(jobs, len(items) // (_POOL_MIN // 2))), collect, _WORKER)
            return
        except OSError as err:
            if elsewhere:
                for key, _p in items:
                    if key not in got:
                        done(key, None, str(err))
                return
            log.warning("drawing the charts in one process: %s", err)
            items = [(key, p) for key, p in items if key not in got]
    engine = _engine(font)
    errors = {}
    for tid, spec in templates.items():
        try:
            engine.define(tid, spec)
        except Exception as err:  # the engine reports everything as ValueError; be sure
            errors[tid] = _chartengine.reason(err)
    for key, p in items:
        if p.fill.template in errors:
            done(key, None, errors[p.fill.template])
            continue
        try:
            svg = _engine_svg(engine, p.fill)
        except Exception as err:
            done(key, None, _chartengine.reason(err))
            continue
        done(key, svg, None)


_WORKER = _chartengine._WORKER  # tests replace it with a worker that fails


# --- The stage ---------------------------------------------------------------------------------

class Drawing:
    """Charts being drawn (`start_drawing`): `result()` waits for them; `busy` while drawing."""

    busy = property(lambda self: self._thread is not None and self._thread.is_alive())

    def __init__(self, planned: list[_Planned], failures: list[ChartFailure],
                 svgs: dict[str, bytes], reasons: dict[str, str], cache: Path | None):
        self._planned, self._failures = planned, failures
        self._svgs, self._reasons, self._cache = svgs, reasons, cache
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _behind(self, draw: Callable[[], None]) -> None:
        def run() -> None:
            try:
                draw()
            except BaseException as err:  # raised again by result(), in the caller's thread
                self._error = err
        self._thread = threading.Thread(target=run, name="charts", daemon=True)
        self._thread.start()

    def index(self) -> dict[str, tuple[str, bytes]] | None:
        """Waits; each chart's (SVG key, spec JSON) when every SVG is in the cache folder
        (drawn with `keep=False`), else None. Raises `ChartError` as `result()` does."""
        self._wait()
        if any(self._svgs.values()):
            return None  # some could not be written: `result()` has them
        return {p.request.id: (p.key, p.spec_json) for p in self._planned}

    def _wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        failures = self._failures + [
            ChartFailure(p.request.id, p.request.kind, self._reasons.get(p.key, "not drawn"))
            for p in self._planned if p.key not in self._svgs]
        if failures:
            raise ChartError(failures)

    def result(self) -> dict[str, Chart]:
        """A `Chart` per request id, in request order; raises `ChartError` naming every
        chart that could not be made."""
        self._wait()
        svgs = {k: v or cached_svg(self._cache, k) for k, v in self._svgs.items()}
        if not all(svgs.values()):  # (kept only in the cache, and gone from it since)
            raise ChartError([ChartFailure(p.request.id, p.request.kind, "removed from the cache")
                              for p in self._planned if not svgs[p.key]])
        return {p.request.id: Chart(p.request.id, p.request.kind, p.spec_json,
                                    _own(svgs[p.key], p.request.id),
                                    tuple(p.request.rows), p.key)
                for p in self._planned}


def start_drawing(requests: Sequence[ChartRequest], cache_dir: Path | None,
                  jobs: int = 1, elsewhere: bool = False, keep: bool = True) -> Drawing:
    """Plan the charts, read the cached ones, and draw the rest: in worker processes in
    the background (the caller may do other work until `result()`), else here and now.
    `keep=False`: hold no SVG that is in the cache folder (`Drawing.index`)."""
    cache = Path(cache_dir) if cache_dir is not None else None
    font = _measure_font(cache)
    planned, failures = _plan(requests, font is not None, cache)
    by_key: dict[str, _Planned] = {}
    for p in planned:  # one drawing per spec, however many ids show it
        by_key.setdefault(p.key, p)
    svgs: dict[str, bytes] = {}
    for key in by_key:
        cached = cached_svg(cache, key)
        if cached is not None:
            svgs[key] = cached if keep else b""
    misses = {key: p for key, p in by_key.items() if key not in svgs}
    reasons: dict[str, str] = {}

    def done(key: str, raw: str | None, reason: str | None) -> None:
        try:
            if raw is None:
                raise ValueError(reason)
            svg = _clean(raw, str(by_key[key].fill.slots["description"]))
        except ValueError as err:
            reasons[key] = str(err)
            return
        data = svg.encode("utf-8")
        svgs[key] = b"" if write_svg(cache, key, data) and not keep else data
    drawing = Drawing(planned, failures, svgs, reasons, cache)
    if misses and jobs > 1 and len(misses) >= _POOL_MIN:
        # The engine holds the GIL while it draws: only the pool, whose threads wait on
        # pipes, can run behind the caller.
        drawing._behind(lambda: _draw_misses(misses, jobs, font, done, cache))
    elif misses:
        _draw_misses(misses, jobs, font, done, cache, elsewhere)
    return drawing


def warm(requests: Sequence[ChartRequest], cache_dir: Path | None, most: int = 24) -> None:
    """Start this process's engine and compile the templates of (up to `most` of) these
    charts: a preview's first save then draws its few charts at once, instead of paying
    the engine's start (about 0.4 s) while the editor waits."""
    from ._chartfill import fill_for, template

    font = _measure_font(Path(cache_dir) if cache_dir is not None else None)
    engine = _engine(font)
    engine.warm_up()
    tids: dict[str, None] = {}
    for req in requests:
        try:
            tids.setdefault(fill_for(req.kind, req.rows, req.texts).template)
        except (KeyError, TypeError, ValueError):
            continue
        if len(tids) >= most:
            break
    for tid in tids:
        with contextlib.suppress(Exception):  # a bad chart is reported when it is drawn
            engine.define(tid, template(tid, cache_dir))


def draw(requests: Sequence[ChartRequest], cache_dir: Path | None,
         jobs: int = 1, elsewhere: bool = False) -> dict[str, Chart]:
    """A `Chart` per request id, in request order; drawn only when not in the cache.

    Raises `ChartError` naming every chart that could not be made."""
    return start_drawing(requests, cache_dir, jobs, elsewhere).result()
