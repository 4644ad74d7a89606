"""What the pages of the demo site show, read from the built HTML (zh-CN and en)."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from builder.pipeline import build

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("demo")
    out = {"zh-CN": root / "zh"}
    build(REPO / "content", out["zh-CN"], root / "cache", templates=REPO / "site_templates", jobs=2)
    shutil.copytree(REPO / "content", root / "content-en")
    site = root / "content-en/site.yaml"
    site.write_text(re.sub(r"(?m)^language:.*$", "language: en", site.read_text(encoding="utf-8")),
                    encoding="utf-8")
    out["en"] = root / "en"
    build(root / "content-en", out["en"], root / "cache", templates=REPO / "site_templates", jobs=2)
    return out


def page(sites, lang: str, route: str) -> str:
    return (sites[lang] / route).read_text(encoding="utf-8")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def section(html: str, heading_id: str) -> str:
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start:html.index("</section>", start)]


def test_every_record_a_bulletin_can_cite_has_its_key_as_an_id(sites):
    html = page(sites, "zh-CN", "regions/zhoukou/index.html")
    for key in ("2022", "2023-q1", "enterprise-problems", "key-eval-2022", "wuzhi-principal"):
        assert f'id="{key}"' in html, key
    assert 'id="group-start"' in page(sites, "zh-CN", "regions/luoyang-mengjin/index.html")
    assert 'id="batch-sign"' in page(sites, "zh-CN", "campaigns/wugang-3kb-2021/index.html")
    assert 'id="batch-start-2"' in page(sites, "zh-CN", "campaigns/liangyuan-3kb-2021/index.html")
    bulletin = page(sites, "zh-CN", "bulletins/three-batches-2021/index.html")
    assert 'href="../../campaigns/wugang-3kb-2021/#batch-sign"' in bulletin
    assert 'href="../../campaigns/liangyuan-3kb-2021/#batch-start-2"' in bulletin


def test_no_page_gives_one_id_twice(sites):
    for lang in sites:
        for p in sites[lang].rglob("*.html"):
            ids = re.findall(r'\sid="([^"]+)"', p.read_text(encoding="utf-8"))
            assert len(ids) == len(set(ids)), (p, sorted({i for i in ids if ids.count(i) > 1}))


@pytest.mark.parametrize("lang,place", [("zh-CN", "周口市"), ("en", "Zhoukou")])
def test_the_home_progress_table_names_the_region_of_each_row(sites, lang, place):
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>",
                      section(page(sites, lang, "index.html"), "latest-h"), re.S)
    assert rows and all("<a href=\"regions/" in r for r in rows), rows
    assert any(text(r).strip().startswith(place + " ") for r in rows), rows


def test_problem_ledgers_print_the_measure_word_of_their_source(sites):
    zk = text(section(page(sites, "zh-CN", "regions/zhoukou/index.html"), "ledger-h"))
    assert "3118 条" in zk and "3097 条" in zk and "3118 个" not in zk
    hy = text(section(page(sites, "zh-CN", "regions/zhoukou-huaiyang/index.html"), "ledger-h"))
    assert "36 处" in hy and "33 处" in hy and "3 处" in hy
    en = text(section(page(sites, "en", "regions/zhoukou/index.html"), "ledger-h"))
    assert re.search(r"(?<![\d,])3,118(?![\d,])", en) and "条" not in en


def test_a_sub_region_without_a_figure_shows_no_placeholder(sites):
    children = text(section(page(sites, "zh-CN", "regions/zhoukou/index.html"), "children-h"))
    assert "淮阳区" in children and "—" not in children


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_chart_data_tables_print_figures_as_typed(sites, lang):
    html = page(sites, lang, "campaigns/wugang-3kb-2021/index.html")
    table = html[html.index('<details class="chart-data">'):]
    cells = re.findall(r"<td>([^<]*)</td>", table[:table.index("</details>")])
    assert cells[:4] == [("签约一批" if lang == "zh-CN" else "Signed batch"), "7", "6", "85.7"]
    assert not [c for c in cells if re.fullmatch(r"\d+\.0", c)]


def test_english_pages_name_sectors_in_english(sites):
    cells = re.findall(r"<td>([^<]*)</td>", page(sites, "en", "projects/index.html"))
    assert "Hydrogen energy" in cells and "氢能" not in cells
