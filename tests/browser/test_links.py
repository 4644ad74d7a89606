"""Every internal href/src of every built page resolves to a file in the output
(pretty URLs to their index.html), every fragment to an id on its page, and no
page loads anything from another host. A small crawler over the files: no
browser, so it covers all ~100 pages of both languages in a second.

Links are relative, except on 404.html: hosts serve it for a missing URL at any
depth, so its links start at the site root (the path of `base_url`, else `/`)."""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from browser_support import LANGS

# attributes that hold a URL, by tag ("*" = any tag)
URL_ATTRS = {"href": "*", "src": "*", "poster": "*", "action": "form", "data": "object"}
# loaded by the page itself (not merely linked to): these must never leave the host
LOADED = {("script", "src"), ("img", "src"), ("link", "href"), ("iframe", "src"), ("source", "src"),
          ("video", "src"), ("audio", "src"), ("object", "data"), ("embed", "src")}


@dataclass(frozen=True)
class Ref:
    page: str  # route of the file, e.g. regions/zhoukou/index.html
    tag: str
    attr: str
    url: str


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if a.get(name):
                self.ids.add(a[name])
        for attr, where in URL_ATTRS.items():
            if attr in a and a[attr] is not None and where in ("*", tag):
                self.refs.append((tag, attr, a[attr]))
        if "srcset" in a and a["srcset"]:
            for part in a["srcset"].split(","):
                if part.strip():
                    self.refs.append((tag, "srcset", part.split()[0]))
        if tag == "meta" and a.get("name") == "vega-bundle" and a.get("content"):
            self.refs.append((tag, "content", a["content"]))
        if tag == "link" and (a.get("rel") or "").lower() in ("icon", "stylesheet", "preload", "modulepreload"):
            pass  # covered by href above; listed in LOADED

    handle_startendtag = handle_starttag


@dataclass
class Crawl:
    root: Path
    refs: list[Ref]
    ids: dict[str, set[str]]  # route -> ids on that page


def crawl(root: Path) -> Crawl:
    refs, ids = [], {}
    for f in sorted(root.rglob("*.html")):
        route = f.relative_to(root).as_posix()
        c = _Collector()
        c.feed(f.read_text(encoding="utf-8"))
        ids[route] = c.ids
        refs += [Ref(route, tag, attr, url) for tag, attr, url in c.refs]
    for f in sorted(root.rglob("*.css")):
        route = f.relative_to(root).as_posix()
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", f.read_text(encoding="utf-8")):
            refs.append(Ref(route, "css", "url", url))
    return Crawl(root, refs, ids)


def resolve(root: Path, page: str, url: str) -> tuple[str | None, str]:
    """(route of the target file or None if it does not exist, fragment) for an internal URL."""
    s = urlsplit(url)
    path = unquote(s.path)
    if path.startswith("/"):  # from the site root (these sites are built for /)
        page, path = "index.html", "." + path
    if not path:
        target = page
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
        if target.startswith("../") or target == "..":
            return None, s.fragment  # above the site root
        if path.endswith("/") or target == ".":
            target = posixpath.join(target, "index.html") if target != "." else "index.html"
        elif (root / target).is_dir():
            target = posixpath.join(target, "index.html")
    return (target if (root / target).is_file() else None), s.fragment


def is_internal(url: str) -> bool:
    s = urlsplit(url)
    return not s.scheme and not s.netloc


@pytest.fixture(scope="module")
def crawls(sites) -> dict[str, Crawl]:
    return {lang: crawl(root) for lang, root in sites.items()}


@pytest.mark.parametrize("lang", LANGS)
def test_the_crawler_sees_the_whole_site(crawls, lang):
    c = crawls[lang]
    assert len(c.ids) >= 90, "pages"
    assert sum(1 for r in c.refs if is_internal(r.url)) > 1000


@pytest.mark.parametrize("lang", LANGS)
def test_every_internal_link_resolves_to_a_built_file(crawls, lang):
    c = crawls[lang]
    broken = defaultdict(list)
    for r in c.refs:
        if is_internal(r.url) and not r.url.startswith("#"):
            target, _ = resolve(c.root, r.page, r.url)
            if target is None:
                broken[f"<{r.tag} {r.attr}={r.url!r}>"].append(r.page)
    assert not broken, "\n".join(f"{k} on {len(set(v))} pages, e.g. {sorted(set(v))[:3]}"
                                  for k, v in broken.items())


@pytest.mark.parametrize("lang", LANGS)
def test_every_fragment_names_an_id_on_its_page(crawls, lang):
    c = crawls[lang]
    broken = defaultdict(list)
    for r in c.refs:
        if not is_internal(r.url) or "#" not in r.url:
            continue
        target, frag = resolve(c.root, r.page, r.url)
        if target and target.endswith(".html") and frag and frag not in c.ids.get(target, set()):
            broken[f"{r.url!r} -> {target}"].append(r.page)
    assert not broken, "\n".join(f"{k} from {sorted(set(v))[:3]}" for k, v in broken.items())


@pytest.mark.parametrize("lang", LANGS)
def test_every_fragment_is_cited_somewhere(crawls, lang):
    """Guards the check above: bulletins do link to records of every kind by fragment."""
    frags = {r.url.split("#")[1] for r in crawls[lang].refs if is_internal(r.url) and "#" in r.url
             and r.page.startswith("bulletins/") and not r.url.startswith("#")}
    # a report, a problem ledger, a ranking, an event and a campaign batch
    assert {"2022", "enterprise-problems", "key-eval-2022", "group-start"} <= frags, sorted(frags)
    assert any(f.startswith("batch-") for f in frags), sorted(frags)


@pytest.mark.parametrize("lang", LANGS)
def test_links_are_relative_so_the_site_works_under_any_subpath(crawls, lang):
    absolute = sorted({(r.page, r.url) for r in crawls[lang].refs
                       if is_internal(r.url) and r.url.startswith("/") and r.page != "404.html"})
    assert absolute == [], absolute[:20]


@pytest.mark.parametrize("lang", LANGS)
def test_the_404_page_links_from_the_site_root(crawls, lang):
    """Served for a missing URL at any depth, 404.html cannot link relatively: these sites
    have no base_url, so every link starts at /."""
    refs = [r.url for r in crawls[lang].refs
            if r.page == "404.html" and is_internal(r.url) and not r.url.startswith("#")]
    assert len(refs) >= 8  # the stylesheet, the script, the favicon, the home link, the nav
    assert [u for u in refs if not u.startswith("/")] == []
    assert any(re.fullmatch(r"/assets/app\.[0-9a-f]{10}\.css", u) for u in refs), refs


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_loads_anything_from_another_host(crawls, lang):
    foreign = sorted({(r.page, r.tag, r.url) for r in crawls[lang].refs
                      if not is_internal(r.url) and (r.tag, r.attr) in LOADED | {("css", "url"), ("meta", "content")}
                      and not r.url.startswith("data:")})
    assert foreign == [], foreign[:20]


def test_resolve_handles_pretty_urls_and_parents(tmp_path):
    for rel in ("index.html", "a/index.html", "a/b/index.html", "assets/x.css"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    assert resolve(tmp_path, "a/b/index.html", "../../")[0] == "index.html"
    assert resolve(tmp_path, "a/b/index.html", "../")[0] == "a/index.html"
    assert resolve(tmp_path, "a/index.html", "b/#top") == ("a/b/index.html", "top")
    assert resolve(tmp_path, "a/index.html", "b")[0] == "a/b/index.html"
    assert resolve(tmp_path, "a/index.html", "../assets/x.css?v=1")[0] == "assets/x.css"
    assert resolve(tmp_path, "index.html", "./")[0] == "index.html"
    assert resolve(tmp_path, "a/index.html", "../../x")[0] is None
    assert resolve(tmp_path, "a/index.html", "nope/")[0] is None
    assert resolve(tmp_path, "a/index.html", "#frag") == ("a/index.html", "frag")
    assert resolve(tmp_path, "a/b/index.html", "/assets/x.css")[0] == "assets/x.css"
    assert resolve(tmp_path, "a/b/index.html", "/a/#top") == ("a/index.html", "top")
    assert resolve(tmp_path, "a/b/index.html", "/")[0] == "index.html"
