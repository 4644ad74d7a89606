"""Bulletin Markdown to safe HTML, with the two extensions placed back in.

The body is converted by python-markdown, then sanitized by nh3 to an
allow-list (no scripts, no event handlers, no `javascript:` or `data:`
links, no inline styles); only then are figure references and charts put
back, as HTML this module builds and escapes itself. Headings get stable
anchors (their text, slugified, Chinese kept).
"""

from __future__ import annotations

import re
from typing import Callable

import markdown
import nh3
from markupsafe import Markup

from .blocks import _FENCE, _REF

__all__ = ["render_body", "ALLOWED_TAGS"]

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "s", "sub", "sup",
    "blockquote", "ul", "ol", "li", "a", "code", "pre", "table", "thead", "tbody", "tr", "th",
    "td", "caption", "img", "abbr", "small", "mark", "dl", "dt", "dd", "figure", "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"}, "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"}, "ol": {"start"},
}
_TOKEN = "\u2063BULLETIN{kind}{n}\u2063"
_TOKEN_RE = re.compile("\u2063BULLETIN(FIG|CHART)(\\d+)\u2063")
_H1 = re.compile(r"<h1( [^>]*)?>(.*?)</h1>", re.S)


def _url_ok(url: str) -> bool:
    """Links may go to the web or within the site; images only to media/."""
    return not url.strip().lower().startswith(("javascript:", "data:", "vbscript:", "file:"))


def render_body(body: str, figure: Callable[[str], str], chart: Callable[[int], str],
                media_prefix: str) -> Markup:
    """HTML for a bulletin body.

    `figure(raw)` returns the HTML of one `{{ figure … }}` reference (already
    escaped); `chart(i)` the HTML of the i-th chart block; images under
    `media/` are linked through `media_prefix` (relative to the page).
    """
    figs: list[str] = []
    charts = 0
    out_lines = []
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m:
            fence = m[2]
            end = next((j for j in range(i + 1, len(lines))
                        if lines[j].strip().startswith(fence[0] * len(fence))
                        and not lines[j].strip().strip(fence[0])), len(lines))
            if m[3] == "chart":
                out_lines += ["", _TOKEN.format(kind="CHART", n=charts), ""]
                charts += 1
            else:
                out_lines.extend(lines[i:end + 1])
            i = end + 1
            continue

        def keep(rm: re.Match) -> str:
            figs.append(rm[0])
            return _TOKEN.format(kind="FIG", n=len(figs) - 1)

        out_lines.append(_REF.sub(keep, lines[i]))
        i += 1
    html = markdown.markdown("\n".join(out_lines), extensions=["tables", "sane_lists", "toc"],
                             extension_configs={"toc": {"slugify": _slug, "toc_depth": "2-4"}},
                             output_format="html")
    html = _H1.sub(lambda m: f"<h2{m[1] or ''}>{m[2]}</h2>", html)  # the page owns the h1
    html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
                     strip_comments=True, attribute_filter=_filter(media_prefix))

    def put_back(m: re.Match) -> str:
        n = int(m[2])
        return figure(figs[n]) if m[1] == "FIG" else chart(n)

    html = re.sub(r"<p>\s*(\u2063BULLETINCHART\d+\u2063)\s*</p>", r"\1", html)
    return Markup(_TOKEN_RE.sub(put_back, html))


def _filter(media_prefix: str):
    def f(tag: str, attr: str, value: str) -> str | None:
        if attr in ("href", "src"):
            if not _url_ok(value):
                return None
            if tag == "img":
                # Images come from content/media/ only (validated with line numbers).
                if not value.startswith("media/") or ".." in value:
                    return None
                return media_prefix + value
        return value
    return f


def _slug(value: str, separator: str) -> str:
    text = re.sub(r"<[^>]+>", "", value)
    text = re.sub(r"[^\w\u4e00-\u9fff]+", separator, text, flags=re.U).strip(separator).lower()
    return text or "section"

