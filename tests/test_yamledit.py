"""builder.yamledit: values change in place and every other byte of the file stays."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from builder.yamledit import EditError, YamlEditor, render

TOP = ["id", "name", "annual_plan", "stage", "status_text", "status_as_of", "progress", "summary",
       "sources"]
ITEM = ["month", "completed_ytd", "completed_cumulative", "image_progress"]


def top(key):
    return TOP.index(key)


def item(key):
    return ITEM.index(key)


def test_a_new_key_goes_after_its_predecessor_and_above_the_next_keys_comment():
    ed = YamlEditor("id: a\nname: 甲\nstatus_text: 快\n# 来源\nsources: [x]\n")
    ed.set((), "status_as_of", dt.date(2023, 3, 31), top)
    ed.set((), "progress", [{"month": "2023-03", "completed_ytd": 1}], top)
    assert ed.result() == ("id: a\nname: 甲\nstatus_text: 快\nstatus_as_of: 2023-03-31\n"
                           "progress:\n  - {month: 2023-03, completed_ytd: 1}\n# 来源\nsources: [x]\n")


def test_a_replaced_value_keeps_the_comment_and_quotes_beside_it():
    ed = YamlEditor("id: a   # 标识\nname: 甲\nstatus_text: '旧的'  # 照录\nstage: 开工\n")
    ed.set((), "status_text", "新的", top)
    ed.set((), "stage", "建设", top)
    assert ed.result() == "id: a   # 标识\nname: 甲\nstatus_text: '新的'  # 照录\nstage: 建设\n"


def test_flow_lists_and_mappings_grow_in_their_own_style():
    ed = YamlEditor("id: a\nannual_plan: {2022: 5, 2024: 7}\nprogress: [{month: 2023-01, completed_ytd: 1}]\n")
    ed.set(("annual_plan",), 2023, Decimal("6.50"), int)
    ed.insert_item(("progress",), 1, {"month": "2023-02", "completed_ytd": 2})
    ed.set(("progress", 0), "completed_cumulative", 3, item)
    assert ed.result() == ("id: a\nannual_plan: {2022: 5, 2023: 6.50, 2024: 7}\n"
                           "progress: [{month: 2023-01, completed_ytd: 1, completed_cumulative: 3}, "
                           "{month: 2023-02, completed_ytd: 2}]\n")


def test_block_entries_get_new_lines_indented_like_their_siblings():
    ed = YamlEditor("id: a\nprogress:\n- month: 2023-01\n  completed_ytd: 1  # 注\n- month: 2023-03\n"
                    "  completed_ytd: 3\n")
    ed.set(("progress", 0), "completed_cumulative", 5, item)
    ed.insert_item(("progress",), 1, {"month": "2023-02", "completed_ytd": 2})
    assert ed.result() == ("id: a\nprogress:\n- month: 2023-01\n  completed_ytd: 1  # 注\n"
                           "  completed_cumulative: 5\n- month: 2023-02\n  completed_ytd: 2\n"
                           "- month: 2023-03\n  completed_ytd: 3\n")


def test_crlf_line_endings_a_bom_and_a_missing_final_newline_are_kept():
    ed = YamlEditor("\ufeffid: a\r\nname: 甲\r\nstatus_text: 快")
    ed.set((), "progress", [{"month": "2023-03", "completed_ytd": 1}], top)
    assert ed.result() == ("\ufeffid: a\r\nname: 甲\r\nstatus_text: 快\r\nprogress:\r\n"
                           "  - {month: 2023-03, completed_ytd: 1}\r\n")


def test_a_block_scalar_is_replaced_whole():
    ed = YamlEditor("id: a\nstatus_text: |\n  第一行\n  第二行\nsummary: s\n")
    ed.set((), "status_text", "一行", top)
    assert ed.result() == "id: a\nstatus_text: 一行\nsummary: s\n"


@pytest.mark.parametrize("text, flow, out", [
    ("主体施工", True, "主体施工"),
    ("停工, 待批", True, "'停工, 待批'"),
    ("停工, 待批", False, "停工, 待批"),
    ("a: b", False, "'a: b'"),
    ("2023-03-31", False, "'2023-03-31'"),
    ("12.5", False, "'12.5'"),
])
def test_text_is_quoted_only_when_it_would_not_read_back_as_text(text, flow, out):
    assert render(text, flow) == out


def test_an_edit_that_would_not_read_back_is_refused():
    ed = YamlEditor("id: a\nname: 甲\n")
    ed._edits.append((4, 5, 0, 0, "[1, 2"))  # what a broken splice would do
    with pytest.raises(EditError):
        ed.result()


def test_a_file_that_is_not_a_mapping_is_refused():
    with pytest.raises(EditError):
        YamlEditor("- a\n- b\n")
