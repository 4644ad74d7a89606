"""The drawn charts' SVGs in the cache folder: `cache_dir/charts/<key>.svg` (`chart._key`).

Kept as the cleaned SVG, before `_chartsvg.own` gives it a page's chart id. A file
that is empty, damaged or not UTF-8 is a miss (`cachefile`): the chart is drawn again.
"""

from __future__ import annotations

from pathlib import Path

from . import cachefile

__all__ = ["cached_svg", "write_svg"]


def _path(cache_dir: Path, key: str) -> Path:
    return cache_dir / "charts" / f"{key}.svg"


def cached_svg(cache_dir: Path | None, key: str) -> bytes | None:
    """The cleaned SVG kept under `key` (`Chart.svg_key`), not yet `_chartsvg.own`ed."""
    return cachefile.read(_path(cache_dir, key), _whole) if cache_dir is not None else None


def _whole(data: bytes) -> bool:  # else drawn again
    try:
        data.decode("utf-8")  # (read as bytes: a site's SVGs as str take twice the memory)
    except UnicodeDecodeError:
        return False
    return data.startswith(b"<svg ") and data.endswith(b"</svg>")


def write_svg(cache_dir: Path | None, key: str, svg: bytes) -> bool:
    """Keep a cleaned SVG; whether it is now in the cache."""
    return cache_dir is not None and cachefile.write(_path(cache_dir, key), svg, "a chart")
