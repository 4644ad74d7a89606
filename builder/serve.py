"""The preview server of `bulletin serve`: the site from memory, rebuilt as editors save.

Built on the `livereload` package's WebSocket handler and client script (the
browser tab reloads after each rebuild) and its Tornado server, with three
things of our own in front of it:
- a debounce: the content and template folders are polled, and a burst of
  saves becomes one rebuild, started when the folders have been still for one
  poll (python-livereload alone rebuilds once per changed file);
- pages come from the last good in-memory site (`session.Session`), never
  from disk, so no request can reach a file outside the site; requests wait
  while a rebuild runs (it runs on the server's own thread), so nobody sees a
  half-built site;
- when a rebuild fails, every page answers with the list of problems
  (`file:line:column`, the message, the quoted line) instead of a stale page;
  the next good save brings the site back. Nothing an editor does stops the
  server.

The client script is linked, not inlined, so pages keep their strict CSP.
"""

from __future__ import annotations

import html
import logging
import mimetypes
import os
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Mapping

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httpserver, ioloop, netutil, web

from .errors import BuildError, BulletinError, Problem
from .i18n import Catalog, load_catalog
from .messages import DEFAULT_LANG, site_language
from .render import CSP
from .report import format_text
from .session import Session

__all__ = ["Preview", "PreviewServer", "error_page", "snapshot"]

log = logging.getLogger("bulletin.serve")

_ERROR_CSS = b"""body{font:16px/1.6 system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;
background:#fff7f5;color:#1f1f1f}main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{color:#8a1c0f;font-size:1.5rem}ol{padding-left:1.25rem}li{margin:0 0 1rem}
pre{background:#fff;border:1px solid #e3c3bd;padding:.75rem;overflow-x:auto;white-space:pre;
font:14px/1.5 ui-monospace,"Noto Sans Mono CJK SC",monospace}code{font-weight:600}
.warning pre{border-color:#d8c58a}"""

_FALLBACK = {  # when even the catalog cannot be read, the error page still speaks
    "serve.error.title": "构建失败 · Build failed",
    "serve.error.lead": "内容有错误，网站未更新。改正下列问题并保存，页面会自动刷新。",
    "serve.error.count": "{errors} 个错误，{warnings} 个警告",
    "serve.error.crash": "构建程序出错（这不是内容的问题，请报告）：",
}


def snapshot(folders: tuple[Path, ...]) -> dict[str, tuple[int, int]]:
    """{path: (mtime_ns, size)} of every file under the folders, editors' temp files left out."""
    out: dict[str, tuple[int, int]] = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if name.startswith((".", "#")) or name.endswith(("~", ".swp", ".tmp")):
                    continue
                path = os.path.join(root, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue  # removed between listing and stat: the next poll sees it
                out[path] = (st.st_mtime_ns, st.st_size)
    return out


@dataclass(frozen=True)
class Failure:
    """Why the last rebuild failed: problems from the content, or a crash of ours."""

    problems: tuple[Problem, ...] = ()
    message: str = ""
    lang: str = DEFAULT_LANG  # the site's language (site.yaml, read on its own): the problems' words


def _words(catalog: Catalog | None, key: str, **kw: object) -> str:
    if catalog is not None and catalog.has(key):
        return catalog.t(key, **kw)
    return _FALLBACK[key].format(**kw)


def error_page(failure: Failure, catalog: Catalog | None, script: str = "") -> bytes:
    """The page every HTML request gets while the content has errors."""
    lang = catalog.html_lang if catalog is not None else failure.lang
    errors = sum(1 for p in failure.problems if p.severity == "error")
    warnings = len(failure.problems) - errors
    items = []
    for p in failure.problems:
        items.append(f'<li class="{html.escape(p.severity)}"><pre>'
                     f"{html.escape(format_text([p], lang=failure.lang))}</pre></li>")
    body = ""
    if failure.problems:
        body = (f"<p>{html.escape(_words(catalog, 'serve.error.count', errors=errors, warnings=warnings))}"
                f"</p><ol>{''.join(items)}</ol>")
    if failure.message:
        body += (f"<p>{html.escape(_words(catalog, 'serve.error.crash'))}</p>"
                 f"<pre>{html.escape(failure.message)}</pre>")
    title = html.escape(_words(catalog, "serve.error.title"))
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}">'
            f"<title>{title}</title>"
            f'<link rel="stylesheet" href="/__bulletin__/error.css">{script}</head>'
            f'<body><main><h1>{title}</h1><p>{html.escape(_words(catalog, "serve.error.lead"))}</p>'
            f"{body}</main></body></html>\n").encode("utf-8")


class Preview:
    """What the server shows: the last good site, or why the last rebuild failed."""

    def __init__(self, session: Session, report: Callable[[str], None] = lambda s: None):
        self.session = session
        self.report = report
        self.failure: Failure | None = None
        self.catalog: Catalog | None = None
        self.builds = 0
        self.warmed = False

    @property
    def files(self) -> Mapping[str, bytes]:
        return self.session.site

    def rebuild(self) -> None:
        """Rebuild; whatever goes wrong becomes a Failure to show, never an exception."""
        t = time.perf_counter()
        try:
            outcome = self.session.rebuild()
        except BuildError as err:
            self.failure = Failure(tuple(err.problems), lang=self._language())
            self.report(format_text(err.problems, lang=self.failure.lang))
        except BulletinError as err:
            self.failure = Failure(message=str(err), lang=self._language())
            self.report(str(err))
        except Exception:  # a bug of ours: show it, keep serving
            self.failure = Failure(message=traceback.format_exc(), lang=self._language())
            self.report(self.failure.message)
        else:
            self.failure = None
            site = outcome.derived.content.site
            try:
                self.catalog = load_catalog(self.session.templates, site.language)
            except BulletinError:
                self.catalog = None
            self.report(f"rebuilt in {time.perf_counter() - t:.2f} s: {outcome.rendered} pages "
                        f"rendered, {len(outcome.changed)} files changed")
            if not self.warmed:  # once, while the editor reads: the next save's charts are quick
                self.warmed = True
                try:
                    self.session.warm()
                except Exception as err:  # only slower
                    self.report(f"(the chart engine could not be started ahead: {err})")
        self.builds += 1

    def _language(self) -> str:
        """The site's language as site.yaml now says (zh-CN if it cannot be read), and the
        error page's words in it."""
        lang = site_language(self.session.content)
        try:
            self.catalog = load_catalog(self.session.templates, lang)
        except BulletinError:
            self.catalog = None
        return lang


class _Site(web.RequestHandler):
    preview: Preview
    script: str

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def head(self, path: str) -> None:
        self.get(path)

    def get(self, path: str) -> None:
        pv = self.preview
        if path == "__bulletin__/error.css":
            return self._send(200, "text/css; charset=utf-8", _ERROR_CSS)
        route = _route(path, pv.files)
        if route is None and path and not path.endswith("/") and _route(path + "/", pv.files):
            return self.redirect("/" + path + "/", permanent=False)
        is_page = route is None or route.endswith(".html")
        if pv.failure is not None and is_page:
            return self._send(500, "text/html; charset=utf-8",
                              self._inject(error_page(pv.failure, pv.catalog)))
        if route is None:
            body = pv.files.get("404.html", b"<!DOCTYPE html><title>404</title>")
            return self._send(404, "text/html; charset=utf-8", self._inject(body))
        kind = mimetypes.guess_type(route)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json",
                                                "image/svg+xml", "application/xml"):
            kind += "; charset=utf-8"
        body = pv.files[route]
        self._send(200, kind, self._inject(body) if route.endswith(".html") else body)

    def _inject(self, body: bytes) -> bytes:
        return body.replace(b"</head>", self.script.encode() + b"</head>", 1)

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.set_header("Content-Security-Policy", CSP)
        if self.request.method != "HEAD":
            self.write(body)


def _route(path: str, files: Mapping[str, bytes]) -> str | None:
    """The site file a request path names, or None. Only keys of `files` can come out."""
    if "\0" in path or "\\" in path:
        return None
    parts = path.split("/")
    if any(p in (".", "..") for p in parts):
        return None
    route = path + "index.html" if path == "" or path.endswith("/") else path
    return route if route in files else None


class PreviewServer:
    """Serve a Preview on host:port, poll the folders, rebuild after a burst of saves."""

    def __init__(self, preview: Preview, host: str = "127.0.0.1", port: int = 8000,
                 poll_seconds: float = 0.25):
        self.preview = preview
        self.host, self.port = host, port
        self.poll_seconds = poll_seconds
        s = preview.session
        self.folders = tuple(p for p in (s.content, s.templates) if p.is_dir())
        self._built = snapshot(self.folders)
        self._last = self._built
        self.loop: ioloop.IOLoop | None = None

    def application(self) -> web.Application:
        # The handler logs the watcher's last path on each reload; ours polls instead.
        LiveReloadHandler.watcher = SimpleNamespace(filepath="*")
        LiveReloadHandler.live_css = False  # stylesheets are fingerprinted: reload the page
        script = f'<script src="/livereload.js?port={self.port}" defer></script>'
        site = type("Site", (_Site,), {"preview": self.preview, "script": script})
        return web.Application([
            (r"/livereload", LiveReloadHandler),
            (r"/livereload.js", LiveReloadJSHandler),
            (r"/(.*)", site),
        ])

    def poll(self) -> None:
        """Rebuild once the folders differ from the last build and have been still for a poll."""
        now = snapshot(self.folders)
        settled = now == self._last
        self._last = now
        if settled and now != self._built:
            self._built = now
            self.preview.rebuild()
            LiveReloadHandler.reload_waiters()

    def serve(self, ready: Callable[[str], None] | None = None) -> None:
        """Run until interrupted (or until `stop()` from another thread)."""
        sockets = netutil.bind_sockets(self.port, address=self.host)
        self.port = sockets[0].getsockname()[1]  # port 0: the system chose one
        self.loop = ioloop.IOLoop.current()
        server = httpserver.HTTPServer(self.application())
        server.add_sockets(sockets)
        ioloop.PeriodicCallback(self.poll, self.poll_seconds * 1000).start()
        if ready:
            ready(f"http://{self.host}:{self.port}/")
        try:
            self.loop.start()
        finally:
            server.stop()

    def stop(self) -> None:
        if self.loop is not None:
            self.loop.add_callback(self.loop.stop)

