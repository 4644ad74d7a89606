"""builder.ledger: a ledger file (.xlsx, .csv in each encoding) read into rows, as offices save them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from builder.ledger import read_ledger
from builder.model.site import LedgerConfig

LEDGERS = Path(__file__).resolve().parent / "fixtures" / "ledger"
EXAMPLES = ["example.xlsx", "example-utf8.csv", "example-utf8-bom.csv", "example-gb18030.csv"]


def rows(ledger):
    return [(r.row, r.id, r.name, dict(r.values)) for r in ledger.rows]


def codes(ledger):
    return [(p.line, p.code) for p in ledger.problems]


def xlsx(path: Path, table, formats=None, sheet="Sheet") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in table:
        ws.append(row)
    for (r, c), fmt in (formats or {}).items():
        ws.cell(r, c).number_format = fmt
    wb.save(path)
    return path


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_example_ledger_reads_the_same_from_xlsx_and_each_csv_encoding(name):
    ledger = read_ledger(LEDGERS / name)
    assert ledger.problems == ()
    assert ledger.header_row == 3
    assert rows(ledger) == rows(read_ledger(LEDGERS / "example.xlsx"))


def test_title_rows_section_headings_blank_total_and_footnote_rows_are_skipped():
    ledger = read_ledger(LEDGERS / "example.xlsx")
    assert ledger.sheet == "台账"
    # rows 1-2 title, 3 header, 4 and 9 section headings, 8 blank, 12 合计, 13 a footnote
    assert [r.row for r in ledger.rows] == [5, 6, 7, 10, 11]
    assert ledger.rows[3].id == "jindan-biodegradable-polyester"


def test_wan_yuan_in_the_headers_is_converted_exactly_to_yi_yuan():
    steel, _fox, yihai, *_ = read_ledger(LEDGERS / "example-utf8.csv").rows
    assert steel.values == {"annual_plan": 60, "completed_ytd": Decimal("15.23"),
                            "completed_cumulative": Decimal("186.5"), "stage": "building",
                            "image_progress": "高炉主体施工"}
    assert yihai.values["completed_ytd"] == Decimal("3.25005")  # 32500.50 万元, no rounding
    assert str(yihai.values["completed_ytd"]) == "3.25005"


def test_a_unit_note_above_the_header_applies_to_columns_without_a_unit(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("台账\n单位：元\n项目名称,本年完成投资,累计完成投资\n甲,250000000,1234500000\n",
                 encoding="utf-8")
    (row,) = read_ledger(p).rows
    assert row.values == {"completed_ytd": Decimal("2.5"), "completed_cumulative": Decimal("12.345")}


def test_the_site_unit_can_be_wan_yuan(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("项目名称,本年完成投资（亿元）,累计完成投资（万元）\n甲,1.5,300\n", encoding="utf-8")
    (row,) = read_ledger(p, site_unit="万元").rows
    assert row.values == {"completed_ytd": 15000, "completed_cumulative": 300}


def test_figures_keep_the_precision_typed_in_a_csv(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("项目名称,本年完成投资,累计完成投资\n甲,2.10,\"1,234.50\"\n乙,１２．５,-\n",
                 encoding="utf-8")
    a, b = read_ledger(p).rows
    assert str(a.values["completed_ytd"]) == "2.10"
    assert str(a.values["completed_cumulative"]) == "1234.50"
    assert b.values == {"completed_ytd": Decimal("12.5")}  # full-width digits; "-" is empty


def test_xlsx_numbers_follow_the_cell_format(tmp_path):
    path = xlsx(tmp_path / "f.xlsx", [["项目名称", "本年完成投资", "累计完成投资", "年度计划投资"],
                                      ["甲", 0.1 + 0.2, 1546.18, 12],
                                      ["乙", 2.675, 1 / 3, 7]],
                {(2, 2): "0.00", (3, 2): "0.00", (2, 4): "0.0"})
    a, b = read_ledger(path).rows
    assert [str(a.values[k]) for k in ("completed_ytd", "completed_cumulative", "annual_plan")] == \
        ["0.30", "1546.18", "12.0"]
    # General format: Excel's 15 significant digits, never the float's binary tail.
    assert str(b.values["completed_ytd"]) == "2.68"
    assert str(b.values["completed_cumulative"]) == "0.333333333333333"


def test_a_sheet_is_chosen_by_name_and_a_missing_one_lists_the_sheets(tmp_path):
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表说明"])
    ws = wb.create_sheet("3月")
    ws.append(["项目名称", "本年完成投资", "累计完成投资"])
    ws.append(["甲", 1, 2])
    wb.save(tmp_path / "m.xlsx")
    assert codes(read_ledger(tmp_path / "m.xlsx")) == [(0, "no-header")]
    assert [r.name for r in read_ledger(tmp_path / "m.xlsx", sheet="3月").rows] == ["甲"]
    assert [r.name for r in read_ledger(tmp_path / "m.xlsx", LedgerConfig(sheet="3月")).rows] == ["甲"]
    (p,) = read_ledger(tmp_path / "m.xlsx", sheet="4月").problems
    assert p.code == "no-sheet" and "说明、3月" in p.message


def test_a_figure_with_words_is_refused_with_its_cell():
    ledger = read_ledger(LEDGERS / "bad-number.csv")
    assert codes(ledger) == [(3, "bad-number")]
    assert ledger.problems[0].message.startswith("C3“约3亿”不是数字")
    assert [r.row for r in ledger.rows] == [2]  # the bad row is left out, the good one kept
    assert ledger.bad_rows == {3}


def test_an_unknown_unit_refuses_the_whole_ledger():
    ledger = read_ledger(LEDGERS / "unknown-unit.csv")
    assert codes(ledger) == [(0, "unknown-unit")]
    assert "万美元" in ledger.problems[0].message and not ledger.usable
    assert ledger.rows == ()


def test_an_undecodable_csv_is_a_clear_problem():
    (p,) = read_ledger(LEDGERS / "undecodable.csv").problems
    assert p.code == "encoding" and "UTF-8" in p.message and "GB18030" in p.message


def test_excel_unicode_text_utf16_with_tabs_is_read(tmp_path):
    p = tmp_path / "l.txt"
    p.write_bytes("项目名称\t本年完成投资\t累计完成投资\r\n甲\t1.5\t2\r\n".encode("utf-16"))
    assert [dict(r.values) for r in read_ledger(p).rows] == [
        {"completed_ytd": Decimal("1.5"), "completed_cumulative": 2}]


@pytest.mark.parametrize("name, code", [("old.xls", "format"), ("bad.xlsx", "unreadable")])
def test_other_files_are_refused_without_a_traceback(tmp_path, name, code):
    (tmp_path / name).write_bytes(b"not a spreadsheet")
    assert codes(read_ledger(tmp_path / name)) == [(0, code)]


def test_a_ledger_without_a_known_header_is_refused(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("名字,数字\n甲,1\n", encoding="utf-8")
    ledger = read_ledger(p)
    assert codes(ledger) == [(0, "no-header")] and "ledger.header_row" in ledger.problems[0].message


def test_site_yaml_can_map_headers_and_fix_the_header_row(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("项目,完成额,累计完成投资,阶段\n项目,本月,累计,备注\n甲,1.5,3,建设\n", encoding="utf-8")
    config = LedgerConfig(columns={"完成额": "completed_ytd", "阶段": "ignore"}, header_row=1)
    (row,) = read_ledger(p, config).rows
    assert row.row == 3 and row.values == {"completed_ytd": Decimal("1.5"), "completed_cumulative": 3}


def test_two_columns_for_one_field_are_refused(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("项目名称,累计完成投资,累计完成\n甲,1,2\n", encoding="utf-8")
    ledger = read_ledger(p)
    assert codes(ledger) == [(0, "duplicate-column")]
    assert "B 列和 C 列" in ledger.problems[0].message


def test_stage_words_become_stage_ids_and_unknown_ones_are_refused(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("项目名称,所处阶段,形象进度\n甲,在建,主体施工\n乙,施工中,\n", encoding="utf-8")
    ledger = read_ledger(p)
    assert [dict(r.values) for r in ledger.rows] == [{"stage": "building", "image_progress": "主体施工"}]
    assert codes(ledger) == [(3, "bad-stage")] and "谋划" in ledger.problems[0].message


def test_a_grouped_two_row_header_is_read_with_the_groups_unit(tmp_path):
    path = xlsx(tmp_path / "g.xlsx", [
        ["重点项目台账"],
        ["序号", "项目名称", "年度计划投资（亿元）", "投资完成情况（万元）", None, "形象进度"],
        [None, None, None, "本年完成投资", "累计完成投资", None],
        [1, "甲", 12, 15000, 45000, "主体施工"],
    ])
    ledger = read_ledger(path)
    assert ledger.header_row == 2
    assert [(c.field, c.unit) for c in ledger.columns] == [
        ("name", None), ("annual_plan", "亿元"), ("completed_ytd", "万元"),
        ("completed_cumulative", "万元"), ("image_progress", None)]
    (row,) = ledger.rows
    assert row.row == 4 and row.values == {"annual_plan": 12, "completed_ytd": Decimal("1.5"),
                                           "completed_cumulative": Decimal("4.5"),
                                           "image_progress": "主体施工"}
