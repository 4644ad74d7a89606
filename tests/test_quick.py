"""Each field kind's `quick` gives what its `coerce` gives, or steps aside.

`quick(value)` is the shortcut for values that pass: it must return exactly
what `coerce` returns for them (same type, same value, records equal and
filled in the same order) and no problem or reference may be lost, or else
return SLOW. Checked on every value of real files (the demo, the fixtures, a
generated site), on random values, and on records with one value replaced.
"""

import dataclasses
import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import blocks
from builder._yaml import parse_yaml
from builder.fields import BAD, SLOW, Ctx, ListOf, MapOf, Record
from builder.load import discover, parse_file
from builder.numbers import FigureSpec
from builder.scalars import SourceSpec
from builder.validate import _SPECS
from tests._tree import paths as _paths
from tests._tree import replace as _replace

REPO = Path(__file__).resolve().parents[1]
DOC = parse_yaml("a: 1\n", "t.yaml")[0]


def children(spec):
    if isinstance(spec, Record):
        return [plan[0] for plan in spec._plan.values()]
    if isinstance(spec, ListOf):
        return [spec.item]
    if isinstance(spec, MapOf):
        return [spec.key, spec.value]
    if isinstance(spec, FigureSpec):
        return [spec.number]
    if isinstance(spec, SourceSpec):
        return [spec._record()]
    return []


def all_specs():
    seen, todo = {}, list(_SPECS.values()) + [blocks._RECORD]
    while todo:
        spec = todo.pop()
        if id(spec) not in seen:
            seen[id(spec)] = spec
            todo.extend(children(spec))
    return list(seen.values())


SPECS = all_specs()
QUICK = [s for s in SPECS if s.quick is not None]


def deep(v):
    """A value with types, and a record's fields in their stored order, spelled out."""
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return (type(v).__name__, [(k, deep(x)) for k, x in vars(v).items()])
    if isinstance(v, dict):
        return ("dict", [(deep(k), deep(x)) for k, x in v.items()])
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, [deep(x) for x in v])
    return (type(v).__name__, repr(v))


def agrees(spec, value):
    """Assert the contract for one value; return whether the shortcut was taken."""
    q = spec.quick(value)
    if q is SLOW:
        return False
    ctx = Ctx(DOC)
    c = spec.coerce(value, ("f",), ctx)
    assert c is not BAD, (spec, value)
    assert ctx.problems == [] and ctx.refs == [], (spec, value)
    assert deep(q) == deep(c), (spec, value)
    return True


def pairs(spec, value):
    """(spec, value) for the value and everything inside it that a spec reads."""
    yield spec, value
    if isinstance(spec, Record) and isinstance(value, dict):
        for k, v in value.items():
            if k in spec._plan and v is not None:
                yield from pairs(spec._plan[k][0], v)
    elif isinstance(spec, ListOf) and isinstance(value, list):
        for v in value:
            yield from pairs(spec.item, v)
    elif isinstance(spec, MapOf) and isinstance(value, dict):
        for k, v in value.items():
            yield from pairs(spec.key, k)
            yield from pairs(spec.value, v)
    elif isinstance(spec, FigureSpec):
        yield from pairs(spec.number, value.get("value") if isinstance(value, dict) else value)
    elif isinstance(spec, SourceSpec) and isinstance(value, dict):
        yield from pairs(spec._record(), value)


def real_documents(extra: Path | None = None):
    roots = [REPO / "content"] + sorted(p for p in (REPO / "tests" / "fixtures").glob("**/content")
                                        if p.is_dir())
    if extra is not None:
        roots.append(extra)
    for root in roots:
        files, _ = discover(root)
        for f in files:
            parsed = parse_file(f)
            if parsed.doc is not None:
                yield f.kind, parsed.doc.data


def test_every_kind_with_a_shortcut_is_covered():
    names = {type(s).__name__ for s in QUICK}
    assert {"Record", "ListOf", "MapOf", "Amount", "FigureSpec", "Text", "Choice", "Month",
            "DateSpec", "Slug"} <= names
    assert not any(type(s).__name__ in ("Ref", "SourceSpec") for s in QUICK), \
        "a reference must be recorded, so it has no shortcut"


def test_quick_agrees_with_coerce_on_every_value_of_real_files(tmp_path):
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "30", str(tmp_path)],
                   check=True, capture_output=True)
    taken = checked = 0
    for kind, data in real_documents(tmp_path / "content"):
        for spec, value in pairs(_SPECS[kind], data):
            if spec.quick is not None:
                checked += 1
                taken += agrees(spec, value)
    assert checked > 1000 and taken > checked // 2


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**13, 10**13), st.sampled_from([0, 1, 1949, 2100, 2023]),
    st.decimals(allow_nan=True, allow_infinity=True), st.sampled_from(
        [Decimal("1.20"), Decimal("-0.5"), Decimal("1E+13"), Decimal("sNaN"), Decimal("0.00")]),
    st.dates(), st.datetimes(), st.text(max_size=12),
    st.sampled_from(["", " ", " x ", "2023-01", "2023-13", "2023", "2023-Q1", "zhoukou", "con",
                     "a" * 81, "A-b", "new", "continuing", "新建", "建设", "开工", "actual", "target",
                     "lower", "亿元", "万元", "https://x.cn/a", "x" * 501, "\u3000x\u3000", "1", "true"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["value", "bound", "kind", "unit", "note", "month", "title",
                                     "completed_ytd", 2023, "签约", "x"]), inner, max_size=4)),
    max_leaves=8)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(QUICK), values)
def test_quick_agrees_with_coerce_on_random_values(spec, value):
    agrees(spec, value)


PROJECT = parse_yaml("""\
id: p-000001
name: 河东众鑫显示模组扩建项目
region: dongchuan-hedong
levels: [province, city]
sector: 电子信息
build_type: continuing
total_investment: 4.32
annual_plan: {2022: 1.21, 2023: 0.52}
stage: 建设
stage_dates: {签约: 2019-10-25, 落地: 2020-02-15, 开工: 2020-04-12}
status_text: 快速推进
status_as_of: 2023-12-31
campaigns: [{campaign: 3kb-dongchuan-7, batch: 开工一批}]
lead: {title: 区政协副主席}
whitelist: [{batch: 2}]
baseline: {total_investment: {value: 4, bound: lower}, completion: 2024-06-30}
problems: [{opened: 2023-03-12, text: 环评审批, resolved: 2023-03-19}]
progress:
  - {month: 2022-01, completed_ytd: 0.12, completed_cumulative: 0.70}
  - {month: 2022-02, completed_ytd: 0.19, completed_cumulative: 0.77, note: 节后复工}
  - {month: 2022-03, completed_ytd: 1, completed_cumulative: 2}
sources: [synthetic-ledger]
""", "p.yaml")[0].data


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from([p for p in _paths(PROJECT) if p]), values)
def test_quick_agrees_with_coerce_inside_a_project_with_one_value_replaced(path, new):
    for spec, value in pairs(_SPECS["projects"], _replace(PROJECT, path, new)):
        if spec.quick is not None:
            agrees(spec, value)


def test_a_record_is_made_as_its_dataclass_would_make_it():
    for spec in SPECS:
        if not isinstance(spec, Record) or spec._template is None:
            continue
        kwargs = {name: f"v-{name}" for name in spec.required}
        made = spec._make(kwargs)
        want = spec.cls(**kwargs)
        assert made == want and list(vars(made)) == list(vars(want)), spec.cls
        assert deep(made) == deep(want)


def test_dates_and_datetimes_stay_apart():
    when = dt.datetime(2023, 1, 2, 3, 4)
    for spec in QUICK:
        q = spec.quick(when)
        assert q is SLOW or q is when
