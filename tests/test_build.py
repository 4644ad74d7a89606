"""`bulletin build` end to end on the demo content: real files, real subprocesses."""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run_build(cwd: Path, content: Path, out: Path, *extra: str, env=None):
    return subprocess.run([sys.executable, "-m", "builder", "build", str(content), "--out", str(out),
                           "--cache", str(cwd / ".cache"), "--templates", str(REPO / "site_templates"),
                           *extra], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})})


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("build")
    shutil.copytree(REPO / "content", root / "content")
    r = run_build(root, root / "content", root / "output")
    assert r.returncode == 0, r.stdout + r.stderr
    return root


def test_every_page_type_is_written(site):
    out = site / "output"
    for route in ["index.html", "regions/index.html", "regions/zhoukou/index.html",
                  "projects/index.html", "projects/zhongxin-taikang-hydrogen/index.html",
                  "campaigns/index.html", "campaigns/wugang-3kb-2021/index.html",
                  "bulletins/index.html", "bulletins/zhoukou-2023-q1/index.html",
                  "data/index.html", "data/projects.csv", "data/reports.json",
                  "data/schema/project.schema.json", "404.html", "robots.txt", "favicon.ico"]:
        assert (out / route).is_file(), route
    assets = sorted(p.name for p in (out / "assets").iterdir())
    assert any(re.fullmatch(r"app\.[0-9a-f]{10}\.css", a) for a in assets), assets


def test_key_figures_of_the_seeds_appear_with_units(site):
    page = (site / "output/regions/zhoukou/index.html").read_text(encoding="utf-8")
    for text in ("336 个", "1546.18 亿元", "109.42%", "398 个", "550 亿元", "31.1%", "6 个百分点"):
        assert text in page, text
    campaign = (site / "output/campaigns/wugang-3kb-2021/index.html").read_text(encoding="utf-8")
    assert "85.7%" in campaign and "18 个" in campaign


def test_links_and_assets_are_relative(site):
    for p in (site / "output").rglob("*.html"):
        html = p.read_text(encoding="utf-8")
        absolute = re.findall(r'(?:href|src|content)="(/[^"]*)"', html)
        assert not absolute or p.name == "404.html", (p, absolute[:3])  # 404: from the root
        external = re.findall(r'<(?:script|link|img)[^>]*(?:src|href)="(https?:)?//', html)
        assert not external, (p, "a page loads something from another host")
        assert not re.search(r'<script(?![^>]*\bsrc=)(?![^>]*type="application/json")[^>]*>', html), p


def test_csv_opens_in_excel(site):
    data = (site / "output/data/projects.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "益海嘉里(周口)现代食品产业园".encode() in data


def test_two_builds_are_byte_identical_wherever_and_whenever(site, tmp_path):
    other = tmp_path / "elsewhere"
    shutil.copytree(REPO / "content", other / "content")
    r = run_build(other, other / "content", other / "site", env={"PYTHONHASHSEED": "12345"})
    assert r.returncode == 0, r.stderr
    assert digest(other / "site") == digest(site / "output")


def test_a_failing_build_leaves_the_previous_output_untouched(site, tmp_path):
    root = tmp_path / "s"
    shutil.copytree(REPO / "content", root / "content")
    assert run_build(root, root / "content", root / "output").returncode == 0
    before = digest(root / "output")
    bad = root / "content/projects/zhoukou-steel.yaml"
    bad.write_text(bad.read_text(encoding="utf-8") + "total_investment: 约3亿\n", encoding="utf-8")
    r = run_build(root, root / "content", root / "output")
    assert r.returncode == 1
    assert "zhoukou-steel.yaml" in r.stdout and "Traceback" not in r.stderr
    assert "unchanged" in r.stderr
    assert digest(root / "output") == before
    assert not [p for p in root.iterdir() if "staging" in p.name]


def test_output_holds_nothing_the_content_no_longer_produces(tmp_path):
    root = tmp_path / "s"
    shutil.copytree(REPO / "content", root / "content")
    assert run_build(root, root / "content", root / "output").returncode == 0
    (root / "output/stray.html").write_text("old", encoding="utf-8")
    gone = root / "content/projects/dayu.yaml"
    gone.unlink()
    assert run_build(root, root / "content", root / "output").returncode == 0
    assert not (root / "output/stray.html").exists()
    assert not (root / "output/projects/dayu").exists()
