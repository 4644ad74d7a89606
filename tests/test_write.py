"""The write stage: real files in real folders (tmp_path, /dev/shm, a tiny tmpfs), no mocks."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import pytest

from builder import write
from builder.write import UnsafePath, WriteError, clean_leftovers, write_site

REPO = Path(__file__).resolve().parents[1]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

SITE = {
    "index.html": b"<h1>home</h1>",
    "projects/zhoukou-steel/index.html": "<h1>周口钢铁</h1>".encode(),
    "projects/index.html": b"<table></table>",
    "assets/app.3f2a9c1d.css": b"body{}",
    "data/projects.csv": "\ufeffid,name\nzk,周口\n".encode(),
    "data/empty.json": b"",
    "bulletins/2023-03-31-一季度/index.html": bytes(range(256)),
}


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root as {posix path: bytes}; a symlink anywhere fails the test."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            assert not p.is_symlink(), f"unexpected symlink {p}"
            if name in filenames:
                found[p.relative_to(root).as_posix()] = p.read_bytes()
    return found


def leftovers(out: Path) -> list[str]:
    """Staging folders beside out: a write that returned or raised leaves none."""
    return sorted(n for n in os.listdir(out.parent) if n.startswith(f".{out.name}.staging-"))


def kept(out: Path) -> list[Path]:
    """Old sites kept beside out for readers still in them, oldest first."""
    return sorted((p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.old-")),
                  key=lambda p: p.stat().st_mtime_ns)


def age(folder: Path) -> None:
    """Make an old site look as if it went out of service long ago."""
    past = folder.stat().st_mtime - write.KEEP_OLD_SECONDS - 1
    os.utime(folder, (past, past))


def inode(path: Path) -> int:
    return os.lstat(path).st_ino


@pytest.fixture(params=["disk", "shm"])
def fs(request, tmp_path):
    """A folder on the repo's disk (tmp_path) or on /dev/shm (tmpfs)."""
    if request.param == "disk":
        yield tmp_path
        return
    if not os.path.isdir("/dev/shm"):
        pytest.skip("no /dev/shm here")
    base = Path(tempfile.mkdtemp(dir="/dev/shm", prefix="test_write-"))
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def tiny_tmpfs(tmpfs):
    """A real 1 MiB tmpfs (needs root and mount)."""
    return tmpfs("1m")


def run_python(code: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False, **kw)


# --- writing and rewriting ------------------------------------------------

def test_first_write_publishes_exactly_the_files(fs):
    out = fs / "output"
    report = write_site(SITE, out)
    assert tree(out) == SITE
    assert (report.written, report.linked, report.removed) == (len(SITE), 0, 0)
    assert report.seconds >= 0
    assert leftovers(out) == []
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(out / "index.html").st_mode) == 0o644 & ~umask
    assert stat.S_IMODE(os.stat(out / "projects/zhoukou-steel").st_mode) == 0o755 & ~umask


def test_second_write_writes_the_change_links_the_rest_and_removes_the_gone(fs):
    out = fs / "output"
    first = {**SITE, "gone.html": b"soon gone"}
    write_site(first, out)
    before = {route: inode(out / route) for route in first}
    second = {**SITE, "index.html": b"<h1>new home</h1>"}
    report = write_site(second, out)
    assert (report.written, report.linked, report.removed) == (1, len(SITE) - 1, 1)
    assert tree(out) == second
    assert inode(out / "index.html") != before["index.html"]
    for route in SITE.keys() - {"index.html"}:
        assert inode(out / route) == before[route], route
    assert leftovers(out) == []


def test_an_old_site_is_kept_a_while_for_readers_then_removed(tmp_path):
    out = tmp_path / "output"
    write_site(SITE, out)
    assert kept(out) == []
    second = {**SITE, "index.html": b"second"}
    write_site(second, out)
    [first_old] = kept(out)
    assert tree(first_old) == SITE
    assert inode(first_old / "data/projects.csv") == inode(out / "data/projects.csv")  # shared
    assert clean_leftovers(out) == 0  # too recent
    age(first_old)
    third = {**SITE, "index.html": b"third"}
    write_site(third, out)  # removes the aged one, keeps the one it retires
    [second_old] = kept(out)
    assert tree(second_old) == second and tree(out) == third
    age(second_old)
    assert clean_leftovers(out) == 1 and kept(out) == []


def test_same_size_different_bytes_is_written(tmp_path):
    out = tmp_path / "output"
    write_site({"a.txt": b"abc"}, out)
    report = write_site({"a.txt": b"abd"}, out)
    assert (report.written, report.linked) == (1, 0)
    assert (out / "a.txt").read_bytes() == b"abd"


def test_same_content_twice_is_byte_identical_and_writes_nothing(tmp_path):
    out = tmp_path / "output"
    write_site(SITE, out)
    report = write_site(dict(reversed(SITE.items())), out)
    assert (report.written, report.linked, report.removed) == (0, len(SITE), 0)
    assert tree(out) == SITE


def test_whatever_else_was_in_the_output_is_removed(tmp_path):
    out = tmp_path / "output"
    write_site(SITE, out)
    (out / "stray.txt").write_bytes(b"put here by hand")
    (out / "empty-folder").mkdir()
    (out / "projects/zhoukou-steel/notes.md").write_bytes(b"x")
    report = write_site(SITE, out)
    assert report.removed == 2
    assert tree(out) == SITE
    assert not (out / "empty-folder").exists()


def test_output_folder_and_its_parents_are_created(tmp_path):
    out = tmp_path / "a" / "b" / "output"
    write_site({"index.html": b"x"}, out)
    assert tree(out) == {"index.html": b"x"}


def test_an_empty_site_empties_the_output(tmp_path):
    out = tmp_path / "output"
    write_site(SITE, out)
    report = write_site({}, out)
    assert report.removed == len(SITE)
    assert out.is_dir() and tree(out) == {}


def test_the_output_folder_keeps_its_permissions(tmp_path):
    out = tmp_path / "output"
    write_site(SITE, out)
    out.chmod(0o750)
    write_site({**SITE, "index.html": b"changed"}, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o750


def test_progress_is_reported_at_most_about_a_hundred_times(tmp_path):
    calls = []
    files = {f"p/{i:04d}.html": b"x" for i in range(1234)}
    write_site(files, tmp_path / "output", progress=lambda done, total: calls.append((done, total)))
    assert 10 <= len(calls) <= 101
    assert calls[-1] == (1234, 1234)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    few = []
    write_site({"a": b"", "b": b""}, tmp_path / "o2", progress=lambda d, t: few.append((d, t)))
    assert few == [(1, 2), (2, 2)]


def test_content_must_be_bytes(tmp_path):
    with pytest.raises(TypeError, match="index.html"):
        write_site({"index.html": "text"}, tmp_path / "output")  # type: ignore[dict-item]
    assert os.listdir(tmp_path) == []


# --- routes ---------------------------------------------------------------

def test_write_site_refuses_unsafe_routes_before_writing_anything(tmp_path):
    out = tmp_path / "output"
    write_site(SITE, out)
    with pytest.raises(UnsafePath, match=r"(?s)2 unsafe output paths:.*\.\./x.*con\.html"):
        write_site({**SITE, "../x": b"", "con.html": b""}, out)
    assert tree(out) == SITE and leftovers(out) == []


@pytest.mark.parametrize("a, b", [
    pytest.param("Index.html", "index.html", id="case"),
    pytest.param("caf\u00e9.html", "cafe\u0301.html", id="nfc-nfd"),
    pytest.param("\ufb01le.html", "file.html", id="nfkc-ligature"),
    pytest.param("\uff21.html", "a.html", id="nfkc-fullwidth"),
    pytest.param("Projects/a.html", "projects/b.html", id="folder-case"),
    pytest.param("a", "a/b.html", id="file-and-folder"),
    pytest.param("A", "a/b.html", id="file-and-folder-case"),
])
def test_routes_that_clash_on_case_insensitive_systems_are_refused(tmp_path, a, b):
    out = tmp_path / "output"
    write_site(SITE, out)
    before = {route: inode(out / route) for route in SITE}
    with pytest.raises(UnsafePath) as caught:
        write_site({**SITE, a: b"1", b: b"2"}, out)
    assert repr(a) in str(caught.value) and repr(b) in str(caught.value)
    assert tree(out) == SITE and leftovers(out) == []
    assert {route: inode(out / route) for route in SITE} == before


def test_a_first_build_with_a_clash_creates_nothing(tmp_path):
    with pytest.raises(UnsafePath):
        write_site({"Index.html": b"", "index.html": b""}, tmp_path / "output")
    assert os.listdir(tmp_path) == []


# --- the output folder itself ---------------------------------------------

def test_output_that_is_a_symlink_is_refused(tmp_path):
    real = tmp_path / "real"
    write_site(SITE, real)
    out = tmp_path / "output"
    out.symlink_to(real)
    with pytest.raises(WriteError, match="symbolic link"):
        write_site({"index.html": b"new"}, out)
    assert out.is_symlink() and tree(real) == SITE and leftovers(out) == []


def test_output_that_is_a_file_is_refused(tmp_path):
    out = tmp_path / "output"
    out.write_bytes(b"not a folder")
    with pytest.raises(WriteError, match="not a folder"):
        write_site(SITE, out)
    assert out.read_bytes() == b"not a folder" and leftovers(out) == []


def test_symlinks_inside_the_old_output_are_never_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.html").write_bytes(b"same")
    (outside / "x.html").write_bytes(b"same")
    outside_inodes = {p.name: inode(p) for p in outside.iterdir()}
    out = tmp_path / "output"
    out.mkdir()
    (out / "index.html").symlink_to(outside / "index.html")
    (out / "projects").symlink_to(outside, target_is_directory=True)
    files = {"index.html": b"same", "projects/x.html": b"same"}
    report = write_site(files, out)
    assert (report.written, report.linked, report.removed) == (2, 0, 1)
    assert tree(out) == files
    assert {p.name: inode(p) for p in outside.iterdir()} == outside_inodes
    assert (outside / "x.html").read_bytes() == b"same"


def test_an_output_that_is_a_mount_point_is_refused(tiny_tmpfs):
    write_site(SITE, tiny_tmpfs / "site")  # the mount itself can be filled, not swapped
    with pytest.raises(WriteError, match="mount point"):
        write_site(SITE, tiny_tmpfs)


# --- failures leave the old site exactly as it was --------------------------

def assert_unchanged(out: Path, site: dict[str, bytes], inodes: dict[str, int]) -> None:
    assert tree(out) == site
    assert {route: inode(out / route) for route in site} == inodes
    assert leftovers(out) == []


def test_a_file_size_limit_mid_write_leaves_the_old_site(tmp_path):
    """RLIMIT_FSIZE (with SIGXFSZ ignored) makes write() fail with EFBIG, as a full disk would."""
    out = tmp_path / "output"
    write_site(SITE, out)
    inodes = {route: inode(out / route) for route in SITE}
    r = run_python(f"""
        import json, resource, signal
        from builder.write import write_site, WriteError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
        files = {{f"a/{{i:03d}}.html": b"x" * 100 for i in range(200)}}
        files["zz/big.bin"] = b"y" * 1_000_000
        seen = []
        try:
            write_site(files, {str(out)!r}, progress=lambda d, t: seen.append(d))
        except WriteError as e:
            print(json.dumps({{"error": str(e), "staged": max(seen, default=0)}}))
    """)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert "larger than this system allows" in result["error"]
    assert "zz/big.bin" in result["error"] and "previous site is unchanged" in result["error"]
    assert result["staged"] >= 100  # it failed mid-write, not before
    assert_unchanged(out, SITE, inodes)


def test_a_path_too_long_for_the_system_mid_write_leaves_the_old_site(tmp_path):
    out = tmp_path / "output"
    write_site(SITE, out)
    inodes = {route: inode(out / route) for route in SITE}
    deep = "/".join(["z" * 250] * 20) + "/index.html"  # every segment fine, 5 KB in all
    staged = []
    with pytest.raises(WriteError, match="path is too long.*previous site is unchanged"):
        write_site({**SITE, deep: b"x"}, out, progress=lambda d, t: staged.append(d))
    assert staged and max(staged) >= len(SITE)
    assert_unchanged(out, SITE, inodes)


def test_a_full_disk_leaves_the_old_site(tiny_tmpfs):
    out = tiny_tmpfs / "site"
    site = {f"p/{i}.html": bytes([i]) * 50_000 for i in range(8)}  # 400 KB of 1 MiB
    write_site(site, out)
    inodes = {route: inode(out / route) for route in site}
    free = os.statvfs(tiny_tmpfs).f_bfree
    with pytest.raises(WriteError, match="the disk is full.*previous site is unchanged"):
        write_site({**site, "p/0.html": b"changed", "zz.bin": b"z" * 700_000}, out)
    assert_unchanged(out, site, inodes)
    assert os.statvfs(tiny_tmpfs).f_bfree == free  # the partial staging is gone too
    report = write_site({**site, "p/0.html": b"changed"}, out)  # and it still works
    assert (report.written, report.linked) == (1, 7)


def test_a_read_only_file_system_leaves_the_old_site(tiny_tmpfs):
    out = tiny_tmpfs / "site"
    write_site(SITE, out)
    inodes = {route: inode(out / route) for route in SITE}
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_tmpfs)], check=True)
    with pytest.raises(WriteError, match="read-only.*previous site is unchanged"):
        write_site({**SITE, "index.html": b"new"}, out)
    assert_unchanged(out, SITE, inodes)


def test_an_output_from_a_lower_overlayfs_layer_is_refused_in_plain_words(tmp_path):
    """On overlayfs a folder from a lower layer (a container image) cannot be renamed: EXDEV."""
    if not IS_ROOT:
        pytest.skip("mounting overlayfs needs root")
    lower, upper, work, merged = (tmp_path / n for n in ("lower", "upper", "work", "merged"))
    for d in (lower, upper, work, merged):
        d.mkdir()
    write_site(SITE, lower / "output")
    opts = f"lowerdir={lower},upperdir={upper},workdir={work}"
    if subprocess.run(["mount", "-t", "overlay", "overlay", "-o", opts, str(merged)],
                      capture_output=True, check=False).returncode:
        pytest.skip("cannot mount overlayfs here")
    try:
        out = merged / "output"
        with pytest.raises(WriteError, match="cannot be moved.*delete it once.*unchanged"):
            write_site({**SITE, "index.html": b"new"}, out)
        assert tree(out) == SITE and leftovers(out) == []
        shutil.rmtree(out)  # as the message says: then it lives in the upper layer
        write_site(SITE, out)
        report = write_site({**SITE, "index.html": b"new"}, out)
        assert (report.written, report.linked) == (1, len(SITE) - 1)
    finally:
        subprocess.run(["umount", "-l", str(merged)], check=False)


@pytest.mark.skipif(not IS_ROOT, reason="needs root to switch to another user")
def test_permission_denied_leaves_the_old_site():
    """As `nobody`, in a folder owned by root (root itself ignores file modes)."""
    base = Path(tempfile.mkdtemp(prefix="test_write-"))
    try:
        base.chmod(0o755)
        out = base / "output"
        write_site(SITE, out)
        inodes = {route: inode(out / route) for route in SITE}
        r = run_python(f"""
            import os
            from builder.write import write_site, WriteError
            os.setgroups([]); os.setgid(65534); os.setuid(65534)
            try:
                write_site({{"index.html": b"new"}}, {str(out)!r})
            except WriteError as e:
                print(e)
        """)
        assert r.returncode == 0, r.stderr
        assert "permission was denied" in r.stdout and "previous site is unchanged" in r.stdout
        assert_unchanged(out, SITE, inodes)
    finally:
        shutil.rmtree(base)


def test_a_killed_build_leaves_the_old_site_and_clean_leftovers_removes_its_folder(tmp_path):
    out = tmp_path / "output"
    write_site(SITE, out)
    inodes = {route: inode(out / route) for route in SITE}
    r = run_python(f"""
        import os, signal
        from builder.write import write_site
        def die(done, total):
            if done >= 500:
                os.kill(os.getpid(), signal.SIGKILL)
        write_site({{f"p/{{i:04d}}.html": b"x" for i in range(2000)}}, {str(out)!r}, progress=die)
    """)
    assert r.returncode == -signal.SIGKILL
    assert tree(out) == SITE
    assert len(leftovers(out)) == 1 and leftovers(out)[0].startswith(".output.staging-")
    assert clean_leftovers(out) == 1
    assert_unchanged(out, SITE, inodes)


# --- leftovers --------------------------------------------------------------

def test_clean_leftovers_removes_only_this_outputs_unheld_folders(tmp_path):
    out = tmp_path / "output"
    write_site(SITE, out)
    for name in (".output.staging-1a2b", ".output.old-3c4d", ".output.old-recent",
                 ".other.staging-5e6f", ".other.old-7a8b", ".output.staging-held"):
        (tmp_path / name / "sub").mkdir(parents=True)
        (tmp_path / name / "sub" / "f.html").write_bytes(b"x")
    age(tmp_path / ".output.old-3c4d")
    age(tmp_path / ".other.old-7a8b")
    (tmp_path / ".output.staging-a-file").write_bytes(b"not a folder")
    held = os.open(tmp_path / ".output.staging-held", os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a running build holds its staging folder
    try:
        assert clean_leftovers(out) == 2
    finally:
        os.close(held)
    assert sorted(os.listdir(tmp_path)) == [".other.old-7a8b", ".other.staging-5e6f",
                                            ".output.old-recent", ".output.staging-a-file",
                                            ".output.staging-held", "output"]
    assert clean_leftovers(out) == 1
    assert tree(out) == SITE
    assert clean_leftovers(tmp_path / "nowhere" / "output") == 0


# --- the swap ---------------------------------------------------------------

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux")
def test_rename_exchange_works_on_this_file_system(fs):
    a, b = fs / "a", fs / "b"
    a.mkdir()
    b.mkdir()
    (a / "from-a").touch()
    assert write._exchange(str(a), str(b)) is True
    assert os.listdir(b) == ["from-a"] and os.listdir(a) == []


def test_the_fallback_swap_without_rename_exchange(fs, monkeypatch):
    monkeypatch.setattr(write, "_renameat2", lambda: None)
    out = fs / "output"
    write_site(SITE, out)
    before = {route: inode(out / route) for route in SITE}
    second = {**SITE, "index.html": b"new"}
    report = write_site(second, out)
    assert (report.written, report.linked, report.removed) == (1, len(SITE) - 1, 0)
    assert tree(out) == second and leftovers(out) == []
    assert inode(out / "data/projects.csv") == before["data/projects.csv"]
    [old] = kept(out)
    assert tree(old) == SITE


def test_readers_never_see_a_missing_file_or_a_mixed_site(fs):
    """A reader lists and reads out/ while 50 writes alternate between two versions."""
    if write._renameat2() is None:
        pytest.skip("no RENAME_EXCHANGE here: the fallback swap leaves a short gap")
    out = fs / "output"
    versions = [{"index.html": bytes([48 + v]) * 300_000, f"only-{v}.html": b"x",
                 "same.css": b"body{}", **{f"p/{i}.html": bytes([v]) * 100 for i in range(200)}}
                for v in (0, 1)]
    listings = [sorted({r.split("/")[0] for r in v}) for v in versions]
    write_site(versions[0], out)
    stop = threading.Event()
    problems: list[str] = []
    reads = [0]

    def reader() -> None:
        while not stop.is_set():
            try:
                listing = sorted(os.listdir(out))
                with open(out / "index.html", "rb") as f:
                    body = f.read()
            except OSError as e:
                problems.append(repr(e))
                continue
            reads[0] += 1
            if listing not in listings:
                problems.append(f"listing {listing}")
            if body not in (versions[0]["index.html"], versions[1]["index.html"]):
                problems.append(f"mixed index.html of {len(body)} bytes")

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(50):
            write_site(versions[(i + 1) % 2], out)
    finally:
        stop.set()
        thread.join()
    assert problems == []
    assert reads[0] > 50
    assert tree(out) == versions[0] and leftovers(out) == []
    assert tree(kept(out)[-1]) == versions[1]


def test_a_fifo_in_the_old_output_is_replaced_without_hanging(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    os.mkfifo(out / "index.html")  # opened for reading, it would wait for a writer forever
    files = {"index.html": b"same"}
    report = write_site(files, out)
    assert (report.written, report.linked, report.removed) == (1, 0, 0)
    assert tree(out) == files
