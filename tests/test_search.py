"""Search (builder/search.py): the name index, the Pagefind bundle, the page, and when it is made.

What a reader does with them in a browser is tested in tests/browser/test_search_page.py;
here: what the build writes, that it is the same twice, that the preview's index follows
edits without slowing them.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder.search import BUNDLE, RECORDS, indexed_html
from builder.session import Session

REPO = Path(__file__).resolve().parents[1]

SITE = """
title: 测试站点
as_of: 2023-03-31
home_region: henan
sectors:
  - {id: food, name: 食品加工, name_en: Food processing}
  - {id: hydrogen, name: 氢能, name_en: Hydrogen energy}
"""

FILES = {
    "regions/henan.yaml": "id: henan\nname: 河南省\nlevel: province\n",
    "regions/zhoukou.yaml": "id: zhoukou\nname: 周口市\nname_en: Zhoukou\nlevel: city\nparent: henan\n",
    "regions/puyang.yaml": "id: puyang\nname: 濮阳市\nlevel: city\nparent: henan\n",
    "regions/hualong.yaml": "id: hualong\nname: 华龙区\nlevel: district\nparent: puyang\n",
    "projects/yihai-kerry-zhoukou.yaml": """
        id: yihai-kerry-zhoukou
        name: 益海嘉里(周口)现代食品产业园
        aliases: [周口益海项目]
        region: zhoukou
        sector: 食品加工
        stage: 建设
        """,
    "projects/taikang-hydrogen.yaml": """
        id: taikang-hydrogen
        name: 中心泰康氢能产业园项目
        region: hualong
        sector: 氢能
        stage: 投产
        status_text: 仅4个月就实现了落地投产
        """,
    "projects/guohong-hydrogen.yaml": """
        id: guohong-hydrogen
        name: 国鸿氢能科技产业园项目
        region: hualong
        sector: hydrogen
        stage: 落地
        """,
    "bulletins/2023-04-14-ledgers.md": """
        ---
        title: 问题台账怎么看
        date: 2023-04-14
        region: zhoukou
        tags: [问题台账]
        ---

        淮阳区逐项销号，调度会解决了一批问题。
        """,
    "bulletins/2023-04-15-draft.md": """
        ---
        title: 未发布的草稿
        date: 2023-04-15
        draft: true
        ---

        草稿正文。
        """,
}


@pytest.fixture
def content(tree):
    return tree(FILES, site=SITE)


def _records(files) -> dict[str, list]:
    doc = json.loads(files[RECORDS])
    return {f"{r[0]}:{r[1]}": r for r in doc["records"]}, doc


def test_the_name_index_lists_names_aliases_ids_and_what_filters_need(content, tmp_path):
    out = Session(content, cache=tmp_path / "cache").rebuild()
    records, doc = _records(out.files)
    assert sorted(records) == ["bulletin:ledgers", "project:guohong-hydrogen",
                               "project:taikang-hydrogen", "project:yihai-kerry-zhoukou",
                               "region:henan", "region:hualong", "region:puyang", "region:zhoukou"]
    # [kind, id, name, other names, region, stage, sector]
    assert records["project:yihai-kerry-zhoukou"] == [
        "project", "yihai-kerry-zhoukou", "益海嘉里(周口)现代食品产业园", ["周口益海项目"], "zhoukou",
        "building", "食品加工"]
    assert records["project:guohong-hydrogen"][6] == "氢能"  # a sector id shows as its name
    assert records["region:zhoukou"][3] == ["Zhoukou"]
    assert records["bulletin:ledgers"][2:5] == ["问题台账怎么看", ["问题台账"], "zhoukou"]
    # regions in tree order with their parents: a region filter keeps what is below it
    assert doc["regions"][0] == ["henan", "河南省", ""]
    assert ["hualong", "华龙区", "puyang"] in doc["regions"]
    assert doc["paths"]["project"] == "projects/{id}/"
    # every record's page exists in the site
    for kind, rid, *_ in doc["records"]:
        assert doc["paths"][kind].format(id=rid) + "index.html" in out.files


def test_a_full_build_indexes_the_pages_in_chinese_and_twice_gives_the_same_bytes(content,
                                                                                  tmp_path):
    first = Session(content, cache=tmp_path / "cache", search="build").rebuild()
    # another cache folder: the first's would give its bundle back (tests/test_searchindex.py)
    second = Session(content, cache=tmp_path / "cache2", search="build").rebuild()
    bundle = {r: b for r, b in first.files.items() if r.startswith(BUNDLE)}
    assert {r: b for r, b in second.files.items() if r.startswith(BUNDLE)} == bundle
    assert first.files == second.files
    entry = json.loads(bundle[BUNDLE + "pagefind-entry.json"])
    assert list(entry["languages"]) == ["zh-cn"]
    indexed = entry["languages"]["zh-cn"]["page_count"]
    pages = [r for r in first.files if r.endswith(".html")]
    # every page but the projects table, 404 and the search page itself
    assert indexed == len(pages) - 3, pages
    names = set(bundle)
    for needed in ("pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind"):
        assert BUNDLE + needed in names
    assert any(re.fullmatch(r"pagefind/filter/zh-cn_\w+\.pf_filter", n) for n in names)
    assert not [n for n in names if "-ui" in n], "Pagefind's own UI is not shipped"
    for name, data in bundle.items():
        if name.endswith(".js"):
            assert b"sourceMappingURL" not in data, name


def test_what_pagefind_reads_is_the_main_text_with_filters_and_without_charts():
    page = ('<!doctype html><html lang="zh-CN"><head><title>标题 · 站点</title></head><body>'
            '<header><nav>导航</nav></header><main id="main"><h1>益海嘉里</h1>'
            '<figure class="chart"><svg><text>图表文字</text></svg><table><tr><td>9</td></tr></table>'
            '<script type="application/json">{"a": 1}</script></figure><p>正文</p></main>'
            '<footer>页脚</footer></body></html>')
    html = indexed_html(page, {"kind": ["project"], "region": ["zhoukou", "henan"]})
    assert '<html lang="zh-CN">' in html and "<title>标题 · 站点</title>" in html
    assert "<h1>益海嘉里</h1>" in html and "<p>正文</p>" in html
    for gone in ("图表文字", "<svg", "<script", "导航", "页脚"):
        assert gone not in html
    assert html.count("data-pagefind-filter=") == 3
    assert '<span data-pagefind-ignore data-pagefind-filter="region">henan</span>' in html


def test_the_search_page_works_without_javascript_and_without_inline_code(content, tmp_path):
    out = Session(content, cache=tmp_path / "cache").rebuild()
    page = out.files["search/index.html"].decode()
    nojs = re.search(r'<p class="search-nojs[^"]*">(.*?)</p>', page, re.S)
    assert nojs and '<a href="../projects/">' in nojs[1]
    assert re.search(r'<form class="filters search-form"[^>]*\shidden[\s>]', page)
    assert 'data-root="../"' in page and 'data-records="records.json"' in page
    assert 'data-pagefind="../pagefind/pagefind.js"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "no inline script"
    assert not re.search(r"\sstyle=|<style", page), "no inline style"
    # the filters offer every kind, region, stage and sector there is
    for option in ('value="project"', 'value="bulletin"', 'value="hualong"', 'value="operating"',
                   "<option>氢能</option>", "<option>食品加工</option>"):
        assert option in page, option
    # every other page has a search box that leads here, by a relative link
    project = out.files["projects/taikang-hydrogen/index.html"].decode()
    assert re.search(r'<form class="site-search" role="search" action="\.\./\.\./search/"', project)
    assert 'class="site-search"' not in page


def test_the_preview_indexes_when_saves_stop_and_never_during_a_save(content, tmp_path):
    session = Session(content, cache=tmp_path / "cache", search="idle")
    session.indexer.delay = 0.2
    first = session.rebuild()
    assert not [r for r in first.files if r.startswith(BUNDLE)], "a save does not wait for Pagefind"
    assert session.indexer.idle.wait(60) and session.indexer.runs == 1
    old = {r: b for r, b in session.site.items() if r.startswith(BUNDLE)}
    assert BUNDLE + "pagefind-entry.json" in old
    assert {r: b for r, b in session.site.items() if not r.startswith(BUNDLE)} == dict(first.files)

    path = content / "projects/guohong-hydrogen.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "status_text: 氢燃料电池电堆下线\n",
                    encoding="utf-8")
    second = session.rebuild()
    # the edit is served at once, with the last index until the next one is made
    assert "氢燃料电池电堆下线" in second.files["projects/guohong-hydrogen/index.html"].decode()
    assert {r: b for r, b in second.files.items() if r.startswith(BUNDLE)} == old
    assert session.indexer.idle.wait(60) and session.indexer.runs == 2
    new = {r: b for r, b in session.site.items() if r.startswith(BUNDLE)}
    assert new != old and set(new) != set(old)

    # a burst of saves makes one index, after the last
    session.indexer.delay = 1.0
    session.rebuild()
    session.rebuild()
    assert session.indexer.idle.wait(60) and session.indexer.runs == 3


def _get(port: int, path: str) -> tuple[int, bytes]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def test_bulletin_serve_makes_the_full_text_index_soon_after_it_starts(content, tmp_path):
    log = (tmp_path / "serve.log").open("a", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "builder", "serve", str(content), "--port", "0",
         "--cache", str(tmp_path / "cache")], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        end = time.monotonic() + 60
        port = None
        while port is None and time.monotonic() < end:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text(encoding="utf-8")
            m = re.search(r"http://127\.0\.0\.1:(\d+)/",
                          (tmp_path / "serve.log").read_text(encoding="utf-8"))
            port = int(m[1]) if m else None
            time.sleep(0.05)
        assert port, (tmp_path / "serve.log").read_text(encoding="utf-8")
        status, body = _get(port, "/search/records.json")
        assert status == 200 and "益海嘉里(周口)现代食品产业园" in body.decode()
        while time.monotonic() < end:
            status, body = _get(port, "/pagefind/pagefind-entry.json")
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200, "the preview never got its full-text index"
        assert json.loads(body)["languages"]["zh-cn"]["page_count"] > 0
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_charts_svgs_and_scripts_are_dropped_from_the_indexed_text_as_one_lazy_pattern_would():
    """`search._drop` finds each opening tag and then its first closing tag; it must drop
    exactly what `<figure class="chart".*?</figure>|<svg\\b.*?</svg>|<script\\b.*?</script>`
    (case-insensitive) drops, unclosed tags and capitals included."""
    import re

    from builder.search import _drop
    lazy = re.compile(r'<figure class="chart".*?</figure>|<svg\b.*?</svg>|<script\b.*?</script>',
                      re.S | re.I)
    cases = [
        '<p>a</p><figure class="chart"><svg><g/></svg><table>x</table></figure><p>b</p>',
        '<SVG viewBox="0 0 1 1"><text>t</text></SVG> after <script>1</script><p>c</p>',
        '<svgx>kept</svgx> <svg>never closed <p>kept too</p>',
        '<script type="application/json">{"a": "</svg>"}</script><svg>a</svg></svg>',
        '<figure class="chart">open <svg>x</svg> and no end',
        '<scripts>not a script</scripts><Script>x</SCRIPT>tail',
        "", "no tags at all",
    ]
    for html in cases:
        assert _drop(html) == lazy.sub("", html), html


def test_a_projects_monthly_ledger_is_not_in_the_index_its_other_text_is(tmp_path):
    """The ledger is figures by month, on every project page: a search for a month would
    list them all. Pagefind gets the page without it (each page's text, as the reader's
    search shows it, is in its fragment)."""
    import gzip

    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "8", str(tmp_path)],
                   check=True, capture_output=True)
    files = Session(tmp_path / "content", cache=tmp_path / "cache", search="build").rebuild().files
    route = next(r for r in sorted(files) if re.fullmatch(r"projects/p-\d+/index.html", r))
    page = files[route].decode("utf-8")
    ledger = re.search(r'<table class="ledger"><caption>([^<]+)</caption>(.*?)</table>', page, re.S)
    assert ledger, "the project has a monthly ledger"
    rows = re.findall(r'<th scope="row">([^<]+)</th><td><span class="fig">([^<]+)</span>', ledger[2])
    assert len(rows) >= 12
    texts = {}
    for name, data in files.items():
        if name.endswith(".pf_fragment"):
            fragment = json.loads(gzip.decompress(data).removeprefix(b"pagefind_dcd"))
            texts[fragment["url"]] = fragment["content"].replace("\u200b", "")
    text = texts["/" + route.removesuffix("index.html")]
    assert re.search(r"<h1>([^<]+)</h1>", page)[1] in text  # the name, the facts …
    assert "月度进度（台账）" in text  # … and the ledger's heading are indexed
    assert ledger[1] not in text  # its caption is not, nor any of its rows
    assert not [(month, ytd) for month, ytd in rows if f"{month} {ytd}" in text]
