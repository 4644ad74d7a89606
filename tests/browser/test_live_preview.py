"""`bulletin serve` in a real browser: an editor saves, the open tab shows it.

The test runs the real command on a copy of the demo content, opens a project
page in Chromium, and then edits the project's YAML the way an editor's text
editor would. Nobody reloads the page: the livereload client must. A broken
edit must turn the page into the error page naming file:line:column, and the
fix must bring the page back, all without restarting the server.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from browser_support import REPO

pytestmark = pytest.mark.browser

PROJECT = "guohong-hydrogen-park"


class Served:
    def __init__(self, root: Path, cache: Path):
        self.content = root / "content"
        shutil.copytree(REPO / "content", self.content)
        self.log_path = root / "serve.log"
        self.log = self.log_path.open("a", encoding="utf-8")  # read by path: see test_serve.Server
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "builder", "serve", str(self.content), "--port", "0",
             "--cache", str(cache), "--templates", str(REPO / "site_templates")],
            cwd=root, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHONPATH": str(REPO)})
        self.url = self._wait_for(r"(http://127\.0\.0\.1:\d+/)", 60)

    def _wait_for(self, pattern: str, seconds: float) -> str:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            m = re.search(pattern, self.text())
            if m:
                return m[1]
            assert self.proc.poll() is None, self.text()
            time.sleep(0.1)
        raise AssertionError(f"no {pattern!r} in the server's output:\n{self.text()}")

    def text(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        """Save a file as an editor does: write a temporary file, then rename it over."""
        path = self.content / "projects" / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        tmp = path.with_name("." + name + ".tmp")
        tmp.write_text(text.replace(old, new), encoding="utf-8")
        os.replace(tmp, path)

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


@pytest.fixture()
def served(tmp_path, chart_cache):
    s = Served(tmp_path, chart_cache)
    yield s
    s.stop()


def test_an_edit_appears_a_broken_edit_shows_the_error_and_the_fix_restores(browser, served):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(served.url + f"projects/{PROJECT}/")
        main = page.locator("main")
        assert "13.6" in main.inner_text()

        served.edit(f"{PROJECT}.yaml", "total_investment: 13.6", "total_investment: 14.25")
        page.wait_for_function("() => document.querySelector('main').innerText.includes('14.25')",
                               timeout=15000)
        assert "13.6 亿元" not in page.locator("main").inner_text()

        served.edit(f"{PROJECT}.yaml", "total_investment: 14.25", "total_investment: 约14亿")
        page.wait_for_function("() => document.title.includes('构建失败')", timeout=15000)
        shown = page.locator("main").inner_text()
        assert re.search(rf"projects/{PROJECT}\.yaml:5:19: error: total_investment:", shown), shown
        assert "约14亿" in shown  # the quoted line, with the bad value

        served.edit(f"{PROJECT}.yaml", "total_investment: 约14亿", "total_investment: 14.3")
        page.wait_for_function("() => document.querySelector('main').innerText.includes('14.3')",
                               timeout=15000)
        assert "构建失败" not in page.title()
        assert served.proc.poll() is None, "the server must keep running"
        # the page kept its CSP with the livereload client linked, not inlined: nothing blocked
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
