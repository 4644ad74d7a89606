"""What each page's head tells search engines, feed readers and link previews.

Heads are read with the standard HTML parser, as a crawler would: the
description is a real summary of the page's own figures, feed links lead to
feeds that exist, and absolute addresses (canonical, og:url, og:image) appear
only when site.yaml gives `base_url`, and then lead to files the site has.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest

from builder.session import Session

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "good" / "content"
BASE = "https://example.org/bulletin/"


class Head(HTMLParser):
    """The <meta> and <link> elements of a page's head."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self._in_head = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "head":
            self._in_head = True
        elif tag == "body":
            self._in_head = False
        elif self._in_head and tag == "meta" and ("name" in a or "property" in a):
            key = a.get("name") or a.get("property")
            assert key not in self.meta, f"{key} twice"
            self.meta[key] = a.get("content", "")
        elif self._in_head and tag == "link":
            self.links.append(a)

    def link(self, rel: str, type_: str | None = None) -> list[dict[str, str]]:
        return [x for x in self.links if x.get("rel") == rel and (type_ is None or x.get("type") == type_)]


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """One cache for the feed, meta and image tests: each chart and card drawn once."""
    path = tmp_path_factory.getbasetemp() / "discovery-cache"
    path.mkdir(exist_ok=True)
    return path


def build(root: Path, cache: Path, source: Path, **settings: str):
    content = root / "content"
    shutil.copytree(source, content)
    site = content / "site.yaml"
    text = site.read_text(encoding="utf-8")
    for key, value in settings.items():
        text = "\n".join(ln for ln in text.splitlines() if not ln.startswith(f"{key}:")) + f"\n{key}: {value}\n"
    site.write_text(text, encoding="utf-8")
    return Session(content, REPO / "site_templates", cache, jobs=1).rebuild().files


@pytest.fixture(scope="module")
def plain(tmp_path_factory, cache):
    return build(tmp_path_factory.mktemp("plain"), cache, REPO / "content")


@pytest.fixture(scope="module")
def based(tmp_path_factory, cache):
    return build(tmp_path_factory.mktemp("based"), cache, REPO / "content", base_url=BASE)


@pytest.fixture(scope="module")
def small(tmp_path_factory, cache):
    return {lang: build(tmp_path_factory.mktemp(f"small-{lang}"), cache, FIXTURE, language=lang)
            for lang in ("zh-CN", "en")}


def heads(files) -> dict[str, Head]:
    return {r: Head(b.decode("utf-8")) for r, b in files.items() if r.endswith(".html")}


def served(route: str) -> str:
    return route[: -len("index.html")] if route.endswith("index.html") else route


def route_of(url: str) -> str:
    assert url.startswith(BASE), url
    path = url[len(BASE):]
    return path + "index.html" if path.endswith("/") or not path else path


def test_every_page_has_a_short_description_of_its_own(plain):
    found = heads(plain)
    descriptions = {r: h.meta.get("description", "") for r, h in found.items()}
    assert all(0 < len(d) <= 160 for d in descriptions.values()), \
        {r: d for r, d in descriptions.items() if not 0 < len(d) <= 160}
    projects = [d for r, d in descriptions.items() if r.startswith("projects/") and r.count("/") == 2
                and not r.startswith("projects/page-")]
    assert len(set(projects)) == len(projects)  # each project says something of its own
    region = descriptions["regions/zhoukou/index.html"]
    assert region.startswith("周口市2023年一季度省市重点项目") and "31.1%" in region and "398 个" in region
    assert descriptions["projects/index.html"].startswith(f"全部 {len(projects)} 个重点项目")


@pytest.mark.parametrize("lang,words", [
    ("zh-CN", ["周口港区物流园项目，位于周口", "总投资 50 亿元", "完成2023年计划的 45.00%", "当前阶段：建设"]),
    ("en", ["周口港区物流园项目, in 周口", "5 bn yuan", "45.00% of the 2023 plan", "stage: Under construction"]),
])
def test_a_project_is_described_by_its_region_total_completion_and_stage(small, lang, words):
    description = Head(small[lang]["projects/alpha/index.html"].decode()).meta["description"]
    for w in words:
        assert w in description, (w, description)


def test_every_page_links_to_the_feeds_and_a_region_page_to_its_own(plain):
    root = "https://example.net/sub/"
    for route, head in heads(plain).items():
        if route == "404.html":
            continue
        found = [urljoin(root + served(route), x["href"]) for x in head.link("alternate", "application/atom+xml")]
        assert found and found[0] == root + "feed.xml", route
        assert all(x["title"] for x in head.link("alternate", "application/atom+xml")), route
        if route.startswith("regions/") and route != "regions/index.html":
            assert found[1:] == [root + route.replace("index.html", "feed.xml")], route
        for url in found:
            assert url[len(root):] in plain, (route, url)


def test_without_base_url_no_address_is_made_up(plain):
    for route, head in heads(plain).items():
        assert not head.link("canonical"), route
        assert not {"og:url", "og:image", "twitter:image"} & set(head.meta), route
        assert not any(v.startswith(("http:", "https:", "/")) for v in head.meta.values()), route
        if route != "404.html":
            assert head.meta["twitter:card"] == "summary" and head.meta["og:title"], route


def test_with_base_url_canonical_and_share_tags_lead_to_real_files(based):
    found = heads(based)
    assert not found["404.html"].link("canonical") and "og:url" not in found["404.html"].meta
    for route, head in found.items():
        if route == "404.html":
            continue
        canonical = head.link("canonical")[0]["href"]
        assert canonical == BASE + served(route), route
        m = head.meta
        assert m["og:url"] == canonical and m["twitter:card"] == "summary_large_image", route
        assert m["og:image"] == m["twitter:image"] and based[route_of(m["og:image"])][:4] == b"\x89PNG"
        assert (m["og:image:width"], m["og:image:height"], m["og:image:type"]) == ("1200", "630", "image/png")
        assert m["og:title"] and m["og:description"] == m["description"] and m["og:image:alt"], route
    assert found["regions/zhoukou/index.html"].meta["og:image"] == BASE + "regions/zhoukou/og.png"
    bulletin = found["bulletins/zhoukou-2023-q1/index.html"].meta
    assert bulletin["og:image"] == BASE + "bulletins/zhoukou-2023-q1/og.png"
    assert bulletin["og:type"] == "article" and bulletin["article:published_time"] == "2023-04-07"
    project = found["projects/zhongxin-taikang-hydrogen/index.html"].meta  # its region's card
    assert project["og:image"] == BASE + "regions/puyang-hualong/og.png"
    assert found["index.html"].meta["og:image"] == BASE + "regions/henan/og.png"


def test_words_from_the_data_are_escaped_in_the_head(tmp_path, cache):
    files = build(tmp_path, cache, FIXTURE, title='"进度 & <站点> \\"引号\\" \\x01"',
                  base_url="https://example.org/a&b/")
    head = Head(files["regions/zhoukou/index.html"].decode())
    assert head.meta["og:site_name"] == '进度 & <站点> "引号"'
    assert head.link("canonical")[0]["href"] == "https://example.org/a&b/regions/zhoukou/"
    assert head.link("alternate", "application/atom+xml")[0]["title"].startswith('进度 & <站点> "引号"')
    meta = files["regions/zhoukou/index.html"].decode().partition("</title>")[2].partition("<link rel=\"icon\"")[0]
    assert "<meta" in meta and "\x01" not in meta
