"""The search page (/search/) in Chromium, served with the CSP header at / and under
/bulletin/: what a reader types finds the pages, filters narrow the list, and without
JavaScript the page says so and leads to the projects table. Every visit must end with no
console error (a CSP violation is one), no failed request and no request to another host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from browser_support import DESKTOP, PHONE, SUBPATH, serve

pytestmark = pytest.mark.browser

YIHAI = "益海嘉里(周口)现代食品产业园"
HYDROGEN_PARKS = {"中心泰康氢能产业园项目", "国鸿氢能科技产业园项目"}


@pytest.fixture(scope="module")
def search_servers(site_zh, site_en):
    """The built sites at / and (zh) the same files under /bulletin/: every search link is
    relative, so one build serves any sub-path."""
    running, out = [], {}
    for key, root, prefix in (("zh", site_zh, "/"), ("zh-sub", site_zh, SUBPATH),
                              ("en", site_en, "/")):
        httpd, server = serve(root, prefix)
        running.append(httpd)
        out[key] = server
    yield out
    for httpd in running:
        httpd.shutdown()
        httpd.server_close()


class Tab:
    """One browser tab on one server, keeping every error and request it saw."""

    def __init__(self, browser, server, js: bool = True, viewport: dict = DESKTOP):
        self.server = server
        self.context = browser.new_context(viewport=viewport, java_script_enabled=js)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", lambda r: r.status >= 400
                     and self.failed.append(f"{r.status} {r.url}"))

    def open(self, route: str = "search/"):
        self.page.goto(self.server.url(route))
        return self.page

    def type(self, words: str) -> None:
        box = self.page.locator("form.search-form input[name=q]")
        box.click()
        box.fill("")
        self.page.keyboard.type(words, delay=20)  # real key presses, an input event each

    def links(self):
        return self.page.locator(".search-results li > a")

    def names(self) -> list[str]:
        return self.links().all_inner_texts()

    def assert_clean(self) -> None:
        origin = urlsplit(self.server.base)
        foreign = [u for u in self.requests if urlsplit(u).scheme not in ("data", "blob")
                   and urlsplit(u).netloc != origin.netloc]
        assert self.errors == [], self.errors
        assert self.failed == [], self.failed
        assert foreign == [], foreign


@pytest.fixture
def tab(browser, search_servers):
    opened: list[Tab] = []

    def open_(key: str = "zh", js: bool = True, viewport: dict = DESKTOP) -> Tab:
        t = Tab(browser, search_servers[key], js, viewport)
        opened.append(t)
        return t
    yield open_
    for t in opened:
        t.context.close()


def _status(t: Tab):
    return t.page.locator(".search-status")


@pytest.mark.parametrize("where", ["zh", "zh-sub"])
def test_typing_part_of_a_name_finds_the_project(tab, where):
    from playwright.sync_api import expect

    t = tab(where)
    page = t.open()
    t.type("益海")
    link = t.links().filter(has_text=YIHAI)
    expect(link).to_have_count(1)
    expect(_status(t)).to_have_text(re.compile(r"找到 \d+ 个结果"))
    href = link.get_attribute("href")
    assert href == "../projects/yihai-kerry-zhoukou/", href  # relative: any sub-path works
    link.click()
    expect(page).to_have_url(t.server.url("projects/yihai-kerry-zhoukou/"))
    expect(page.locator("h1")).to_have_text(YIHAI)
    # the full-text index was loaded from this site, under the same path
    assert any(u.startswith(t.server.url("pagefind/")) and u.endswith(".pf_meta")
               for u in t.requests)
    t.assert_clean()


def test_a_two_character_word_finds_both_hydrogen_parks(tab):
    from playwright.sync_api import expect

    t = tab()
    t.open()
    t.type("氢能")
    for name in sorted(HYDROGEN_PARKS):
        expect(t.links().filter(has_text=name)).to_have_count(1)
    t.assert_clean()


def test_words_inside_pages_are_found_by_the_full_text_index(tab):
    """逐项销号 is in a bulletin's text, in no name: only Pagefind (its WASM under the CSP) finds it."""
    from playwright.sync_api import expect

    t = tab()
    t.open()
    t.type("逐项销号")
    link = t.links().filter(has_text="问题台账怎么看")
    expect(link).to_have_count(1)
    assert link.get_attribute("href") == "../bulletins/problem-ledgers/"
    item = t.page.locator(".search-results li").filter(
        has=t.page.locator("a", has_text="问题台账怎么看"))
    expect(item.locator(".search-excerpt mark").first).to_be_visible()
    t.assert_clean()


def test_filters_narrow_the_results(tab):
    from playwright.sync_api import expect

    t = tab()
    page = t.open()
    t.type("氢能")
    expect(t.links().filter(has_text="中心泰康氢能产业园项目")).to_have_count(1)
    expect(t.links().filter(has_text="濮阳四个区")).to_have_count(1)  # a bulletin mentions it
    everything = t.links().count()

    page.select_option("select[name=kind]", "project")
    expect(t.links().filter(has_text="濮阳四个区")).to_have_count(0)
    assert 2 <= t.links().count() < everything
    for href in [a.get_attribute("href") for a in t.links().all()]:
        assert href.startswith("../projects/"), href

    page.select_option("select[name=stage]", "operating")  # 投产
    expect(t.links()).to_have_text(["中心泰康氢能产业园项目"])

    page.select_option("select[name=stage]", "")
    page.select_option("select[name=region]", "zhoukou")  # the hydrogen parks are in Puyang
    expect(t.links()).to_have_count(0)
    expect(_status(t)).to_have_text(re.compile("没有找到结果"))

    # Pagefind's own filters: a word from page text, bulletins only
    page.select_option("select[name=region]", "")
    page.select_option("select[name=kind]", "bulletin")
    t.type("调度会")
    expect(t.links().filter(has_text="问题台账怎么看")).to_have_count(1)
    for href in [a.get_attribute("href") for a in t.links().all()]:
        assert href.startswith("../bulletins/"), href
    page.select_option("select[name=kind]", "region")
    expect(t.links().filter(has_text="问题台账怎么看")).to_have_count(0)
    expect(t.links().first).to_have_attribute("href", re.compile(r"^\.\./regions/"))
    t.assert_clean()


def test_the_header_box_leads_to_the_results_and_the_address_keeps_them(tab):
    from playwright.sync_api import expect

    t = tab("zh-sub")
    page = t.open("projects/zhoukou-steel/")
    box = page.locator("header form.site-search input[name=q]")
    box.fill("益海")
    box.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(t.server.url("search/")) + r"\?q="))
    expect(t.links().filter(has_text=YIHAI)).to_have_count(1)
    page.select_option("select[name=kind]", "project")
    expect(page).to_have_url(re.compile(r"kind=project"))
    page.reload()
    expect(page.locator("select[name=kind]")).to_have_value("project")
    expect(t.links().filter(has_text=YIHAI)).to_have_count(1)
    t.assert_clean()


def test_without_javascript_the_page_says_so_and_links_to_the_projects_table(tab):
    from playwright.sync_api import expect

    t = tab("zh-sub", js=False)
    page = t.open()
    note = page.locator(".search-nojs")
    expect(note).to_be_visible()
    expect(note).to_contain_text("JavaScript")
    expect(page.locator("form.search-form")).to_be_hidden()
    note.locator("a").click()
    expect(page).to_have_url(t.server.url("projects/"))
    expect(page.locator("table.projects")).to_be_visible()
    t.assert_clean()


def test_the_english_site_searches_english_names_in_english(tab):
    from playwright.sync_api import expect

    t = tab("en")
    page = t.open()
    expect(page.locator("h1")).to_have_text("Search")
    t.type("zhouk")
    link = t.links().filter(has_text=re.compile("^Zhoukou$"))
    expect(link).to_have_count(1)
    assert link.get_attribute("href") == "../regions/zhoukou/"
    expect(_status(t)).to_have_text(re.compile(r"^\d+ results"))
    t.assert_clean()


def test_the_page_with_results_passes_axe_and_fits_a_phone(tab, axe_source):
    """axe-core on the live page, results and filters showing: no serious or critical finding;
    at 375 px nothing scrolls sideways."""
    from playwright.sync_api import expect

    from browser_support import AXE_RUN_JS, axe_report

    t = tab()
    page = t.open("search/?q=%E6%B0%A2%E8%83%BD")  # ?q=氢能, as the header box sends it
    expect(t.links().filter(has_text="中心泰康氢能产业园项目")).to_have_count(1)
    violations = page.evaluate(axe_source + AXE_RUN_JS)
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert bad == [], axe_report(bad)
    t.assert_clean()

    phone = tab(viewport=PHONE)
    page = phone.open("search/?q=%E6%B0%A2%E8%83%BD")
    expect(phone.links().filter(has_text="中心泰康氢能产业园项目")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.assert_clean()
