"""Key figures of the seed articles, read from ../shared/seed_facts.yaml (the
held-out truth table), appear on the right page, as a reader sees it (the
rendered text of <main>, closed <details> excluded), with the right unit, in
zh-CN and en. Money is printed in 亿元 in zh-CN and in bn yuan (亿元 ÷ 10) in en."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import pytest
import yaml

from browser_support import LANGS, SHARED

pytestmark = pytest.mark.browser

# fact id -> the page it belongs on. A dozen facts of different kinds.
FACTS = {
    # key_projects
    "zk-2022-key-count": "regions/zhoukou/",
    "zk-2022-key-completed": "regions/zhoukou/",
    "zk-2022-key-plan-pct": "regions/zhoukou/",
    "zk-2023-key-ahead-pp": "regions/zhoukou/",
    "zmd-city-key-ind-completed": "regions/zhumadian/",
    "xz-2021-key-plan-pct": "regions/xinzheng/",
    "hy-2023-total-investment": "regions/zhoukou-huaiyang/",
    # pipeline
    "zk-pipeline-total-investment": "regions/zhoukou/",
    # campaign
    "wg-3kb-total": "campaigns/wugang-3kb-2021/",
    "wg-3kb-signed-start-rate": "campaigns/wugang-3kb-2021/",
    "zk-3kb-7-completed": "campaigns/zhoukou-3kb-7/",
    "mj-3kb-started-total-investment": "campaigns/mengjin-3kb/",
    # ranking
    "zk-rank-2022-key-project-eval": "regions/zhoukou/",
    "zmd-key-eval-rank": "regions/zhumadian/",
    # problems
    "zk-problems-collected": "regions/zhoukou/",
    "hy-problems-found": "regions/zhoukou-huaiyang/",
    "gy-problems-collected": "regions/puyang-gongyeyuan/",
}

@cache
def seed_facts() -> dict[str, dict]:
    path = SHARED / "seed_facts.yaml"
    if not path.is_file():  # CI clones the repository with shared/ beside it
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {f["id"]: f for f in data["facts"]}


def _en_number(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    whole, _, frac = text.partition(".")
    whole = f"{int(whole):,}"
    return whole + ("." + frac if frac else "")


def expected(fact: dict, lang: str) -> str:
    """The fact as the site prints it: zh `1546.18 亿元`, `109.42%`, `第 5 名`;
    en `154.618 bn yuan`, `109.42%`, `no. 5`, counts with thousands separators."""
    v, unit = Decimal(str(fact["value"])), fact["unit"]
    if lang == "zh-CN":
        if unit == "%":
            return f"{v}%"
        if unit == "名":
            return f"第 {v} 名"
        if unit == "百分点":
            return f"{v} 个百分点"
        return f"{v} {unit}"
    if unit == "亿元":
        return f"{_en_number(v / 10)} bn yuan"
    if unit == "%":
        return f"{_en_number(v)}%"
    if unit == "名":
        return f"no. {v}"
    if unit == "百分点":
        return f"{_en_number(v)} points"
    return _en_number(v)  # counts: the English pages print bare numbers


def cases():
    if not seed_facts():
        return [pytest.param("zh-CN", "", "", marks=pytest.mark.skip(
            reason="../shared/seed_facts.yaml is not beside the repository"))]
    out = []
    for lang in LANGS:
        for fid, route in FACTS.items():
            out.append(pytest.param(lang, fid, route, id=f"{lang}-{fid}"))
    return out


@pytest.fixture(scope="session")
def main_text(browser, servers):
    """The rendered text of a page's <main>, JavaScript off, once per page."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    seen: dict[tuple[str, str], str] = {}

    def text(lang: str, route: str) -> str:
        if (lang, route) not in seen:
            response = page.goto(servers[0][lang].url(route))
            assert response and response.status == 200, route
            seen[lang, route] = re.sub(r"\s+", " ", page.inner_text("main"))
        return seen[lang, route]

    yield text
    context.close()


@pytest.mark.parametrize("lang,fid,route", cases())
def test_a_seed_figure_is_on_its_page_with_its_unit(main_text, lang, fid, route):
    fact = seed_facts()[fid]
    want = expected(fact, lang)
    text = main_text(lang, route)
    # the figure, not the start or end of a longer one
    assert re.search(rf"(?<![\d.,]){re.escape(want)}(?![\d])", text), (
        f"{want!r} ({fact['subject']}, {fact['period']}) not on {route}")


def test_the_seed_file_has_the_facts_checked():
    facts = seed_facts()
    if not facts:
        pytest.skip("../shared/seed_facts.yaml is not beside the repository")
    assert set(FACTS) <= set(facts)
    kinds = {facts[f]["category"] for f in FACTS}
    assert {"key_projects", "campaign", "ranking", "problems", "pipeline"} <= kinds


# The headline figures the issue names, verbatim -------------------------------------

@pytest.mark.parametrize("lang,route,figures", [
    ("zh-CN", "regions/zhoukou/", ["336 个", "1546.18 亿元", "109.42%", "398 个", "550 亿元", "31.1%"]),
    ("en", "regions/zhoukou/", ["336", "154.618 bn yuan", "109.42%", "398", "55 bn yuan", "31.1%"]),
])
def test_the_zhoukou_page_shows_its_2022_and_2023_figures(main_text, lang, route, figures):
    text = main_text(lang, route)
    for f in figures:
        assert f in text, f


def _row_with(page_text_rows: list[str], figure: str) -> list[str]:
    return [r for r in page_text_rows if figure in r]


@pytest.mark.parametrize("lang,place", [("zh-CN", "周口"), ("en", "Zhoukou")])
def test_the_home_page_lists_zhoukou_2023_at_31_1_percent(browser, servers, lang, place):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(servers[0][lang].url(""))
        rows = page.locator("main table.reports tbody tr").all_inner_texts()
    finally:
        context.close()
    hits = _row_with(rows, "31.1%")
    assert hits, "no row with 31.1% in the home page's progress table"
    assert any(place in r and "2023" in r for r in hits), hits


@pytest.mark.parametrize("lang,route,caption_row,cells", [
    pytest.param("zh-CN", "campaigns/wugang-3kb-2021/", "签约一批", ["7", "6", "85.7"],
                 id="zh-CN-wugang-campaign"),
    pytest.param("zh-CN", "", "驻马店市 · 2021年1–4月", ["51", "33.33"],
                 id="zh-CN-home-plan-vs-schedule"),
    pytest.param("en", "campaigns/wugang-3kb-2021/", "Signed batch", ["7", "6", "85.7"],
                 id="en-wugang-campaign"),
])
def test_chart_data_tables_keep_the_precision_as_printed(browser, servers, lang, route, caption_row, cells):
    """DESIGN §3: 'shown with the precision the editor typed': 7 projects, not 7.0."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(servers[0][lang].url(route))
        rows = page.evaluate("""() => [...document.querySelectorAll('figure.chart details.chart-data tbody tr')]
            .map(r => [...r.children].map(c => c.textContent.trim()))""")
    finally:
        context.close()
    row = next((r for r in rows if r[0] == caption_row), None)
    assert row is not None, rows
    assert row[1:] == cells


# regions, report scopes and ledgers; sub-regions and sectors; a "三个一批" campaign
@pytest.mark.parametrize("route", ["regions/zhoukou/", "", "campaigns/wugang-3kb-2021/"])
def test_english_charts_use_the_english_names_of_regions_and_scopes(browser, servers, route):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(servers[0]["en"].url(route))
        texts = page.evaluate("""() => [...document.querySelectorAll('figure.chart')].flatMap(f => [
            f.querySelector('.chart-static svg').getAttribute('aria-label'),
            ...[...f.querySelectorAll('.chart-static svg text')].map(t => t.textContent),
            ...[...f.querySelectorAll('details.chart-data td')].map(t => t.textContent)])""")
    finally:
        context.close()
    assert len(texts) > 10
    han = sorted({t for t in texts if re.search(r"[\u4e00-\u9fff]", t or "")})
    assert han == [], han
