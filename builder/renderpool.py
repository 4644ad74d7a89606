"""Pages rendered in forked worker processes, when there are many to render (issue 6).

A full build at N = 5,000 renders 5,173 pages: building each page's context
(`Plan.make`) and running its template take about 2 ms a page, some 11 s in one
process. Here they are shared among `jobs` worker processes, while this process
goes on with what does not need the pages (data files, feeds, share images),
collects the bytes and passes each page on as it arrives (`on_page`: the search
index is fed while the rest still render).

- **fork**: a `Plan` makes its page with a closure over the derived site, which
  cannot be pickled; a forked worker has the site, the drawn charts and the
  compiled templates already. Workers are forked with `os.fork`, after the charts
  are drawn, and leave with `os._exit`: they touch no lock another thread of this
  process might hold (no logging, no stdio), so forking a threaded process (the
  preview server) is safe. `gc.freeze()` first, so that a worker's collector does
  not walk (and so copy) the whole inherited heap.
- **Shares**: chunks of `CHUNK` pages in the order given; each worker claims the
  next chunk under a lock in shared memory, so a worker slowed by other load
  takes fewer. Each page is rendered by the same `render` function, from its
  arguments only, so its bytes are those an in-process render gives
  (tests/test_paths_agree.py holds them to it).
- **Output**: given `put` (`bulletin build`: `write.Staging.put`), a worker puts each
  page in the new output folder itself and sends back only its route: the build
  process never holds the pages (130 MB at N = 5,000, 530 MB at 20,000).
- **Few pages** (a save in `bulletin serve` renders about 30): `use_pool` says no,
  and they are rendered here, in order, without forking.
- **Failures**: a worker that raises or dies stops the pool; the pages not yet
  received are then rendered here, in the plans' order, so an error is raised
  exactly as an in-process build raises it (the first failing page's).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import threading
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any, Callable, Sequence

from . import collector
from .pages import Page, Plan

__all__ = ["POOL_MIN", "CHUNK", "use_pool", "start", "Rendering"]

#: Render in workers only for at least this many pages. In a worker a page costs ~10 % more
#: CPU than here (copy-on-write faults, the bytes sent back), and forking and reaping two
#: workers ~20 ms (N = 5,000, measured): two workers gain from a few hundred pages on, when
#: two cores are free. A save in `bulletin serve` renders ~30.
POOL_MIN = 300
CHUNK = 16  # pages per claim: small enough to keep every worker busy to the end

Render = Callable[[Page], bytes]
Extra = Callable[[str, bytes], Any]  # (route, bytes) -> something small, made in the worker
OnPage = Callable[[str, bytes | None, Any], None]  # here, from the collector thread (None: put)
Put = Callable[[str, bytes], bool]  # a worker's page to the output (`write.Staging.put`)
Progress = Callable[[int, int], None]


def use_pool(pages: int, jobs: int) -> bool:
    """Whether `pages` pages are worth forking `jobs` workers for."""
    return jobs > 1 and pages >= POOL_MIN and hasattr(os, "fork")


class Rendering:
    """Pages being rendered (`start`); `result()` waits for them."""

    def __init__(self, plans: Sequence[Plan], render: Render, extra: Extra | None,
                 on_page: OnPage | None, progress: Progress | None, put: Put | None = None):
        self._plans, self._render, self._extra = plans, render, extra
        self._on_page, self._progress, self._put = on_page, progress, put
        self.pages: dict[str, bytes] = {}
        self.put: dict[str, bool] = {}  # pages a worker put in the output: route -> linked
        self.failed: str | None = None  # why the pool stopped (then `result` renders the rest)
        self._thread: threading.Thread | None = None
        self._pids: list[int] = []

    @property
    def forked(self) -> bool:
        """Whether the pages are being rendered by forked workers."""
        return self._thread is not None

    def _take(self, route: str, data: bytes | bool, extra: Any) -> None:
        if isinstance(data, bool):  # (put in the output by the worker)
            self.put[route], data = data, None
        else:
            self.pages[route] = data
        if self._on_page is not None:
            self._on_page(route, data, extra)
        n = len(self.pages) + len(self.put)
        if self._progress and (n % 200 == 0 or n == len(self._plans)):
            self._progress(n, len(self._plans))

    def _one(self, plan: Plan) -> None:
        data = self._render(plan.make())
        self._take(plan.route, data, self._extra(plan.route, data) if self._extra else None)

    def result(self) -> dict[str, bytes]:
        """{route: bytes} of every plan not `put` by a worker, in the plans' order; raises
        what rendering raised."""
        try:
            if self._thread is not None:
                self._thread.join()
        except BaseException:  # Ctrl-C: the workers stop with this process
            self.failed = self.failed or "interrupted"
            raise
        finally:
            self._stop()
        with collector.running():
            for plan in self._plans:  # after a failure: the rest, here, in order
                if plan.route not in self.pages and plan.route not in self.put:
                    self._one(plan)
        return {plan.route: self.pages[plan.route] for plan in self._plans
                if plan.route not in self.put}

    # --- the pool -------------------------------------------------------------------------

    def _fork(self, jobs: int, nice: int = 0) -> None:
        ctx = multiprocessing.get_context("fork")
        counter, lock = ctx.RawValue("q", 0), ctx.Lock()
        readers: list[Connection] = []
        gc.freeze()  # objects from before the fork: never walked by the workers' collectors
        try:
            for _ in range(jobs):  # (an OSError here: `start` stops the forked ones)
                reader, writer = Pipe(duplex=False)
                pid = os.fork()
                if pid == 0:  # the worker
                    code = 1
                    try:
                        for r in (*readers, reader):
                            r.close()
                        if nice:
                            os.nice(nice)
                        gc.enable()  # (paused in a one-shot build's process: `collector`)
                        self._work(counter, lock, writer)
                        code = 0
                    finally:
                        os._exit(code)
                writer.close()
                self._pids.append(pid)
                readers.append(reader)
        finally:
            gc.unfreeze()
        self._thread = threading.Thread(target=self._collect, args=(readers,), daemon=True,
                                        name="render-pool")
        self._thread.start()

    def _work(self, counter: Any, lock: Any, out: Connection) -> None:
        """In a worker: claim chunks until none is left; send each chunk's pages."""
        plans, put = self._plans, self._put
        try:
            while True:
                with lock:
                    i = counter.value
                    counter.value = i + 1
                chunk = plans[i * CHUNK:(i + 1) * CHUNK]
                if not chunk:
                    break
                done = []
                for plan in chunk:
                    data = self._render(plan.make())
                    extra = self._extra(plan.route, data) if self._extra else None
                    done.append((plan.route, put(plan.route, data) if put else data, extra))
                out.send_bytes(pickle.dumps(("pages", done), pickle.HIGHEST_PROTOCOL))
            out.send_bytes(pickle.dumps(("done",)))
        except BaseException as err:  # reported, and the parent renders the rest itself
            out.send_bytes(pickle.dumps(("error", f"{type(err).__name__}: {err}")))

    def _collect(self, readers: list[Connection]) -> None:
        """In this process: take each chunk as it comes; stop all at the first failure."""
        live = list(readers)
        try:
            while live and self.failed is None:
                for conn in wait(live):
                    try:
                        msg = pickle.loads(conn.recv_bytes())
                    except (EOFError, OSError):
                        msg = ("error", "a render worker stopped")
                    if msg[0] == "pages":
                        for route, data, extra in msg[1]:
                            self._take(route, data, extra)
                        continue
                    live.remove(conn)
                    conn.close()
                    if msg[0] == "error" and self.failed is None:
                        self.failed = msg[1]
        except BaseException as err:  # on_page failed: stop, and render the rest in result()
            self.failed = f"{type(err).__name__}: {err}"
        finally:
            for conn in live:
                conn.close()

    def _stop(self) -> None:
        for pid in self._pids:
            if self.failed is not None:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self._pids = []


def start(plans: Sequence[Plan], render: Render, jobs: int, extra: Extra | None = None,
          on_page: OnPage | None = None, progress: Progress | None = None,
          nice: int = 0, put: Put | None = None) -> Rendering:
    """Render every plan: in `jobs` forked workers in the background when `use_pool`
    says so (this process may do other work until `result()`), else here and now.

    `render(page)` gives a page's bytes; `extra(route, bytes)`, if given, is made beside
    them (in the worker) and handed to `on_page(route, bytes, extra)`, which
    is called here as each page arrives, from another thread (it must be thread-safe).
    `nice`: the workers' niceness, above this process's (what they feed should not wait).
    `put(route, bytes)`, if given, is where the workers put their pages in the output
    (`Rendering.put` names them; they are not sent back); pages rendered here are not put."""
    rendering = Rendering(plans, render, extra, on_page, progress, put)
    if use_pool(len(plans), jobs):
        try:
            rendering._fork(min(jobs, -(-len(plans) // CHUNK)), nice)
            return rendering
        except OSError:  # no shared memory, no more processes: render here
            rendering.failed = "the render workers could not be started"
            rendering._stop()
    with collector.running():
        for plan in plans:
            rendering._one(plan)
    return rendering
