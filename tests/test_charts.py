"""Chart definitions: the shape of every spec, determinism, and the fast path."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from builder import charts as C
from builder.charts import Texts
from tests._tree import walk

REPO = Path(__file__).resolve().parents[1]

ZH = {
    "plan_vs_schedule": {"period": "时期", "percent": "计划完成率（%）", "plan": "计划完成率",
                         "schedule": "时序进度"},
    "ranking": {"region": "地区", "percent": "计划完成率（%）", "ahead": "超时序进度（百分点）",
                "flag": "红黄旗"},
    "stage_funnel": {"stage": "阶段", "count": "项目数"},
    "campaign": {"batch": "批次", "count": "项目数", "advanced": "已推进", "rate": "比率（%）"},
    "project_progress": {"month": "月份", "value": "亿元", "completed": "本年累计完成",
                         "plan": "年度计划", "month_format": "%-m月"},
    "sector_investment": {"sector": "行业", "value": "总投资（亿元）"},
    "problems": {"label": "问题台账", "count": "问题数", "resolved": "已解决",
                 "in_progress": "正在处理", "unresolved": "未说明"},
}
EN = {
    "plan_vs_schedule": {"period": "", "percent": "Percent", "plan": "Plan completed",
                         "schedule": "Time elapsed"},
    "ranking": {"region": "", "percent": "Plan completed (%)", "ahead": "Ahead (pp)",
                "flag": "Flag"},
    "stage_funnel": {"stage": "", "count": "Projects"},
    "campaign": {"batch": "", "count": "Projects", "advanced": "Advanced", "rate": "Rate (%)"},
    "project_progress": {"month": "", "value": "bn yuan", "completed": "Completed this year",
                         "plan": "Annual plan", "month_format": "%b"},
    "sector_investment": {"sector": "", "value": "Total investment (bn yuan)"},
    "problems": {"label": "", "count": "Problems", "resolved": "Resolved",
                 "in_progress": "In progress", "unresolved": "Not stated"},
}

STAGES = [("plan", "谋划", 12), ("signed", "签约", 25), ("started", "开工", 0)]
ROWS = {
    "plan_vs_schedule": [
        {"label": "2023年1—3月", "plan_completion_pct": 28.6, "schedule_pct": 25.0},
        {"label": "2023年1—6月", "plan_completion_pct": 56.2, "schedule_pct": 50.0},
        {"label": "2023年全年", "plan_completion_pct": 109.42, "schedule_pct": None}],
    "ranking": [
        {"region": "沈丘县", "plan_completion_pct": 41.2, "ahead_pp": 16.2, "flag": "red",
         "flag_label": "红旗"},
        {"region": "项城市", "plan_completion_pct": 35.0, "ahead_pp": 10.0, "flag": None,
         "flag_label": ""},
        {"region": "扶沟县", "plan_completion_pct": 19.5, "ahead_pp": -5.5, "flag": "yellow",
         "flag_label": "黄旗"}],
    "stage_funnel": [{"stage": s, "label": label, "count": n, "order": i}
                     for i, (s, label, n) in enumerate(STAGES)],
    "campaign": [
        {"batch": "sign", "label": "签约一批", "count": 120, "advanced": 98, "rate_pct": 81.7},
        {"batch": "operate", "label": "投产一批", "count": 85, "advanced": None, "rate_pct": None}],
    "project_progress": [{"month": f"2023-{m:02d}", "completed_ytd": round(m * 0.71, 2),
                          "annual_plan": 8.0} for m in range(1, 7)],
    "sector_investment": [{"sector": "基础设施", "investment": 1546.18},
                          {"sector": "社会民生", "investment": 312.0}],
    "problems": [{"label": "2023-03-31", "resolved": 86, "in_progress": 21, "unresolved": 5},
                 {"label": "2023-06-30", "resolved": 120, "in_progress": None, "unresolved": 2}],
}

#: Okabe & Ito's palette, orange and sky blue darkened for contrast, yellow left out.
OKABE_ITO = {"#A86A00", "#3A8FC7", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#000000"}


def contrast_on_white(colour: str) -> float:
    """WCAG 2.2's contrast ratio of `colour` against white."""
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_every_chart_colour_stands_out_from_white_by_3_to_1():
    """Bars, lines and flag colours are graphics a reader must see (WCAG 1.4.11)."""
    assert {c: round(contrast_on_white(c), 2) for c in OKABE_ITO
            if contrast_on_white(c) < 3} == {}


def texts(kind: str, labels: dict | None = None, title: str | None = None) -> Texts:
    return Texts(title=title or f"周口市{kind}图表标题", description=f"{kind} 的说明：数据见下表",
                 labels=(labels or ZH)[kind])


def build(kind: str, rows=None, t=None) -> dict:
    return getattr(C, kind)(ROWS[kind] if rows is None else rows, t or texts(kind))


@pytest.mark.parametrize("kind", C.KINDS)
def test_spec_has_title_description_size_and_fonts(kind):
    spec = build(kind)
    assert spec["title"]["text"] == f"周口市{kind}图表标题"
    assert spec["description"] == f"{kind} 的说明：数据见下表"
    # Laid out to 340 px: fitted to it, or (the project chart, drawn thousands of times)
    # laid out once with room kept for its y axis (test_chart checks the SVG's width).
    fit = {"type": "fit-x", "contains": "padding"}
    assert spec["width"] <= 340 and spec["autosize"] == ("pad" if kind == "project_progress" else fit)
    assert spec["usermeta"] == {"chart": kind}
    config = spec["config"]
    for font in (config["font"], config["axis"]["labelFont"], config["axis"]["titleFont"],
                 config["title"]["font"], config["legend"]["labelFont"]):
        assert font.startswith('"Noto Sans CJK SC", ') and font.endswith("sans-serif")


@pytest.mark.parametrize("kind", C.KINDS)
def test_spec_colours_are_okabe_ito(kind):
    spec = build(kind)
    assert set(spec["config"]["range"]["category"]) == OKABE_ITO
    colours = {v.upper() for _, v in walk(spec) if isinstance(v, str)
               and re.fullmatch(r"#[0-9a-fA-F]{6}", v)}
    greys = {"#222222", "#555555", "#E4E4E4"}
    assert colours <= OKABE_ITO | greys, colours - OKABE_ITO - greys


@pytest.mark.parametrize("kind", C.KINDS)
def test_spec_names_every_view_and_param_and_inlines_its_data(kind):
    spec = build(kind)
    text = json.dumps(spec, ensure_ascii=False)
    assert not re.search(r"(view|param)_[0-9a-f]", text), "an automatic Altair name"
    assert all("name" in layer for layer in spec["layer"])
    for param in spec.get("params", []):
        assert param["name"] == "hover" and param["views"]
    urls = [p for p, v in walk(spec) if isinstance(v, dict) and "url" in v]
    assert not urls
    assert spec["data"] == {"values": ROWS[kind]}


def test_ranking_shows_the_flag_as_words_not_colour_alone():
    spec = build("ranking")
    exprs = [v for p, v in walk(spec) if p[-1:] == ("calculate",)]
    assert any("datum.flag_label" in e for e in exprs)


@pytest.mark.parametrize("kind", C.KINDS)
def test_every_label_is_used_and_a_missing_one_is_named(kind):
    text = json.dumps(build(kind), ensure_ascii=False)
    for key, word in ZH[kind].items():
        assert json.dumps(word, ensure_ascii=False) in text, key
    key = C.LABELS[kind][0]
    short = Texts("t", "d", {k: v for k, v in ZH[kind].items() if k != key})
    for make in (lambda: getattr(C, kind)([], short), lambda: C.spec_for(kind, [], short)):
        with pytest.raises(KeyError, match=repr(key)):
            make()


def test_unknown_kind():
    with pytest.raises(KeyError, match="unknown chart kind 'pie'"):
        C.spec_for("pie", [], texts("ranking"))


ODD = {"label": '<script>alert("x")</script> & \\ "引号"', "region": "a\u2028b",
       "sector": "", "batch": "x", "month": "2024-02", "stage": "s"}


def variants(kind: str) -> list[tuple[list, Texts]]:
    odd_rows = [{**row, **{k: v for k, v in ODD.items() if k in row}} for row in ROWS[kind]]
    nulls = [{k: (None if isinstance(v, (int, float)) else v) for k, v in row.items()}
             for row in ROWS[kind]]
    return [(ROWS[kind], texts(kind)), ([], texts(kind)), (odd_rows, texts(kind)),
            (nulls, texts(kind, EN, "A title long enough to need two lines on a phone, 2023")),
            (ROWS[kind][:1], Texts('引号 "q" <b>', "说明 & <i>", ZH[kind]))]


@pytest.mark.parametrize("kind", C.KINDS)
def test_fast_path_equals_altair(kind):
    for rows, t in variants(kind):
        assert C.spec_for(kind, rows, t) == getattr(C, kind)(rows, t)


def test_fast_path_gives_fresh_dicts():
    a = C.spec_for("ranking", ROWS["ranking"], texts("ranking"))
    a["data"]["values"][0]["region"] = "changed"
    a["config"]["font"] = "changed"
    b = C.spec_for("ranking", ROWS["ranking"], texts("ranking"))
    assert b == build("ranking") and ROWS["ranking"][0]["region"] == "沈丘县"


def test_texts_compare_and_hash_by_value():
    a = Texts("t", "d", {"b": "2", "a": "1"})
    b = Texts("t", "d", {"a": "1", "b": "2"})
    assert a == b and hash(a) == hash(b) and list(a.labels) == ["a", "b"]


def test_decimal_figures_become_floats_in_the_spec_and_stay_decimal_in_the_rows():
    from decimal import Decimal
    rows = [{"batch": "sign", "label": "签约一批", "count": Decimal("7"), "advanced": Decimal("6"),
             "rate_pct": Decimal("85.7")}]
    spec = C.spec_for("campaign", rows, texts("campaign"))
    assert spec["data"]["values"][0] == {**rows[0], "count": 7.0, "advanced": 6.0, "rate_pct": 85.7}
    assert isinstance(rows[0]["count"], Decimal)  # the caller's rows (the data table) are untouched
    assert spec == C.campaign(rows, texts("campaign"))
    json.dumps(spec)


def test_long_category_labels_come_in_lines_that_the_axis_shows_in_full():
    long = "重大项目建设暨重点企业服务例会研究解决的问题"
    rows = [{"label": long, "resolved": 1, "in_progress": 0, "unresolved": 0},
            {"label": "企业问题（万人助万企）", "resolved": 2, "in_progress": 0, "unresolved": 0}]
    spec = C.spec_for("problems", rows, texts("problems"))
    labels = [r["label"] for r in spec["data"]["values"]]
    assert labels == ["重大项目建设暨重点企业\n服务例会研究解决的问题", "企业问题（万人助万企）"]
    axis = next(layer["encoding"]["y"]["axis"] for layer in spec["layer"] if "y" in layer["encoding"])
    assert "split(datum.label" in axis["labelExpr"]
    # each line fits the axis's label limit, which fits 11 CJK characters of 12 px
    assert spec["config"]["axis"]["labelLimit"] >= 11 * 12
    assert spec["height"] == 2 * 30


def test_three_line_labels_get_taller_rows():
    label = "problems raised by enterprises (\"10,000 officials help 10,000 firms\")"
    rows = [{"label": label, "resolved": 1, "in_progress": 0, "unresolved": 0}]
    spec = C.spec_for("problems", rows, texts("problems", EN))
    assert spec["data"]["values"][0]["label"].count("\n") == 2
    assert spec["height"] == 30 + 14


SCRIPT = """
import json, sys
sys.path.insert(0, {repo!r})
from builder import charts as C
from tests.test_charts import ROWS, texts
print(json.dumps({{k: getattr(C, k)(ROWS[k], texts(k)) for k in C.KINDS}},
                 ensure_ascii=False, sort_keys=True))
"""


def test_specs_are_identical_across_processes():
    code = SCRIPT.format(repo=str(REPO))
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           cwd=REPO, check=True).stdout for _ in range(2)]
    here = json.dumps({k: build(k) for k in C.KINDS}, ensure_ascii=False, sort_keys=True)
    assert runs[0] == runs[1] == here + "\n"
