"""The preview's search index, made when the editor pauses, never on the path of a save.

`bulletin serve` rebuilds after every save in well under a second at N = 5,000;
Pagefind takes seconds to index a site that size. So a serving `Session`
(`search="idle"`) asks this indexer to index each new site `delay` seconds
after the last rebuild, on a thread of its own (Pagefind itself runs in its own
process). A save that comes in meanwhile stops the run (the Pagefind process
is killed) and the next rebuild schedules a new one. Until a run finishes, the
preview serves the previous index: its files are consistent with each other,
its results at worst a few seconds stale. The name index (`search/records.json`)
is rebuilt on every save, so names, aliases and filters are always current.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Mapping

from .errors import BulletinError
from .search import index_site

__all__ = ["IdleIndexer"]

log = logging.getLogger("bulletin.search")

Done = Callable[[Mapping[str, bytes], dict[str, bytes]], None]


class IdleIndexer:
    """Runs `search.index_site` once the site has been still for `delay` seconds."""

    def __init__(self, done: Done, delay: float = 2.0):
        self.done = done
        self.delay = delay
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._service: Any = None
        self._generation = 0
        self.runs = 0  # completed runs (tests wait on it)
        self.idle = threading.Event()  # set when no run is pending or running
        self.idle.set()

    def schedule(self, files: Mapping[str, bytes], kinds: Mapping[str, str], derived: Any,
                 catalog: Any) -> None:
        """Index this site after `delay` seconds unless `cancel` (a new save) comes first."""
        with self._lock:
            self._stop_locked()
            self._generation += 1
            gen = self._generation
            self.idle.clear()
            self._timer = threading.Timer(self.delay, self._run,
                                          (gen, files, kinds, derived, catalog))
            self._timer.daemon = True
            self._timer.start()

    def cancel(self) -> None:
        """A rebuild is starting: stop waiting, stop indexing."""
        with self._lock:
            self._generation += 1
            self._stop_locked()
            self.idle.set()

    def _stop_locked(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._service is not None:
            self._service.kill()
            self._service = None

    def _started(self, gen: int, service: Any) -> None:
        with self._lock:
            if gen != self._generation:
                service.kill()
            else:
                self._service = service

    def _run(self, gen: int, files: Mapping[str, bytes], kinds: Mapping[str, str], derived: Any,
             catalog: Any) -> None:
        try:
            bundle = index_site(files, kinds, derived, catalog,
                                started=lambda s: self._started(gen, s))
        except BulletinError as err:
            with self._lock:
                current = gen == self._generation
            if current:  # not a cancellation: say why the preview has no fresh index
                log.warning("search index not updated: %s", err)
            bundle = None
        with self._lock:
            self._service = None
            if gen != self._generation:
                return
        if bundle is not None:
            self.done(files, bundle)
            self.runs += 1
        with self._lock:
            if gen == self._generation:
                self.idle.set()
