"""A drawn chart found by its request, read where its page is rendered (issue 6).

`chart.start_drawing` finds a cached SVG by the filled spec's digest: to know it, every
chart's spec is filled and written out as JSON (0.6 s of one core at 5,000 projects,
before any page can render). A one-shot build (`bulletin build`) with every chart
drawn before needs none of that up front. Each request's `key` (a digest of the
request and of the code that turns a request into a chart) names a small file,
`cache_dir/charts/ready/<key>`, that holds the spec's JSON and the digest of its SVG.
When every chart has one, the session hands the render workers `Ready`, a mapping
that reads a chart when a page asks for it: the reading is shared among the workers
and the build process never holds the charts at all.

A file that is missing or damaged when read (removed in the meantime) is no error:
that chart is made the usual way, by `chart.draw`, in the process that asked. The
bytes are the same either way (tests/test_paths_agree.py).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Iterator, Mapping

from . import cachefile
from ._chartsvg import own
from .chart import Chart, ChartRequest, Drawing, cached_svg, draw, engine_salt

__all__ = ["Ready", "ready", "index"]

_MAGIC = b"bulletin ready chart 1\n"
_KEY_LEN = 64  # the SVG's digest, in hex


@functools.lru_cache(maxsize=1)
def _salt() -> bytes:
    """What a chart is made from besides its request: the code that fills and cleans it,
    Altair's and the engine's versions and the fonts (`chart.engine_salt`)."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256(_MAGIC + engine_salt().encode())
    for name in ("chart.py", "chartready.py", "charts.py", "chartwords.py", "_chartfill.py",
                 "_chartsvg.py"):
        h.update((here / name).read_bytes())
    return h.digest()


def key(req: ChartRequest) -> str:
    """The digest of a request (its id, kind, rows and words: `repr` spells each in full)."""
    return hashlib.sha256(_salt() + repr(req).encode("utf-8")).hexdigest()


def _path(cache_dir: Path, k: str) -> Path:
    return cache_dir / "charts" / "ready" / k


class Ready(Mapping):
    """The charts of `requests`, by id, each read from the cache when first asked for."""

    def __init__(self, requests: Mapping[str, ChartRequest], keys: Mapping[str, str],
                 cache_dir: Path):
        self._requests, self._keys, self._cache = requests, keys, cache_dir
        self._pid = os.getpid()

    def __getitem__(self, cid: str) -> Chart:
        req = self._requests[cid]
        data = cachefile.read(_path(self._cache, self._keys[cid]), _whole)
        if data is not None:
            at = len(_MAGIC)
            svg_key = data[at:at + _KEY_LEN].decode("ascii")
            svg = cached_svg(self._cache, svg_key)
            if svg is not None:
                return Chart(cid, req.kind, data[at + _KEY_LEN + 1:], own(svg, cid),
                             tuple(req.rows), svg_key=svg_key)
        # Gone since `ready` looked: made here (drawn in a new process if this one is a
        # render worker: a fork's copy of an engine the parent ran would hang).
        return draw([req], self._cache, elsewhere=os.getpid() != self._pid)[cid]

    def __contains__(self, cid: object) -> bool:
        return cid in self._requests

    def __iter__(self) -> Iterator[str]:
        return iter(self._requests)

    def __len__(self) -> int:
        return len(self._requests)


def _whole(data: bytes) -> bool:
    at = len(_MAGIC) + _KEY_LEN
    return data.startswith(_MAGIC) and data[at:at + 1] == b"\n"


def ready(requests: Mapping[str, ChartRequest], cache_dir: Path | None
          ) -> tuple[Ready | None, dict[str, str]]:
    """`Ready` when every request has its file in the cache (else None), and each
    request's key (for `record`)."""
    keys = {cid: key(req) for cid, req in requests.items()}
    if cache_dir is None:
        return None, keys
    folder = str(_path(Path(cache_dir), ""))
    try:
        present = set(os.listdir(folder))
    except OSError:
        return None, keys
    if not present.issuperset(keys.values()):
        return None, keys
    return Ready(requests, keys, Path(cache_dir)), keys


def index(drawing: Drawing, requests: Mapping[str, ChartRequest], keys: Mapping[str, str],
          cache_dir: Path | None) -> Ready | None:
    """After a one-shot build drew its charts into the cache (`start_drawing(keep=False)`):
    write each chart's file and give `Ready`, or None when some chart or file is not
    in the cache (then `drawing.result()` has them all). Raises `ChartError`."""
    drawn = drawing.index()
    if drawn is None or cache_dir is None:
        return None
    folder = _path(Path(cache_dir), "")
    try:
        present = set(os.listdir(folder))
    except OSError:
        present = set()
    for cid, (svg_key, spec) in drawn.items():
        k = keys[cid]
        if k not in present and not cachefile.write(
                folder / k, _MAGIC + svg_key.encode("ascii") + b"\n" + spec, "a chart's index entry"):
            return None
    return Ready(requests, keys, Path(cache_dir))
