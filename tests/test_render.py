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
