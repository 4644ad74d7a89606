"""Relative links: the same answer as posixpath.relpath, for every route shape the site has."""

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from builder.urls import path_of_route, relative, route_of

SEGMENT = st.sampled_from(["regions", "projects", "a", "b", "page-2", "zhoukou", "data"])
FOLDERS = st.lists(SEGMENT, max_size=4)


def _relpath(from_route: str, to_path: str) -> str:
    here = posixpath.dirname(from_route)
    if not to_path or to_path.endswith("/"):
        rel = posixpath.relpath(to_path.rstrip("/") or ".", here or ".")
        return "./" if rel == "." else rel + "/"
    return posixpath.relpath(to_path, here or ".")


@given(FOLDERS, FOLDERS, st.sampled_from(["", "app.css", "x.csv"]))
def test_relative_agrees_with_relpath(src, dst, filename):
    from_route = route_of("/".join(src) + "/" if src else "")
    to_path = "/".join(dst) + ("/" if dst else "") + filename
    assert relative(from_route, to_path) == _relpath(from_route, to_path)


def test_links_a_reader_follows():
    assert relative("index.html", "regions/zhoukou/") == "regions/zhoukou/"
    assert relative("regions/zhoukou/index.html", "") == "../../"
    assert relative("regions/zhoukou/index.html", "regions/zhoukou/") == "./"
    assert relative("regions/zhoukou/index.html", "assets/app.1.css") == "../../assets/app.1.css"
    assert relative("404.html", "projects/") == "projects/"
    assert path_of_route("regions/x/index.html") == "regions/x/"
