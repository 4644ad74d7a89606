"""`builder.scaffold`: a new record's file, from the model, that the real validator accepts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder._yaml import parse_yaml
from builder.derive import derive
from builder.errors import ConfigError
from builder.fields import BAD
from builder.scaffold import (
    KINDS,
    check_target,
    check_value,
    create,
    existing,
    render,
    target_path,
)
from builder.scaffold_text import yaml_scalar
from builder.schema import json_schemas
from builder.validate import validate

REPO = Path(__file__).resolve().parents[1]
GOOD = REPO / "tests" / "fixtures" / "good" / "content"

#: Values for each kind, as an editor would type them (strings, like flags).
TYPED = {
    "project": {"id": "foxconn-zk", "name": "富士康(周口)科技工业园", "region": "zhoukou"},
    "region": {"id": "xihua", "name": "西华县", "level": "县", "parent": "zhoukou"},
    "bulletin": {"id": "q2-notes", "title": "二季度: 进展 #2", "date": "2023-07-05",
                 "region": "zhoukou", "campaign": "zhoukou-2023"},
    "campaign": {"id": "zhoukou-3kb-8", "region": "zhoukou", "round": "8"},
}

#: Optional fields given a real value after uncommenting, per kind.
FILLED = {
    "project": {"total_investment": "20.5", "stage": "建设", "levels": "[province, city]",
                "annual_plan": "{2023: 8.0}", "lead": "{title: 副市长}", "build_type": "新建",
                "progress": "[{month: 2023-03, completed_ytd: 2.1}]", "sources": "[zk-2023-q1]",
                "campaigns": "[{campaign: zhoukou-2023, batch: 开工一批}]",
                "stage_dates": "{签约: 2023-01-05}", "aliases": "[富士康科技产业园]"},
    "region": {"full_name": "周口市西华县", "name_en": "Xihua", "aliases": "[西华]",
               "summary": "一个县。"},
    "bulletin": {"as_of": "2023-06-30", "period": "2023-H1", "tags": "[重点项目]",
                 "summary": "上半年。", "draft": "false", "headline": "[zhoukou/2023-q1]"},
    "campaign": {"as_of": "2023-06-30", "window": "{start: 2023-01-01, end: 2023-06-30}",
                 "batches": "[{batch: 签约一批, count: 10, advanced: 6}]",
                 "totals": "{count: 10}", "members": "[alpha]", "source": "zk-2023-q1"},
}


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A copy of the good fixture; cwd is its site folder, as for an editor."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(GOOD, tmp_path / "content")
    return tmp_path / "content"


def checked(kind_name: str, content: Path, typed: dict) -> dict:
    """The typed answers checked as `bulletin new` checks them; fails on any problem."""
    kind = KINDS[kind_name]
    ex = existing(content, names=True)
    values: dict = {}
    for ask in kind.asks:
        if ask.field == "id" or (ask.flag or ask.field) in typed:
            value, problem = check_value(kind, ask, typed[ask.flag or ask.field], ex, values)
            assert problem is None, problem
            values[ask.field] = value
    return values


def problems(content: Path) -> list:
    result = validate(content, jobs=1)
    if not result.errors:
        result = result.with_problems(list(derive(result).problems))
    return list(result.problems)


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_a_new_record_passes_check_at_once(site, kind_name):
    before = problems(site)
    created = create(site, KINDS[kind_name], checked(kind_name, site, TYPED[kind_name]))
    assert created.path.is_file()
    assert problems(site) == before == []


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_every_model_field_is_in_the_file_and_only_given_ones_are_live(site, kind_name):
    kind = KINDS[kind_name]
    values = checked(kind_name, site, TYPED[kind_name])
    text = create(site, kind, values).path.read_text(encoding="utf-8")
    for f in dataclasses.fields(kind.cls):
        live = re.search(rf"^{f.name}:", text, re.M)
        commented = re.search(rf"^# {f.name}:", text, re.M)
        assert live or commented, f"{f.name} is not in the file"
        assert bool(live) == (f.name in values), f.name
        # the field's own documentation sits just above it
        block = text[:(live or commented).start()].rstrip("\n").rsplit("\n\n", 1)[-1]
        assert f.metadata["zh"] in block and f.metadata["en"] in block


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_the_schema_modeline_points_at_the_kinds_schema(site, kind_name):
    kind = KINDS[kind_name]
    created = create(site, kind, checked(kind_name, site, TYPED[kind_name]))
    text = created.path.read_text(encoding="utf-8")
    m = re.search(r"^# yaml-language-server: \$schema=(\S+)$", text, re.M)
    assert m and m.start() == (4 if kind_name == "bulletin" else 0)  # after `---` in Markdown
    schema = (created.path.parent / m[1]).resolve()
    assert schema.is_file()
    assert json.loads(schema.read_text(encoding="utf-8")) == json_schemas()[kind.folder]
    assert created.schema == schema  # the fixture site had none, so it was written


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_in_the_repository_the_modeline_reaches_the_committed_schema(kind_name):
    kind = KINDS[kind_name]
    values = {"id": "x", "title": "t", "name": "n", "region": "zhoukou", "level": "city",
              "date": dt.date(2023, 1, 2)}
    values = {k: v for k, v in values.items() if k in {a.field for a in kind.asks}}
    content = REPO / "content"
    schema = REPO / "schema" / f"{kind.name}.schema.json"
    text = render(content, kind, values, schema)
    ref = re.search(r"\$schema=(\S+)", text)[1]
    assert ref == "../../schema/" + schema.name
    assert (target_path(content, kind, values).parent / ref).resolve() == schema.resolve()


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_uncommenting_any_optional_field_as_it_stands_still_checks(site, kind_name):
    path = create(site, KINDS[kind_name], checked(kind_name, site, TYPED[kind_name])).path
    text = path.read_text(encoding="utf-8")
    uncommented, n = re.subn(r"^# ([a-z_]+:)", r"\1", text, flags=re.M)
    assert n > 5
    path.write_text(uncommented, encoding="utf-8")
    assert problems(site) == []


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_uncommenting_optional_fields_with_valid_values_still_checks(site, kind_name):
    path = create(site, KINDS[kind_name], checked(kind_name, site, TYPED[kind_name])).path
    text = path.read_text(encoding="utf-8")
    for name, value in FILLED[kind_name].items():
        text, n = re.subn(rf"^# {name}:.*$", f"{name}: {value}", text, flags=re.M)
        assert n == 1, name
    path.write_text(text, encoding="utf-8")
    assert problems(site) == []


def test_a_bad_value_in_an_uncommented_field_is_caught_by_check(site):
    """The control for the tests above: the checks do look at uncommented fields."""
    path = create(site, KINDS["project"], checked("project", site, TYPED["project"])).path
    text = re.sub(r"^# stage:.*$", "stage: 建完了", path.read_text(encoding="utf-8"), flags=re.M)
    path.write_text(text, encoding="utf-8")
    assert [p.code for p in problems(site)] == ["choice"]


def ask(kind_name: str, field: str):
    return next(a for a in KINDS[kind_name].asks if a.field == field)


@pytest.mark.parametrize("bad", ["../x", "Ab C", "周口项目", "a--b", "-a", "x" * 81, "con", "a/b"])
def test_unsafe_ids_are_refused_with_the_validators_rule(site, bad):
    value, problem = check_value(KINDS["project"], ask("project", "id"), bad, existing(site), {})
    assert value is BAD and problem.code == "bad-id" and problem.field == ("id",)
    if not bad.isascii():
        assert "pinyin" in problem.message


def test_a_duplicate_id_is_refused_for_each_kind(site):
    ex = existing(site)
    for kind_name, taken in [("project", "alpha"), ("region", "shenqiu"),
                             ("campaign", "zhoukou-2023"), ("bulletin", "q1-review")]:
        _, problem = check_value(KINDS[kind_name], ask(kind_name, "id"), taken, ex, {})
        assert problem.code == "duplicate-id", kind_name
        assert f"the id `{taken}` already exists in content/{KINDS[kind_name].folder}/" \
            in problem.message


def test_an_unknown_reference_names_the_nearest_ids(site):
    ex = existing(site)
    _, problem = check_value(KINDS["project"], ask("project", "region"), "zhokou", ex, {})
    assert problem.message == ("no region has the id `zhokou` (looked in content/regions/); "
                               "did you mean `zhoukou`?")
    _, problem = check_value(KINDS["bulletin"], ask("bulletin", "campaign"), "qqq", ex, {})
    assert problem.message == ("no campaign has the id `qqq` (looked in content/campaigns/); "
                               "existing: zhoukou-2023")


def test_a_region_cannot_be_its_own_parent(site):
    _, problem = check_value(KINDS["region"], ask("region", "parent"), "xihua", existing(site),
                             {"id": "xihua"})
    assert problem.code == "parent-cycle"


def test_choices_accept_chinese_and_store_the_canonical_value(site):
    value, problem = check_value(KINDS["region"], ask("region", "level"), "县级市", existing(site), {})
    assert (value, problem) == ("county", None)
    value, problem = check_value(KINDS["region"], ask("region", "level"), "镇", existing(site), {})
    assert problem.code == "choice" and "county (县/县级市)" in problem.message


def test_dates_must_be_real(site):
    a = ask("bulletin", "date")
    assert check_value(KINDS["bulletin"], a, "2023-02-28", existing(site), {}) == \
        (dt.date(2023, 2, 28), None)
    assert check_value(KINDS["bulletin"], a, "2023-02-30", existing(site), {})[1].message == \
        "2023-02-30 is not a real date"
    assert check_value(KINDS["bulletin"], a, "2023/02/03", existing(site), {})[1].code == "type"


def test_a_sector_must_come_from_site_yaml_when_it_lists_them(site):
    site_yaml = site / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8")
                         + "sectors:\n  - {id: industry, name: 先进制造业}\n", encoding="utf-8")
    ex = existing(site)
    a = ask("project", "sector")
    assert check_value(KINDS["project"], a, "先进制造业", ex, {}) == ("先进制造业", None)
    _, problem = check_value(KINDS["project"], a, "农业", ex, {})
    assert problem.message == "`农业` is not a sector listed in site.yaml; use one of: 先进制造业"


def test_a_project_name_already_used_is_a_warning_not_a_refusal(site):
    name = re.search(r"^name: (.+)$", (site / "projects" / "alpha.yaml").read_text("utf-8"), re.M)[1]
    value, problem = check_value(KINDS["project"], ask("project", "name"), name,
                                 existing(site, names=True), {})
    assert value == name and problem.severity == "warning" and "alpha" in problem.message
    (site / "projects" / "gamma.yaml").write_text(
        'id: gamma\nname: "甲: \\"乙\\" #丙"  # a comment\nregion: zhoukou\n', encoding="utf-8")
    assert problems(site) == []
    _, problem = check_value(KINDS["project"], ask("project", "name"), '甲: "乙" #丙',
                             existing(site, names=True), {})
    assert problem.code == "duplicate-name" and "gamma" in problem.message


def test_an_existing_file_is_never_overwritten_and_no_temp_file_is_left(site):
    kind = KINDS["project"]
    values = checked("project", site, TYPED["project"])
    path = create(site, kind, values).path
    before = path.read_bytes()
    assert check_target(site, kind, values).code == "file-exists"
    with pytest.raises(ConfigError, match="already exists"):
        create(site, kind, values)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["alpha.yaml", "beta.yaml", path.name]


def test_a_bulletin_is_named_by_its_date_and_id(site):
    values = checked("bulletin", site, TYPED["bulletin"])
    path = create(site, KINDS["bulletin"], values).path
    assert path == site / "bulletins" / "2023-07-05-q2-notes.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n") and "\n---\n" in text[4:]
    assert "{{" not in text  # the body note holds no figure reference to fail on


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
               max_size=40).map(str.strip).filter(bool))
def test_any_text_is_written_so_it_reads_back_the_same(text):
    doc, errs = parse_yaml(f"name: {yaml_scalar(text)}\n", "x.yaml")
    assert not errs and doc.data == {"name": text}


@pytest.mark.parametrize("text", ["a: b", "#1", "yes", "true", "2023", "1.50", "- x", "[x]",
                                  "null", "~", "2023-01-01", "@x", "'q'", "x #y", "富士康(周口)"])
def test_tricky_names_read_back_the_same(text):
    doc, errs = parse_yaml(f"name: {yaml_scalar(text)}\n", "x.yaml")
    assert not errs and doc.data == {"name": text}
