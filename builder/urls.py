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
    """A link from the page at `from_route` to `to_path` (both site-relative).

    Routes are clean (no `.`, `..` or `//`: `write.safe_route` refuses them), so
    the link is found by dropping the shared leading folders; this runs for
    every link of every page, where `posixpath.relpath` (two `abspath` calls)
    cost seconds on large sites.
    """
    slash = from_route.find("/")
    if slash < 0:  # a page at the top: the path itself
        return to_path or "./"
    if not to_path.startswith(from_route[:slash]):  # no folder shared: up to the top, then down
        return "../" * from_route.count("/") + to_path
    here = from_route.split("/")[:-1]
    folder = to_path.endswith("/") or not to_path
    there = to_path.rstrip("/").split("/") if to_path.rstrip("/") else []
    n = 0
    while n < len(here) and n < len(there) and here[n] == there[n]:
        n += 1
    parts = [".."] * (len(here) - n) + there[n:]
    if not parts:
        return "./"
    return "/".join(parts) + ("/" if folder else "")


def path_of_route(route: str) -> str:
    """`regions/x/index.html` -> `regions/x/`; other files keep their name."""
    if route == "index.html":
        return ""
    return route[: -len("index.html")] if route.endswith("/index.html") else route
