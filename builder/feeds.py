"""Atom feeds (RFC 4287) and the sitemap: what machines read to follow the site.

- `feed.xml`: the published bulletins, newest first (at most `LIMIT`).
- `regions/<id>/feed.xml`: the bulletins about the region or any region below it,
  and the region's own reports (each aggregate published with a data date is an
  entry: a progress update), newest first (at most `LIMIT`).
- `sitemap.xml`: every page, only when site.yaml has `base_url` (the protocol wants
  absolute addresses); over 50,000 pages it becomes an index of `sitemap-<n>.xml`.

Addresses: with `base_url`, every link in a feed is absolute, the feed's id is its
own address, and an entry's id is a tag URI (RFC 4151) minted from the host, the
entry's date and its path: `tag:example.org,2023-04-07:/bulletins/zhoukou-2023-q1/`.
Without `base_url`, links are relative to the feed (Atom resolves them against the
feed's own address, so they work at / and under any sub-path) and ids are
`urn:uuid:` names made from the home region's id and the record's, stable from
build to build. Setting `base_url` later changes the ids once (readers show the
entries again); set it before announcing the feed.

Nothing depends on the build clock: an entry is dated by its bulletin's date or
its report's data date, a feed by its newest entry (or site.yaml `as_of`).
Text from the data is escaped, and characters XML cannot hold are dropped.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from . import urls
from .derive import Derived
from .i18n import Catalog
from .ogimage import clean_text
from .present import Presenter

__all__ = ["feed_files", "sitemap_files", "feed_path", "absolute", "base", "sentences", "LIMIT",
           "SITEMAP_LIMIT"]

LIMIT = 50  # entries per feed
SITEMAP_LIMIT = 50_000  # addresses per sitemap file (sitemaps.org)
ATOM = "http://www.w3.org/2005/Atom"
_NS = uuid.UUID("5b0c2f55-0c5e-4f5e-9d51-1f1d6b3a7c21")  # progress-bulletin's, for urn:uuid ids
_DNS = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _x(text: object) -> str:
    """Text for XML content or a double-quoted attribute."""
    return (clean_text(str(text)).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def base(site) -> str:
    """site.yaml `base_url` ending in one `/`, or ""."""
    return site.base_url.rstrip("/") + "/" if site.base_url else ""


def absolute(site, path: str) -> str:
    """The absolute address of a site path (needs `base_url`)."""
    return base(site) + path


def feed_path(rid: str | None = None) -> str:
    """Where a feed is: `feed.xml`, or `regions/<id>/feed.xml`."""
    return "feed.xml" if rid is None else urls.path_of("region", rid) + "feed.xml"


@dataclass(frozen=True)
class Entry:
    key: str  # what the id is made from: "bulletins/<slug>/" or "regions/<id>/#<key>"
    path: str  # the page it links to, with its #fragment
    title: str
    date: _dt.date
    summary: str = ""
    categories: tuple[str, ...] = ()
    published: bool = True  # a bulletin has a publication date; a report a data date


def _stamp(d: _dt.date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


class _Ids:
    """Ids and links for one site: from base_url when it has a DNS host, else urn:uuid."""

    def __init__(self, d: Derived):
        site = d.content.site
        self.site = site
        self.root = d.content.site.home_region
        parts = urlsplit(base(site)) if site.base_url else None
        host = (parts.hostname or "") if parts else ""
        self.tag = (host, parts.path or "/") if parts and _DNS.match(host) else None

    def entry(self, e: Entry) -> str:
        if self.tag:
            host, path = self.tag
            return f"tag:{host},{e.date.isoformat()}:{path}{e.key}"
        return self.urn(e.key)

    def urn(self, key: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NS, f'{self.root}/{key}')}"

    def feed(self, path: str) -> str:
        return absolute(self.site, path) if self.site.base_url else self.urn(path)

    def link(self, route: str, path: str) -> str:
        """From the feed at `route` to `path` (which may carry a #fragment)."""
        if self.site.base_url:
            return absolute(self.site, path)
        page, hash_, frag = path.partition("#")
        return urls.relative(route, page) + hash_ + frag


def _render(d: Derived, t: Catalog, route: str, title: str, alternate: str,
            entries: list[Entry]) -> bytes:
    site = d.content.site
    ids = _Ids(d)
    entries = sorted(entries, key=lambda e: (e.date, e.key), reverse=True)[:LIMIT]
    updated = max((e.date for e in entries), default=site.as_of)
    author = (site.organisation_en if t.lang == "en" and site.organisation_en else
              site.organisation) or (site.title_en if t.lang == "en" and site.title_en else site.title)
    about = site.description_en if t.lang == "en" and site.description_en else site.description
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<feed xmlns="{ATOM}" xml:lang="{_x(t.html_lang)}">',
           f"  <id>{_x(ids.feed(route))}</id>",
           f'  <title type="text">{_x(title)}</title>']
    if about:
        out.append(f'  <subtitle type="text">{_x(about)}</subtitle>')
    out += [f"  <updated>{_stamp(updated)}</updated>",
            f"  <author><name>{_x(author)}</name></author>",
            f'  <link rel="self" type="application/atom+xml" href="{_x(ids.link(route, route))}"/>',
            f'  <link rel="alternate" type="text/html" href="{_x(ids.link(route, alternate))}"/>',
            "  <generator>progress-bulletin</generator>"]
    if site.licence:
        out.append(f'  <rights type="text">{_x(site.licence)}</rights>')
    for e in entries:
        out += ["  <entry>",
                f"    <id>{_x(ids.entry(e))}</id>",
                f'    <title type="text">{_x(e.title)}</title>',
                f"    <updated>{_stamp(e.date)}</updated>"]
        if e.published:
            out.append(f"    <published>{_stamp(e.date)}</published>")
        out.append(f'    <link rel="alternate" type="text/html" href="{_x(ids.link(route, e.path))}"/>')
        if e.summary:
            out.append(f'    <summary type="text">{_x(e.summary)}</summary>')
        out += [f'    <category term="{_x(c)}"/>' for c in dict.fromkeys(e.categories) if c.strip()]
        out.append("  </entry>")
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")


def sentences(t: Catalog, texts: list[str]) -> str:
    """Each non-empty text as a sentence, in a row (with spaces only in English)."""
    return ("" if t.lang == "zh-CN" else " ").join(t.t("meta.sentence", text=x) for x in texts if x)


def _pick(t: Catalog, zh: str | None, en: str | None) -> str:
    return (en if t.lang == "en" and en else zh) or ""


def _bulletin_entries(d: Derived, t: Catalog, regions: set[str] | None) -> list[Entry]:
    out = []
    for b in d.content.bulletins:
        m = b.meta
        if m.draft or (regions is not None and m.region not in regions):
            continue
        region = d.content.regions.get(m.region) if m.region else None
        path = urls.path_of("bulletin", b.slug)
        out.append(Entry(path, path, _pick(t, m.title, m.title_en), m.date,
                         _pick(t, m.summary, m.summary_en),
                         ((_pick(t, region.name, region.name_en),) if region else ()) + tuple(m.tags)))
    return out


def _report_entries(d: Derived, t: Catalog, p: Presenter, rid: str) -> list[Entry]:
    rv = d.regions[rid]
    name = _pick(t, rv.region.name, rv.region.name_en)
    out = []
    for v in rv.reports:
        r = v.report
        if r.as_of is None or r.category != "key_projects":  # progress updates, placed in time
            continue
        scope = _pick(t, r.scope, r.scope_en)
        figs = [("field.project_count", p.fig(r.project_count, "count")),
                ("field.total_investment", p.fig(r.total_investment, "money")),
                ("field.annual_plan", p.fig(r.annual_plan, "money")),
                ("field.completed", p.fig(r.completed, "money")),
                ("field.plan_completion_pct", p.fig(v.plan_completion_pct, "pct")),
                ("field.schedule_pct", p.fig(v.schedule_pct, "pct"))]
        parts = [t.t("feed.figure", label=t.t(k), value=f.text) for k, f in figs if f.present]
        source = p.source_title(r.source)
        summary = sentences(t, [t.t("feed.join").join(parts), t.t("report.as_of", date=t.date(r.as_of)),
                                t.t("report.source", source=source) if source else ""])
        page = urls.path_of("region", rid)
        out.append(Entry(f"{page}#{r.key}", f"{page}#{r.key}",
                         t.t("feed.report", region=name, period=t.period(r.period) or str(r.year),
                             scope=scope),
                         r.as_of, summary, (name, scope), published=False))
    return out


def _below(d: Derived, rid: str) -> set[str]:
    out, todo = set(), [rid]
    while todo:
        r = todo.pop()
        if r not in out and r in d.regions:
            out.add(r)
            todo.extend(d.regions[r].children)
    return out


def feed_files(d: Derived, t: Catalog, memo: dict | None = None) -> dict[str, bytes]:
    """{route: bytes}: the site's feed and one per region.

    With a `memo` (a session's), the last feeds are given again while their inputs are the
    same objects: the bulletins, the region records (their reports), site.yaml and the
    catalog. (A save in a project file changes none of them.)"""
    refs = (t, d.content.site, *d.content.bulletins, *(rv.region for _, rv in sorted(d.regions.items())))
    key = tuple(map(id, refs))
    if memo is not None and memo.get("key") == key:
        return memo["files"]
    out = _feed_files(d, t)
    if memo is not None:  # (`refs` keeps the objects, so that their ids are not reused)
        memo.update(key=key, refs=refs, files=out)
    return out


def _feed_files(d: Derived, t: Catalog) -> dict[str, bytes]:
    site = d.content.site
    title = _pick(t, site.title, site.title_en)
    p = Presenter(t, site.money_unit, site.sources)
    out = {feed_path(): _render(d, t, feed_path(), t.t("feed.site", site=title),
                                urls.path_of("bulletins"), _bulletin_entries(d, t, None))}
    for rid in sorted(d.regions):
        name = _pick(t, d.regions[rid].region.name, d.regions[rid].region.name_en)
        route = feed_path(rid)
        entries = _bulletin_entries(d, t, _below(d, rid)) + _report_entries(d, t, p, rid)
        out[route] = _render(d, t, route, t.t("feed.region", site=title, region=name),
                             urls.path_of("region", rid), entries)
    return out


def sitemap_files(site, routes: Iterable[str], limit: int = SITEMAP_LIMIT) -> dict[str, bytes]:
    """{route: bytes}: `sitemap.xml` listing every page (an index of parts beyond `limit`
    addresses); nothing without `base_url`."""
    if not site.base_url:
        return {}
    pages = sorted(urls.path_of_route(r) for r in routes
                   if r.endswith(".html") and r != "404.html")
    head = '<?xml version="1.0" encoding="utf-8"?>\n'
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'

    def urlset(paths: list[str]) -> bytes:
        body = "".join(f"  <url><loc>{_x(absolute(site, p))}</loc></url>\n" for p in paths)
        return (f"{head}<urlset {ns}>\n{body}</urlset>\n").encode("utf-8")
    if len(pages) <= limit:
        return {"sitemap.xml": urlset(pages)}
    out = {}
    for n, at in enumerate(range(0, len(pages), limit), 1):
        out[f"sitemap-{n}.xml"] = urlset(pages[at:at + limit])
    body = "".join(f"  <sitemap><loc>{_x(absolute(site, r))}</loc></sitemap>\n" for r in out)
    out["sitemap.xml"] = (f"{head}<sitemapindex {ns}>\n{body}</sitemapindex>\n").encode("utf-8")
    return out
