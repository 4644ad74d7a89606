"""builder.langparts: Chinese text in an English page is marked lang="zh-CN"."""

import pytest

from builder.langparts import mark_chinese

SPAN = '<span lang="zh-CN">'


@pytest.mark.parametrize("html,want", [
    ("<p>Where is 宝利?</p>", f"<p>Where is {SPAN}宝利</span>?</p>"),
    ("<td>Source: 2021年河南省案例汇编（第一篇）</td>",
     f"<td>Source: {SPAN}2021年河南省案例汇编（第一篇）</span></td>"),
    # digits, brackets and Latin letters written into a name stay in one run; English between
    # two names does not
    ("<a>富士康(周口)科技工业园 and 中科濮阳MMA项目</a>",
     f"<a>{SPAN}富士康(周口)科技工业园</span> and {SPAN}中科濮阳MMA项目</span></a>"),
    ("<li>周口市 100 亩高标准农田示范区</li>", f"<li>{SPAN}周口市 100 亩高标准农田示范区</span></li>"),
    ("<p>As printed: “顺利建成投用”</p>", f"<p>As printed: “{SPAN}顺利建成投用</span>”</p>"),
])
def test_runs_of_chinese_text_are_wrapped(html, want):
    assert mark_chinese(html) == want


def test_an_option_takes_the_attribute_itself():
    html = '<select><option value="">All</option><option>周口市</option></select>'
    assert mark_chinese(html) == '<select><option value="">All</option><option lang="zh-CN">周口市</option></select>'


@pytest.mark.parametrize("html", [
    '<p lang="zh-CN">已标注<b>中文</b></p>',
    "<title>Where is 宝利?</title>",
    '<script type="application/json">{"label": "周口"}</script>',
    "<svg><text>周口</text><g><svg><text>x</text></svg><text>再</text></g></svg>",
    '<p title="周口">Zhoukou</p>',  # attributes cannot be marked
    "<p>English only</p>",
])
def test_what_is_left_alone(html):
    assert mark_chinese(html) == html


def test_text_after_an_inline_svg_and_inside_an_english_page_is_marked():
    html = '<html lang="en"><body><svg><text>图</text></svg><p>周口<br>Zhoukou</p></body></html>'
    assert mark_chinese(html) == ('<html lang="en"><body><svg><text>图</text></svg>'
                                  f'<p>{SPAN}周口</span><br>Zhoukou</p></body></html>')
