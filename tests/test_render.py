"""builder.render: what the rendered pages link to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.pipeline import build

REPO = Path(__file__).resolve().parents[1]

REGION = """
id: henan
name: 河南省
level: province
"""


def links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"#][^"]*)"', html)


@pytest.mark.parametrize("base_url,root", [
    ("https://example.org/bulletin/", "/bulletin/"),
    ("https://example.org/a/b", "/a/b/"),
    ("https://example.org", "/"),
    (None, "/"),
])
def test_the_404_page_links_from_the_path_of_base_url(tree, tmp_path, base_url, root):
    """Hosts serve 404.html for a missing URL at any depth, so its stylesheet, scripts,
    favicon and navigation cannot be relative; every other page's links are."""
    site = "title: 测试站点\nas_of: 2023-03-31\nhome_region: henan\n"
    if base_url:
        site += f"base_url: {base_url}\n"
    content = tree({"regions/henan.yaml": REGION}, site=site)
    out = tmp_path / "output"
    build(content, out, tmp_path / "cache", templates=REPO / "site_templates")
    page = (out / "404.html").read_text(encoding="utf-8")
    internal = [u for u in links(page) if not u.startswith(("http:", "https:", "data:"))]
    assert len(internal) >= 8, internal
    assert [u for u in internal if not u.startswith(root)] == []
    css = next(u for u in internal if u.endswith(".css"))
    assert (out / css[len(root):]).is_file()
    assert f'href="{root}regions/"' in page and f'href="{root}"' in page
    home = (out / "regions/henan/index.html").read_text(encoding="utf-8")
    assert [u for u in links(home) if u.startswith("/")] == []


def _messages_env(tmp_path, source: str):
    from builder.i18n import Catalog
    from builder.render import environment
    (tmp_path / "tpl").mkdir(exist_ok=True)
    (tmp_path / "tpl" / "a.html").write_text(source, encoding="utf-8")
    cat = Catalog("zh-CN", {"x.amp": "<A & B>", "x.plain": "甲", "x.fmt": "{n} 个", "x.sep": "、"})
    return cat, environment(tmp_path / "tpl", cat), environment(tmp_path / "tpl")


def test_bare_messages_are_written_into_the_compiled_template_and_escaped_as_before(tmp_path):
    """`t('key')` is replaced by its message when the template is compiled: a page
    renders exactly as if it had been called, but calls with arguments, attributes
    named `t` and messages used as arguments keep working."""
    from builder.i18n import Catalog

    class Other:
        def t(self, key):
            return "attr:" + key
    cat, inlined, plain = _messages_env(
        tmp_path, "{{ t('x.amp') }}|{{ t('x.plain') }}|{{ o.t('x.plain') }}|"
                  "{{ t('x.fmt', n=2) }}|{{ ['a', 'b']|join(t('x.sep')) }}")
    want = "&lt;A &amp; B&gt;|甲|attr:x.plain|2 个|a、b"
    ctx = {"t": cat, "o": Other()}
    assert inlined.get_template("a.html").render(ctx) == want
    assert plain.get_template("a.html").render(ctx) == want
    # Proof that they were inlined: another catalog at render time changes only the call
    # with arguments.
    other = Catalog("zh-CN", {"x.amp": "X", "x.plain": "Y", "x.fmt": "{n} 件", "x.sep": "/"})
    got = inlined.get_template("a.html").render({"t": other, "o": Other()})
    assert got == "&lt;A &amp; B&gt;|甲|attr:x.plain|2 件|a、b"


def test_a_message_missing_from_the_catalog_still_fails_naming_its_key(tmp_path):
    from builder.errors import ConfigError
    cat, inlined, _ = _messages_env(tmp_path, "{{ t('x.plain') }} {{ t('x.nope') }}")
    with pytest.raises(ConfigError, match="x.nope"):
        inlined.get_template("a.html").render({"t": cat})


def test_a_projects_table_row_is_rendered_once_and_a_changed_row_again(tmp_path, monkeypatch):
    """render.RowCache: equal rows (a project on several region pages, or from one save to
    the next) give the kept markup; a row with any value changed is rendered afresh."""
    from builder.i18n import load_catalog
    from builder.render import environment
    env = environment(REPO / "site_templates", load_catalog(REPO / "site_templates", "zh-CN"))
    rendered = []
    real = env.get_template

    def counting(name, *a, **k):
        if name == "partials/project_row.html":
            rendered.append(name)
        return real(name, *a, **k)
    monkeypatch.setattr(env, "get_template", counting)
    row = env.globals["project_row"]
    from decimal import Decimal

    from builder.present import Presenter
    fig = Presenter(load_catalog(REPO / "site_templates", "zh-CN")).fig
    p = {"region": "<周口>", "stage": "在建", "sector": "", "href": "../p-1/", "name": "A&B 项目",
         "status": "", "region_href": "../../regions/zk/", "stage_order": 3,
         "total": fig(Decimal("12.5"), "money"), "completed_ytd": fig(None, "money"),
         "pct": fig(Decimal("40"), "pct")}
    first = row(p)
    assert "&lt;周口&gt;" in first and "A&amp;B 项目" in first and 'href="../p-1/"' in first
    assert row(dict(p)) is first and len(rendered) == 1
    changed = row(dict(p, name="A&B 项目（改）"))
    assert "（改）" in changed and len(rendered) == 2
    odd = row(dict(p, sector=["list", "cannot be a key"]))  # rendered, not kept
    assert "<tr" in odd and len(rendered) == 3


def test_printed_values_are_escaped_as_markupsafe_escapes_them(tmp_path):
    """`{{ x }}` is printed through `render.out_escape` (a plain str, no Markup per value):
    every kind of value prints exactly as Jinja's own autoescaping prints it."""
    import jinja2
    from markupsafe import Markup

    from builder.render import environment

    class Html:
        def __html__(self):
            return "<b>safe</b>"

    (tmp_path / "t.html").write_text(
        "{% macro m(v) %}<i>{{ v }}</i>{% endmacro %}"
        "{% for v in values %}[{{ v }}|{{ m(v) }}|{{ v if v is string else '' }}]{% endfor %}"
        "{% set s %}{{ values[0] }}{% endset %}{{ s }}{% filter upper %}{{ values[0] }}{% endfilter %}",
        encoding="utf-8")
    values = ['<script>alert("x")</script> & \'q\'', Markup("<em>kept</em>"), Html(), None, 42,
              3.5, ["<a>"]]
    ours = environment(tmp_path).get_template("t.html").render(values=values)
    jinja = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), autoescape=True)
    assert ours == jinja.get_template("t.html").render(values=values)
    assert "&lt;script&gt;" in ours and "<script>" not in ours and "<em>kept</em>" in ours


def test_attribute_lookups_find_what_jinjas_own_find(tmp_path):
    """`x.name` looks a dict's item up first (`render._Environment.getattr`): every kind of
    value gives what Jinja's own lookup gives, a dict's methods included, and a name that
    is neither an attribute nor an item is still an error naming it."""
    from typing import NamedTuple

    import jinja2

    from builder.render import environment

    class Row(NamedTuple):
        name: str

    (tmp_path / "t.html").write_text(
        "{{ d.name }}|{{ d['name'] }}|{{ d.items()|list|length }}|{{ d.get('name') }}|"
        "{{ d.keys|string|truncate(18, True, '') }}|{{ r.name }}|{{ r.count('x') }}|"
        "{{ s.upper() }}|{{ l.0 }}|{{ d.missing is defined }}", encoding="utf-8")
    (tmp_path / "bad.html").write_text("{{ d.nothing_here }}", encoding="utf-8")
    values = {"d": {"name": "甲", "items": "shadowed"}, "r": Row("乙"), "s": "abc", "l": ["x"]}
    ours = environment(tmp_path).get_template("t.html").render(**values)
    jinja = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), autoescape=True,
                               undefined=jinja2.StrictUndefined)
    assert ours == jinja.get_template("t.html").render(**values)
    with pytest.raises(jinja2.UndefinedError, match="nothing_here"):
        environment(tmp_path).get_template("bad.html").render(**values)
