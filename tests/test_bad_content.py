"""`bulletin check` refuses every kind of bad content clearly, through the real CLI.

Each folder of `tests/fixtures/bad/` is one case: the files it holds replace
or add to a copy of `tests/fixtures/good/content/`, and its `expected.txt`
holds every problem line `bulletin check` must print, in order (the quoted
source line and caret under each problem are not part of it). A line of
`expected.txt` that starts with `re:` is a regular expression the printed
line must match in full; it is used only where the exact column depends on
how the builder counts, not on what the editor wrote.

A few cases make their broken file in the test (`GENERATED`): a file over
the size limit is too big to commit, and symlinks do not survive every
checkout.

Where the builder is wrong today, the case states the right behaviour and is
a strict xfail (`BUGS`), so that fixing the builder turns it into a failure
to remove from the list.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = FIXTURES / "good" / "content"
BAD = FIXTURES / "bad"

#: The size limit of builder/load.py (2 MiB); the too-large case makes a file one byte over.
LIMIT = 2 * 1024 * 1024


# --- cases whose broken files are made here --------------------------------------------------

def _too_large(content: Path) -> None:
    head = "id: gamma\nname: 超大文件\nregion: zhoukou\n"
    pad = LIMIT + 1 - len(head.encode("utf-8"))
    (content / "projects" / "gamma.yaml").write_text(head + "#" * (pad - 1) + "\n",
                                                     encoding="utf-8")
    assert (content / "projects" / "gamma.yaml").stat().st_size == LIMIT + 1


def _outside_file(content: Path, name: str = "outside.yaml") -> Path:
    target = content.parent / name
    target.write_text("id: gamma\nname: 外部项目\nregion: zhoukou\n", encoding="utf-8")
    return target


def _symlink_outside(content: Path) -> None:
    _outside_file(content)
    os.symlink(os.path.join("..", "..", "outside.yaml"), content / "projects" / "gamma.yaml")


def _symlink_folder_outside(content: Path) -> None:
    # The whole projects/ folder is a link to a folder outside content/.
    outside = content.parent / "elsewhere"
    shutil.move(str(content / "projects"), str(outside))
    (outside / "gamma.yaml").write_text("id: gamma\nname: 外部项目\nregion: zhoukou\n",
                                        encoding="utf-8")
    os.symlink(os.path.join("..", "elsewhere"), content / "projects")


def _symlink_site_outside(content: Path) -> None:
    outside = content.parent / "site.yaml"
    shutil.move(str(content / "site.yaml"), str(outside))
    os.symlink(os.path.join("..", "site.yaml"), content / "site.yaml")


def _symlink_dangling(content: Path) -> None:
    os.symlink("delta-old.yaml", content / "projects" / "delta.yaml")


GENERATED = {
    "too-large": _too_large,
    "symlink-outside": _symlink_outside,
    "symlink-folder-outside": _symlink_folder_outside,
    "symlink-site-outside": _symlink_site_outside,
    "symlink-dangling": _symlink_dangling,
}

# --- builder bugs: the case states the right behaviour ---------------------------------------

BUGS: dict[str, str] = {}


def _cases() -> list[str]:
    return sorted(p.name for p in BAD.iterdir() if (p / "expected.txt").is_file())


CASES = _cases()


def _param(case: str):
    marks = [pytest.mark.xfail(strict=True, reason=BUGS[case])] if case in BUGS else []
    return pytest.param(case, marks=marks, id=case)


# --- helpers ---------------------------------------------------------------------------------

def make_tree(tmp_path: Path, *cases: str) -> Path:
    """A copy of the good tree in tmp_path/content, with each case's files laid over it."""
    content = tmp_path / "content"
    shutil.copytree(GOOD, content)
    for case in cases:
        src = BAD / case
        for f in sorted(src.rglob("*")):
            if f.is_file() and f.name != "expected.txt":
                dest = content / f.relative_to(src)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f, dest)
        if case in GENERATED:
            GENERATED[case](content)
    return content


def run_check(tmp_path: Path, content: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess:
    """`bulletin check` with its messages in `lang` (the cases' expected.txt are English)."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "builder", "check", str(content), "--lang", lang,
                           *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def problem_lines(stdout: str) -> list[str]:
    """The problem lines of text output, without the quoted source and caret lines."""
    return [line for line in stdout.splitlines() if line and not line.startswith("  ")]


def expected_lines(case: str) -> list[str]:
    text = (BAD / case / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def assert_lines(got: list[str], want: list[str]) -> None:
    ok = len(got) == len(want) and all(
        re.fullmatch(w[3:], g) if w.startswith("re:") else g == w for g, w in zip(got, want))
    assert ok, "printed:\n" + "\n".join(got) + "\n\nexpected:\n" + "\n".join(want)


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stdout, result.stdout
    assert "Traceback" not in result.stderr, result.stderr


_SUMMARY = re.compile(r"^(\d+) errors?, (\d+) warnings? in \d+ files\.$")


def counts(lines: list[str]) -> tuple[int, int]:
    err = sum(1 for line in lines if ": error: " in line)
    return err, sum(1 for line in lines if ": warning: " in line)


# --- the fixture trees -----------------------------------------------------------------------

def test_good_tree_has_no_problems(tmp_path):
    content = make_tree(tmp_path)
    result = run_check(tmp_path, content)
    no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert re.fullmatch(r"No problems in \d+ files\.\n", result.stderr), result.stderr


def test_good_tree_is_small_and_complete():
    names = sorted(str(p.relative_to(GOOD)) for p in GOOD.rglob("*") if p.is_file())
    assert "site.yaml" in names
    for folder, least in (("regions", 2), ("projects", 2), ("campaigns", 1), ("bulletins", 1)):
        assert sum(n.startswith(folder + "/") for n in names) >= least, folder
    bulletin = next(GOOD.glob("bulletins/*.md")).read_text(encoding="utf-8")
    assert "```chart" in bulletin and "{{ figure " in bulletin


def test_there_are_enough_cases_and_each_is_well_formed():
    assert len(CASES) >= 45
    for case in CASES:
        overlay = [f for f in (BAD / case).rglob("*") if f.is_file() and f.name != "expected.txt"]
        assert overlay or case in GENERATED, f"{case} changes nothing"
        assert expected_lines(case), f"{case}/expected.txt is empty"
        for f in overlay:
            top = f.relative_to(BAD / case).parts[0]
            assert top in {"site.yaml", "regions", "projects", "campaigns", "bulletins"}, f
    assert set(BUGS) <= set(CASES), set(BUGS) - set(CASES)
    assert set(GENERATED) <= set(CASES), set(GENERATED) - set(CASES)


# --- every case ------------------------------------------------------------------------------

@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_case(tmp_path, case):
    content = make_tree(tmp_path, case)
    result = run_check(tmp_path, content)
    no_traceback(result)
    want = expected_lines(case)
    assert_lines(problem_lines(result.stdout), want)
    errors, warnings = counts(want)
    assert result.returncode == (1 if errors else 0), result.stdout + result.stderr
    summary = result.stderr.strip().splitlines()[-1]
    m = _SUMMARY.match(summary)
    assert m and (int(m[1]), int(m[2])) == (errors, warnings), summary


WARNING_CASES = [c for c in CASES if counts(expected_lines(c))[1]]


def test_some_cases_are_warnings_only():
    only = [c for c in WARNING_CASES if counts(expected_lines(c))[0] == 0]
    assert len(only) >= 3, only


@pytest.mark.parametrize("case", [_param(c) for c in WARNING_CASES])
def test_strict_turns_warnings_into_errors(tmp_path, case):
    content = make_tree(tmp_path, case)
    result = run_check(tmp_path, content, "--strict")
    no_traceback(result)
    want = [w.replace(": warning: ", ": error: ", 1) for w in expected_lines(case)]
    assert_lines(problem_lines(result.stdout), want)
    assert result.returncode == 1
    m = _SUMMARY.match(result.stderr.strip().splitlines()[-1])
    assert m and int(m[2]) == 0 and int(m[1]) == len(want), result.stderr


# --- the text format: quoted line and caret ----------------------------------------------------

def test_text_output_quotes_the_line_with_a_caret(tmp_path):
    content = make_tree(tmp_path, "ytd-falling")
    out = run_check(tmp_path, content).stdout.splitlines()
    assert out == [
        "content/projects/alpha.yaml:11:20: error: progress[2].completed_ytd: 12.5 is below "
        "the previous month's 13.1 (cumulative figures cannot fall)",
        "  11 |     completed_ytd: 12.5",
        "     |                    ^^^^",
    ]


def test_caret_counts_cjk_characters_as_two_columns(tmp_path):
    content = make_tree(tmp_path, "text-number")
    out = run_check(tmp_path, content).stdout.splitlines()
    assert out[1:] == [
        "  4 | total_investment: 约3亿",
        "    |                   ^^^^^",  # 约 and 亿 are two columns wide each
    ]


def test_cross_record_problems_quote_the_line_too(tmp_path):
    content = make_tree(tmp_path, "unknown-region")
    out = run_check(tmp_path, content).stdout.splitlines()
    assert out[1:] == ["  3 | region: zhoukuo", "    |         ^^^^^^^"]


def test_summary_counts_every_file_checked(tmp_path):
    content = make_tree(tmp_path, "yaml-syntax")
    files = sum(1 for p in content.rglob("*") if p.is_file())
    result = run_check(tmp_path, content)
    assert result.stderr.strip().splitlines()[-1] == f"1 error, 0 warnings in {files} files."


# --- other formats ---------------------------------------------------------------------------

def test_json_format(tmp_path):
    content = make_tree(tmp_path, "ytd-falling", "warn-ledger-sum")
    result = run_check(tmp_path, content, "--format", "json")
    no_traceback(result)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data == [
        {"path": "content/projects/alpha.yaml", "line": 11, "column": 20,
         "field": "progress[2].completed_ytd", "code": "falling", "severity": "error",
         "message": "12.5 is below the previous month's 13.1 (cumulative figures cannot fall)"},
        {"path": "content/regions/henan.yaml", "line": 8, "column": 16,
         "field": "problems[0].collected", "code": "sum-mismatch", "severity": "warning",
         "message": "120 collected is not 100 resolved + 15 in progress (115)"},
    ]


def test_json_format_of_a_clean_tree_is_an_empty_list(tmp_path):
    content = make_tree(tmp_path)
    result = run_check(tmp_path, content, "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == []


def test_json_keeps_chinese_readable(tmp_path):
    content = make_tree(tmp_path, "text-number")
    result = run_check(tmp_path, content, "--format", "json")
    assert "约3亿" in result.stdout
    [p] = json.loads(result.stdout)
    assert set(p) == {"path", "line", "column", "field", "code", "severity", "message"}
    assert (p["line"], p["column"], p["field"], p["code"]) == (4, 19, "total_investment", "type")


def test_github_format(tmp_path):
    content = make_tree(tmp_path, "ytd-falling", "warn-ledger-sum", "yml-extension")
    result = run_check(tmp_path, content, "--format", "github")
    no_traceback(result)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=content/projects/alpha.yaml,line=11,col=20,title=progress[2].completed_ytd"
        "::12.5 is below the previous month's 13.1 (cumulative figures cannot fall)",
        "::error file=content/projects/gamma.yml,title=extension"
        "::is not read: records in projects/ end in .yaml",
        "::warning file=content/regions/henan.yaml,line=8,col=16,title=problems[0].collected"
        "::120 collected is not 100 resolved + 15 in progress (115)",
    ]


def test_github_format_strict(tmp_path):
    content = make_tree(tmp_path, "warn-ledger-sum")
    result = run_check(tmp_path, content, "--format", "github", "--strict")
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=content/regions/henan.yaml,line=8,col=16,")


# --- several broken files at once ------------------------------------------------------------

TOGETHER = ["ytd-falling", "bad-level", "warn-ledger-sum", "chart-unknown-key",
            "campaign-advanced-above-count", "site-bad-language", "unknown-field-nested"]


def test_all_problems_of_a_tree_are_reported_together_sorted(tmp_path):
    cases = [c for c in TOGETHER if c in CASES]
    assert len(cases) >= 5
    content = make_tree(tmp_path, *cases)
    result = run_check(tmp_path, content)
    no_traceback(result)
    got = problem_lines(result.stdout)
    want = [line for c in cases for line in expected_lines(c)]
    assert sorted(got) == sorted(want)

    def key(line: str) -> tuple:
        path, line_no = line.split(":")[:2]
        return path, int(line_no) if line_no.isdigit() else 0

    assert got == sorted(got, key=key), "not sorted by file, then line"
    assert result.returncode == 1
    m = _SUMMARY.match(result.stderr.strip().splitlines()[-1])
    assert m and (int(m[1]), int(m[2])) == counts(want)


# --- the command itself ----------------------------------------------------------------------

def test_missing_content_folder_is_one_line_not_a_traceback(tmp_path):
    result = run_check(tmp_path, tmp_path / "nope")
    no_traceback(result)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "is not a folder" in result.stderr


def test_empty_content_folder_asks_for_site_yaml(tmp_path):
    (tmp_path / "content").mkdir()
    result = run_check(tmp_path, tmp_path / "content")
    no_traceback(result)
    assert result.returncode == 1
    assert problem_lines(result.stdout) == [
        "content/site.yaml: error: content/ needs a site.yaml (the site's title, language and "
        "data date)"]
