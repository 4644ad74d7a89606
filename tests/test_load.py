"""builder.load: finding content files, reading them safely, splitting bulletins."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder import load
from builder.load import SourceFile, discover, parse_file, read_text

GOOD = Path(__file__).resolve().parent / "fixtures" / "good" / "content"


def write(path: Path, data: bytes | str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return str(path)


# --- read_text -----------------------------------------------------------------------------------

def test_plain_utf8(tmp_path):
    text, found = read_text(write(tmp_path / "a.yaml", "名称: 周口\n"), "a.yaml")
    assert (text, found) == ("名称: 周口\n", [])


def test_bom_is_dropped(tmp_path):
    text, found = read_text(write(tmp_path / "a.yaml", b"\xef\xbb\xbfid: a\n"), "a.yaml")
    assert (text, found) == ("id: a\n", [])


def test_crlf_and_cr_become_lf(tmp_path):
    text, _ = read_text(write(tmp_path / "a.yaml", b"id: a\r\nname: b\rregion: c\r\n"), "a.yaml")
    assert text == "id: a\nname: b\nregion: c\n"


def test_gbk_is_refused_with_its_position_and_a_hint(tmp_path):
    raw = "id: alpha\nname: 周口港区物流园项目\n".encode("gbk")
    text, [p] = read_text(write(tmp_path / "a.yaml", raw), "content/projects/a.yaml")
    assert text is None
    assert (p.path, p.line, p.column, p.code) == ("content/projects/a.yaml", 2, 7, "encoding")
    assert "UTF-8" in p.message and "GBK" in p.message


def test_bad_bytes_after_cjk_count_characters(tmp_path):
    raw = "名称: 周口".encode("utf-8") + b"\xff\n"
    _, [p] = read_text(write(tmp_path / "a.yaml", raw), "a.yaml")
    assert (p.line, p.column) == (1, 7)
    assert "0xFF" in p.message


def test_latin1_is_refused_without_a_gbk_hint(tmp_path):
    _, [p] = read_text(write(tmp_path / "a.yaml", b"a: caf\xe9\n"), "a.yaml")
    assert p.code == "encoding"
    assert "UTF-8" in p.message


def test_nul_byte(tmp_path):
    text, [p] = read_text(write(tmp_path / "a.yaml", b"id: a\nregion: zh\x00ou\n"), "a.yaml")
    assert text is None
    assert (p.line, p.column, p.code) == (2, 11, "nul-byte")


def test_utf16_is_refused(tmp_path):
    _, found = read_text(write(tmp_path / "a.yaml", "id: a\n".encode("utf-16")), "a.yaml")
    assert [p.code for p in found] in (["encoding"], ["nul-byte"])


@pytest.mark.parametrize("raw", [b"", b"\n\n", b"   \n\t\n", b"\xef\xbb\xbf", b"\r\n"])
def test_empty_files(tmp_path, raw):
    text, [p] = read_text(write(tmp_path / "a.yaml", raw), "a.yaml")
    assert text is None and p.code == "empty"


def test_size_limit(tmp_path):
    path = write(tmp_path / "a.yaml", b"#" * 101)
    text, [p] = read_text(path, "a.yaml", limit=100)
    assert text is None
    assert (p.line, p.column, p.code) == (0, 0, "too-large")
    assert "101" in p.message and "100" in p.message
    assert read_text(write(tmp_path / "b.yaml", b"a: 1" + b"#" * 96), "b.yaml", limit=100)[1] == []


def test_default_size_limit_is_two_mebibytes(tmp_path):
    assert load.MAX_FILE_BYTES == 2 * 1024 * 1024
    path = write(tmp_path / "a.yaml", b"#" * (load.MAX_FILE_BYTES + 1))
    assert [p.code for p in read_text(path, "a.yaml")[1]] == ["too-large"]


def test_missing_file_is_a_problem(tmp_path):
    text, [p] = read_text(str(tmp_path / "nope.yaml"), "nope.yaml")
    assert text is None and p.code == "unreadable"


def test_a_folder_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "d.yaml").mkdir()
    text, found = read_text(str(tmp_path / "d.yaml"), "d.yaml")
    assert text is None and found


# --- discover ------------------------------------------------------------------------------------

def test_discover_the_good_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(GOOD.parent)
    files, found = discover(Path("content"))
    assert found == []
    assert files[0] == SourceFile("site", "content/site.yaml", "content/site.yaml", "site")
    kinds = [f.kind for f in files]
    assert kinds == sorted(kinds, key=["site", "regions", "projects", "campaigns",
                                       "bulletins"].index)
    for kind in ("regions", "projects", "campaigns", "bulletins"):
        paths = [f.path for f in files if f.kind == kind]
        assert paths == sorted(paths) and paths, kind
    assert all(f.path.startswith("content/") for f in files)
    assert {f.stem for f in files if f.kind == "projects"} == {"alpha", "beta"}
    assert [f.stem for f in files if f.kind == "bulletins"] == ["2023-04-10-q1-review"]


def _tree(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    write(content / "site.yaml", "title: t\n")
    return content


def test_discover_refuses_yml_and_warns_about_strays(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = _tree(tmp_path)
    write(content / "projects" / "a.yml", "id: a\n")
    write(content / "projects" / "notes.txt", "x")
    write(content / "bulletins" / "2023-01-01-x.markdown", "x")
    write(content / "projects" / ".hidden.yaml", "x")
    write(content / "projects" / ".DS_Store", "x")
    write(content / "projects" / "README.md", "x")
    write(content / "elsewhere" / "z.yaml", "x")  # folders other than the four are not read
    files, found = discover(Path("content"))
    assert [f.path for f in files] == ["content/site.yaml"]
    got = {(p.path, p.code, p.severity) for p in found}
    assert got == {
        ("content/projects/a.yml", "extension", "error"),
        ("content/projects/notes.txt", "stray-file", "warning"),
        ("content/bulletins/2023-01-01-x.markdown", "extension", "error"),
    }


def test_discover_without_site_yaml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    files, [p] = discover(Path("content"))
    assert files == [] and p.code == "missing-file" and p.path == "content/site.yaml"


def test_discover_refuses_a_symlink_out_of_content(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = _tree(tmp_path)
    write(tmp_path / "outside.yaml", "id: x\n")
    (content / "projects").mkdir()
    os.symlink("../../outside.yaml", content / "projects" / "x.yaml")
    files, [p] = discover(Path("content"))
    assert [f.kind for f in files] == ["site"]
    assert (p.path, p.code, p.severity) == ("content/projects/x.yaml", "symlink", "error")


def test_discover_allows_a_symlink_within_content(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = _tree(tmp_path)
    write(content / "projects" / "a.yaml", "id: a\n")
    os.symlink("a.yaml", content / "projects" / "b.yaml")
    files, found = discover(Path("content"))
    assert found == []
    assert [f.stem for f in files if f.kind == "projects"] == ["a", "b"]


def test_discover_refuses_a_folder_symlink_out_of_content(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = _tree(tmp_path)
    write(tmp_path / "outside" / "x.yaml", "id: x\n")
    os.symlink("../outside", content / "projects")
    files, found = discover(Path("content"))
    assert [f.kind for f in files] == ["site"]
    assert [p.code for p in found] == ["symlink"]


def test_discover_refuses_site_yaml_linking_out_of_content(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    write(tmp_path / "site.yaml", "title: t\n")
    os.symlink("../site.yaml", tmp_path / "content" / "site.yaml")
    files, found = discover(Path("content"))
    assert files == []
    assert [p.code for p in found] == ["symlink"]


# --- parse_file ----------------------------------------------------------------------------------

def _source(path: Path, kind: str, stem: str) -> SourceFile:
    return SourceFile(kind, f"content/{kind}/{path.name}", str(path), stem)


BULLETIN = """---
title: 一季度通报
date: 2023-04-10
region: zhoukou
---

第一段 {{ figure zhoukou 2023-q1 completed }}。
"""


def test_bulletin_front_matter_keeps_the_files_line_numbers(tmp_path):
    path = tmp_path / "2023-04-10-q1.md"
    write(path, BULLETIN)
    parsed = parse_file(_source(path, "bulletins", path.stem))
    assert parsed.problems == ()
    assert parsed.doc.data["title"] == "一季度通报"
    assert parsed.doc.position(("date",)) == (3, 7)
    assert parsed.doc.position(("region",), at_key=True) == (4, 1)
    assert parsed.body_line == 6
    assert parsed.body.split("\n")[1].startswith("第一段")  # file line 7


def test_bulletin_front_matter_with_crlf_and_bom(tmp_path):
    path = tmp_path / "2023-04-10-q1.md"
    write(path, b"\xef\xbb\xbf" + BULLETIN.replace("\n", "\r\n").encode("utf-8"))
    parsed = parse_file(_source(path, "bulletins", path.stem))
    assert parsed.problems == ()
    assert parsed.doc.position(("date",)) == (3, 7)
    assert "\r" not in parsed.body


def test_bulletin_front_matter_problem_is_on_the_files_line(tmp_path):
    path = tmp_path / "2023-04-10-q1.md"
    write(path, BULLETIN.replace("date: 2023-04-10", "date: 2023-02-30"))
    parsed = parse_file(_source(path, "bulletins", path.stem))
    [p] = parsed.problems
    assert (p.line, p.column, p.code, p.source_line) == (3, 7, "bad-date", "date: 2023-02-30")


def test_front_matter_closed_with_three_dots(tmp_path):
    path = tmp_path / "2023-04-10-q1.md"
    write(path, "---\ntitle: t\ndate: 2023-04-10\n...\nbody\n")
    parsed = parse_file(_source(path, "bulletins", path.stem))
    assert parsed.problems == () and parsed.body == "body\n" and parsed.body_line == 5


def test_missing_front_matter(tmp_path):
    path = tmp_path / "2023-04-10-q1.md"
    write(path, "# 标题\n\n正文\n")
    [p] = parse_file(_source(path, "bulletins", path.stem)).problems
    assert (p.line, p.column, p.code) == (1, 1, "front-matter")


def test_unclosed_front_matter(tmp_path):
    path = tmp_path / "2023-04-10-q1.md"
    write(path, "---\ntitle: t\n\n正文\n")
    [p] = parse_file(_source(path, "bulletins", path.stem)).problems
    assert (p.line, p.code) == (1, "front-matter")
    assert "never closed" in p.message


def test_yaml_record(tmp_path):
    path = tmp_path / "alpha.yaml"
    write(path, "id: alpha\ntotal_investment: 1546.18\n")
    parsed = parse_file(_source(path, "projects", "alpha"))
    assert parsed.problems == () and parsed.body is None
    assert str(parsed.doc.data["total_investment"]) == "1546.18"


@pytest.mark.parametrize("raw,code", [(b"", "empty"), (b"a: \x00", "nul-byte"),
                                      ("a: 周口".encode("gbk"), "encoding"),
                                      (b"a: [1\n", "yaml-syntax")])
def test_bad_files_give_one_problem_and_no_document(tmp_path, raw, code):
    path = tmp_path / "alpha.yaml"
    write(path, raw)
    parsed = parse_file(_source(path, "projects", "alpha"))
    assert parsed.doc is None
    assert [p.code for p in parsed.problems] == [code]
