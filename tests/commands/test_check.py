"""`bulletin check`'s last line, the count of problems, in the language of its messages:
the site's (`language:` in site.yaml, Chinese when it says nothing) unless `--lang` says."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "tests" / "fixtures" / "good" / "content"
BAD = REPO / "tests" / "fixtures" / "bad"


def _content(root: Path, *cases: str) -> Path:
    """The good tree with each bad case's files laid over it."""
    content = root / "content"
    shutil.copytree(GOOD, content)
    for case in cases:
        for f in (BAD / case).rglob("*.yaml"):
            shutil.copyfile(f, content / f.relative_to(BAD / case))
    return content


def _check(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-m", "builder", "check", "content", "--jobs", "1", *args],
                       cwd=root, env=env, capture_output=True, text=True, encoding="utf-8",
                       timeout=120)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def _last_line(r: subprocess.CompletedProcess) -> str:
    return r.stderr.strip().splitlines()[-1]


def _files(content: Path) -> int:
    return sum(1 for p in content.rglob("*") if p.is_file())


def test_a_clean_site_is_said_clean_in_chinese_by_default_and_in_english_when_asked(tmp_path):
    content = _content(tmp_path)
    n = _files(content)
    r = _check(tmp_path)
    assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr
    assert r.stderr == f"检查了 {n} 个文件，没有发现问题。\n"
    assert _check(tmp_path, "--lang", "en").stderr == f"No problems in {n} files.\n"


def test_errors_and_warnings_are_counted_in_the_chosen_language(tmp_path):
    content = _content(tmp_path, "ytd-falling", "warn-ledger-sum")
    n = _files(content)
    r = _check(tmp_path)
    assert r.returncode == 1
    assert "小于上个月的 13.1" in r.stdout  # the problems and their count speak alike
    assert _last_line(r) == f"检查了 {n} 个文件：1 个错误，1 个警告。"
    r = _check(tmp_path, "--lang", "en")
    assert "is below the previous month's 13.1" in r.stdout
    assert _last_line(r) == f"1 error, 1 warning in {n} files."
    assert _last_line(_check(tmp_path, "--lang", "en", "--strict")) == (
        f"2 errors, 0 warnings in {n} files.")
    assert _last_line(_check(tmp_path, "--strict")) == f"检查了 {n} 个文件：2 个错误，0 个警告。"


def test_an_english_site_gets_an_english_count_unless_told_otherwise(tmp_path):
    content = _content(tmp_path, "warn-ledger-sum")
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("language: zh-CN", "language: en"),
                    encoding="utf-8")
    n = _files(content)
    r = _check(tmp_path)
    assert r.returncode == 0 and _last_line(r) == f"0 errors, 1 warning in {n} files."
    assert _last_line(_check(tmp_path, "--lang", "zh-CN")) == (
        f"检查了 {n} 个文件：0 个错误，1 个警告。")
