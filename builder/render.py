"""Stage 5, render: pages, assets and data files as bytes, by route.

Jinja2 with autoescaping renders each planned `Page`; templates receive
formatted figures and relative links only. Assets are fingerprinted
(`app.3f2a9c1d.css`) so they can be cached forever. Nothing here touches the
output folder: `write` does.
"""

from __future__ import annotations

import contextlib
import hashlib
import numbers
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

from . import urls
from .errors import ConfigError
from .i18n import Catalog
from .langparts import mark_chinese
from .meta import head_meta
from .pages import Page
from .present import _esc as _escape_inner

__all__ = ["Assets", "build_assets", "environment", "render_pages", "render_page", "robots", "CSP"]

CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
       "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'")
_SLOT = re.compile(r'<div class="chart-slot" data-chart-slot="([a-z0-9_-]+)"></div>')
_SOURCEMAP = re.compile(rb"\n?//# sourceMappingURL=\S+\s*$")


@dataclass(frozen=True)
class Assets:
    """Fingerprinted asset routes by logical name, and their bytes."""

    routes: Mapping[str, str]  # "app.css" -> "assets/app.3f2a9c1d.css"
    files: Mapping[str, bytes]  # route -> bytes


def _fingerprint(name: str, data: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"assets/{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{ext}"


def build_assets(templates: Path, cache: Path | None) -> Assets:
    """The site's static assets, fingerprinted; the vega bundle is vendored from vl-convert."""
    static = Path(templates) / "static"
    sources: dict[str, bytes] = {}
    for name, rel in (("app.css", "css/app.css"), ("print.css", "css/print.css"),
                      ("app.js", "js/app.js"), ("charts.js", "js/charts.js"),
                      ("search.js", "js/search.js")):
        p = static / rel
        if not p.is_file():
            raise ConfigError(f"the asset {p} is missing from site_templates/")
        sources[name] = p.read_bytes()
    sources["vega.js"] = _vega_bundle(cache)
    routes, files = {}, {}
    for name, data in sorted(sources.items()):
        route = _fingerprint(name, data)
        routes[name] = route
        files[route] = data
    fav = static / "favicon.ico"
    if fav.is_file():
        files["favicon.ico"] = fav.read_bytes()
    return Assets(routes, files)


def _vega_bundle(cache: Path | None) -> bytes:
    """vega + vega-lite + vega-embed in one ES module, without its source-map comment."""
    import vl_convert

    version = vl_convert.__version__ if hasattr(vl_convert, "__version__") else "x"
    cached = Path(cache) / f"vega-bundle-{version}.js" if cache else None
    if cached is not None and cached.is_file():
        with contextlib.suppress(OSError):
            return cached.read_bytes()
    data = _SOURCEMAP.sub(b"", vl_convert.javascript_bundle().encode("utf-8"))
    if cached is not None:  # a cache that cannot be written (a full disk) only costs time
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            tmp.replace(cached)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
    return data


def environment(templates: Path, catalog: Catalog | None = None) -> jinja2.Environment:
    """The template environment. A session keeps one while the templates folder is
    unchanged (its compiled templates outlive a rebuild) and makes another when any
    file in it changed: Jinja's own check (a stat of each template a page uses, five
    a project page) is switched off.

    With a `catalog`, `t('key')` without arguments is replaced by its message when a
    template is compiled (`_Messages`): the page is the same, and a project page's ~50
    labels cost nothing at render time. `t` must then be that catalog."""
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(templates)), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, extensions=[_Messages] if catalog is not None else (),
        auto_reload=False)
    env.extend(catalog_messages=dict(catalog.messages) if catalog is not None else {})
    env.globals["project_row"] = RowCache(env)
    return env


def out_escape(s: Any) -> str:
    """What `{{ x }}` prints: `markupsafe.escape(x)`, as a plain str. A page is joined into
    one string, so a Markup of each of the ~250 values a project page prints (its Python
    `__new__`) was a fifth of the page's render time for nothing."""
    if type(s) is str:
        return _escape_inner(s)
    html = getattr(s, "__html__", None)
    return html() if html is not None else _escape_inner(str(s))


class _CodeGenerator(CodeGenerator):
    """Jinja's, with `{{ x }}` printed through `out_escape` where autoescaping is on."""

    def visit_Template(self, node: nodes.Template, frame: Any = None) -> None:
        self.writeline(f"from {__name__} import out_escape")
        super().visit_Template(node, frame)

    def _output_child_pre(self, node: nodes.Expr, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            return super()._output_child_pre(node, frame, finalize)
        self.write("out_escape(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Environment(jinja2.Environment):
    code_generator_class = _CodeGenerator

    def make_globals(self, d: Any = None) -> dict[str, Any]:
        """A template's globals as one dict, not Jinja's ChainMap over the environment's:
        each context (a page, and each of its 500 table rows) starts as a copy of them,
        and a ChainMap is copied key by key in Python. The environment's globals are all
        set before any template is loaded (`environment`), as Jinja asks."""
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`x.name` in a template: Jinja tries the attribute, then the item. A dict has no
        attribute but its methods, so for any other name that try always fails (an
        exception: ~1 µs, ~40 of them a project page); its item is looked up first here."""
        if type(obj) is dict and attribute not in _DICT_ATTRS:
            try:
                return obj[attribute]
            except KeyError:
                pass
        try:
            return getattr(obj, attribute)
        except AttributeError:  # Jinja's own way: the item, else undefined
            return super().getattr(obj, attribute)


_DICT_ATTRS = frozenset(dir(dict))


class RowCache:
    """`project_row(p)` in the templates: a row of the projects table
    (`partials/project_row.html`), rendered once for each distinct row and kept.

    Region pages and the projects list show 500 rows each, and a project's row is the
    same on every page at the same depth, and from one save to the next: a save in
    `bulletin serve` re-renders three region pages and a list page for one changed row.
    A row is its values (hrefs included), figures compared whole; the environment is
    made again when a template or word changes, and this with it."""

    LIMIT = 200_000  # rows kept (~1 KB each); beyond, start again

    def __init__(self, env: jinja2.Environment):
        self._env = env
        self._rows: dict[tuple, Markup] = {}

    def __call__(self, p: Mapping[str, Any]) -> Markup:
        try:
            key: tuple | None = tuple(p.items())
            hit = self._rows.get(key)  # type: ignore[arg-type]
        except TypeError:  # a value that cannot be a key: rendered each time
            key, hit = None, None
        if hit is None:
            hit = Markup(self._env.get_template("partials/project_row.html").render(p=p))
            if key is not None:
                if len(self._rows) >= self.LIMIT:
                    self._rows.clear()
                self._rows[key] = hit
        return hit


class _Messages(Extension):
    """`t('key')` → the message, as a string literal, in a template's token stream.

    Only the bare form (a name `t`, not an attribute, called with one string literal)
    whose key the catalog has: a missing key keeps its call, and fails at render time
    with the message that names it, as before. A literal is autoescaped as the
    call's result was."""

    def filter_stream(self, stream: TokenStream) -> TokenStream:
        messages = self.environment.catalog_messages  # type: ignore[attr-defined]
        toks = list(stream)
        out: list[Token] = []
        i = 0
        while i < len(toks):
            tok = toks[i]
            if (tok.type == "name" and tok.value == "t" and i + 3 < len(toks)
                    and toks[i + 1].type == "lparen" and toks[i + 2].type == "string"
                    and toks[i + 3].type == "rparen" and toks[i + 2].value in messages
                    and not (out and out[-1].type == "dot")):
                out.append(Token(tok.lineno, "string", messages[toks[i + 2].value]))
                i += 4
                continue
            out.append(tok)
            i += 1
        return TokenStream(iter(out), stream.name, stream.filename)


def _spec_json(spec_json: str) -> Markup:
    # Inside <script type="application/json">, "<" must not open a tag.
    return Markup(spec_json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_pages(pages: list[Page], charts: Mapping[str, Any], t: Catalog, site: Any,
                 assets: Assets, templates: Path,
                 progress: Callable[[int, int], None] | None = None,
                 env: jinja2.Environment | None = None) -> dict[str, bytes]:
    """{route: bytes} for every page (`env`: an `environment(templates)` to reuse)."""
    env = env or environment(Path(templates))
    out: dict[str, bytes] = {}
    total = len(pages)
    for n, page in enumerate(pages, 1):
        out[page.route] = render_page(page, charts, t, site, assets, env)
        if progress and (n % 200 == 0 or n == total):
            progress(n, total)
    out["robots.txt"] = robots(site)
    return out


_NAV = [("home", "nav.home"), ("regions", "nav.regions"), ("projects", "nav.projects"),
        ("campaigns", "nav.campaigns"), ("bulletins", "nav.bulletins"), ("data", "nav.data")]


def render_page(page: Page, charts: Mapping[str, Any], t: Catalog, site: Any, assets: Assets,
                env: jinja2.Environment) -> bytes:
    """One page's bytes; depends on nothing but its arguments (`renderpool` renders pages
    in worker processes with it, and must get the bytes `render_pages` gets)."""
    route = page.route
    # Hosts serve 404.html for a missing URL at any depth: its links start at the site root.
    root = _root_path(site.base_url) if page.kind == "404" else None

    def url(path: str, route: str = route, root: str | None = root) -> str:
        return root + path if root is not None else urls.relative(route, path)

    def asset(name: str, route: str = route) -> str:
        return url(assets.routes[name], route)

    section = page.kind.rstrip("s") if page.kind != "404" else ""
    nav = [{"href": url(urls.path_of(k)), "label": t.t(label),
            "current": page.kind in (k, k.rstrip("s")) or (k == "home" and page.kind == "home")}
           for k, label in _NAV]
    page_charts = [_chart_view(charts[c], t) for c in page.charts if c in charts]
    ctx = {
        **page.context, "t": t, "site": site, "page": page, "url": url, "asset": asset,
        "nav": nav, "section": section, "lang": t.html_lang, "csp": CSP,
        "site_title": site.title_en if t.lang == "en" and site.title_en else site.title,
        "as_of": t.date(site.as_of),
        "canonical": (site.base_url.rstrip("/") + "/" + urls.path_of_route(route))
        if site.base_url and page.kind != "404" else "",
        "chart_objs": {c.id: c for c in page_charts}, "has_charts": bool(page_charts),
        "spec_json": _spec_json, "home_href": url(""), "meta": head_meta(page, site, t),
    }
    try:
        html = env.get_template(page.template).render(ctx)
    except Exception as err:  # a template is the site owner's code: report, never a traceback
        raise ConfigError(f"the template {page.template} failed on {route}: "
                          f"{type(err).__name__}: {err}") from None
    if page.kind == "bulletin" and page_charts:
        macro = env.get_template("partials/chart.html").module
        html = _SLOT.sub(lambda m: str(macro.chart(ctx["chart_objs"][m[1]], t, ctx["spec_json"]))
                         if m[1] in ctx["chart_objs"] else "", html)
    if t.lang == "en":  # content without an English form stays Chinese: say so (WCAG 3.1.2)
        html = mark_chinese(html)
    return html.encode("utf-8")


def robots(site: Any) -> bytes:
    """robots.txt, which `render_pages` adds to the pages."""
    return _robots(site).encode("utf-8")


_HIDDEN_COLUMNS = {"order", "stage", "batch", "flag"}


@dataclass(frozen=True)
class ChartView:
    """A drawn chart as a template shows it: SVG, spec, and its data as a table."""

    id: str
    svg: Markup
    spec_json: str
    rows: tuple
    columns: tuple
    cells: tuple  # the table's cells as text, a tuple a row (formatted here: ~100 a chart)


def _chart_view(c: Any, t: Catalog) -> ChartView:
    keys = [k for k in (c.rows[0] if c.rows else {}) if k not in _HIDDEN_COLUMNS]
    columns = tuple({"key": k, "label": t.t(f"chart.col.{k}") if t.has(f"chart.col.{k}") else k}
                    for k in keys)
    cells = tuple(tuple(_cell(row[k], t) for k in keys) for row in c.rows)
    return ChartView(c.id, Markup(c.svg), c.spec_json, tuple(c.rows), columns, cells)


def _cell(v: Any, t: Catalog) -> str:
    if type(v) is str:
        return v
    if isinstance(v, numbers.Number):
        return t.number(v)
    return "—" if v is None else v


def _root_path(base_url: str | None) -> str:
    """The path the site is served under, from `site.base_url`: "/bulletin/", else "/"."""
    path = urlsplit(base_url or "").path.strip("/")
    return f"/{path}/" if path else "/"


def _robots(site: Any) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if site.base_url:
        lines.append(f"Sitemap: {site.base_url.rstrip('/')}/sitemap.xml")
    return "\n".join(lines) + "\n"

