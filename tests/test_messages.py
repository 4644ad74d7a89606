"""Problem messages in zh-CN and en (builder/messages.py, builder/catalogs/).

Every case of tests/fixtures/bad/ and the demo site's warnings are said in
Chinese, from the message's id and arguments, with no English sentence left
and no placeholder unfilled; the English text is what test_bad_content.py
asserts, byte for byte. `bulletin check` and `bulletin build` speak the
site's language unless `--lang` says otherwise.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import pickle
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from builder import _yamlwords, pages
from builder import vocab as V
from builder.derive import derive
from builder.fields import MapOf, Record
from builder.messages import LANGS, Msg, catalog, placeholders, site_language, text
from builder.model import RECORDS
from builder.numbers import KINDS
from builder.scalars import Text
from builder.validate import validate

REPO = Path(__file__).resolve().parents[1]
BUILDER = REPO / "builder"


def _bad_content():
    """tests/test_bad_content.py's cases and tree maker (loaded as a module, not collected)."""
    spec = importlib.util.spec_from_file_location("_bad_cases", Path(__file__).with_name(
        "test_bad_content.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


BC = _bad_content()


# --- the catalogs ----------------------------------------------------------------------------

def test_both_catalogs_have_the_same_ids_and_placeholders():
    en, zh = catalog("en"), catalog("zh-CN")
    assert set(en) == set(zh), set(en) ^ set(zh)
    for key in en:
        assert placeholders(en[key]) == placeholders(zh[key]), key
    assert len(en) >= 150


def test_every_template_fills_in_without_a_stray_brace():
    for lang in LANGS:
        for key, template in catalog(lang).items():
            args = {name: 1 if spec else "x" for _lit, name, spec, _conv
                    in string.Formatter().parse(template) if name}
            filled = template.format_map(args)
            assert not re.search(r"\{[a-z_]+\}", filled), (lang, key)


def test_chinese_says_something_of_its_own():
    en, zh = catalog("en"), catalog("zh-CN")
    same = {k for k in en if en[k] == zh[k]}
    assert same == {"what.item_ref"}, same  # "{target} {key}": two values, no words

    def words(template: str) -> str:
        return "".join(lit for lit, *_ in string.Formatter().parse(template))
    for key in en:
        if re.search(r"[A-Za-z]{2,}", words(en[key])):
            assert re.search(r"[\u4e00-\u9fff]", words(zh[key])), key


def test_the_parsers_words_are_its_own_in_english():
    for key, said in _yamlwords.PHRASES.items():
        assert str(Msg(key)) == said
        assert _yamlwords.phrase(said).text("zh-CN") == catalog("zh-CN")[key].format()
    assert _yamlwords.phrase("something new") == "something new"


def _literal_ids() -> set[str]:
    """Ids named in the code: Msg("id", ...), both branches of Msg("a" if x else "b"),
    and id strings handed over to become messages (Text hints, YAML hints, OS errors,
    the record a missing figure belongs to)."""
    out: set[str] = set()
    for path in BUILDER.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Msg" and node.args:
                first = node.args[0]
                for c in (first.body, first.orelse) if isinstance(first, ast.IfExp) else (first,):
                    if isinstance(c, ast.Constant) and isinstance(c.value, str):
                        out.add(c.value)
        out |= set(re.findall(r'"((?:hint|yaml\.hint|os|what)\.[a-z_]+)"', source))
    return out


def _map_key_names() -> set[str]:
    names, seen = set(), []

    def walk(spec):
        if any(spec is s for s in seen):
            return
        seen.append(spec)
        if isinstance(spec, MapOf):
            names.add(spec.key_name)
        for attr in ("item", "key", "value", "number"):
            if hasattr(spec, attr) and hasattr(getattr(spec, attr), "coerce"):
                walk(getattr(spec, attr))
        if isinstance(spec, Record):
            for f in spec.fields.values():
                walk(f.metadata["spec"])
    for cls in RECORDS.values():
        walk(Record(cls))
    return names


def test_every_id_the_code_names_exists_and_every_id_is_used():
    en = catalog("en")
    literal = _literal_ids()
    assert literal and not literal - set(en), sorted(literal - set(en))
    families = {f"kind.{k}" for k in ("region", "project", "campaign", "source")}
    families |= {f"basis.{b}" for b in V.SCHEDULE_BASES} | {f"figkind.{k}" for k in KINDS}
    families |= {f"page.{k}" for k in pages._KINDS} | set(_yamlwords.PHRASES)
    families |= {"mapkey." + n.replace(" ", "_") for n in _map_key_names()}
    assert not families - set(en), sorted(families - set(en))
    assert not set(en) - literal - families, sorted(set(en) - literal - families)


def test_every_pattern_hint_is_a_message():
    hints = set()
    for cls in RECORDS.values():
        for f in Record(cls).fields.values():
            spec = f.metadata["spec"]
            spec = getattr(spec, "item", spec)
            if isinstance(spec, Text) and spec.pattern is not None:
                hints.add(spec.hint)
    assert hints and hints <= set(catalog("en")), hints


def test_a_message_survives_pickling_with_its_words():
    m = Msg("type.expected", what=Msg("what.number"), found='"约3亿"')
    back = pickle.loads(pickle.dumps(m))
    assert back == m == 'expected a number, found "约3亿"'
    assert back.key == "type.expected" and back.text("zh-CN") == '这里应填数字，现在是 "约3亿"'


def test_a_plain_string_is_shown_as_it_is():
    assert text("第 3 行没有项目名称", "en") == text("第 3 行没有项目名称", "zh-CN") == "第 3 行没有项目名称"


# --- every bad case, and the demo site, in Chinese -------------------------------------------

_QUOTED = re.compile(r'`[^`]*`|"[^"]*"|\{\{.*?\}\}|\'[^\']*\'')
_ENGLISH = re.compile(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\b")


def _assert_said_in_chinese(problems) -> list[str]:
    """Each problem's Chinese message: made from its id (not a plain string), every
    placeholder filled, and no run of English words outside quoted values."""
    said = []
    for p in problems:
        where = f"{p.path}:{p.line}:{p.column} {p.code}: {p.message}"
        assert isinstance(p.message, Msg), f"a plain string, not said in Chinese: {where}"
        zh = text(p.message, "zh-CN")
        assert re.search(r"[\u4e00-\u9fff]", zh), where
        assert not re.search(r"\{[a-z_]+(:[^}]*)?\}", zh), f"unfilled: {zh}"
        left = _ENGLISH.search(_QUOTED.sub("", zh))
        assert not left, f"English left in {zh!r}: {left[0]!r}"
        said.append(zh)
    return said


def _problems(content: Path):
    result = validate(content, jobs=1)
    problems = list(result.problems)
    if not result.errors and result.site is not None:
        problems += list(derive(result).problems)
    return problems


@pytest.mark.parametrize("case", BC.CASES)
def test_every_bad_case_is_said_in_chinese(tmp_path, monkeypatch, case):
    BC.make_tree(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    problems = _problems(Path("content"))
    assert problems
    _assert_said_in_chinese(problems)
    english = [f"{p.path}: {p.severity}: {p.message}" for p in problems]
    assert len(english) == len(BC.expected_lines(case)), english


def test_the_demo_sites_warnings_are_said_in_chinese(monkeypatch):
    monkeypatch.chdir(REPO)
    problems = _problems(Path("content"))
    assert problems and all(p.severity == "warning" for p in problems)
    said = _assert_said_in_chinese(problems)
    assert any("不一致" in s for s in said), said


def test_nothing_is_said_while_nothing_is_wrong():
    """Catalogs are read only when a problem is found: no cost on the happy path."""
    script = ("import sys; from pathlib import Path; import builder.messages as m\n"
              "from builder.derive import derive; from builder.validate import validate\n"
              f"r = validate(Path({str(BC.GOOD)!r}), jobs=1); derive(r)\n"
              "sys.exit(1 if (r.problems or m._loaded) else 0)\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


# --- the commands speak the site's language --------------------------------------------------

FALLING_ZH = ("content/projects/alpha.yaml:11:20: error: progress[2].completed_ytd: "
              "12.5 小于上个月的 13.1（累计数不能下降）")
FALLING_EN = ("content/projects/alpha.yaml:11:20: error: progress[2].completed_ytd: "
              "12.5 is below the previous month's 13.1 (cumulative figures cannot fall)")


def _bulletin(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def _site_language(content: Path, lang: str) -> None:
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("language: zh-CN", f"language: {lang}"),
                    encoding="utf-8")


def test_check_speaks_the_sites_language_unless_told(tmp_path):
    content = BC.make_tree(tmp_path, "ytd-falling")
    assert BC.problem_lines(_bulletin(tmp_path, "check", "content").stdout) == [FALLING_ZH]
    assert BC.problem_lines(_bulletin(tmp_path, "check", "content", "--lang", "en").stdout) == [
        FALLING_EN]
    [p] = json.loads(_bulletin(tmp_path, "check", "content", "--format", "json").stdout)
    assert p["code"] == "falling" and p["message"] == FALLING_ZH.split("completed_ytd: ")[1]
    _site_language(content, "English")  # an alias of en
    assert site_language(content) == "en"
    assert BC.problem_lines(_bulletin(tmp_path, "check", "content").stdout) == [FALLING_EN]
    gh = _bulletin(tmp_path, "check", "content", "--format", "github", "--lang", "zh-CN").stdout
    assert gh.endswith("::12.5 小于上个月的 13.1（累计数不能下降）\n"), gh


def test_a_site_yaml_that_cannot_be_read_gets_chinese(tmp_path):
    content = BC.make_tree(tmp_path, "ytd-falling")
    (content / "site.yaml").write_text("title: [未闭合\nlanguage: en\n", encoding="utf-8")
    assert site_language(content) == "zh-CN"
    assert BC.problem_lines(_bulletin(tmp_path, "check", "content").stdout) == [
        FALLING_ZH, "content/site.yaml:2:9: error: YAML 语法错误：找不到应有的逗号（,）或右方括号（]）"
        "（读取 [ ] 里的内容时）"]


def test_build_speaks_the_sites_language_and_writes_nothing(tmp_path):
    BC.make_tree(tmp_path, "ytd-falling")
    r = _bulletin(tmp_path, "build", "content", "--out", "out", "--cache", "")
    assert r.returncode == 1 and not (tmp_path / "out").exists()
    assert BC.problem_lines(r.stdout) == [FALLING_ZH]
    r = _bulletin(tmp_path, "build", "content", "--out", "out", "--cache", "", "--lang", "en")
    assert BC.problem_lines(r.stdout) == [FALLING_EN]
