"""`bulletin new` as an editor runs it: a real process, real files, then `check` and `build`."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "tests" / "fixtures" / "good" / "content"

pty = pytest.importorskip("pty")


def bulletin(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`bulletin ARGS` in `cwd`, with stdin not a terminal."""
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=cwd, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


@pytest.fixture
def site(tmp_path):
    shutil.copytree(GOOD, tmp_path / "content")
    return tmp_path


def no_traceback(r: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in r.stderr + r.stdout


@pytest.mark.parametrize("args, path", [
    (["project", "--id", "foxconn-zk", "--name", "富士康(周口)科技工业园", "--region", "zhoukou"],
     "content/projects/foxconn-zk.yaml"),
    (["region", "--id", "xihua", "--name", "西华县", "--level", "county", "--parent", "zhoukou"],
     "content/regions/xihua.yaml"),
    (["bulletin", "--id", "q2-notes", "--title", "二季度进展", "--date", "2023-07-05"],
     "content/bulletins/2023-07-05-q2-notes.md"),
    (["campaign", "--id", "zhoukou-3kb-8", "--region", "zhoukou", "--round", "8"],
     "content/campaigns/zhoukou-3kb-8.yaml"),
])
def test_each_kind_is_created_and_checks_clean(site, args, path):
    r = bulletin(site, "new", *args)
    assert r.returncode == 0, r.stderr
    assert (site / path).is_file()
    assert f"created {path}" in r.stdout
    assert "Next: edit the file, then run `bulletin serve`." in r.stdout
    check = bulletin(site, "check", "content")
    assert check.returncode == 0, check.stdout
    assert check.stdout == "" and check.stderr == "检查了 9 个文件，没有发现问题。\n"


def test_in_the_demo_site_a_new_project_adds_no_problem(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    before = bulletin(tmp_path, "check", "content")
    r = bulletin(tmp_path, "new", "project", "--id", "zhoukou-new-park", "--name", "新园区项目",
                 "--region", "zhoukou")
    assert r.returncode == 0, r.stderr
    after = bulletin(tmp_path, "check", "content")
    assert after.returncode == before.returncode
    assert after.stdout == before.stdout  # the same warnings, none new


def test_missing_values_without_a_terminal_list_the_flags(site):
    r = bulletin(site, "new", "project", "--id", "x")
    assert r.returncode == 1
    assert r.stderr == ("bulletin new project: missing --name (项目名称), --region (所在地区标识); "
                        "stdin is not a terminal, so nothing can be asked: give them as flags\n")
    assert not (site / "content/projects/x.yaml").exists()
    no_traceback(r)


@pytest.mark.parametrize("bad, message", [
    ("../x", '--id: "../x" is not a valid id; use lowercase letters a-z, digits and single '
             "hyphens, at most 80 characters (e.g. zhoukou-huaiyang)"),
    ("Ab C", '--id: "Ab C" is not a valid id; use lowercase letters a-z, digits and single '
             "hyphens, at most 80 characters (e.g. zhoukou-huaiyang)"),
    ("周口项目", '--id: "周口项目" is not a valid id; use lowercase letters a-z, digits and single '
             "hyphens, at most 80 characters (e.g. zhoukou-huaiyang); write the id in pinyin "
             "or English, the Chinese name goes in the name or title"),
    ("alpha", "--id: a project with the id `alpha` already exists in content/projects/; "
              "choose another id"),
])
def test_a_bad_id_is_refused_with_a_plain_message(site, bad, message):
    r = bulletin(site, "new", "project", "--id", bad, "--name", "甲", "--region", "zhoukou")
    assert r.returncode == 1
    assert r.stderr == f"bulletin new project: {message}\n"
    no_traceback(r)
    assert sorted(p.name for p in (site / "content/projects").iterdir()) == ["alpha.yaml",
                                                                              "beta.yaml"]


def test_an_unknown_region_suggests_the_nearest(site):
    r = bulletin(site, "new", "project", "--id", "x", "--name", "甲", "--region", "zhokou")
    assert r.returncode == 1
    assert r.stderr == ("bulletin new project: --region: no region has the id `zhokou` "
                        "(looked in content/regions/); did you mean `zhoukou`?\n")
    no_traceback(r)


def test_every_bad_value_is_reported_at_once(site):
    r = bulletin(site, "new", "region", "--id", "Bad", "--name", "甲", "--level", "镇",
                 "--parent", "nowhere")
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["--id", "--level", "--parent"]


def test_a_flag_for_another_kind_is_refused(site):
    r = bulletin(site, "new", "project", "--id", "x", "--parent", "henan")
    assert r.returncode == 1
    assert r.stderr == ("bulletin new: --parent does not apply to a project; it takes --id, "
                        "--name, --region, --sector\n")


def test_a_missing_content_folder_is_a_message(tmp_path):
    r = bulletin(tmp_path, "new", "project", "--id", "x", "--name", "甲", "--region", "henan")
    assert r.returncode == 1
    assert r.stderr == ("bulletin new: content is not a folder (give the content folder with "
                        "--content, e.g. --content content)\n")


def test_new_project_then_build_has_its_page(site):
    r = bulletin(site, "new", "project", "--id", "foxconn-zk", "--name", "富士康科技产业园",
                 "--region", "zhoukou")
    assert r.returncode == 0, r.stderr
    out = site / "public"
    b = bulletin(site, "build", "content", "--out", str(out), "--cache", str(site / ".cache"),
                 "--templates", str(REPO / "site_templates"))
    assert b.returncode == 0, b.stdout + b.stderr
    page = out / "projects" / "foxconn-zk" / "index.html"
    assert "富士康科技产业园" in page.read_text(encoding="utf-8")


def converse(site: Path, args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run `bulletin ARGS` on a terminal, answering each prompt (a line ending in ": ")."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "builder", *args], cwd=site, stdin=slave,
                            stdout=slave, stderr=slave, env={**os.environ, "PYTHONPATH": str(REPO)})
    os.close(slave)
    seen = b""
    pending = list(answers)
    deadline = time.time() + 60
    try:
        while time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the process ended and closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            if pending and seen.endswith(b": "):
                os.write(master, pending.pop(0).encode() + b"\n")
                seen += b"\n"
            elif proc.poll() is not None and not ready:
                break
        return proc.wait(timeout=30), seen.decode("utf-8", "replace")
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()


def test_on_a_terminal_missing_values_are_asked_in_chinese_first(site):
    code, talk = converse(site, ["new", "project"], ["foxconn-zk", "富士康", "zhoukou"])
    assert code == 0, talk
    assert "项目标识（小写字母、数字、连字符，如 zhoukou-foxconn） (id): " in talk
    assert "项目名称 (name): " in talk
    assert "所在地区标识 (region): " in talk
    assert "name: 富士康" in (site / "content/projects/foxconn-zk.yaml").read_text("utf-8")


def test_on_a_terminal_a_bad_answer_is_explained_and_asked_again(site):
    code, talk = converse(site, ["new", "region", "--name", "项城市", "--level", "市"],
                          ["Bad Id", "xiangcheng", "zhokou", "zhoukou"])
    assert code == 0, talk
    assert 'is not a valid id' in talk
    assert "did you mean `zhoukou`?" in talk
    text = (site / "content/regions/xiangcheng.yaml").read_text("utf-8")
    assert "\nparent: zhoukou\n" in text and "\nlevel: city\n" in text


def test_on_a_terminal_an_optional_question_may_be_left_empty(site):
    code, talk = converse(site, ["new", "bulletin", "--id", "note", "--title", "说明",
                                 "--date", "2023-05-01"], [""])
    assert code == 0, talk
    assert "地区标识 (region，可留空 optional): " in talk
    text = (site / "content/bulletins/2023-05-01-note.md").read_text("utf-8")
    assert "\n# region:" in text
    assert bulletin(site, "check", "content").returncode == 0
