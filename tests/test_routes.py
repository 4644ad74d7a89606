"""builder.routes: a route is accepted only in its one canonical, safe spelling (the clashes
between routes are tested through `write_site`, in tests/test_write.py)."""

from __future__ import annotations

import pytest

from builder.errors import BulletinError
from builder.routes import UnsafePath, WriteError, check_routes, safe_route


@pytest.mark.parametrize("route", [
    "index.html", "projects/zhoukou-steel/index.html", "assets/app.3f2a9c1d.css",
    "data/projects.csv", "项目/周口/index.html", ".well-known/security.txt", "a..b.html",
    "a%20b.html", "console.html", "nullable.js", "com10.html", "lpt/index.html", "café.html",
    "e" * 255, "é" * 127,
])
def test_safe_route_accepts_ordinary_routes(route):
    assert safe_route(route) == route


@pytest.mark.parametrize("route", [
    pytest.param("/etc/passwd", id="absolute"),
    pytest.param("a\\b.html", id="backslash"),
    pytest.param("..", id="dotdot"),
    pytest.param("a/../b", id="dotdot-inside"),
    pytest.param("./a", id="dot"),
    pytest.param("a/./b", id="dot-inside"),
    pytest.param("a//b", id="empty-segment"),
    pytest.param("a/", id="trailing-slash"),
    pytest.param("", id="empty"),
    pytest.param("a\x00b", id="nul"),
    pytest.param("a\nb", id="newline"),
    pytest.param("a\x1bb", id="escape"),
    pytest.param("a\x7fb", id="del"),
    pytest.param("a\x85b", id="c1-control"),
    pytest.param("%2e%2e/etc/passwd", id="pct-dotdot"),
    pytest.param("a/%2E%2e/b", id="pct-dotdot-mixed-case"),
    pytest.param("%2e", id="pct-dot"),
    pytest.param("a%2fb", id="pct-slash"),
    pytest.param("a%5Cb", id="pct-backslash"),
    pytest.param("%252e%252e/x", id="pct-double-encoded"),
    pytest.param("a%00b", id="pct-nul"),
    pytest.param("con", id="con"),
    pytest.param("CON.html", id="con-extension"),
    pytest.param("nul.tar.gz", id="nul-two-extensions"),
    pytest.param("Aux/index.html", id="aux-folder"),
    pytest.param("prn", id="prn"),
    pytest.param("com1.txt", id="com1"),
    pytest.param("LPT9", id="lpt9"),
    pytest.param("com¹.txt", id="com-superscript"),
    pytest.param("con .txt", id="con-space"),
    pytest.param("a./b", id="trailing-dot"),
    pytest.param("a /b", id="trailing-space"),
    pytest.param("index.", id="trailing-dot-file"),
    pytest.param("e" * 256, id="256-bytes"),
    pytest.param("é" * 128, id="256-bytes-utf8"),
    pytest.param("a:b", id="colon"),
    pytest.param("a?b", id="question-mark"),
    pytest.param("\ud800.html", id="lone-surrogate"),
    pytest.param(b"index.html", id="bytes"),
])
def test_safe_route_refuses_unsafe_routes(route):
    with pytest.raises(UnsafePath) as caught:
        safe_route(route)
    assert repr(route) in str(caught.value)


def test_unsafe_path_is_a_write_error_and_a_bulletin_error():
    assert issubclass(UnsafePath, WriteError) and issubclass(WriteError, BulletinError)


def test_every_clash_and_every_bad_route_is_named_at_once():
    with pytest.raises(UnsafePath) as caught:
        check_routes(["Projects/a.html", "projects/b.html", "data", "data/x.csv", "../up.html"])
    text = str(caught.value)
    assert text.startswith("3 unsafe output paths:")
    assert "'Projects/a.html' and 'projects/b.html' clash" in text
    assert "'data' and 'data/x.csv' clash" in text and "'../up.html'" in text
    check_routes(["projects/a.html", "projects/b.html", "data/x.csv"])  # none: no error
