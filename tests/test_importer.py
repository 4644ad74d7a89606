"""builder.importer: ledger rows matched, planned, checked and written into real project files."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from builder.importer import diff_text, plan_import, write_changes

REPO = Path(__file__).resolve().parents[1]
LEDGERS = REPO / "tests" / "fixtures" / "ledger"
MARCH = dt.date(2023, 3, 31)
EXAMPLES = ["example.xlsx", "example-utf8.csv", "example-utf8-bom.csv", "example-gb18030.csv"]


@pytest.fixture
def small(tmp_path, monkeypatch):
    """A copy of the small ledger fixture tree (commented project files); cwd is its parent."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(LEDGERS / "content", tmp_path / "content")
    return tmp_path / "content"


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "content", tmp_path / "content")
    return tmp_path / "content"


def snapshot(content: Path) -> dict[str, bytes]:
    return {p.relative_to(content).as_posix(): p.read_bytes()
            for p in sorted(content.rglob("*")) if p.is_file()}


def ledger(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "ledger.csv"
    p.write_text(text, encoding="utf-8")
    return p


def codes(plan):
    return [(p.line, p.code) for p in plan.problems]


def test_comments_key_order_and_formatting_are_kept_byte_for_byte(small):
    before = snapshot(small)
    plan = plan_import(small, LEDGERS / "monthly.csv", MARCH)
    assert plan.problems == ()
    write_changes(plan.changes)
    after = snapshot(small)
    for name in ("steel", "port", "park"):
        expected = (LEDGERS / "expected" / "projects" / f"{name}.yaml").read_bytes()
        assert after[f"projects/{name}.yaml"] == expected, name
    untouched = {k: v for k, v in after.items() if k.split("/")[-1][:-5] not in ("steel", "port", "park")}
    assert untouched == {k: v for k, v in before.items() if k in untouched}


def test_what_changed_is_listed_per_file_with_its_row(small):
    plan = plan_import(small, LEDGERS / "monthly.csv", MARCH)
    got = {ch.project: (ch.rows, ch.what) for ch in plan.changes}
    assert got == {"steel": ((4,), ("progress 2023-03", "status_text")),
                   "port": ((5,), ("progress 2023-03", "stage")),
                   "park": ((6,), ("progress 2023-03", "annual_plan 2023"))}


def test_importing_the_same_ledger_twice_changes_nothing_the_second_time(small):
    write_changes(plan_import(small, LEDGERS / "monthly.csv", MARCH).changes)
    again = plan_import(small, LEDGERS / "monthly.csv", MARCH)
    assert again.changes == () and again.problems == ()
    assert sorted(again.unchanged) == ["park", "port", "steel"]


def test_an_existing_month_is_updated_only_where_the_figures_differ(small, tmp_path):
    write_changes(plan_import(small, LEDGERS / "monthly.csv", MARCH).changes)
    text = ("序号,项目名称,本年完成投资（亿元）,累计完成投资（亿元）\n"
            "1,周口钢铁项目,15.230,181.5\n")
    (ch,) = plan_import(small, ledger(tmp_path, text), MARCH).changes
    assert diff_text([ch]).count("\n+ ") == 1
    assert ("  - {month: 2023-03, completed_ytd: 15.23, completed_cumulative: 181.5, "
            "image_progress: 高炉主体施工}\n") in ch.new


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_ledger_imports_the_same_from_xlsx_and_each_csv_encoding(demo, name):
    plan = plan_import(demo, LEDGERS / name, MARCH)
    assert plan.problems == ()
    got = {ch.project: ch.new for ch in plan.changes}
    # by name, by full-width brackets, by alias, by id, by name
    assert sorted(got) == ["foxconn-zhoukou", "jindan-biodegradable-polyester", "xihua-electronics-park",
                           "yihai-kerry-zhoukou", "zhoukou-steel"]
    assert ("progress:\n  - {month: 2023-03, completed_ytd: 15.23, completed_cumulative: 186.5, "
            "image_progress: 高炉主体施工}\n") in got["zhoukou-steel"]
    assert "annual_plan: {2023: 60}\n" in got["zhoukou-steel"]
    assert "completed_ytd: 3.25005," in got["yihai-kerry-zhoukou"]
    reference = {ch.project: ch.new for ch in plan_import(demo, LEDGERS / "example.xlsx", MARCH).changes}
    assert got == reference


def test_an_unmatched_row_names_its_row_and_the_nearest_projects_and_nothing_is_planned(small):
    plan = plan_import(small, LEDGERS / "unmatched.csv", MARCH)
    assert codes(plan) == [(2, "unmatched")]
    assert plan.problems[0].message.startswith("未找到项目“周口钢铁厂”（最接近：周口钢铁项目（steel）")
    assert plan.problems[0].path.endswith("unmatched.csv")
    assert plan.changes == ()


def test_allow_partial_writes_the_rows_that_match(small):
    plan = plan_import(small, LEDGERS / "unmatched.csv", MARCH, allow_partial=True)
    assert codes(plan) == [(2, "unmatched")]
    assert [ch.project for ch in plan.changes] == ["port"]


def test_an_unmatched_xlsx_row_is_numbered_as_the_sheet_shows_it(demo):
    plan = plan_import(demo, LEDGERS / "unmatched.xlsx", MARCH)
    assert codes(plan) == [(6, "unmatched")]
    assert "（yihai-kerry-zhoukou）" in plan.problems[0].message  # near its alias 周口益海现代食品产业园


def test_an_ambiguous_row_lists_the_candidates(small):
    plan = plan_import(small, LEDGERS / "ambiguous.csv", MARCH)
    assert codes(plan) == [(2, "ambiguous")]
    assert "东区标准化厂房（twin-east）" in plan.problems[0].message
    assert "西区标准化厂房（twin-west）" in plan.problems[0].message


def test_two_rows_for_one_project_are_both_refused(small, tmp_path):
    text = "项目名称,本年完成投资,累计完成投资\n周口钢铁项目,15,181\n周口钢铁项目,16,182\n"
    plan = plan_import(small, ledger(tmp_path, text), MARCH, allow_partial=True)
    assert codes(plan) == [(2, "duplicate-row"), (3, "duplicate-row")] and plan.changes == ()


def test_a_falling_cumulative_figure_is_refused_with_its_row(small):
    plan = plan_import(small, LEDGERS / "falling.csv", MARCH)
    assert codes(plan) == [(2, "falling")]
    assert "170 低于 2023-02 的 175.8" in plan.problems[0].message
    assert plan.changes == ()


def test_a_figure_above_a_later_month_is_refused_too(small, tmp_path):
    text = "项目名称,本年完成投资,累计完成投资\n周口钢铁项目,4.5,176\n"
    plan = plan_import(small, ledger(tmp_path, text), dt.date(2023, 1, 31))
    assert codes(plan) == [(2, "falling")]
    assert "176 高于其后 2023-02 的 175.8" in plan.problems[0].message


def test_year_to_date_figures_start_again_in_january(small, tmp_path):
    text = "项目名称,本年完成投资,累计完成投资\n周口钢铁项目,0.8,176.6\n"
    (ch,) = plan_import(small, ledger(tmp_path, text), dt.date(2024, 1, 31)).changes
    assert "  - {month: 2024-01, completed_ytd: 0.8, completed_cumulative: 176.6}\n" in ch.new


def test_what_the_validator_refuses_is_refused_with_the_ledger_row(small, tmp_path):
    text = "项目名称,本年完成投资,累计完成投资\n周口钢铁项目,15,420\n周口港物流园,9,3.2\n"
    plan = plan_import(small, ledger(tmp_path, text), MARCH)
    assert codes(plan) == [(2, "invalid-result"), (3, "invalid-result")]
    assert "content/projects/steel.yaml" in plan.problems[0].message
    assert "total investment of 400" in plan.problems[0].message
    assert "more than the 3.2 done since the start" in plan.problems[1].message
    assert plan.changes == ()


def test_stage_is_written_in_the_files_own_words(small, tmp_path):
    port = small / "projects" / "port.yaml"
    port.write_text(port.read_text(encoding="utf-8").replace("stage: 开工", "stage: started"),
                    encoding="utf-8")
    text = "项目名称,所处阶段\n周口港物流园,投产\n周口钢铁项目,投产\n"
    got = {ch.project: ch.new for ch in plan_import(small, ledger(tmp_path, text), MARCH).changes}
    assert "stage: operating   # 2022 年底开工\n" in got["port"]
    assert "stage: 投产\n" in got["steel"]


def test_a_plan_given_in_wan_yuan_in_the_file_is_compared_by_value(small, tmp_path):
    steel = small / "projects" / "steel.yaml"
    steel.write_text(steel.read_text(encoding="utf-8").replace(
        "2023: 60.0}", "2023: {value: 600000, unit: 万元}}"), encoding="utf-8")
    text = "项目名称,年度计划投资（亿元）\n周口钢铁项目,60\n"
    plan = plan_import(small, ledger(tmp_path, text), MARCH)
    assert plan.changes == () and plan.unchanged == ("steel",)


def test_image_progress_alone_does_not_make_an_empty_month(small, tmp_path):
    text = "项目名称,形象进度\n周口港物流园,主体施工\n"
    plan = plan_import(small, ledger(tmp_path, text), MARCH)
    assert codes(plan) == [(2, "no-figure")] and plan.problems[0].severity == "warning"
    assert plan.changes == ()


def test_content_with_errors_is_not_imported_into(small):
    (small / "projects" / "steel.yaml").write_text("id: steel\nname: [\n", encoding="utf-8")
    plan = plan_import(small, LEDGERS / "monthly.csv", MARCH)
    assert plan.content_errors and plan.changes == ()


def test_files_change_atomically_and_keep_their_mode(small):
    steel = small / "projects" / "steel.yaml"
    steel.chmod(0o640)
    write_changes(plan_import(small, LEDGERS / "monthly.csv", MARCH).changes)
    assert steel.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in (small / "projects").iterdir() if p.name.startswith(".")] == []


def test_site_yaml_ledger_settings_name_columns_and_the_unit(small, tmp_path):
    site = small / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8")
                    + "ledger:\n  columns: {工程名称: name, 完成额: 本年完成投资}\n  unit: 万元\n",
                    encoding="utf-8")
    text = "工程名称,完成额,累计完成投资\n周口钢铁项目,152300,1812300\n"
    (ch,) = plan_import(small, ledger(tmp_path, text), MARCH).changes
    assert "{month: 2023-03, completed_ytd: 15.23, completed_cumulative: 181.23}" in ch.new


def test_a_misspelt_ledger_field_in_site_yaml_is_a_content_error(small):
    site = small / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "ledger:\n  columns: {完成额: 完成}\n",
                    encoding="utf-8")
    plan = plan_import(small, LEDGERS / "monthly.csv", MARCH)
    assert [p.code for p in plan.content_errors] == ["choice"] and plan.changes == ()
