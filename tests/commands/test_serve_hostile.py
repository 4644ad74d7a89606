"""`bulletin serve` under attack: bad requests, hostile saves, a cache it cannot write.

The preview serves from memory, so no request can name a file on disk; these
tests make sure of it with what a scanner would send (double and overlong
encodings, absolute-form targets, a TLS handshake, a 100 KB path, 10,000
headers, a request left half-sent), each answered or dropped without the
server dying. Hostile saves from tests/fixtures/hostile/ show their problem,
escaped, at `file:line:column`, and the next good save brings the site back,
all without a restart. A cache folder on a full or read-only disk only costs
time: the preview keeps building and serving.
"""

from __future__ import annotations

import html
import importlib.util
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOSTILE = REPO / "tests" / "fixtures" / "hostile"


def _serve_module():
    """tests/commands/test_serve.py's `Server` (loaded as a module, not collected again)."""
    spec = importlib.util.spec_from_file_location("_serve_cases", Path(__file__).with_name("test_serve.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


Server = _serve_module().Server


def shared_cache(tmp_path_factory) -> str:
    return str(tmp_path_factory.getbasetemp() / "bulletin-cache")  # charts drawn once a session


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("serve-hostile"), "--cache", shared_cache(tmp_path_factory))
    yield s
    s.stop()


def raw(s: Server, data: bytes, timeout: float = 10) -> bytes:
    """Send bytes as they are; return what came back before the server closed or went quiet."""
    with socket.create_connection((s.host, s.port), timeout=timeout) as c:
        c.sendall(data)
        try:
            c.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        got = b""
        try:
            while chunk := c.recv(65536):
                got += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return got


def status_of(reply: bytes) -> int | None:
    head = reply.split(b"\r\n", 1)[0].split()
    return int(head[1]) if len(head) >= 2 and head[0].startswith(b"HTTP/") and head[1].isdigit() else None


REQUESTS = {
    "double-encoded": b"GET /%252e%252e/%252e%252e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "overlong-utf8": b"GET /%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "raw-dotdot": b"GET /assets/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "double-slash": b"GET //etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "absolute-form": b"GET http://evil.example/../../etc/passwd HTTP/1.1\r\nHost: evil.example\r\n\r\n",
    "backslashes": b"GET /..%5c..%5c..%5cetc%5cpasswd HTTP/1.1\r\nHost: x\r\n\r\n",
    "content-folder": b"GET /content/site.yaml HTTP/1.1\r\nHost: x\r\n\r\n",
    "cache-folder": b"GET /cache/records.pickle HTTP/1.1\r\nHost: x\r\n\r\n",
    "nul-in-path": b"GET /index.html%00.yaml HTTP/1.1\r\nHost: x\r\n\r\n",
    "unknown-method": b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n",
    "post": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    "options-star": b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    "http-9": b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    "no-version": b"GET /\r\n\r\n",
    "tls-handshake": bytes.fromhex("160301020001000" + "1fc0303") + os.urandom(64),
    "garbage": os.urandom(2048),
    "long-path": b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "header-flood": b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(10_000)) + b"\r\n",
    "bad-chunks": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n",
    "bad-websocket": b"GET /livereload HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Key: !!\r\nSec-WebSocket-Version: 99\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_a_bad_request_is_answered_or_dropped_and_the_server_stays_up(server, name):
    reply = raw(server, REQUESTS[name])
    code = status_of(reply)
    assert code is None or 400 <= code < 500 or (name in ("options-star",) and code == 200 and
                                                  b"root:" not in reply), reply[:300]
    assert b"root:" not in reply and b"home_region" not in reply and b"Traceback" not in reply
    assert server.get("/")[0] == 200
    assert server.proc.poll() is None
    assert "Traceback" not in server.text()


def test_a_request_left_half_sent_does_not_block_others(server):
    with socket.create_connection((server.host, server.port), timeout=10) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # and never the rest
        for _ in range(5):
            assert server.get("/")[0] == 200
    assert server.proc.poll() is None


def test_many_connections_at_once_are_all_served(server):
    socks = [socket.create_connection((server.host, server.port), timeout=10) for _ in range(50)]
    try:
        for c in socks:
            c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        codes = []
        for c in socks:
            got = b""
            while chunk := c.recv(65536):
                got += chunk
            codes.append(status_of(got))
    finally:
        for c in socks:
            c.close()
    assert codes == [200] * 50


# --- hostile saves -------------------------------------------------------------------------------

#: Corpus cases saved one after the other into the running preview.
SAVES = ["alias-bomb-front-matter", "tag-python-name", "figure-ref-markup", "number-tiny-exponent",
         "ansi-escape-in-markdown"]


def _where(case: str) -> str:
    """`path:line:column: error: ` of the case's first problem (the page speaks the site's
    language; the place is the same in every language)."""
    lines = [ln for ln in (HOSTILE / case / "expected.txt").read_text(encoding="utf-8").splitlines()
             if ln and not ln.startswith("# ")]
    return lines[0].split(": error: ")[0] + ": error: "


def test_hostile_saves_show_their_problem_escaped_and_the_site_comes_back(tmp_path, tmp_path_factory):
    s = Server(tmp_path, "--cache", shared_cache(tmp_path_factory))
    try:
        for case in SAVES:
            files = [f for f in (HOSTILE / case).rglob("*") if f.is_file()
                     and f.name not in ("expected.txt", "output.txt")]
            originals = {f: (s.content / f.relative_to(HOSTILE / case)).read_bytes() for f in files}
            before = s.rebuilds()
            for f in files:
                dest = s.content / f.relative_to(HOSTILE / case)
                tmp = dest.with_name("." + dest.name + ".tmp")
                tmp.write_bytes(f.read_bytes())
                os.replace(tmp, dest)
            _wait(s, before + 1)
            status, _, body = s.get("/")
            assert status == 500, (case, body[:500])
            assert html.escape(_where(case), quote=False) in body, (case, body[:3000])
            assert "<script>alert" not in body and "\x1b" not in body
            before = s.rebuilds()
            for f, data in originals.items():
                dest = s.content / f.relative_to(HOSTILE / case)
                tmp = dest.with_name("." + dest.name + ".tmp")
                tmp.write_bytes(data)
                os.replace(tmp, dest)
            _wait(s, before + 1)
            assert s.get("/")[0] == 200, case
        # A link out of content/ to a secret: refused, and nothing of the secret is served.
        link = s.content / "projects" / "passwd.yaml"
        before = s.rebuilds()
        os.symlink("/etc/passwd", link)
        _wait(s, before + 1)
        status, _, body = s.get("/")
        assert status == 500 and "content/projects/passwd.yaml: error: " in body
        assert all("root:" not in s.get(p)[2] for p in ("/projects/passwd/", "/projects/passwd.yaml",
                                                        "/content/projects/passwd.yaml"))
        before = s.rebuilds()
        link.unlink()
        _wait(s, before + 1)
        assert s.get("/")[0] == 200
        assert s.proc.poll() is None and "Traceback" not in s.text()
    finally:
        s.stop()


def _wait(s: Server, count: int, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if s.rebuilds() >= count:
            return
        assert s.proc.poll() is None, s.text()
        time.sleep(0.05)
    raise AssertionError(f"no rebuild #{count}:\n{s.text()[-3000:]}")


# --- a cache on a disk that is full, then read-only ---------------------------------------------------

def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path, tmpfs):
    mnt = tmpfs("1m", mode="777")
    with open(mnt / "filler", "wb") as f:  # the disk is full from the start
        try:
            f.write(b"\0" * (2 << 20))
        except OSError:
            pass
    s = Server(tmp_path, "--cache", str(mnt / "cache"))
    try:
        assert s.get("/")[0] == 200
        rel = "projects/beta.yaml"
        text = (s.content / rel).read_text(encoding="utf-8")
        before = s.rebuilds()
        s.save(rel, text.replace("name: 沈丘县食品产业园项目", "name: 沈丘县食品产业园项目（改）"))
        _wait(s, before + 1)
        assert "（改）" in s.get("/projects/beta/")[2]
        (mnt / "filler").unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        before = s.rebuilds()
        s.save(rel, text)
        _wait(s, before + 1)
        status, _, page = s.get("/projects/beta/")
        assert status == 200 and "（改）" not in page
        assert s.proc.poll() is None and "Traceback" not in s.text()
    finally:
        s.stop()
