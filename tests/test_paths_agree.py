"""Every way of building gives the same bytes as the plainest one (issue 6).

The reference is a cold build in one process with an empty cache. Against it:
a cold build on two processes (validation and charts in workers), a warm build
(records from the on-disk store, charts from the chart cache), and a session's
incremental rebuild after an edit is made and undone (what `bulletin serve` runs).
The worker paths are made to run on a small site by lowering their thresholds;
with the search index (`bulletin build`): pages rendered in forked workers while
Pagefind is fed as they come, then the index read back from the cache.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builder import (_pagefind, apart, chart, pipeline, renderpool, search, session, validate,
                     write)
from builder.pages import page_plans
from builder.session import Session

REPO = Path(__file__).resolve().parents[1]
N = 60


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _build(content: Path, out: Path, cache: Path, jobs: int) -> dict[str, bytes]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    r = subprocess.run([sys.executable, "-m", "builder", "build", str(content), "--out", str(out),
                        "--cache", str(cache), "--jobs", str(jobs)],
                       capture_output=True, text=True, env=env, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    return _tree(out)


def _differ(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("agree")
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(N), str(root)],
                   check=True, capture_output=True)
    content = root / "content"
    return root, content, _build(content, root / "plain", root / "cache-plain", jobs=1)


@pytest.fixture
def workers(monkeypatch):
    """Validation and drawing go to worker processes even for this small site."""
    monkeypatch.setattr(validate, "PARALLEL_THRESHOLD", 20)
    monkeypatch.setattr(chart, "_POOL_MIN", 8)
    monkeypatch.setattr(renderpool, "POOL_MIN", 10)
    monkeypatch.setattr(renderpool, "CHUNK", 3)
    monkeypatch.setattr(session, "APART_MIN", 10)
    forks = []
    fork = renderpool.Rendering._fork
    monkeypatch.setattr(renderpool.Rendering, "_fork",
                        lambda self, jobs, nice=0: (forks.append(jobs), fork(self, jobs, nice))[1])
    start = apart.start
    monkeypatch.setattr(apart, "start", lambda work: (forks.append("apart"), start(work))[1])
    return forks


def test_parallel_and_cached_builds_equal_the_plain_one(site, workers, monkeypatch):
    root, content, plain = site
    assert len(plain) > N
    cold = Session(content, None, root / "cache", jobs=2, search="build").rebuild()
    assert workers == ["apart", 2], "data files made apart, pages rendered by two workers"
    assert not _differ(dict(cold.files), plain)  # (Pagefind was fed as they came)
    assert (root / "cache" / "records" / "records.pickle").is_file()
    assert list((root / "cache" / "search").glob("pagefind-*.bundle"))
    # warm: the same pages index to the same text, so Pagefind is not even started
    monkeypatch.setattr(_pagefind.PagefindService, "__enter__",
                        lambda self: pytest.fail("Pagefind ran on a warm build"))
    warm = Session(content, None, root / "cache", jobs=2, search="build").rebuild()
    assert len(workers) == 4 and not _differ(dict(warm.files), plain)
    assert _build(content, root / "warm", root / "cache", jobs=2) == plain


def test_an_incremental_rebuild_equals_the_plain_build(site, workers):
    root, content, plain = site
    session = Session(content, None, root / "cache-session", jobs=2, search="build")
    first = dict(session.rebuild().files)
    session.warm()
    path = sorted((content / "projects").glob("*.yaml"))[7]
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r"^name: (.*)$", r"name: \1（改）", text, count=1, flags=re.M)
    assert edited != text
    try:
        path.write_text(edited, encoding="utf-8")
        changed = session.rebuild()
        assert changed.changed and f"projects/{path.stem}/index.html" in changed.changed
    finally:
        path.write_text(text, encoding="utf-8")
    back = session.rebuild()
    # The session's files are what `bulletin build` writes.
    assert not _differ(dict(back.files), plain)
    assert not _differ(first, plain)


def test_the_plain_builds_index_is_what_pagefind_makes_of_the_finished_site(site):
    root, content, plain = site
    session = Session(content, None, root / "cache-plain", jobs=1)
    out = session.rebuild()
    catalog = session._catalog[1]
    plans, _ = page_plans(out.derived, catalog, session._charts)
    files = dict(out.files)
    bundle = search.index_site(files, {p.route: p.kind for p in plans}, out.derived, catalog)
    assert bundle and bundle == {r: b for r, b in plain.items() if r.startswith(search.BUNDLE)}


def test_a_build_whose_render_worker_dies_still_equals_the_plain_one(site, workers, monkeypatch):
    """`bulletin build` (a session used once) never holds the charts (its pages read them
    from the cache); when a worker dies, the pages it did not render are rendered here."""
    from builder import session as S
    root, content, plain = site
    parent = os.getpid()
    real = S.render_page

    def dying(page, *args):
        if os.getpid() != parent and page.kind == "project":
            os._exit(9)  # a worker killed in the middle of the build
        return real(page, *args)
    monkeypatch.setattr(S, "render_page", dying)
    once = Session(content, None, root / "cache-once", jobs=2, search="build", once=True)
    outcome = once.rebuild()
    assert "apart" in workers and 2 in workers
    assert once._charts == {}, "the session kept its charts"
    assert outcome.charts > N and not _differ(dict(outcome.files), plain)


def test_a_build_reading_each_chart_in_its_worker_equals_the_plain_one(site, workers, monkeypatch):
    """A one-shot build after one that drew the charts finds each by its request
    (`chartready`): no spec is filled up front, the workers read their pages' charts,
    and a chart whose file went missing is made again where its page is rendered."""
    from builder import chartready
    root, content, plain = site
    cache = root / "cache-ready"

    def once() -> dict[str, bytes]:
        outcome = Session(content, None, cache, jobs=2, search="build", once=True).rebuild()
        assert outcome.charts > N
        return dict(outcome.files)
    assert not _differ(once(), plain)
    ready = cache / "charts" / "ready"
    assert len(list(ready.iterdir())) > N
    with monkeypatch.context() as m:
        m.setattr(chart, "_plan", lambda *a, **k: pytest.fail("specs filled up front"))
        assert not _differ(once(), plain)
    assert workers.count(2) == 2
    check = chartready.ready
    entry = sorted(ready.iterdir())[3].read_bytes()
    svg = cache / "charts" / f"{entry[len(chartready._MAGIC):][:64].decode()}.svg"

    def damaging(requests, cache_dir):  # files spoiled after the check
        found = check(requests, cache_dir)
        for f in sorted(ready.iterdir())[:3]:
            f.write_bytes(b"garbage")
        svg.unlink()  # and one drawing: drawn again, in a new process if in a worker
        return found
    monkeypatch.setattr(session.chartready, "ready", damaging)
    assert not _differ(once(), plain)
    assert svg.is_file()


def test_a_build_whose_workers_write_the_pages_equals_the_plain_one(site, workers, tmp_path,
                                                                    monkeypatch):
    """`bulletin build`: the render workers put their pages straight into the new output
    folder; a second build links every unchanged file from the first."""
    root, content, plain = site
    out, parent, real = tmp_path / "output", os.getpid(), write.Staging.put

    def put(self, route, data):
        if os.getpid() != parent:
            (tmp_path / f"put-{os.getpid()}").touch()
        return real(self, route, data)
    monkeypatch.setattr(write.Staging, "put", put)
    first = pipeline.build(content, out, root / "cache-put", jobs=2)
    assert 2 in workers and len(list(tmp_path.glob("put-*"))) == 2  # put by both workers
    assert _tree(out) == plain
    assert first.write.written == len(plain) and first.write.linked == 0
    second = pipeline.build(content, out, root / "cache-put", jobs=2)
    assert _tree(out) == plain
    assert (second.write.written, second.write.linked, second.write.removed) == (0, len(plain), 0)
    assert not list(tmp_path.glob(".output.staging-*"))  # (the old site stays a few seconds)


def test_a_worker_that_dies_halfway_through_a_page_leaves_no_trace(site, workers, tmp_path,
                                                                   monkeypatch):
    root, content, plain = site
    parent = os.getpid()
    real = write.Staging.put

    def dying(self, route, data):
        if os.getpid() != parent and route.startswith("projects/p-"):
            real(self, route, data[:100])  # half a page in the new folder, then killed
            (tmp_path / "died").touch()
            os._exit(9)
        return real(self, route, data)
    monkeypatch.setattr(write.Staging, "put", dying)
    pipeline.build(content, tmp_path / "output", root / "cache-put", jobs=2)
    assert 2 in workers and (tmp_path / "died").exists()
    assert _tree(tmp_path / "output") == plain


def test_a_build_that_fails_after_the_workers_wrote_leaves_the_output_as_it_was(
        site, workers, tmp_path, monkeypatch):
    root, content, plain = site
    out = tmp_path / "output"
    out.mkdir()
    (out / "old.html").write_text("the previous site", encoding="utf-8")

    def broken(*args):
        raise RuntimeError("a bug after the pages were rendered")
    monkeypatch.setattr(session, "sitemap_files", broken)
    with pytest.raises(RuntimeError):
        pipeline.build(content, out, root / "cache-put", jobs=2)
    assert 2 in workers
    assert _tree(out) == {"old.html": b"the previous site"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_a_disk_that_fills_while_the_workers_write_leaves_the_output_as_it_was(
        site, workers, tmp_path, tmpfs):
    root, content, plain = site
    mnt = tmpfs(f"{2 * sum(map(len, plain.values())) // 2**20 + 8}m")  # room for two sites
    out = mnt / "output"
    pipeline.build(content, out, root / "cache-put", jobs=2)
    assert _tree(out) == plain
    edited = tmp_path / "content"
    shutil.copytree(content, edited)
    site_yaml = edited / "site.yaml"
    text = site_yaml.read_text(encoding="utf-8")
    site_yaml.write_text(re.sub(r"^title: (.*)$", r"title: \1（新）", text, count=1, flags=re.M),
                         encoding="utf-8")  # every page changes: none can be linked
    free = os.statvfs(mnt)
    with open(mnt / "filler", "wb") as f:
        f.write(b"\0" * max(0, free.f_bavail * free.f_frsize - 64 * 1024))
    with pytest.raises(write.WriteError, match="the disk is full"):
        pipeline.build(edited, out, root / "cache-put", jobs=2)
    assert 2 in workers
    assert _tree(out) == plain
    assert sorted(p.name for p in mnt.iterdir()) == ["filler", "output"]
