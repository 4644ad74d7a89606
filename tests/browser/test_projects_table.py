"""The projects table (/projects/): with JavaScript it filters as you type and
sorts from the keyboard; without JavaScript it is complete and the filter form,
which could do nothing, stays hidden."""

from __future__ import annotations

import re

import pytest

from browser_support import DESKTOP, LANGS, PAGES

pytestmark = pytest.mark.browser

ALL_PROJECTS = 59  # content/projects/*.yaml
QUERY = {"zh-CN": "周口", "en": "Zhoukou"}
HEADING = {"zh-CN": "阶段", "en": "Stage"}  # a numeric column: the stage's place in the lifecycle


@pytest.fixture
def projects_page(browser, servers):
    opened = []

    def open_(lang: str, js: bool = True):
        context = browser.new_context(viewport=DESKTOP, java_script_enabled=js)
        opened.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto(servers[0][lang].url(PAGES["projects"]))
        return page, errors

    yield open_
    for c in opened:
        c.close()


def body_rows(page):
    return page.locator("table.projects > tbody > tr")


def visible_names(page) -> list[str]:
    return page.locator("table.projects > tbody > tr:not([hidden]) > th").all_inner_texts()


@pytest.mark.parametrize("lang", LANGS)
def test_typing_in_the_filter_narrows_the_rows(projects_page, lang):
    from playwright.sync_api import expect

    page, errors = projects_page(lang)
    form = page.locator("form.filters")
    expect(form).to_be_visible()
    expect(body_rows(page)).to_have_count(ALL_PROJECTS)
    search = form.locator("input[name=q]")
    search.click()
    page.keyboard.type(QUERY[lang], delay=20)  # real key presses, one input event each
    shown = page.locator("table.projects > tbody > tr:not([hidden])")
    expect(form.locator("output")).to_have_text(re.compile(rf"^\d+ / {ALL_PROJECTS}$"))
    n = shown.count()
    assert 0 < n < ALL_PROJECTS
    for text in shown.all_inner_texts():
        assert QUERY[lang].lower() in text.lower(), text
    expect(form.locator("output")).to_have_text(f"{n} / {ALL_PROJECTS}")
    # emptying the box brings every row back
    for _ in QUERY[lang]:
        page.keyboard.press("Backspace")
    expect(shown).to_have_count(ALL_PROJECTS)
    assert errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_region_select_filters_too(projects_page, lang):
    from playwright.sync_api import expect

    page, errors = projects_page(lang)
    region = page.locator("form.filters select[name=region]")
    first = region.locator("option").nth(1)
    name = first.inner_text()
    region.select_option(label=name)
    shown = page.locator("table.projects > tbody > tr:not([hidden])")
    expect(shown.first).to_be_visible()
    regions = shown.locator(":scope > td:nth-child(2)").all_inner_texts()
    assert regions and set(regions) == {name}
    assert errors == []


def _tab_to(page, text: str, limit: int = 80) -> None:
    """Press Tab (as a keyboard user does) until the column heading `text` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement;"
            " return [e.tagName, e.closest('thead') !== null, e.textContent.trim()]; })()")
        if focused[0] == "TH" and focused[1] and focused[2] == text:
            return
    raise AssertionError(f"the heading {text!r} never took the focus in {limit} presses of Tab")


def _sort_keys(page, heading: str) -> list[float | None]:
    """The numeric key (data-value) of each row in the column `heading`, in the order shown."""
    return page.evaluate("""(text) => {
      const heads = [...document.querySelectorAll('table.projects thead th')];
      const i = heads.findIndex(h => h.textContent.trim() === text);
      return [...document.querySelectorAll('table.projects tbody tr')].map(r => {
        const v = parseFloat(r.children[i].getAttribute('data-value') ?? r.children[i].textContent);
        return isNaN(v) ? null : v;
      });
    }""", heading)


@pytest.mark.parametrize("lang", LANGS)
def test_a_column_heading_sorts_from_the_keyboard(projects_page, lang):
    from playwright.sync_api import expect

    page, errors = projects_page(lang)
    heading = page.locator("table.projects thead th", has_text=HEADING[lang])
    before = visible_names(page)
    _tab_to(page, HEADING[lang])
    expect(heading).to_be_focused()
    page.keyboard.press("Enter")
    expect(heading).to_have_attribute("aria-sort", "ascending")
    keys = _sort_keys(page, HEADING[lang])
    numbers = [k for k in keys if k is not None]
    assert len(numbers) == ALL_PROJECTS, "every row has a stage key (no stage sorts last)"
    assert numbers == sorted(numbers)
    assert visible_names(page) != before, "the rows did not move"
    page.keyboard.press("Enter")
    expect(heading).to_have_attribute("aria-sort", "descending")
    numbers = [k for k in _sort_keys(page, HEADING[lang]) if k is not None]
    assert numbers == sorted(numbers, reverse=True)
    # the name column sorts in the page's language (zh-CN: by the locale's collation)
    name = page.locator("table.projects thead th").first
    name.click()
    expect(name).to_have_attribute("aria-sort", "ascending")
    expect(heading).to_have_attribute("aria-sort", "none")
    names = visible_names(page)
    collated = page.evaluate(
        "(names) => [...names].sort((a, b) => a.localeCompare(b, document.documentElement.lang))",
        names)
    assert len(names) == ALL_PROJECTS and names == collated
    assert errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_table_is_complete(projects_page, lang):
    from playwright.sync_api import expect

    page, _ = projects_page(lang, js=False)
    expect(body_rows(page)).to_have_count(ALL_PROJECTS)
    for row in body_rows(page).all()[:: 10]:
        expect(row).to_be_visible()
    # every project links to its page
    expect(page.locator("table.projects > tbody > tr > th a[href]")).to_have_count(ALL_PROJECTS)


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_filter_form_stays_hidden(projects_page, lang):
    from playwright.sync_api import expect

    page, _ = projects_page(lang, js=False)
    form = page.locator("form.filters")
    expect(form).to_have_count(1)
    # nothing changes the page without JavaScript: look once, do not wait
    assert form.get_attribute("hidden") is not None
    assert form.is_hidden(), f"the form is shown: display is {form.evaluate('f => getComputedStyle(f).display')}"
