"""Pages rendered in forked workers (builder/renderpool.py): same bytes, same order, same errors.

Whole sites are compared with a plain build in tests/test_paths_agree.py; here the
pool's own promises, on pages that are cheap to make.
"""

from __future__ import annotations

import os

import pytest

from builder import renderpool
from builder.errors import ConfigError
from builder.pages import Page, Plan

PARENT = os.getpid()


def _plans(n: int) -> list[Plan]:
    def make(i: int) -> Page:
        return Page(f"p/{i:03d}/index.html", "x.html", {"i": i}, kind="project")
    return [Plan(f"p/{i:03d}/index.html", "project", str(i), lambda i=i: make(i))
            for i in range(n)]


def _render(page: Page) -> bytes:
    who = "parent" if os.getpid() == PARENT else "worker"
    return f"<p>{page.context['i']} by {who}</p>".encode()


@pytest.fixture
def small_pool(monkeypatch):
    monkeypatch.setattr(renderpool, "POOL_MIN", 10)
    monkeypatch.setattr(renderpool, "CHUNK", 4)


def test_workers_render_every_page_once_and_the_result_is_in_plan_order(small_pool):
    plans = _plans(50)
    seen, progress = [], []
    r = renderpool.start(plans, _render, 2, extra=lambda route, data: len(data),
                         on_page=lambda route, data, extra: seen.append((route, extra)),
                         progress=lambda n, total: progress.append((n, total)))
    out = r.result()
    assert list(out) == [p.route for p in plans]
    assert all(b"by worker" in b for b in out.values()), "rendered in the workers"
    assert sorted(seen) == sorted((route, len(data)) for route, data in out.items())
    assert progress[-1] == (50, 50)


def test_few_pages_or_one_job_render_here_without_forking(small_pool):
    for plans, jobs in ((_plans(9), 2), (_plans(50), 1)):
        out = renderpool.start(plans, _render, jobs).result()
        assert list(out) == [p.route for p in plans]
        assert all(b"by parent" in b for b in out.values())
    assert not renderpool.use_pool(renderpool.POOL_MIN - 1, 8)
    assert renderpool.use_pool(renderpool.POOL_MIN, 2)


def test_a_failing_page_raises_what_rendering_in_this_process_raises(small_pool):
    def render(page: Page) -> bytes:
        if page.context["i"] in (13, 41):
            raise ConfigError(f"the template x.html failed on {page.route}")
        return _render(page)

    with pytest.raises(ConfigError) as plain:
        renderpool.start(_plans(50), render, 1).result()
    with pytest.raises(ConfigError) as pooled:
        renderpool.start(_plans(50), render, 2).result()
    assert str(pooled.value) == str(plain.value) == "the template x.html failed on p/013/index.html"


def test_a_worker_that_dies_leaves_its_pages_to_this_process(small_pool):
    def render(page: Page) -> bytes:
        if page.context["i"] == 21 and os.getpid() != PARENT:
            os._exit(9)  # killed, say, by the kernel's out-of-memory killer
        return _render(page)

    r = renderpool.start(_plans(50), render, 2)
    out = r.result()
    assert list(out) == [p.route for p in _plans(50)]
    assert b"by parent" in out["p/021/index.html"]
    assert r.failed


def test_without_processes_to_fork_the_pages_render_here(small_pool, monkeypatch):
    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(renderpool.os, "fork", no_fork)
    r = renderpool.start(_plans(50), _render, 2)
    out = r.result()
    assert list(out) == [p.route for p in _plans(50)] and r.failed
    assert all(b"by parent" in b for b in out.values())


def test_pages_render_with_the_collector_on_even_when_the_build_paused_it(small_pool):
    """`bulletin build` pauses the cyclic collector; pages leave reference cycles behind
    (Jinja's macros and their context), so they are rendered with it on, here and in
    the workers, and the build's setting is given back."""
    import gc

    def render(page: Page) -> bytes:
        return b"on" if gc.isenabled() else b"off"
    was = gc.isenabled()
    gc.disable()
    try:
        for plans, jobs in ((_plans(9), 2), (_plans(50), 2)):
            out = renderpool.start(plans, render, jobs).result()
            assert set(out.values()) == {b"on"}
            assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
