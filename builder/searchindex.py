"""The Pagefind bundle of a full build: fed while pages render, reused while unchanged.

Pagefind indexes a site of 5,000 projects in 10-15 s of its own CPU time (one
core), about as long as the rest of a warm build. Two things are done about it
(issue 6):

- **Reused** (`cache_dir/search/pagefind-<key>.bundle`): the key is a digest of
  everything Pagefind is given: each indexed page's URL and a digest of what its text
  is made from (`_digest`: the page's language, title and <main>, and its filters),
  in order; Pagefind's configuration and version; and the code that asks it and
  tidies its output. A build whose pages have the same of those (the usual warm
  build: nothing edited, or only the header or the footer) reads the bundle back
  instead of running Pagefind. Each page is hashed by the render worker that rendered
  it (`prepare`), so the check costs little; the text itself is made only when
  Pagefind runs. The file holds its own digest: a damaged or truncated one is a
  miss. The newest `KEEP` are kept.
- **Streamed**: when the cache holds no bundle at all (a cold build), a miss is
  all but certain, so Pagefind is started at once and given the pages in route
  order as they arrive from the render workers (`add`), on a thread of its own;
  it indexes on the core the workers leave free, and writes its files while this
  process finishes the rest. Pagefind gets exactly the pages, in exactly the order,
  that `search.index_site` gives it, so the bundle is the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import logging
import os
import re
import struct
import tempfile
import threading
from pathlib import Path
from typing import Any, Mapping

from . import urls
from .derive import Derived
from .i18n import Catalog
from .search import PAGEFIND_CONFIG, bundle_files, indexed_html, indexed_routes, page_filters

__all__ = ["FullText", "KEEP"]

log = logging.getLogger("bulletin.search")

KEEP = 4  # bundles kept in the cache folder: a site's, its English build's, a branch's …
_MAGIC = b"bulletin pagefind bundle 1\n"
_BATCH = 64  # pages per request to Pagefind while streaming


@functools.lru_cache(maxsize=1)
def _salt() -> bytes:
    """What a bundle depends on besides its pages: Pagefind, its configuration, and the
    code that asks it and tidies what it writes."""
    h = hashlib.sha256(_MAGIC)
    try:
        h.update(importlib.metadata.version("pagefind_bin_extended").encode())
    except importlib.metadata.PackageNotFoundError:
        h.update(b"?")
    h.update(repr(PAGEFIND_CONFIG).encode())
    here = Path(__file__).resolve().parent
    for name in ("search.py", "_pagefind.py", "_pagefind_order.py", "searchindex.py"):
        h.update((here / name).read_bytes())
    return h.digest()


_HEAD = re.compile(rb'<html\b[^>]*\blang="[^"]*".*<title>', re.S)  # lang and title both here


def _digest(page: bytes, filters: Mapping[str, list[str]]) -> bytes:
    """A digest of all that `indexed_html` reads of a page: the head up to its title (the
    language, the title) and the <main> element, and the filters. Not of the text itself,
    which costs four times as long to make; a change elsewhere on the page (the header,
    the footer) leaves it as it was."""
    head = page.find(b"</title>")
    start, end = page.find(b"<main"), page.rfind(b"</main>")
    h = hashlib.sha256(repr(sorted(filters.items())).encode("utf-8") + b"\0")
    if head < 0 or start < head or end < start or not _HEAD.search(page, 0, head):
        h.update(page)  # not the usual shape: all of it
    else:
        h.update(page[:head])
        h.update(page[start:end])
    return h.digest()


class FullText:
    """Pagefind's bundle for one build: `prepare` each page (in a worker), `add` it here,
    `start` after the workers are forked, `finish` with the whole site."""

    def __init__(self, kinds: Mapping[str, str], d: Derived, t: Catalog,
                 cache_dir: Path | None):
        self._kinds = kinds
        self.routes = indexed_routes(kinds)
        self._indexed = frozenset(self.routes)
        self._filters = page_filters(d, t)
        self._folder = Path(cache_dir) / "search" if cache_dir is not None else None
        self.stream = not self._bundles()  # nothing to reuse: index as the pages come
        self.reused = False
        self._digests: dict[str, bytes] = {}
        self._texts: dict[str, str] = {}  # streaming: pages not yet sent
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._service: Any = None
        self._stopped = False
        self._raw: dict[str, bytes] | None = None
        self._error: BaseException | None = None

    # --- each page ------------------------------------------------------------------------

    def prepare(self, route: str, data: bytes) -> tuple[bytes, str | None] | None:
        """What the index needs of a page (made in the render worker): the digest of its
        indexed text, and the text itself when streaming."""
        if route not in self._indexed:
            return None
        filters = self._filters.get(route, {})
        text = indexed_html(data.decode("utf-8"), filters) if self.stream else None
        return _digest(data, filters), text

    def add(self, route: str, data: bytes, prepared: Any) -> None:
        """A page has been rendered (any thread, any order)."""
        if prepared is None:
            return
        digest, text = prepared
        with self._cond:
            self._digests[route] = digest
            if text is not None:
                self._texts[route] = text
                self._cond.notify_all()

    # --- streaming --------------------------------------------------------------------------

    def start(self) -> None:
        """Start Pagefind if streaming (after forking: its pipes must not be inherited)."""
        if self.stream and self._thread is None:
            self._thread = threading.Thread(target=self._feed, daemon=True, name="pagefind-feed")
            self._thread.start()

    def _feed(self) -> None:
        from ._pagefind import PagefindService
        try:
            with PagefindService() as service:
                with self._cond:
                    if self._stopped:
                        return
                    self._service = service
                index = service.new_index(PAGEFIND_CONFIG)
                at = 0
                while at < len(self.routes):
                    batch = []
                    with self._cond:
                        while self.routes[at] not in self._texts and not self._stopped:
                            self._cond.wait()
                        if self._stopped:
                            return
                        while at < len(self.routes) and self.routes[at] in self._texts \
                                and len(batch) < _BATCH:
                            route = self.routes[at]
                            batch.append(("/" + urls.path_of_route(route), self._texts.pop(route)))
                            at += 1
                    service.add_html_files(index, batch)
                self._raw = service.get_files(index)
        except BaseException as err:  # raised again by finish(), unless the stream was stopped
            self._error = err

    def _stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
            service = self._service
        if service is not None:
            service.kill()
        if self._thread is not None:
            self._thread.join()

    # --- the bundle ---------------------------------------------------------------------------

    def finish(self, files: Mapping[str, bytes]) -> dict[str, bytes]:
        """The bundle for the site `files`: read back, or from the stream, or made now."""
        routes = indexed_routes(self._kinds, files)
        if routes != self.routes:  # not the pages planned (cannot happen in a full build)
            self._stop()
            self.stream, self.routes, self._indexed = False, routes, frozenset(routes)
        for route in routes:
            if route not in self._digests:  # rendered before, or in this process
                self.add(route, files[route], self.prepare(route, files[route]))
        key = hashlib.sha256(_salt() + b"".join(
            r.encode("utf-8") + b"\0" + self._digests[r] for r in routes)).hexdigest()
        cached = self._read(key)
        if cached is not None:
            self._stop()
            self.reused = True
            return cached
        if self.stream:
            self.start()
            self._thread.join()
            if self._error is not None:
                raise self._error
            bundle = bundle_files(self._raw or {})
        else:
            bundle = self._index(files, routes)
        self._write(key, bundle)
        return bundle

    def _index(self, files: Mapping[str, bytes], routes: list[str]) -> dict[str, bytes]:
        from ._pagefind import PagefindService
        pages = [("/" + urls.path_of_route(r),
                  indexed_html(files[r].decode("utf-8"), self._filters.get(r, {}))) for r in routes]
        with PagefindService() as service:
            index = service.new_index(PAGEFIND_CONFIG)
            service.add_html_files(index, pages)
            return bundle_files(service.get_files(index))

    # --- the cache ----------------------------------------------------------------------------

    def _bundles(self) -> list[Path]:
        if self._folder is None:
            return []
        try:
            return sorted(self._folder.glob("pagefind-*.bundle"),
                          key=lambda p: p.stat().st_mtime_ns, reverse=True)
        except OSError:
            return []

    def _read(self, key: str) -> dict[str, bytes] | None:
        if self._folder is None:
            return None
        path = self._folder / f"pagefind-{key}.bundle"
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        body, tail = raw[:-32], raw[-32:]
        if not body.startswith(_MAGIC) or hashlib.sha256(body).digest() != tail:
            return None  # damaged: made again
        out: dict[str, bytes] = {}
        at = len(_MAGIC)
        try:
            while at < len(body):
                n, m = struct.unpack_from(">II", body, at)
                at += 8
                name = body[at:at + n].decode("utf-8")
                out[name] = body[at + n:at + n + m]
                at += n + m
        except (struct.error, UnicodeDecodeError):
            return None
        try:
            os.utime(path)  # the newest, for pruning
        except OSError:
            pass
        return out

    def _write(self, key: str, bundle: Mapping[str, bytes]) -> None:
        if self._folder is None:
            return
        parts = [_MAGIC]
        for name, data in bundle.items():
            b = name.encode("utf-8")
            parts += [struct.pack(">II", len(b), len(data)), b, data]
        body = b"".join(parts)
        path = self._folder / f"pagefind-{key}.bundle"
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".pagefind-", suffix=".tmp", dir=self._folder)
            with os.fdopen(fd, "wb") as f:
                f.write(body + hashlib.sha256(body).digest())
            os.replace(tmp, path)
            for old in self._bundles()[KEEP:]:
                old.unlink()
        except OSError as err:  # a cache that cannot be written only costs time
            log.warning("cannot cache the search index in %s: %s", self._folder, err)
