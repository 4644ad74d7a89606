"""What a page's <head> tells machines: description, canonical link, feeds, share cards.

`head_meta(page, site, t)` gives `partials/head_meta.html` everything it prints:

- `description`: a real summary of the page, built from its figures: a project's
  region, total, completion of its year's plan and stage; a region's headline report;
  a bulletin's summary; counts for the lists. At most `DESCRIPTION_LIMIT` characters.
- `canonical`, `og:url`, `og:image`, `twitter:image`: absolute addresses, so only when
  site.yaml has `base_url` (Open Graph and search engines want them absolute; a
  relative one would be wrong under a sub-path). Without it, the page still has its
  title, description and feed links, and `twitter:card` is `summary`.
- `feeds`: `<link rel="alternate" type="application/atom+xml">` to the site's feed,
  and on a region page to the region's own, both relative.
- The share image (`ogimage`) of a region or bulletin page is its own card; a project
  page shows its region's; every other page the home region's.
"""

from __future__ import annotations

from typing import Any, Mapping

from . import urls
from .feeds import absolute, feed_path, sentences
from .i18n import Catalog
from .ogimage import HEIGHT, WIDTH, clean_text, image_path

__all__ = ["head_meta", "describe", "DESCRIPTION_LIMIT"]

DESCRIPTION_LIMIT = 160  # characters; search engines cut longer ones


def _clip(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    text = " ".join(clean_text(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _sentence(t: Catalog, parts: list[str]) -> str:
    return sentences(t, [t.t("feed.join").join(p for p in parts if p)])


def _fig(t: Catalog, key: str, f: Any) -> str:
    return t.t("feed.figure", label=t.t(key), value=f.text) if f is not None and f.present else ""


def _report(t: Catalog, name: str, r: Mapping[str, Any] | None) -> str:
    """A region's headline report in one sentence: counts, money, completion, as of."""
    if not r:
        return ""
    figs = r["figs"]
    parts = [_fig(t, "field.project_count", figs["project_count"]),
             _fig(t, "field.completed", figs["completed"]),
             _fig(t, "field.plan_completion_pct", figs["plan_completion_pct"]),
             _fig(t, "field.schedule_pct", figs["schedule_pct"])]
    head = t.t("feed.report", region=name, period=r["period"], scope=r["scope"])
    figures = t.t("feed.join").join(p for p in parts if p)
    return sentences(t, [head + t.t("meta.colon") + figures if figures else head,
                         t.t("report.as_of", date=r["as_of"]) if r.get("as_of") else ""])


def _project(t: Catalog, ctx: Mapping[str, Any]) -> str:
    row = ctx["project"]
    where = t.t("meta.project_where", name=row["name"], region=row["region"]) if row["region"] \
        else row["name"]
    parts = [where, _fig(t, "field.total_investment", ctx["total"])]
    latest = ctx.get("latest")
    if latest and ctx["pct"].present:
        parts.append(t.t("meta.project_done", month=latest["month"], ytd=latest["ytd"].text,
                         year=ctx["year"], pct=ctx["pct"].text))
    elif latest and latest["ytd"].present:
        parts.append(t.t("meta.project_ytd", month=latest["month"], ytd=latest["ytd"].text))
    if row["stage"]:
        parts.append(t.t("meta.stage", stage=row["stage"]))
    status = t.t("project.status", text=ctx["status"]) if ctx.get("status") else ""
    return ("" if t.lang == "zh-CN" else " ").join(x for x in (_sentence(t, parts), status) if x)


def describe(page: Any, site: Any, t: Catalog) -> str:
    """The page's description, made from what it shows."""
    about = site.description_en if t.lang == "en" and site.description_en else site.description
    try:
        text = _described(page, t, about)
    except (KeyError, TypeError, AttributeError):  # a page kind whose context is new to this module
        text = ""
    return _clip(text or page.description or about or page.title)


def _described(page: Any, t: Catalog, about: str | None) -> str:
    ctx, kind = page.context, page.kind
    text = ""
    if kind == "project":
        text = _project(t, ctx)
    elif kind == "region":
        text = _report(t, ctx["region"]["name"], ctx.get("headline"))
        text = (text + ("" if t.lang == "zh-CN" else " ") + ctx["summary"] if text and ctx.get("summary")
                else text or ctx.get("summary") or
                t.t("meta.region", name=ctx["region"]["name"], n=ctx["region"]["projects"]))
    elif kind == "home":
        text = about or _report(t, ctx["region"]["name"], ctx.get("headline"))
    elif kind == "projects":
        text = t.t("meta.projects", n=ctx["total"])
    elif kind == "regions":
        text = t.t("meta.regions", n=len(ctx["tree"]))
    elif kind == "campaigns":
        text = page.description or t.t("meta.campaigns", n=len(ctx["campaigns"]))
    elif kind == "bulletins":
        text = t.t("meta.bulletins", n=len(ctx["bulletins"]))
    elif kind == "bulletin":
        text = page.description or _sentence(t, [ctx["date"], (ctx.get("region") or {}).get("name", "")])
    elif kind == "data":
        text = t.t("data.lede")
    elif kind == "campaign":
        c = ctx["campaign"]
        text = page.description or _sentence(t, [c["name"], c["period"],
                                                 _fig(t, "campaign.totals.count", c["count"])])
    elif kind == "404":
        text = t.t("notfound.text")
    return text


def _image(page: Any, site: Any) -> str:
    if page.kind in ("region", "bulletin"):
        return urls.path_of_route(page.route) + "og.png"
    region = page.context.get("region") if page.kind == "project" else None
    return image_path("region", region["id"] if region else site.home_region)


def head_meta(page: Any, site: Any, t: Catalog) -> dict:
    """What partials/head_meta.html prints for `page`."""
    title = site.title_en if t.lang == "en" and site.title_en else site.title
    description = describe(page, site, t)
    out: dict[str, Any] = {"description": description, "canonical": "", "feeds": [], "og": [],
                           "twitter": []}
    if page.kind == "404":  # served at any address: no canonical, no relative links
        return out
    route = page.route
    out["feeds"].append((t.t("feed.link_site", site=title), urls.relative(route, feed_path())))
    region = page.context.get("region") if page.kind in ("region", "project", "home") else None
    if page.kind == "region":
        out["feeds"].append((t.t("feed.link_region", region=region["name"]),
                             urls.relative(route, feed_path(region["id"]))))
    page_title = clean_text(page.title or title)
    og = [("og:type", "article" if page.kind == "bulletin" else "website"),
          ("og:site_name", clean_text(title)), ("og:title", page_title),
          ("og:description", description), ("og:locale", "zh_CN" if t.lang == "zh-CN" else "en_US")]
    tw = [("twitter:title", page_title), ("twitter:description", description)]
    if site.base_url:
        out["canonical"] = absolute(site, urls.path_of_route(route))
        image = absolute(site, _image(page, site))
        alt = description if page.kind in ("region", "bulletin") else \
            t.t("meta.image_alt", name=region["name"] if region else clean_text(title))
        og = [og[0], ("og:url", out["canonical"])] + og[1:] + [
            ("og:image", image), ("og:image:type", "image/png"), ("og:image:width", str(WIDTH)),
            ("og:image:height", str(HEIGHT)), ("og:image:alt", alt)]
        tw = [("twitter:card", "summary_large_image")] + tw + [
            ("twitter:image", image), ("twitter:image:alt", alt)]
    else:
        tw = [("twitter:card", "summary")] + tw
    if page.kind == "bulletin" and page.context.get("iso"):
        og.append(("article:published_time", page.context["iso"]))
    out["og"], out["twitter"] = ([(k, clean_text(v).strip()) for k, v in pairs] for pairs in (og, tw))
    out["feeds"] = [(clean_text(title).strip(), href) for title, href in out["feeds"]]
    out["canonical"] = clean_text(out["canonical"])
    return out
