"""`bulletin serve` as a real process over real HTTP (the browser test is tests/browser/test_serve.py).

The small fixture site keeps each rebuild quick; each test edits its files the
way editors do and asks the server what it shows.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "tests" / "fixtures" / "good" / "content"


class Server:
    def __init__(self, root: Path, *extra: str):
        self.content = root / "content"
        if not self.content.exists():
            shutil.copytree(GOOD, self.content)
        self.log_path = root / "serve.log"
        # Appended to by the server, read here by path: a shared file offset would let the
        # reader's seek(0) send the server's next line over the start of the log.
        self.log = self.log_path.open("a", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "builder", "serve", str(self.content), "--port", "0",
             "--cache", str(root / "cache"), *extra],
            cwd=root, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(REPO)})
        m = self.wait_for(r"http://([\d.]+):(\d+)/")
        self.host, self.port = m[1], int(m[2])

    def text(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def wait_for(self, pattern: str, seconds: float = 60, count: int = 1) -> re.Match:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            found = list(re.finditer(pattern, self.text(), re.M))
            if len(found) >= count:
                return found[count - 1]
            assert self.proc.poll() is None, self.text()
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} x{count} in:\n{self.text()}")

    def rebuilds(self) -> int:
        return len(re.findall(r"^rebuilt in ", self.text(), re.M)) + self.text().count("error:")

    def get(self, path: str, method: str = "GET") -> tuple[int, dict, str]:
        c = http.client.HTTPConnection(self.host, self.port, timeout=30)
        c.request(method, path)
        r = c.getresponse()
        body = r.read().decode("utf-8", "replace")
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body

    def save(self, rel: str, text: str) -> None:
        path = self.content / rel
        tmp = path.with_name("." + path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path)
    yield s
    s.stop()


def _project(server: Server) -> tuple[str, str]:
    path = sorted((server.content / "projects").glob("*.yaml"))[0]
    return f"projects/{path.name}", path.read_text(encoding="utf-8")


def _listening(port: int) -> set[str]:
    """Local addresses (hex, as the kernel lists them) with a socket listening on `port`."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                out.add(addr)
    return out


def test_it_listens_on_this_computer_only_by_default(server):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux's /proc/net/tcp to see what the process listens on")
    assert server.host == "127.0.0.1"
    assert _listening(server.port) == {"0100007F"}  # 127.0.0.1, not 0.0.0.0 or ::


def test_pages_are_served_with_the_reload_client_linked_and_the_csp_header(server):
    status, headers, body = server.get("/")
    assert status == 200
    assert '<script src="/livereload.js?port=' in body
    assert "<script>" not in body  # no inline script: the page's CSP stays strict
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    status, headers, js = server.get("/livereload.js")
    assert status == 200 and "LiveReload" in js
    status, headers, _ = server.get("/projects")
    assert status == 302 and headers["location"] == "/projects/"
    status, _, body = server.get("/no/such/page/")
    assert status == 404 and "<html" in body
    assert server.get("/", "HEAD")[0] == 200


@pytest.mark.parametrize("path", ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                                  "/assets/..%2f..%2fsite.yaml", "/content/site.yaml",
                                  "/%00", "/..\\..\\etc\\passwd"])
def test_nothing_outside_the_site_is_served(server, path):
    status, _, body = server.get(path)
    assert status in (400, 404)
    assert "root:" not in body and "home_region" not in body
    assert server.get("/")[0] == 200  # and the server is still up


def test_a_broken_save_shows_the_problem_and_the_fix_brings_the_site_back(server):
    rel, good = _project(server)
    before = server.rebuilds()
    server.save(rel, good + "total_investment: 约3亿\n")
    server.wait_for(r"error:", count=1)
    status, headers, body = server.get("/")
    assert status == 500
    assert re.search(rf"{re.escape(rel)}:\d+:\d+: error: total_investment:", body), body
    assert "约3亿" in body and "构建失败" in body
    assert "在同一处出现了两次" in body  # the message in the site's language (zh-CN)
    assert '<script src="/livereload.js?port=' in body  # so the fix reloads this tab
    status, headers, css = server.get("/__bulletin__/error.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    server.save(rel, good)
    server.wait_for(r"^rebuilt in ", count=2)
    status, _, body = server.get("/")
    assert status == 200 and "构建失败" not in body
    assert server.rebuilds() == before + 2
    assert server.proc.poll() is None


def test_an_english_site_gets_english_messages_and_a_broken_site_yaml_chinese(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(GOOD, content)
    site = (content / "site.yaml").read_text(encoding="utf-8")
    (content / "site.yaml").write_text(site.replace("language: zh-CN", "language: en"),
                                       encoding="utf-8")
    s = Server(tmp_path)
    try:
        rel, good = _project(s)
        broken = re.sub(r"(?m)^total_investment: .*$", "total_investment: <b>约3亿</b>", good)
        assert broken != good
        s.save(rel, broken)
        s.wait_for(r"error:", count=1)
        status, _, body = s.get("/")
        assert status == 500 and '<html lang="en">' in body
        assert re.search(rf"{re.escape(rel)}:\d+:\d+: error: total_investment: expected a number, "
                         r"found &quot;&lt;b&gt;约3亿&lt;/b&gt;&quot;", body), body
        assert "<b>" not in body  # the value as typed, escaped
        s.save("site.yaml", "title: [未闭合\nlanguage: en\n")  # site.yaml cannot be read
        s.wait_for(r"YAML 语法错误", count=1)
        status, _, body = s.get("/")
        assert status == 500 and '<html lang="zh-CN">' in body and "构建失败" in body
        assert "content/site.yaml:2:9: error: YAML 语法错误：" in body, body
        assert "这里应填数字，现在是 &quot;&lt;b&gt;约3亿&lt;/b&gt;&quot;" in body
    finally:
        s.stop()


def test_a_burst_of_saves_is_one_rebuild(server):
    paths = sorted((server.content / "projects").glob("*.yaml"))[:5]
    for p in paths:  # as a "save all" or a git checkout does
        server.save(f"projects/{p.name}", p.read_text(encoding="utf-8") + "# edited\n")
    server.wait_for(r"^rebuilt in ", count=2)
    time.sleep(1.0)  # a second rebuild would have started by now
    assert len(re.findall(r"^rebuilt in ", server.text(), re.M)) == 2, server.text()


def test_a_broken_template_is_shown_and_the_server_survives(tmp_path):
    templates = tmp_path / "site_templates"
    shutil.copytree(REPO / "site_templates", templates)
    s = Server(tmp_path, "--templates", str(templates))
    try:
        page = templates / "home.html"
        good = page.read_text(encoding="utf-8")
        page.write_text(good.replace("{% endblock %}", "{% endblock", 1), encoding="utf-8")
        s.wait_for(r"template", count=1)
        status, _, body = s.get("/")
        assert status == 500 and "home.html" in body
        page.write_text(good, encoding="utf-8")
        s.wait_for(r"^rebuilt in ", count=2)
        assert s.get("/")[0] == 200
    finally:
        s.stop()


def test_a_port_in_use_is_a_plain_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        shutil.copytree(GOOD, tmp_path / "content")
        r = subprocess.run([sys.executable, "-m", "builder", "serve", "content", "--port", str(port),
                            "--cache", str(tmp_path / "cache")], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr
    assert "Traceback" not in r.stderr
