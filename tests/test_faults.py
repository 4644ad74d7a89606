"""Faults mid-build, through the real `bulletin build`: output/ is always a complete site.

- A build is killed (SIGKILL, no chance to clean up) at many moments, half of
  them picked while its staging folder exists (the write and the swap): after
  each, output/ is byte for byte the previous site or the new one, never a mix,
  never missing; the next build removes what the killed ones left.
- A full disk (a small tmpfs), a read-only file system and a missing permission
  each end in one plain sentence and exit status 1, no traceback, the previous
  site untouched; once the fault is gone the same command publishes.
- A build by a user who may write only the output's parent folder and the cache
  succeeds, and leaves nothing anywhere else.

Faults the write stage meets in isolation are tests/test_write.py; these are the
same faults met by the whole command. The tmpfs and user tests need root (CI runs
as root) and skip, saying so, without it.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOOD = REPO / "tests" / "fixtures" / "good" / "content"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
KILLS_AT_RANDOM = 6  # at any moment of the build
KILLS_WHILE_WRITING = 6  # as soon as the staging folder appears (it lives a few milliseconds)
KILLS_AFTER = 2  # once the build is surely done: the new site must be whole too


#: `bulletin` as another user: the interpreter starts as root (it may live in /root, which
#: `nobody` cannot enter), imports everything the build uses, then drops to `user`.
_AS_USER = """
import importlib, os, pkgutil, sys
import builder
for m in pkgutil.walk_packages(builder.__path__, "builder."):
    if m.name != "builder.__main__":  # (which would run the command, as root)
        importlib.import_module(m.name)
import encodings, vl_convert, jinja2, markdown, nh3  # noqa: E401
for m in pkgutil.iter_modules(encodings.__path__, "encodings."):
    try:
        importlib.import_module(m.name)
    except ImportError:  # (codecs of other platforms)
        pass
from builder import cli
os.setgroups([]); os.setgid({user}); os.setuid({user})
sys.exit(cli.main(sys.argv[1:]))
"""


def bulletin(*args: str, cwd: Path, user: int | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    head = ["-m", "builder"] if user is None else ["-c", _AS_USER.format(user=user)]
    return subprocess.run([sys.executable, *head, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=env)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root: {path: bytes}; an empty dict when root is missing."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def leftovers(out: Path) -> list[str]:
    return sorted(n for n in os.listdir(out.parent) if n.startswith(f".{out.name}.staging-"))


def versions(root: Path) -> tuple[Path, Path]:
    """Two versions of the good tree that differ on most pages (names, totals)."""
    a, b = root / "content-a", root / "content-b"
    shutil.copytree(GOOD, a)
    shutil.copytree(GOOD, b)
    for rel, old, new in (("projects/alpha.yaml", "name: 周口港区物流园项目", "name: 周口港区物流园项目（二期）"),
                          ("projects/beta.yaml", "value: 20", "value: 21"),
                          ("site.yaml", "title: 周口市重点项目建设进度", "title: 周口市重点项目进度")):
        path = b / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    return a, b


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(content A, content B, the complete site of each, the cache, seconds a warm build takes,
    the folder holding site A)."""
    root = tmp_path_factory.mktemp("faults")
    a, b = versions(root)
    cache = tmp_path_factory.getbasetemp() / "bulletin-cache"  # shared: charts drawn once a session
    sites, seconds = [], 0.0
    for content, name in ((a, "ref-a"), (b, "ref-b")):
        t0 = time.monotonic()
        r = bulletin("build", str(content), "--out", str(root / name), "--cache", str(cache),
                     cwd=root)
        seconds = time.monotonic() - t0  # the second one: the cache is warm
        assert r.returncode == 0, r.stdout + r.stderr
        sites.append(tree(root / name))
    assert sites[0] != sites[1] and len(sites[0]) >= 30
    return a, b, sites[0], sites[1], cache, seconds, root / "ref-a"


# --- killed builds --------------------------------------------------------------------------------

def _start(content: Path, out: Path, cache: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "builder", "build", str(content), "--out", str(out), "--cache", str(cache)],
        cwd=out.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL to the build itself; then its helpers (Pagefind, chart workers), its group."""
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(30)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_a_build_killed_at_any_moment_leaves_a_complete_site(tmp_path, built):
    a, b, site_a, site_b, cache, duration, _ = built
    out = tmp_path / "output"
    shutil.copytree(built[6], out)  # site A, as a build published it
    state = "a"
    rng = random.Random(7)
    plan = ([("random", rng.uniform(0.05, duration)) for _ in range(KILLS_AT_RANDOM)]
            + [("writing", rng.choice([0, 0, 0.0005, 0.001, 0.002])) for _ in range(KILLS_WHILE_WRITING)]
            + [("after", 0.0)] * KILLS_AFTER)
    rng.shuffle(plan)
    outcomes = []
    for when, delay in plan:
        target = (b, "b") if state == "a" else (a, "a")
        proc = _start(target[0], out, cache)
        if when == "writing":
            deadline = time.monotonic() + duration * 4 + 10
            while not leftovers(out) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.0002)
        elif when == "after":
            proc.wait(300)
        time.sleep(delay)
        caught_writing = bool(leftovers(out))
        _kill(proc)
        now = tree(out)
        assert now in (site_a, site_b), (
            f"after a kill {when} ({delay:.3f} s): output/ is neither site: "
            f"{len(now)} files, {len(set(now) ^ set(site_a))} differ from A by name")
        state = "a" if now == site_a else "b"
        outcomes.append((when, caught_writing, state == target[1]))
    # The kills landed where they were meant to: in the write stage, and before and after it.
    assert sum(1 for when, writing, _ in outcomes if writing) >= 3, outcomes
    assert {new for _, _, new in outcomes} == {True, False}, outcomes
    # The next build publishes, and removes every staging folder the killed ones left (and the
    # old sites kept for readers, once their few seconds are over).
    olds = [p for p in tmp_path.iterdir() if p.name.startswith(".output.old-")]
    for p in olds:
        os.utime(p, (time.time() - 3600, time.time() - 3600))
    final = (b, site_b) if state == "a" else (a, site_a)
    r = bulletin("build", str(final[0]), "--out", str(out), "--cache", str(cache), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert tree(out) == final[1]
    assert leftovers(out) == [] and [p for p in olds if p.exists()] == []
    # Nor does the cache keep the half-written files of the killed builds.
    stray = [p.relative_to(cache).as_posix() for p in cache.rglob("*")
             if p.name.startswith(".") and (p.name.endswith(".tmp") or p.name.startswith(".metrics."))]
    assert stray == []


# --- full disk, read-only, no permission ----------------------------------------------------------

@pytest.fixture
def small_tmpfs(tmpfs):
    """A real tmpfs of 8 MiB (needs root and mount)."""
    return tmpfs("8m")


def assert_refused(r: subprocess.CompletedProcess, words: str, out: Path) -> None:
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert re.fullmatch(rf"bulletin build: {words} while writing output \({re.escape(str(out))}[^)]*\): "
                        r"the previous site is unchanged", lines[0]), lines[0]


def fill(mnt: Path, leave: int = 0) -> Path:
    """Fill the file system up to `leave` bytes free."""
    free = os.statvfs(mnt)
    filler = mnt / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, free.f_bavail * free.f_frsize - leave))
    return filler


def test_a_full_then_read_only_disk_is_one_sentence_and_the_site_stays(small_tmpfs, built, tmp_path):
    a, b, site_a, site_b, cache, *_ = built
    out = small_tmpfs / "site" / "output"
    r = bulletin("build", str(a), "--out", str(out), "--cache", str(cache), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    filler = fill(small_tmpfs, leave=64 * 1024)  # less than the pages B changes
    r = bulletin("build", str(b), "--out", str(out), "--cache", str(cache), cwd=tmp_path)
    assert_refused(r, "the disk is full", out)
    assert tree(out) == site_a and leftovers(out) == []
    filler.unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(small_tmpfs)], check=True)
    r = bulletin("build", str(b), "--out", str(out), "--cache", str(cache), cwd=tmp_path)
    assert_refused(r, "the file system is read-only", out)
    assert tree(out) == site_a
    subprocess.run(["mount", "-o", "remount,rw", str(small_tmpfs)], check=True)
    r = bulletin("build", str(b), "--out", str(out), "--cache", str(cache), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert tree(out) == site_b and leftovers(out) == []


def test_a_cache_on_a_full_disk_only_costs_time(small_tmpfs, built, tmp_path):
    """The cache is not the site: a build whose cache cannot be written still publishes (it
    ended in a traceback when the vega bundle could not be cached)."""
    a, b, site_a, site_b, cache, *_ = built
    mine = small_tmpfs / "cache"
    shutil.copytree(cache, mine, ignore=shutil.ignore_patterns("vega-bundle-*"))  # so it is written
    fill(small_tmpfs)
    out = tmp_path / "output"
    r = bulletin("build", str(b), "--out", str(out), "--cache", str(mine), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and tree(out) == site_b
    assert [p.name for p in mine.rglob("*.tmp")] == []


NOBODY = 65534


@pytest.fixture
def shared(built):
    """A folder outside any root-only home, for a build as `nobody` (root ignores file modes)."""
    if not IS_ROOT:
        pytest.skip("switching to another user needs root (CI runs as root)")
    base = Path(tempfile.mkdtemp(prefix="test_faults-"))
    base.chmod(0o755)
    a, b, *_ = built
    for content, name in ((a, "content-a"), (b, "content-b")):
        shutil.copytree(content, base / name)
    for p in [base, *base.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    cache = base / "cache"
    shutil.copytree(built[4], cache)
    subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(cache)], check=True)
    yield base, cache
    shutil.rmtree(base)


def test_a_missing_permission_is_one_sentence_and_nothing_is_written_elsewhere(shared, built):
    """As `nobody`: refused while the output's folder is root's, the site untouched; then, allowed
    to write only that folder and the cache, the build publishes, so it needed nothing else, and
    nothing of nobody's appeared in the shared temporary folders."""
    base, cache = shared
    _, _, site_a, site_b, *_ = built
    parent = base / "www"
    parent.mkdir()
    out = parent / "output"
    r = bulletin("build", "content-a", "--out", str(out), "--cache", str(cache), cwd=base)
    assert r.returncode == 0, r.stderr  # published by root: nobody may not write beside it
    r = bulletin("build", "content-b", "--out", str(out), "--cache", str(cache), cwd=base, user=NOBODY)
    assert_refused(r, "permission was denied", out)
    assert tree(out) == site_a and leftovers(out) == []
    subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(parent)], check=True)
    temps = [Path(tempfile.gettempdir()), Path("/dev/shm"), Path("/var/tmp")]
    before = {t: set(os.listdir(t)) for t in temps if t.is_dir()}
    r = bulletin("build", "content-b", "--out", str(out), "--cache", str(cache), cwd=base, user=NOBODY)
    assert r.returncode == 0, r.stdout + r.stderr
    assert tree(out) == site_b
    for t, names in before.items():
        new = [n for n in set(os.listdir(t)) - names if (t / n).stat().st_uid == NOBODY]
        assert new == [], f"{t}: {new}"
    mine = [p for p in base.rglob("*") if p.stat().st_uid == NOBODY
            and not (p == parent or parent in p.parents or p == cache or cache in p.parents)]
    assert mine == []
