"""Line breaks for chart titles and axis labels (Vega wraps neither)."""

from __future__ import annotations

from builder import charts as C
from builder.chartwords import label_lines, text_width, title_lines


def test_titles_wrap_to_the_width_without_orphaned_marks():
    title = "周口市省市重点项目计划完成率与时序进度（2023年）对比分析，数据截至2023年12月31日"
    lines = title_lines(title, 15, C.WIDTH - 8)
    assert isinstance(lines, list) and "".join(lines) == title
    for line in lines:
        assert sum(15 if ord(ch) >= 0x2E80 else 8.4 for ch in line) <= C.WIDTH - 8
        assert line[0] not in "）》，。、" and line[-1] not in "（《"
    assert "2023" in "".join(lines) and not any(x.endswith("202") for x in lines)
    assert title_lines("短标题", 15, C.WIDTH - 8) == "短标题"


def test_a_label_that_fits_stays_on_one_line():
    assert label_lines("企业问题（万人助万企）", 12, 136) == "企业问题（万人助万企）"
    assert label_lines("Signed batch", 12, 136) == "Signed batch"
    assert label_lines("", 12, 136) == ""


def test_a_label_breaks_at_a_middle_dot_always_and_at_a_space_before_anywhere_else():
    assert label_lines("周口市 · 2023年一季度", 12, 136) == "周口市\n2023年一季度"
    # "2023年一季度 省市重点项" would fit the first line, but the space is the place to break
    assert label_lines("2023年一季度 省市重点项目", 12, 136) == "2023年一季度\n省市重点项目"
    assert label_lines("2022年 省市重点投资项目", 12, 136) == "2022年\n省市重点投资项目"


def test_a_long_cjk_label_breaks_between_characters_and_every_line_fits():
    text = "重大项目建设暨重点企业服务例会研究解决的问题"
    lines = label_lines(text, 12, 136).split("\n")
    assert "".join(lines) == text and len(lines) == 2
    assert all(text_width(line, 12) <= 136 for line in lines)


def test_english_words_are_never_split_and_the_rest_goes_on_the_last_line():
    text = 'problems raised by enterprises ("10,000 officials help 10,000 firms")'
    lines = label_lines(text, 12, 136).split("\n")
    assert len(lines) == 3 and " ".join(lines) == text
    assert all(text_width(line, 12) <= 136 for line in lines[:2])
    assert label_lines("a b c d", 12, 8, most=2) == "a\nb c d"


def test_a_label_too_wide_puts_its_bracketed_remark_on_a_line_of_its_own():
    assert label_lines("Started batch (round 2)", 12, 136) == "Started batch\n(round 2)"
    assert label_lines("重大项目建设暨重点企业服务例会研究解决的问题（2021年）", 12, 136).endswith(
        "\n（2021年）")
    assert label_lines("Signed (round 1)", 12, 136) == "Signed (round 1)"  # it fits: one line


def test_a_title_never_ends_with_a_lone_character():
    lines = title_lines("周口市省市重点项目：完成年度目标比例与时序进度", 15, C.WIDTH - 8)
    assert lines == ["周口市省市重点项目：完成年度目标比例与时序", "进度"]
