"""Routes and relative links: the site works at `/` and under any sub-path.

A route is the output file (`regions/zhoukou/index.html`); a path is what
links point at (`regions/zhoukou/`). Every link is written relative to the
page it is on, so no page needs to know where the site is mounted.
"""

from __future__ import annotations

import posixpath

__all__ = ["route_of", "path_of", "path_of_route", "relative", "PATHS"]

#: Where each kind of page lives (a path, ending in / for pretty URLs).
PATHS = {
    "home": "",
    "regions": "regions/",
    "region": "regions/{id}/",
    "projects": "projects/",
    "projects_page": "projects/page-{id}/",
    "project": "projects/{id}/",
    "campaigns": "campaigns/",
    "campaign": "campaigns/{id}/",
    "bulletins": "bulletins/",
    "bulletin": "bulletins/{id}/",
    "data": "data/",
}


def path_of(kind: str, id: str | int | None = None) -> str:
    return PATHS[kind].format(id=id)


def route_of(path: str) -> str:
    """The file a path is served from: `regions/x/` -> `regions/x/index.html`."""
    return path + "index.html" if path == "" or path.endswith("/") else path


def relative(from_route: str, to_path: str) -> str:
    """A link from the page at `from_route` to `to_path` (both site-relative)."""
    here = posixpath.dirname(from_route)
    if not to_path or to_path.endswith("/"):
        target = to_path.rstrip("/") or "."
        rel = posixpath.relpath(target, here or ".")
        return "./" if rel == "." else rel + "/"
    return posixpath.relpath(to_path, here or ".")


def path_of_route(route: str) -> str:
    """`regions/x/index.html` -> `regions/x/`; other files keep their name."""
    if route == "index.html":
        return ""
    return route[: -len("index.html")] if route.endswith("/index.html") else route
