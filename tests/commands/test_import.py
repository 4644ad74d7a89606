"""`bulletin import` as an editor runs it: a real process on copies of real content, then a build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LEDGERS = REPO / "tests" / "fixtures" / "ledger"
SCRIPT = Path(sys.executable).with_name("bulletin")


def bulletin(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The installed `bulletin` script (or `python -m builder` if the venv has none)."""
    cmd = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "builder"]
    r = subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "Traceback" not in r.stdout + r.stderr, r.stderr
    return r


def state(content: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(content).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(content.rglob("*")) if p.is_file()}


@pytest.fixture
def small(tmp_path):
    shutil.copytree(LEDGERS / "content", tmp_path / "content")
    return tmp_path


def test_the_example_ledger_imports_into_the_demo_content_and_the_site_builds(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    r = bulletin(tmp_path, "import", str(LEDGERS / "example.xlsx"), "--as-of", "2023-03-31")
    assert r.returncode == 0, r.stderr
    assert "已更新 5 个项目文件（0 个无变化）" in r.stdout
    assert "已更新 content/projects/zhoukou-steel.yaml（第 5 行" in r.stdout
    r = bulletin(tmp_path, "build", "content", "--out", str(tmp_path / "out"),
                 "--cache", str(tmp_path / ".cache"), "--templates", str(REPO / "site_templates"))
    assert r.returncode == 0, r.stdout + r.stderr
    page = (tmp_path / "out" / "projects" / "zhoukou-steel" / "index.html").read_text(encoding="utf-8")
    assert "186.5" in page and "15.23" in page and "高炉主体施工" in page
    yihai = (tmp_path / "out" / "projects" / "yihai-kerry-zhoukou" / "index.html").read_text(
        encoding="utf-8")
    assert "3.25005" in yihai


def test_a_second_import_changes_no_byte_and_no_mtime(small):
    r = bulletin(small, "import", str(LEDGERS / "monthly.csv"), "--as-of", "2023-03-31")
    assert r.returncode == 0 and "已更新 3 个项目文件（0 个无变化）" in r.stdout
    before = state(small / "content")
    r = bulletin(small, "import", str(LEDGERS / "monthly.csv"), "--as-of", "2023-03-31")
    assert r.returncode == 0, r.stderr
    assert "已更新 0 个项目文件（3 个无变化）" in r.stdout
    assert state(small / "content") == before


def test_dry_run_prints_a_diff_per_file_and_writes_nothing(small):
    before = state(small / "content")
    r = bulletin(small, "import", str(LEDGERS / "monthly.csv"), "--as-of", "2023-03-31", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "--- a/content/projects/steel.yaml\n+++ b/content/projects/steel.yaml\n" in r.stdout
    assert '-status_text: "主体工程施工"\n+status_text: "主体工程基本完工"\n' in r.stdout
    assert "+  - month: 2023-03\n" in r.stdout  # port.yaml keeps its block-style entries
    assert "试运行：将更新 3 个项目文件（0 个无变化），未写入任何文件" in r.stdout
    assert state(small / "content") == before


def test_an_unmatched_row_is_reported_and_nothing_is_written(small):
    before = state(small / "content")
    r = bulletin(small, "import", str(LEDGERS / "unmatched.csv"), "--as-of", "2023-03-31")
    assert r.returncode == 1
    assert "unmatched.csv:2: 未找到项目“周口钢铁厂”（最接近：周口钢铁项目（steel）" in r.stderr
    assert "未写入任何文件" in r.stderr
    assert state(small / "content") == before


def test_allow_partial_imports_the_other_rows(small):
    r = bulletin(small, "import", str(LEDGERS / "unmatched.csv"), "--as-of", "2023-03-31",
                 "--allow-partial")
    assert r.returncode == 0, r.stderr
    assert "已更新 1 个项目文件" in r.stdout and "1 行未导入" in r.stderr
    assert "- month: 2023-03" in (small / "content" / "projects" / "port.yaml").read_text("utf-8")


def test_a_falling_figure_is_refused_with_its_row(small):
    before = state(small / "content")
    r = bulletin(small, "import", str(LEDGERS / "falling.csv"), "--as-of", "2023-03-31")
    assert r.returncode == 1
    assert "falling.csv:2: “周口钢铁项目”2023-03 的累计完成投资 170 低于 2023-02 的 175.8" in r.stderr
    assert state(small / "content") == before


@pytest.mark.parametrize("ledger, message", [
    ("undecodable.csv", "无法识别文件编码"),
    ("unknown-unit.csv", "万美元"),
    ("no-such-ledger.csv", "找不到台账文件"),
])
def test_an_unreadable_ledger_is_a_message_not_a_traceback(small, ledger, message):
    r = bulletin(small, "import", str(LEDGERS / ledger), "--as-of", "2023-03-31")
    assert r.returncode == 1 and message in r.stderr


def test_a_bad_date_is_refused_by_the_command_line(small):
    r = bulletin(small, "import", str(LEDGERS / "monthly.csv"), "--as-of", "2023年3月")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr


def test_the_content_folder_and_sheet_can_be_given(small):
    content = small / "content"
    r = bulletin(REPO, "import", str(LEDGERS / "monthly.csv"), "--as-of", "2023-03-31",
                 "--content", str(content), "--sheet", "ignored-for-csv")
    assert r.returncode == 0, r.stderr
    assert "已更新 3 个项目文件" in r.stdout


# --- the words around the results, in the messages' language (--lang, else the site's) ---------

def _english_site(content: Path) -> None:
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "language: en\n", encoding="utf-8")


def test_an_import_is_reported_in_chinese_by_default_and_in_english_when_asked(small):
    r = bulletin(small, "import", str(LEDGERS / "monthly.csv"), "--as-of", "2023-03-31",
                 "--dry-run")
    assert r.returncode == 0, r.stderr
    assert f"读取 {LEDGERS / 'monthly.csv'}（表头在第 3 行）：3 行可导入，月份 2023-03\n" in r.stdout
    r = bulletin(small, "import", str(LEDGERS / "monthly.csv"), "--as-of", "2023-03-31",
                 "--dry-run", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(
        f"Read {LEDGERS / 'monthly.csv'} (header in row 3): 3 rows to import, for month 2023-03\n")
    assert r.stdout.endswith(
        "Dry run: would update 3 project files (0 unchanged); nothing was written\n")
    assert not any("\u4e00" <= c <= "\u9fff" for c in r.stdout.splitlines()[-1])
    r = bulletin(small, "import", str(LEDGERS / "monthly.csv"), "--as-of", "2023-03-31",
                 "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert ("Updated content/projects/steel.yaml (ledger row 4: progress 2023-03, status_text)\n"
            in r.stdout)
    assert r.stdout.endswith("Updated 3 project files (0 unchanged)\n")


def test_an_english_site_gets_english_unless_told_otherwise(small):
    _english_site(small / "content")
    r = bulletin(small, "import", str(LEDGERS / "unmatched.csv"), "--as-of", "2023-03-31")
    assert r.returncode == 1
    assert r.stderr.endswith("Nothing was written: 1 row with errors; correct the ledger and "
                             "import again, or add --allow-partial to import only the other rows\n")
    r = bulletin(small, "import", str(LEDGERS / "unmatched.csv"), "--as-of", "2023-03-31",
                 "--allow-partial")
    assert r.returncode == 0, r.stderr
    assert r.stdout.endswith("Updated 1 project file (0 unchanged)\n")
    assert r.stderr.endswith("1 row not imported (see above)\n")
    r = bulletin(small, "import", str(LEDGERS / "unmatched.csv"), "--as-of", "2023-03-31",
                 "--allow-partial", "--lang", "zh-CN")
    assert r.returncode == 0 and "已更新 0 个项目文件（1 个无变化）" in r.stdout, r.stdout
    assert r.stderr.endswith("1 行未导入（见上）\n")


def test_refusals_before_any_reading_speak_the_chosen_language_too(small):
    monthly = str(LEDGERS / "monthly.csv")
    r = bulletin(small, "import", monthly, "--as-of", "2023年3月", "--lang", "en")
    assert r.returncode == 2 and r.stderr == (
        'bulletin import: error: argument --as-of: "2023年3月" is not a date: write YYYY-MM-DD, '
        "the last day the ledger reports on, e.g. 2023-03-31\n")
    r = bulletin(small, "import", monthly, "--as-of", "2023年3月")
    assert r.returncode == 2 and "“2023年3月”不是日期：写作 YYYY-MM-DD" in r.stderr
    r = bulletin(small, "import", str(LEDGERS / "nope.csv"), "--as-of", "2023-03-31", "--lang", "en")
    assert r.returncode == 1
    assert r.stderr == f"bulletin import: cannot find the ledger file {LEDGERS / 'nope.csv'}\n"
    r = bulletin(small, "import", monthly, "--as-of", "2023-03-31", "--content", "nowhere",
                 "--lang", "en")
    assert r.returncode == 1 and r.stderr == (
        "bulletin import: nowhere is not a folder (give the content folder with --content)\n")


def test_content_with_errors_is_refused_in_the_chosen_language(small):
    steel = small / "content" / "projects" / "steel.yaml"
    steel.write_text(steel.read_text(encoding="utf-8") + "name: [\n", encoding="utf-8")
    before = state(small / "content")
    r = bulletin(small, "import", str(LEDGERS / "monthly.csv"), "--as-of", "2023-03-31",
                 "--lang", "en")
    assert r.returncode == 1 and r.stdout == ""
    assert ": error: YAML syntax error: " in r.stderr
    assert r.stderr.endswith("content already has 1 error; nothing was imported: correct the "
                             "content first (bulletin check), then import\n")
    r = bulletin(small, "import", str(LEDGERS / "monthly.csv"), "--as-of", "2023-03-31")
    assert r.returncode == 1 and ": error: YAML 语法错误：" in r.stderr
    assert r.stderr.endswith("content 已有 1 个错误，未导入：先修正（bulletin check），再导入\n")
    assert state(small / "content") == before
