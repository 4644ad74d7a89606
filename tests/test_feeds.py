"""Atom feeds and the sitemap, read the way feed readers and crawlers read them.

Every feed is parsed by `feedparser` (the parser behind many readers) and checked
against what RFC 4287 requires with an XML parser; links are followed to the
pages they name, at the site root and under a sub-path.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest

from builder.feeds import sitemap_files
from builder.session import Session

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "good" / "content"
A = "{http://www.w3.org/2005/Atom}"
BASE = "https://example.org/bulletin/"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """One cache for the feed, meta and image tests: each chart and card drawn once."""
    path = tmp_path_factory.getbasetemp() / "discovery-cache"
    path.mkdir(exist_ok=True)
    return path


def build(root: Path, cache: Path, source: Path = REPO / "content", **settings: str):
    content = root / "content"
    shutil.copytree(source, content)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") +
                    "".join(f"{k}: {v}\n" for k, v in settings.items()), encoding="utf-8")
    return Session(content, REPO / "site_templates", cache, jobs=1).rebuild()


@pytest.fixture(scope="module")
def plain(tmp_path_factory, cache):
    """The demo site as it ships: no base_url."""
    return build(tmp_path_factory.mktemp("plain"), cache)


@pytest.fixture(scope="module")
def based(tmp_path_factory, cache):
    """The demo site with a base_url under a sub-path."""
    return build(tmp_path_factory.mktemp("based"), cache, base_url=BASE)


def feeds(files) -> dict[str, bytes]:
    return {r: b for r, b in files.items() if r == "feed.xml" or re.fullmatch(r"regions/[^/]+/feed\.xml", r)}


def page_route(url: str, root: str) -> str:
    """The file a link resolved under `root` is served from; its #fragment dropped."""
    assert url.startswith(root), url
    path = url[len(root):].partition("#")[0]
    return path + "index.html" if path.endswith("/") or not path else path


@pytest.mark.parametrize("variant", ["plain", "based"])
def test_every_feed_parses_cleanly_in_feedparser(variant, request):
    built = request.getfixturevalue(variant)
    found = feeds(built.files)
    assert "feed.xml" in found and len(found) == len(built.derived.regions) + 1
    for route, data in found.items():
        d = feedparser.parse(data)
        assert not d.bozo, (route, d.get("bozo_exception"))
        assert d.version == "atom10", route
        assert d.feed.title and d.feed.updated_parsed, route
        for e in d.entries:
            assert e.title and e.id and e.link and e.updated_parsed, (route, e)


@pytest.mark.parametrize("variant", ["plain", "based"])
def test_every_feed_has_what_rfc_4287_requires(variant, request):
    built = request.getfixturevalue(variant)
    for route, data in feeds(built.files).items():
        feed = ET.fromstring(data)
        assert feed.tag == f"{A}feed", route
        for name in ("id", "title", "updated"):
            assert len(feed.findall(f"{A}{name}")) == 1, (route, name)
        entries = feed.findall(f"{A}entry")
        authored = feed.find(f"{A}author/{A}name") is not None
        assert authored or all(e.find(f"{A}author/{A}name") is not None for e in entries), route
        assert [ln for ln in feed.findall(f"{A}link") if ln.get("rel") == "self"], route
        ids = [feed.findtext(f"{A}id")]
        stamps = []
        for e in entries:
            for name in ("id", "title", "updated"):
                assert len(e.findall(f"{A}{name}")) == 1, (route, name)
            assert e.find(f"{A}content") is None
            alternates = [ln for ln in e.findall(f"{A}link") if ln.get("rel", "alternate") == "alternate"]
            assert len(alternates) == 1 and alternates[0].get("href"), route  # no content: a link
            ids.append(e.findtext(f"{A}id"))
            stamps.append(e.findtext(f"{A}updated"))
        for stamp in stamps + [feed.findtext(f"{A}updated")]:
            assert RFC3339.match(stamp), (route, stamp)
            dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        assert all(re.match(r"^(urn:uuid:[0-9a-f-]{36}|tag:[a-z0-9.-]+,\d{4}-\d\d-\d\d:\S+|https?://\S+)$", i)
                   for i in ids), (route, ids)  # absolute IRIs
        assert len(set(ids)) == len(ids), route
        assert max(stamps, default="") <= feed.findtext(f"{A}updated"), route


def test_the_site_feed_lists_the_published_bulletins_newest_first(plain):
    bulletins = sorted((b for b in plain.derived.content.bulletins if not b.meta.draft),
                       key=lambda b: (b.meta.date, b.slug), reverse=True)
    root = "https://example.net/bulletin/"
    d = feedparser.parse(plain.files["feed.xml"], response_headers={"content-location": root + "feed.xml"})
    assert [e.title for e in d.entries] == [b.meta.title for b in bulletins]
    assert [e.link for e in d.entries] == [f"{root}bulletins/{b.slug}/" for b in bulletins]
    assert [e.summary for e in d.entries] == [b.meta.summary or "" for b in bulletins]
    assert d.feed.updated.startswith(bulletins[0].meta.date.isoformat())


@pytest.mark.parametrize("root", ["http://127.0.0.1:8000/", "https://example.net/bulletin/"])
def test_relative_links_lead_to_real_pages_at_the_root_and_under_a_sub_path(plain, root):
    for route, data in feeds(plain.files).items():
        d = feedparser.parse(data, response_headers={"content-location": root + route})
        assert page_route(urljoin(root + route, d.feed.link), root) in plain.files, route
        for e in d.entries:
            assert page_route(e.link, root) in plain.files, (route, e.link)


def test_a_region_feed_has_its_own_and_its_sub_regions_bulletins_and_its_progress_reports(plain):
    d = feedparser.parse(plain.files["regions/zhoukou/feed.xml"],
                         response_headers={"content-location": "https://h/regions/zhoukou/feed.xml"})
    links = [e.link for e in d.entries]
    assert "https://h/bulletins/zhoukou-2023-q1/" in links  # about Zhoukou
    assert "https://h/bulletins/huaiyang-march-2023/" in links  # about Huaiyang, a district of it
    assert "https://h/bulletins/zhumadian-jan-apr-2021/" not in links
    report = next(e for e in d.entries if e.link == "https://h/regions/zhoukou/#2023-q1")
    assert "31.1%" in report.summary and "398 个" in report.summary and "550 亿元" in report.summary
    assert 'id="2023-q1"' in plain.files["regions/zhoukou/index.html"].decode()  # the anchor exists
    assert [e.updated for e in d.entries] == sorted((e.updated for e in d.entries), reverse=True)


def test_with_base_url_links_are_absolute_and_ids_are_tag_uris(based):
    d = feedparser.parse(based.files["feed.xml"])
    assert d.feed.id == BASE + "feed.xml"
    for e in d.entries:
        assert e.link.startswith(BASE) and page_route(e.link, BASE) in based.files
        date = e.updated[:10]
        assert e.id == f"tag:example.org,{date}:/bulletin/{e.link[len(BASE):]}"


def test_ids_stay_when_a_title_changes_and_differ_between_entries(tmp_path, cache):
    session = Session(_copy(tmp_path), REPO / "site_templates", cache, jobs=1)
    before = feedparser.parse(session.rebuild().files["feed.xml"])
    path = next((tmp_path / "content" / "bulletins").glob("*.md"))
    path.write_text(path.read_text(encoding="utf-8").replace("title: 一季度重点项目建设通报",
                                                             "title: 一季度通报（修订）"), encoding="utf-8")
    after = feedparser.parse(session.rebuild().files["feed.xml"])
    assert [e.title for e in after.entries] == ["一季度通报（修订）"]
    assert [e.id for e in after.entries] == [e.id for e in before.entries]
    assert after.feed.id == before.feed.id


def _copy(root: Path) -> Path:
    shutil.copytree(FIXTURE, root / "content")
    return root / "content"


def test_words_from_the_data_cannot_break_the_xml(tmp_path, cache):
    content = _copy(tmp_path)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "title: 周口市重点项目建设进度", 'title: "进度 & <站点> \\"引号\\" \\x01"') +
        "base_url: https://example.org/a&b/\n", encoding="utf-8")
    region = content / "regions" / "zhoukou.yaml"
    region.write_text(region.read_text(encoding="utf-8").replace("name: 周口\n", 'name: "周口 & <市>"\n', 1),
                      encoding="utf-8")
    bulletin = next((content / "bulletins").glob("*.md"))
    bulletin.write_text(bulletin.read_text(encoding="utf-8").replace(
        "title: 一季度重点项目建设通报", 'title: "一季度 <b>通报</b> & \\"AT&T\\" \\x0b\\x00 ]]>"').replace(
        "tags: [重点项目]", 'tags: ["<&>", "\\x1b"]'), encoding="utf-8")
    files = Session(content, REPO / "site_templates", cache, jobs=1).rebuild().files
    for route, data in list(feeds(files).items()) + [("sitemap.xml", files["sitemap.xml"])]:
        ET.fromstring(data)  # well-formed
        assert not feedparser.parse(data).bozo or route == "sitemap.xml", route
    d = feedparser.parse(files["feed.xml"])
    assert d.feed.title.startswith('进度 & <站点> "引号" ')
    assert d.entries[0].title == '一季度 <b>通报</b> & "AT&T"  ]]>'
    assert [t.term for t in d.entries[0].tags] == ["周口 & <市>", "<&>"]
    assert d.feed.id == "https://example.org/a&b/feed.xml"


def test_the_sitemap_lists_every_page_only_when_base_url_is_set(plain, based):
    assert "sitemap.xml" not in plain.files
    urlset = ET.fromstring(based.files["sitemap.xml"])
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert urlset.tag == f"{ns}urlset"
    locs = [u.findtext(f"{ns}loc") for u in urlset.findall(f"{ns}url")]
    pages = {r for r in based.files if r.endswith(".html") and r != "404.html"}
    assert {page_route(loc, BASE) for loc in locs} == pages and len(locs) == len(pages)
    assert f"Sitemap: {BASE}sitemap.xml" in based.files["robots.txt"].decode()


def test_a_large_sitemap_becomes_an_index_of_parts(based):
    routes = [r for r in based.files if r.endswith(".html")]
    site = based.derived.content.site
    parts = sitemap_files(site, routes, limit=10)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    index = ET.fromstring(parts.pop("sitemap.xml"))
    assert index.tag == f"{ns}sitemapindex"
    assert [s.findtext(f"{ns}loc") for s in index] == [BASE + r for r in parts]
    locs = [u.findtext(f"{ns}loc") for p in parts.values() for u in ET.fromstring(p)]
    assert all(len(ET.fromstring(p)) <= 10 for p in parts.values())
    assert sorted(locs) == sorted(f"{BASE}{r[:-len('index.html')]}" for r in routes if r != "404.html")
