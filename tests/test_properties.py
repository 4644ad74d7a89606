"""Property tests: whatever an editor types, the loader and validator answer with Problems.

(a) random text and bytes never make parse_yaml / read_text / parse_file raise;
(b) random YAML documents, checked as a project, region, campaign or bulletin,
    give a record or problems, never an exception;
(c) replacing one field of a valid project with anything never raises, nor does
    replacing a field of any file (or the bulletin body) of the good tree and
    checking the whole tree, cross-record pass included;
(d) the cumulative rule flags a fall exactly when there is one.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder._yaml import parse_yaml
from builder.load import SourceFile, parse_file, read_text
from builder.validate import validate, validate_file
from tests._tree import paths as _paths
from tests._tree import replace as _replace

GOOD = Path(__file__).resolve().parent / "fixtures" / "good" / "content"

SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: One folder per test process, reused across examples (each example overwrites its file).
_DIR = Path(tempfile.mkdtemp(prefix="bulletin-props-"))
atexit.register(shutil.rmtree, _DIR, True)

FOLDER = {"projects": "alpha.yaml", "regions": "zhoukou.yaml", "campaigns": "zhoukou-2023.yaml",
          "bulletins": "2023-04-10-q1-review.md", "site": "site.yaml"}


def _file(kind: str, data: bytes | str) -> SourceFile:
    name = FOLDER[kind]
    path = _DIR / kind / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    stem = name.rsplit(".", 1)[0]
    return SourceFile(kind, f"content/{kind}/{name}", str(path), stem)


def _check(kind: str, data: bytes | str):
    result = validate_file(_file(kind, data))
    assert result.record is not None or result.problems, "neither a record nor a problem"
    for p in result.problems:
        assert p.severity in ("error", "warning")
        assert isinstance(p.message, str) and p.message
        assert p.line >= 0 and p.column >= 0
    return result


# --- strategies --------------------------------------------------------------------------------

CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), max_size=8)
WORDS = st.sampled_from([
    "id", "name", "region", "parent", "level", "progress", "month", "completed_ytd",
    "completed_cumulative", "total_investment", "annual_plan", "stage", "stage_dates",
    "campaigns", "campaign", "batch", "value", "bound", "kind", "unit", "note", "reports", "key",
    "scope", "year", "as_of", "as_of_note", "subset_of", "plan_completion_pct", "completed",
    "ahead_of_schedule_pp", "problems", "collected", "resolved", "in_progress", "targets",
    "batches", "count", "advanced", "rate_pct", "totals", "members", "sources", "title", "date",
    "headline", "rankings", "rank", "of", "events", "indicators", "label", "window", "start",
    "end", "lead", "baseline", "levels", "sector", "build_type", "whitelist", "capacity",
    "签约", "开工", "2023", "2023-01", "alpha", "zhoukou", "<<", "anual_plan",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**15, 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)),
    st.text(max_size=20), CJK, WORDS,
    st.sampled_from(["约3亿", "５０．５", "50", "2023-02-30", "2023-13", "2023-Q5", ".nan",
                     "zhoukou", "alpha", "zhoukou-2023", "zk-2023-q1", "building", "start",
                     "lower", "target", "actual", "province", "city", "2023-04-10 09:30:00",
                     "con", "../x", "Alpha", "sign", "operate", "zhoukou/2023-q1", "2023"]),
)
KEYS = st.one_of(WORDS, st.text(max_size=10), CJK, st.integers(1949, 2100))


def nested(leaves=SCALARS, keys=KEYS):
    return st.recursive(
        leaves,
        lambda children: st.one_of(st.lists(children, max_size=5),
                                   st.dictionaries(keys, children, max_size=6)),
        max_leaves=30,
    )


RECORD = st.dictionaries(WORDS, nested(), max_size=10)


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# --- (a) random input never raises ---------------------------------------------------------------

@SETTINGS
@given(st.text(max_size=400))
def test_parse_yaml_never_raises_on_text(text):
    doc, problems = parse_yaml(text, "t.yaml")
    assert doc is not None or problems


YAMLISH = st.lists(st.sampled_from([
    "a: ", "- ", "  ", "\t", "\n", "&x ", "*x ", "!!python/object ", "!tag ", "<<: ", "? ",
    "[", "]", "{", "}", ",", "'", '"', "|", ">", "#", "---", "...", "%YAML 1.1", "1.5", ".nan",
    "2023-02-30", "周口", "：", "约3亿", "\ufeff", "\x00", "\r\n", "\x85", "\u2028",
]), max_size=60).map("".join)


@SETTINGS
@given(YAMLISH)
def test_parse_yaml_never_raises_on_yaml_like_text(text):
    doc, problems = parse_yaml(text, "t.yaml")
    assert doc is not None or problems
    for p in problems:
        assert p.line >= 1 and p.column >= 1


@SETTINGS
@given(st.binary(max_size=400))
def test_read_text_never_raises_on_bytes(raw):
    path = _DIR / "raw.yaml"
    path.write_bytes(raw)
    text, problems = read_text(str(path), "raw.yaml")
    assert (text is None) == bool(problems)
    if text is not None:
        assert "\r" not in text and "\x00" not in text


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from(["projects", "bulletins", "site"]))
def test_parse_and_validate_never_raise_on_bytes(raw, kind):
    parse_file(_file(kind, raw))
    _check(kind, raw)


# --- (b) random documents as records ----------------------------------------------------------

@SETTINGS
@given(RECORD, st.sampled_from(["projects", "regions", "campaigns", "site"]))
def test_random_documents_as_records_never_raise(data, kind):
    _check(kind, dump(data))


@SETTINGS
@given(nested(), st.sampled_from(["projects", "regions", "campaigns"]))
def test_random_values_of_any_shape_never_raise(data, kind):
    _check(kind, dump(data))


BODY_BITS = st.sampled_from([
    "{{ figure zhoukou 2023-q1 completed }}", "{{ figure ", "}}", "{{", "{{figure}}",
    "{{ figure project:alpha total_investment }}", "{{ figure campaign:zhoukou-2023 start rate }}",
    "{{ figure campaign:x@2 a b c }}", "{{ figure :: }}", "\n```chart\n", "\n```\n", "\n~~~\n",
    "kind: plan_vs_schedule\n", "region: zhoukou\n", "kind: [1, 2]\n", "\t", "\n", "正文",
    "    ```chart\n", "\n````\n", "```chart", "report: 2023-q1\n", "&a [*a]\n",
    "!!python/object x\n",
])


@SETTINGS
@given(st.dictionaries(WORDS, nested(), max_size=6), st.lists(BODY_BITS, max_size=30))
def test_random_bulletins_never_raise(front, body):
    text = "---\n" + dump(front) + "---\n" + "".join(body)
    _check("bulletins", text)


@SETTINGS
@given(st.lists(BODY_BITS, max_size=30))
def test_random_bodies_under_valid_front_matter_never_raise(body):
    text = ("---\ntitle: 通报\ndate: 2023-04-10\nregion: zhoukou\n---\n" + "".join(body))
    result = _check("bulletins", text)
    for p in result.problems:
        assert p.path == "content/bulletins/2023-04-10-q1-review.md"


# --- (c) one field of a valid project replaced -------------------------------------------------

ALPHA = yaml.safe_load((GOOD / "projects" / "alpha.yaml").read_text(encoding="utf-8"))


ALPHA_PATHS = [p for p in _paths(ALPHA) if p]


def test_the_unmutated_project_is_valid():
    result = validate_file(_file("projects", dump(ALPHA)))
    assert result.problems == ()
    assert result.record is not None and result.record.id == "alpha"


@SETTINGS
@given(st.sampled_from(ALPHA_PATHS), nested(leaves=SCALARS, keys=KEYS))
def test_mutating_one_field_of_a_valid_project_never_raises(path, new):
    _check("projects", dump(_replace(ALPHA, path, new)))


@SETTINGS
@given(st.sampled_from(ALPHA_PATHS))
def test_deleting_one_field_of_a_valid_project_never_raises(path):
    def drop(value, path):
        head, rest = path[0], path[1:]
        if isinstance(value, dict):
            return {k: (drop(v, rest) if k == head and rest else v)
                    for k, v in value.items() if not (k == head and not rest)}
        return [drop(v, rest) if i == head and rest else v
                for i, v in enumerate(value) if not (i == head and not rest)]

    result = _check("projects", dump(drop(ALPHA, path)))
    if path in (("id",), ("name",), ("region",)):
        assert any(p.code == "missing" for p in result.problems)


# --- (c') one field of any file of the good tree replaced, checked with the whole tree ------------

def _tree_files():
    out = []
    for f in sorted(GOOD.rglob("*.yaml")):
        out.append((f.relative_to(GOOD).as_posix(), yaml.safe_load(f.read_text(encoding="utf-8"))))
    return out


TREE = _tree_files()
TREE_PATHS = [(i, p) for i, (_, data) in enumerate(TREE) for p in _paths(data) if p]


@SETTINGS
@given(st.sampled_from(TREE_PATHS), nested(leaves=SCALARS, keys=KEYS))
def test_mutating_any_file_of_the_tree_never_breaks_the_cross_record_pass(where, new):
    index, path = where
    rel, data = TREE[index]
    root = _DIR / "tree"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(GOOD, root / "content")
    (root / "content" / rel).write_text(dump(_replace(data, path, new)), encoding="utf-8")
    result = validate(root / "content", jobs=1)
    assert all(p.path.endswith((".yaml", ".md")) for p in result.problems)
    for p in result.problems:
        assert p.message and p.severity in ("error", "warning")


@SETTINGS
@given(st.lists(BODY_BITS, max_size=30))
def test_random_bulletin_bodies_never_break_the_cross_record_pass(body):
    root = _DIR / "tree"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(GOOD, root / "content")
    bulletin = root / "content" / "bulletins" / FOLDER["bulletins"]
    front = bulletin.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    bulletin.write_text(front + "\n---\n" + "".join(body), encoding="utf-8")
    result = validate(root / "content", jobs=1)
    # Only the bulletin changed, so every problem is in it.
    assert all(p.path.endswith("bulletins/" + FOLDER["bulletins"]) for p in result.problems)


# --- (d) the cumulative rule ------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=0, max_value=999, places=1, allow_nan=False, allow_infinity=False)


@SETTINGS
@given(st.lists(AMOUNTS, min_size=1, max_size=12))
def test_a_fall_in_completed_ytd_is_flagged_exactly_when_there_is_one(values):
    lines = ["id: alpha", "name: 测试项目", "region: zhoukou", "progress:"]
    for month, v in enumerate(values, start=1):
        lines += [f"  - month: 2023-{month:02d}", f"    completed_ytd: {v}"]
    result = _check("projects", "\n".join(lines) + "\n")
    flagged = sorted(p.field[1] for p in result.problems if p.code == "falling")
    falls = [i for i in range(1, len(values)) if values[i] < values[i - 1]]
    assert flagged == falls
    assert all(p.code == "falling" for p in result.problems)


@SETTINGS
@given(st.lists(AMOUNTS, min_size=2, max_size=12))
def test_the_falling_rule_restarts_each_year(values):
    # Each value in its own January: completed_ytd restarts, so nothing ever falls.
    lines = ["id: alpha", "name: 测试项目", "region: zhoukou", "progress:"]
    for i, v in enumerate(values):
        lines += [f"  - month: {2000 + i}-01", f"    completed_ytd: {v}"]
    result = _check("projects", "\n".join(lines) + "\n")
    assert result.problems == ()


@SETTINGS
@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False,
                   allow_infinity=False))
def test_money_keeps_the_digits_typed(amount):
    text = f"id: alpha\nname: 测试项目\nregion: zhoukou\ntotal_investment: {amount}\n"
    result = _check("projects", text)
    assert result.problems == ()
    assert str(result.record.total_investment.value) == str(amount)
    assert isinstance(result.record.total_investment.value, (int, Decimal))

