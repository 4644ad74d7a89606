"""builder._yaml.parse_yaml: values as typed, positions of every key and value, nothing unsafe."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from builder import _yaml
from builder._yaml import MAX_ALIAS_EXPANSION, MAX_DEPTH, parse_yaml

GOOD = Path(__file__).resolve().parent / "fixtures" / "good" / "content"


def data(text: str):
    doc, problems = parse_yaml(text, "t.yaml")
    assert problems == [], problems
    assert doc is not None
    return doc.data


def problems(text: str):
    doc, found = parse_yaml(text, "t.yaml")
    assert found, "expected a problem"
    return doc, found


def only(text: str):
    doc, found = problems(text)
    assert len(found) == 1, found
    return found[0]


# --- values as typed ---------------------------------------------------------------------------

def test_decimals_keep_the_precision_typed():
    d = data("a: 1546.18\nb: 8.0\nc: 0.10\nd: -3.5\ne: 109.42\n")
    assert d["a"] == Decimal("1546.18") and str(d["a"]) == "1546.18"
    assert str(d["b"]) == "8.0" and d["b"].as_tuple().exponent == -1
    assert str(d["c"]) == "0.10"
    assert d["d"] == Decimal("-3.5")
    assert all(type(v) is Decimal for v in d.values())


def test_integers_stay_int_never_float():
    d = data("a: 336\nb: -2\nc: 0\nd: 1_000\n")
    assert d == {"a": 336, "b": -2, "c": 0, "d": 1000}
    assert all(type(v) is int for v in d.values())


def test_no_value_is_ever_a_float():
    d = data("a: 1.5\nb: [2.25, 3.0]\nc: {d: 1e3, e: 6.02e+23}\n")
    floats = []

    def walk(v):
        if isinstance(v, float):
            floats.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(d)
    assert floats == []


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "NO", "On", "OFF", "y", "n"])
def test_yes_no_on_off_stay_text(word):
    assert data(f"a: {word}\n") == {"a": word}


def test_only_true_and_false_are_booleans():
    assert data("a: true\nb: false\n") == {"a": True, "b": False}


@pytest.mark.parametrize("text", ["0o17", "0x1F", "012", "1:30", "0b101"])
def test_octal_hex_and_base_60_stay_text(text):
    assert data(f"a: {text}\n") == {"a": text}


def test_nulls():
    assert data("a:\nb: ~\nc: null\n") == {"a": None, "b": None, "c": None}


def test_quoted_values_are_always_text():
    d = data("a: '2023'\nb: \"1.5\"\nc: 'true'\nd: '2023-01-01'\ne: \"null\"\n")
    assert d == {"a": "2023", "b": "1.5", "c": "true", "d": "2023-01-01", "e": "null"}


def test_dates_are_dates():
    d = data("a: 2023-03-31\nb: 2024-02-29\n")
    assert d == {"a": dt.date(2023, 3, 31), "b": dt.date(2024, 2, 29)}
    assert type(d["a"]) is dt.date


@pytest.mark.parametrize("text", ["2023-04-10 09:30:00", "2023-04-10T09:30:00Z",
                                  "2023-04-10t09:30:00.5+08:00"])
def test_dates_with_a_time_stay_text(text):
    assert data(f"a: {text}\n") == {"a": text}


@pytest.mark.parametrize("text", ["2023-02-30", "2023-13-01", "2022-02-29", "2023-00-10"])
def test_impossible_dates_are_problems(text):
    p = only(f"x: 1\na: {text}\n")
    assert (p.line, p.column, p.code, p.field) == (2, 4, "bad-date", ("a",))
    assert text in p.message


@pytest.mark.parametrize("text", [".nan", ".NaN", ".inf", "-.inf", "+.Inf", ".INF"])
def test_nan_and_inf_are_problems(text):
    p = only(f"a: 1\nb:\n  c: {text}\n")
    assert (p.line, p.column, p.code, p.field) == (3, 6, "not-finite", ("b", "c"))
    assert text in p.message


def test_integer_and_date_keys():
    d = data("annual_plan:\n  2023: 8.0\n  2024: 9\nstage_dates:\n  2023-01-01: x\n")
    assert d["annual_plan"] == {2023: Decimal("8.0"), 2024: 9}
    assert list(d["stage_dates"]) == [dt.date(2023, 1, 1)]


def test_cjk_text_and_keys():
    d = data("名称: 周口港区物流园\n别名: [港区物流园, 物流园]\n")
    assert d == {"名称": "周口港区物流园", "别名": ["港区物流园", "物流园"]}


# --- positions -----------------------------------------------------------------------------------

SAMPLE = """\
id: alpha
name: 周口港区物流园项目
progress:
  - month: 2023-01
    completed_ytd: 1.2
  - month: 2023-02
    completed_ytd: 2.4
annual_plan: {2023: 8.0}
"""


def test_positions_of_values_are_one_based():
    doc, found = parse_yaml(SAMPLE, "t.yaml")
    assert found == []
    assert doc.position(("id",)) == (1, 5)
    assert doc.position(("name",)) == (2, 7)
    assert doc.position(("progress",)) == (4, 3)
    assert doc.position(("progress", 0)) == (4, 5)
    assert doc.position(("progress", 1, "completed_ytd")) == (7, 20)
    assert doc.position(("annual_plan", "2023")) == (8, 21)


def test_positions_of_keys():
    doc, _ = parse_yaml(SAMPLE, "t.yaml")
    assert doc.position(("id",), at_key=True) == (1, 1)
    assert doc.position(("progress", 1, "month"), at_key=True) == (6, 5)
    assert doc.position(("progress", 1, "completed_ytd"), at_key=True) == (7, 5)
    assert doc.position(("annual_plan", "2023"), at_key=True) == (8, 15)


def test_a_missing_field_points_at_its_parent():
    doc, _ = parse_yaml(SAMPLE, "t.yaml")
    assert doc.position(("progress", 1, "completed_cumulative")) == (6, 5)
    assert doc.position(("progress", 7)) == (4, 3)
    assert doc.position(("nothing",)) == (1, 1)


def test_cjk_columns_count_characters_not_bytes():
    text = "名称: 周口港区\n项目:\n  - 总投资: 约3亿\n    年份: 2023\n别名: [甲乙, 丙丁]\n"
    doc, _ = parse_yaml(text, "t.yaml")
    assert doc.position(("名称",)) == (1, 5)
    assert doc.position(("项目", 0, "总投资")) == (3, 10)
    assert doc.position(("项目", 0, "总投资"), at_key=True) == (3, 5)
    assert doc.position(("项目", 0, "年份")) == (4, 9)
    assert doc.position(("别名", 1)) == (5, 10)


def test_line_offset_shifts_positions_and_quotes_the_files_own_line():
    lines = ("---", "title: 通报", "date: 2023-02-30", "---", "body")
    doc, found = parse_yaml("title: 通报\ndate: 2023-02-30", "b.md", lines, line_offset=1)
    [p] = found
    assert (p.line, p.column, p.source_line) == (3, 7, "date: 2023-02-30")
    assert doc.position(("title",)) == (2, 8)


def test_problems_carry_the_source_line():
    p = only("a: 1\nb: .nan\n")
    assert p.source_line == "b: .nan"
    assert p.path == "t.yaml" and p.severity == "error"


def test_a_value_reached_through_an_alias_has_the_alias_position():
    doc, _ = parse_yaml("a: &x 约3亿\nb: *x\n", "t.yaml")
    assert doc.data == {"a": "约3亿", "b": "约3亿"}
    assert doc.position(("b",)) == (2, 4)


# --- refused input -------------------------------------------------------------------------------

def test_duplicate_key_names_both_lines():
    doc, found = problems("id: a\nname: x\nname: y\n")
    [p] = found
    assert (p.line, p.column, p.code, p.field) == (3, 1, "duplicate-key", ("name",))
    assert "line 2" in p.message and "`name`" in p.message


def test_duplicate_key_in_a_nested_mapping():
    _, found = problems("progress:\n  - month: 2023-01\n    month: 2023-02\n")
    [p] = found
    assert (p.line, p.column, p.field) == (3, 5, ("progress", 0, "month"))


def test_int_and_text_keys_that_print_the_same_are_duplicates():
    _, found = problems("annual_plan:\n  2023: 1\n  '2023': 2\n")
    assert [p.code for p in found] == ["duplicate-key"]


def test_tab_indentation():
    p = only("lead:\n\ttitle: 副市长\n")
    assert (p.line, p.column, p.code) == (2, 1, "tab")


def test_tab_after_spaces():
    p = only("lead:\n  \ttitle: 副市长\n")
    assert (p.line, p.column, p.code) == (2, 3, "tab")


def test_a_tab_inside_a_value_is_fine():
    assert data("a: 甲\t乙\n") == {"a": "甲\t乙"}


@pytest.mark.parametrize("text,line", [
    ("a: [1, 2\nb: 3\n", 2),
    ("a: b: c\n", 1),
    ("a: *nope\n", 1),
    ("a: 1\n---\nb: 2\n", 2),
])
def test_syntax_errors_have_a_line(text, line):
    p = only(text)
    assert p.code == "yaml-syntax"
    assert p.line == line
    assert p.message.startswith("YAML syntax error: ")


def test_undefined_alias_hint():
    p = only("a: *nope\n")
    assert "anchor (&name)" in p.message


def test_missing_colon_is_reported_on_its_own_line():
    p = only("id: alpha\nstage building\nprogress:\n  - month: 2023-01\n")
    assert (p.line, p.column) == (2, 1)


def test_unclosed_quote_is_reported_where_it_opens():
    p = only('id: alpha\nname: "周口\nregion: zhoukou\n')
    assert (p.line, p.column) == (2, 7)
    assert p.source_line == 'name: "周口'


@pytest.mark.parametrize("text", ["a: !!python/object:os.system x\n",
                                  "a: !!python/object/apply:os.system ['ls']\n",
                                  "a: !custom 5\n", "a: !!binary aGVsbG8=\n", "a: !!set {x}\n",
                                  "!custom\nb: 1\n"])
def test_non_standard_tags_are_refused(text):
    p = only(text)
    assert p.code == "yaml-tag"


def test_python_tags_never_run(tmp_path):
    marker = tmp_path / "ran"
    only(f"a: !!python/object/apply:os.system ['touch {marker}']\n")
    assert not marker.exists()


def test_merge_keys_are_refused():
    p = only("base: &b {x: 1}\nitem:\n  <<: *b\n  y: 2\n")
    assert (p.line, p.code) == (3, "yaml-tag")
    assert "merge" in p.message


def test_billion_laughs_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    doc, found = parse_yaml("\n".join(lines) + "\n", "t.yaml")
    assert time.perf_counter() - start < 2
    assert doc is None
    assert [p.code for p in found] == ["yaml-alias"]
    assert str(MAX_ALIAS_EXPANSION) in found[0].message


def test_a_few_aliases_are_fine():
    d = data("a: &x [1, 2]\nb: *x\nc: *x\n")
    assert d == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}


def test_recursive_alias_is_refused():
    doc, found = problems("lead: &l\n  title: x\n  deputy: *l\n")
    assert doc is None
    assert [p.code for p in found] == ["yaml-alias"]


def test_nesting_up_to_the_limit_is_fine_and_beyond_is_refused():
    ok = "a: " + "[" * (MAX_DEPTH - 2) + "1" + "]" * (MAX_DEPTH - 2) + "\n"
    assert parse_yaml(ok, "t.yaml")[1] == []
    p = only("a: " + "[" * (MAX_DEPTH + 5) + "1" + "]" * (MAX_DEPTH + 5) + "\n")
    assert p.code == "yaml-depth"


@pytest.mark.parametrize("depth", [1000, 20000])
def test_very_deep_nesting_is_a_problem_not_a_crash(depth):
    p = only("a: " + "[" * depth + "]" * depth + "\n")
    assert p.code == "yaml-depth"


def test_deep_block_nesting():
    text = "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "v\n"
    p = only(text)
    assert p.code == "yaml-depth"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "# a\n\n# b\n"])
def test_no_data(text):
    doc, found = parse_yaml(text, "t.yaml")
    assert doc is None
    assert [p.code for p in found] == ["empty"]


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "? {a: 1}\n: 2\n", ": 1\n", "~: 1\n"])
def test_keys_must_be_plain_words(text):
    doc, found = parse_yaml(text, "t.yaml")
    assert doc is None or found
    assert all(p.code in ("yaml-key", "yaml-syntax") for p in found)


def test_a_top_level_list_or_scalar_is_data():
    assert data("- a\n- b\n") == ["a", "b"]
    assert data("just text\n") == "just text"


# --- the C loader and the pure-Python loader agree -----------------------------------------------

def _pure_python_loader():
    """The loader parse_yaml uses, rebuilt on PyYAML's pure-Python SafeLoader."""
    if hasattr(_yaml, "FastLoader"):
        name, c_loader = "FastLoader", _yaml.FastLoader
        pure = type("PureFastLoader", (yaml.SafeLoader,),
                    {k: v for k, v in vars(c_loader).items()
                     if callable(v) and not k.startswith("__")})
    else:
        name, c_loader, pure = "_Loader", _yaml._Loader, yaml.SafeLoader
    return name, c_loader, pure


def _walk_paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            key = k.isoformat() if isinstance(k, dt.date) else str(k)
            yield from _walk_paths(v, path + (key,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_paths(v, path + (i,))


def _snapshot(text: str, name: str):
    doc, found = parse_yaml(text, name)
    assert doc is not None, found
    paths = list(_walk_paths(doc.data))
    return (doc.data, [(p, doc.position(p), doc.position(p, at_key=True)) for p in paths],
            [(p.line, p.column, p.code, p.message) for p in found])


def test_c_and_pure_python_loaders_give_identical_data_and_positions(monkeypatch):
    assert _yaml.HAVE_LIBYAML, "the C loader (libyaml) is required (DESIGN §8)"
    name, c_loader, pure = _pure_python_loader()
    assert issubclass(c_loader, yaml.CSafeLoader)
    files = sorted(GOOD.rglob("*.yaml"))
    assert len(files) >= 5
    texts = {str(f): f.read_text(encoding="utf-8") for f in files}
    texts["cjk"] = "名称: 周口港区\n项目:\n  - 总投资: {value: 3, bound: approx}\n    年份: 2023\n"
    with_c = {n: _snapshot(t, n) for n, t in texts.items()}

    used = []
    original_init = pure.__init__

    def spy(self, stream):
        used.append(True)
        original_init(self, stream)

    monkeypatch.setattr(pure, "__init__", spy)
    monkeypatch.setattr(_yaml, name, pure)
    with_py = {n: _snapshot(t, n) for n, t in texts.items()}
    assert used, "the pure-Python loader was not used: parse_yaml reads its loader elsewhere"
    for n in texts:
        assert with_py[n] == with_c[n], n


def test_c_and_pure_python_loaders_agree_on_problems(monkeypatch):
    bad = ["a: 1\na: 2\n", "a: .nan\nb: 2023-02-30\n", "a: &x [1]\nb: !custom 1\n"]
    with_c = [[(p.line, p.column, p.code) for p in parse_yaml(t, "t")[1]] for t in bad]
    name, _c, pure = _pure_python_loader()
    monkeypatch.setattr(_yaml, name, pure)
    with_py = [[(p.line, p.column, p.code) for p in parse_yaml(t, "t")[1]] for t in bad]
    assert with_py == with_c


# --- libyaml is required ------------------------------------------------------------------------

def test_without_libyaml_parsing_is_refused_with_a_message_that_says_how_to_fix_it(monkeypatch):
    from builder import _resolve
    from builder.errors import ConfigError

    monkeypatch.delattr(yaml, "CSafeLoader")  # how PyYAML looks when built without libyaml
    assert _resolve.c_loader() is None
    monkeypatch.setattr(_resolve, "HAVE_LIBYAML", False)
    with pytest.raises(ConfigError) as err:
        parse_yaml("a: 1\n", "t.yaml")
    message = str(err.value)
    assert "without libyaml" in message and "yaml.CSafeLoader is missing" in message
    assert "pip install --force-reinstall" in message and "libyaml-dev" in message


def test_bulletin_check_without_libyaml_exits_1_with_the_message_and_no_traceback():
    import subprocess
    import sys

    code = ("import sys, yaml; del yaml.CSafeLoader\n"
            "from builder.cli import main\n"
            f"sys.exit(main(['check', {str(GOOD)!r}, '--jobs', '2']))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("bulletin check: PyYAML ")
    assert "without libyaml" in proc.stderr and "Traceback" not in proc.stderr
