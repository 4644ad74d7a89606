"""The site by keyboard alone, in Chromium with real key presses (WCAG 2.1.1, 2.4.1, 2.4.3,
2.4.7, 2.4.11, 1.4.11): the skip link comes first and moves focus to the main content; Tab
reaches every interactive element of every page type, in document order, each shown in view
with a focus ring of 3:1 against what is around it; a chart's data table opens with Enter and
its scroll box takes focus; sortable headers sort with Enter and Space; the filter form
filters as one types; the menu follows with Enter.
"""

from __future__ import annotations

import re

import pytest

from browser_support import DESKTOP, PAGES, PHONE, contrast

pytestmark = pytest.mark.browser

# Every element Tab should reach, in document order: visible, enabled, not inside a closed
# <details> (its <summary> excepted) nor a hidden or inert part; each gets data-kbd=<index>.
MARK_FOCUSABLE_JS = """() => {
  const all = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, iframe, [tabindex]')];
  const shown = all.filter(el => {
    if (el.tabIndex < 0 || el.disabled || el.closest('[hidden], [inert]')) return false;
    const closed = el.closest('details:not([open])');
    if (closed && !(el.tagName === 'SUMMARY' && el.parentElement === closed)) return false;
    return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  });
  shown.forEach((el, i) => { el.dataset.kbd = String(i); });
  return {count: shown.length, positive: all.filter(el => el.tabIndex > 0).length};
}"""

# What the focused element shows: which it is, whether it is in view, its focus ring
# (outline, box-shadow) and the background it sits on.
FOCUSED_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const cs = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const opaque = c => !/^rgba\\(.*,\\s*0\\)$/.test(c) && c !== 'transparent';
  let bg = 'rgb(255, 255, 255)';
  for (let e = el.parentElement; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (opaque(c)) { bg = c; break; }
  }
  return {
    kbd: el.dataset.kbd ?? null, tag: el.tagName.toLowerCase(),
    label: (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40),
    inView: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
            r.top < innerHeight && r.left < innerWidth,
    outline: cs.outlineStyle !== 'none' ? [parseFloat(cs.outlineWidth), cs.outlineColor] : null,
    shadow: cs.boxShadow !== 'none' ? cs.boxShadow : null, bg,
  };
}"""


def ring_problem(f: dict) -> str:
    """Why the focused element's ring cannot be seen, or "" when it can."""
    if not f["inView"]:
        return "not scrolled into view"
    colours = []
    if f["outline"] and f["outline"][0] >= 2:
        colours.append(f["outline"][1])
    if f["shadow"]:
        colours += re.findall(r"rgba?\([^)]*\)", f["shadow"])
    if not colours:
        return f"no focus ring (outline {f['outline']}, box-shadow {f['shadow']})"
    best = max(contrast(c, f["bg"]) for c in colours)
    return "" if best >= 3 else f"focus ring {colours} is {best:.1f}:1 on {f['bg']}"


@pytest.fixture()
def keyboard_page(browser):
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def tab_to(page, selector: str, limit: int = 400) -> dict:
    """Press Tab until the focused element matches `selector`; what it shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return page.evaluate(FOCUSED_JS)
    raise AssertionError(f"Tab never reached {selector} in {limit} presses")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_skip_link_comes_first_and_moves_focus_to_the_main_content(keyboard_page, servers, lang):
    page = keyboard_page
    page.goto(servers[0][lang].url(PAGES["region"]))
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED_JS)
    assert first["tag"] == "a" and page.evaluate(
        "document.activeElement.classList.contains('skip')"), first
    assert ring_problem(first) == "", first
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")  # on from the main content, past the menu
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), \
        page.evaluate(FOCUSED_JS)


WALKS = [("zh-CN", key) for key in PAGES if key != "missing"] + [("en", "home"), ("en", "projects")]


@pytest.mark.parametrize("lang,key", WALKS, ids=[f"{lang}-{key}" for lang, key in WALKS])
def test_tab_reaches_every_interactive_element_in_order_with_a_visible_ring(
        keyboard_page, servers, lang, key):
    page = keyboard_page
    page.goto(servers[0][lang].url(PAGES[key]))
    marked = page.evaluate(MARK_FOCUSABLE_JS)
    assert marked["positive"] == 0, "a positive tabindex breaks the document order"
    assert marked["count"] >= 8, marked  # skip link, brand, menu, footer at least
    seen, unseen_rings = [], []
    for _ in range(marked["count"]):
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUSED_JS)
        assert f is not None, f"focus left the page after {len(seen)} of {marked['count']}"
        seen.append(f["kbd"])
        if problem := ring_problem(f):
            unseen_rings.append(f"{f['tag']} {f['label']!r}: {problem}")
    assert seen == [str(i) for i in range(marked["count"])], \
        "Tab skipped or reordered elements (data-kbd indexes in the order reached)"
    assert unseen_rings == [], "\n".join(unseen_rings)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_charts_data_table_opens_by_keyboard_and_its_box_takes_focus(keyboard_page, servers, lang):
    page = keyboard_page
    page.goto(servers[0][lang].url(PAGES["home"]))
    summary = tab_to(page, "figure.chart details.chart-data > summary")
    assert ring_problem(summary) == "", summary
    details = page.locator("figure.chart details.chart-data").first
    assert details.get_attribute("open") is None
    page.keyboard.press("Enter")
    assert details.get_attribute("open") is not None, "Enter did not open the data table"
    table = details.locator("table")
    assert table.is_visible() and table.locator("tbody tr").count() >= 2
    page.keyboard.press("Tab")  # the table's scroll box: wide tables scroll by arrow keys
    box = page.evaluate(FOCUSED_JS)
    assert page.evaluate("document.activeElement.matches('details.chart-data[open] > .table-wrap')"), box
    assert ring_problem(box) == "", box


def _column(page, index: int) -> list[float]:
    return page.evaluate("""i => [...document.querySelectorAll('table.projects tbody tr')]
        .map(r => parseFloat(r.children[i].dataset.value))
        .filter(v => !isNaN(v))""", index)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_sortable_headers_sort_with_enter_and_space(keyboard_page, servers, lang):
    page = keyboard_page
    page.goto(servers[0][lang].url(PAGES["projects"]))
    header = tab_to(page, "table.projects th[data-sort='number']")
    assert ring_problem(header) == "", header
    th = page.locator("table.projects th[data-sort='number']").first
    index = page.evaluate("document.activeElement.cellIndex")
    page.keyboard.press("Enter")
    assert th.get_attribute("aria-sort") == "ascending"
    up = _column(page, index)
    assert len(up) >= 5 and up == sorted(up)
    page.keyboard.press("Space")
    assert th.get_attribute("aria-sort") == "descending"
    down = _column(page, index)
    assert down == sorted(down, reverse=True)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_filter_form_filters_as_one_types(keyboard_page, servers, lang):
    page = keyboard_page
    page.goto(servers[0][lang].url(PAGES["projects"]))
    rows = page.locator("table.projects tbody tr")
    total = rows.count()
    tab_to(page, "form.filters input[name=q]")
    region = page.locator("table.projects tbody tr").first.get_attribute("data-region")
    page.keyboard.type(region)
    shown = page.locator("table.projects tbody tr:not([hidden])").count()
    assert 0 < shown < total
    assert page.locator("form.filters output").inner_text().startswith(f"{shown} / {total}")
    for _ in range(len(region)):
        page.keyboard.press("Backspace")
    assert page.locator("table.projects tbody tr:not([hidden])").count() == total


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_menu_follows_with_enter_on_a_phone(browser, servers, lang):
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(servers[0][lang].url(PAGES["home"]))
        link = tab_to(page, ".site-header nav a[href$='projects/']")
        assert ring_problem(link) == "", link
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/projects/$"))
        current = page.locator(".site-header nav a[aria-current='page']")
        assert current.count() == 1 and current.evaluate("a => a.href") == page.url
    finally:
        context.close()
