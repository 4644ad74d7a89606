"""Stage 6, write: the one module that touches the output folder.

`write_site` checks every route (`safe_route`; clashes by case, Unicode form,
or file versus folder), then stages the site in `.<name>.staging-<random>`
beside `out`: a file whose bytes equal the old `out`'s at its route is
hard-linked from it, any other is written (O_EXCL). Nothing in the old output
is followed through a symlink. Linux swaps the folders in one step
(`renameat2` RENAME_EXCHANGE), so `out` is always the complete old or the
complete new site; elsewhere, or on EINVAL, `out` is renamed aside and the
staging renamed in, leaving `out` missing for the microseconds between. The
old site stays as `.<name>.old-<random>` for KEEP_OLD_SECONDS, then a later
write removes it, so a reader that opened it before the swap finds every
file. A failure before the swap removes the staging and raises `WriteError`
in plain words, `out` untouched. POSIX only (Linux, macOS).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import secrets
import shutil
import stat
import sys
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from .errors import BulletinError

__all__ = ["WriteReport", "WriteError", "UnsafePath", "write_site", "safe_route", "clean_leftovers"]


class WriteError(BulletinError):
    """Raised when the output could not be written; the previous site is unchanged."""


class UnsafePath(WriteError):
    """Raised when a route could leave the output folder or clash with another route."""


@dataclass(frozen=True)
class WriteReport:
    """What one `write_site` did."""

    written: int  # files whose bytes are new or changed (or that could not be linked)
    linked: int   # unchanged files carried over by hard link (no write)
    removed: int  # files in the old output that the new site no longer has
    seconds: float


_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$"} | {
    f"{port}{n}" for port in ("com", "lpt") for n in "0123456789¹²³"}
_FORBIDDEN = frozenset('\\<>:"|?*')  # backslash, and what Windows forbids in names
_MAX_SEGMENT_BYTES = 255
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _segment_problem(seg: str) -> str | None:
    """Why one path segment is unsafe, or None."""
    if seg == "":
        return "it has an empty segment ('//', or a '/' at the start or end)"
    if seg in (".", ".."):
        return f"'{seg}' segments are not allowed"
    if _CONTROL.search(seg):
        return "it contains a control character"
    if _FORBIDDEN.intersection(seg):
        return 'it contains a backslash or a character Windows forbids (< > : " | ? *)'
    if seg[-1] in ". ":
        return f"{seg!r} ends with a dot or a space, which Windows drops"
    if seg.split(".", 1)[0].rstrip(" ").lower() in _RESERVED:
        return f"{seg!r} is a reserved device name on Windows"
    try:
        size = len(seg.encode("utf-8"))
    except UnicodeEncodeError:
        return "it is not valid Unicode"
    if size > _MAX_SEGMENT_BYTES:
        return f"a segment is {size} bytes long; file systems allow {_MAX_SEGMENT_BYTES}"
    if "%" in seg:  # a server or tool downstream may decode it, once or more
        decoded = unquote(unquote(unquote(seg)))
        if "/" in decoded or "\\" in decoded:
            return "it contains a percent-encoded slash or backslash"
        if decoded in (".", ".."):
            return "it contains a percent-encoded '.' or '..' segment"
        if _CONTROL.search(decoded):
            return "it contains a percent-encoded control character"
    return None


def safe_route(route: str) -> str:
    """Return `route` if it is a safe POSIX relative path, else raise UnsafePath.

    Nothing is repaired: a route is accepted only in its one canonical
    spelling (no `./`, `//`, `..`, leading or trailing `/`), so two accepted
    strings never name one file on Linux.
    """
    _check_routes([route])
    return route


def _fold(segment: str) -> str:
    """The name a case- and normalisation-insensitive file system sees."""
    if segment.isascii():
        return segment.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", segment).casefold())


def _check_routes(routes: list[str]) -> None:
    """Raise UnsafePath naming every bad route and every clash between two routes."""
    problems = []
    seen: dict[str, tuple[str, bool, str]] = {}  # folded prefix -> (prefix, is_file, route)
    memo: dict[str, tuple[str | None, str]] = {}  # segment -> (problem, folded)
    for route in routes:
        if not isinstance(route, str) or route.startswith("/"):
            why = "it is not text" if not isinstance(route, str) else "it is absolute"
            problems.append(f"{route!r}: {why}")
            continue
        segs = route.split("/")
        key = prefix = ""
        for i, seg in enumerate(segs):
            if (known := memo.get(seg)) is None:
                known = memo[seg] = (_segment_problem(seg), _fold(seg))
            if known[0]:
                problems.append(f"{route!r}: {known[0]}")
                break
            key += "/" + known[1]
            prefix, is_file = (prefix + "/" + seg if i else seg), i == len(segs) - 1
            prev = seen.setdefault(key, (prefix, is_file, route))
            if prev[0] != prefix:
                problems.append(f"{prev[2]!r} and {route!r} clash: {prev[0]!r} and {prefix!r} "
                                "differ only by letter case or Unicode form, so they are one "
                                "name on case-insensitive file systems (macOS, Windows)")
                break
            if prev[2] != route and (prev[1] or is_file):
                problems.append(f"{prev[2]!r} and {route!r} clash: {prefix!r} cannot be both "
                                "a file and a folder")
                break
    if len(problems) == 1:
        raise UnsafePath(f"unsafe output path {problems[0]}")
    if problems:
        more = f"\n  … and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise UnsafePath(f"{len(problems)} unsafe output paths:\n  "
                         + "\n  ".join(problems[:10]) + more)


_AT_FDCWD = -100  # renameat2's third argument, 2, is RENAME_EXCHANGE
KEEP_OLD_SECONDS = 5.0  # an old site outlives its swap this long, for readers still in it


@cache
def _renameat2() -> Callable[..., int] | None:
    """glibc's renameat2 (2.28 and later), or None where there is none."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2 if sys.platform == "linux" else None
    except (OSError, AttributeError):
        return None
    if fn is not None:
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn


def _exchange(a: str, b: str) -> bool:
    """Swap two paths atomically; False when this system or file system cannot."""
    fn = _renameat2()
    if fn is None or fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), 2) == 0:
        return fn is not None
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), a, None, b)


def _swap(stage: str, out: str, existed: bool) -> None:
    """Put `stage` at `out`; the old site, if any, goes to `.<name>.old-<random>`."""
    if not existed:
        return os.rename(stage, out)
    parent, name = os.path.split(out)
    aside = f"{parent}/.{name}.old-{secrets.token_hex(8)}"
    if _exchange(stage, out):
        with contextlib.suppress(OSError):  # swapped; the old site only needs its name
            os.rename(stage, aside)
    else:
        os.rename(out, aside)
        try:
            os.rename(stage, out)
        except BaseException:
            os.rename(aside, out)
            raise
    with contextlib.suppress(OSError):
        os.utime(aside)  # the moment it went out of service
    return None


_PLAIN = {
    errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "a file is larger than this system allows",
    errno.EACCES: "permission was denied", errno.EPERM: "the operation was not permitted",
    errno.EROFS: "the file system is read-only", errno.EMFILE: "too many files are open",
    errno.ENAMETOOLONG: "a path is too long", errno.EIO: "the disk reported an I/O error",
    errno.EXDEV: "the output folder cannot be moved on this file system (on overlayfs, a folder "
                 "from a lower layer cannot: delete it once, then build again)",
    errno.EBUSY: "the output folder is in use or is a mount point",
}


def _failure(exc: OSError, stage: str | None, out: str, existed: bool) -> WriteError:
    what = _PLAIN.get(exc.errno or 0, exc.strerror or str(exc))
    where = os.fsdecode(exc.filename or out)
    if stage and where.startswith(stage):
        where = out + where[len(stage):]
    after = "the previous site is unchanged" if existed else "no site was published"
    return WriteError(f"{what} while writing output ({where}): {after}")


def _lock(path: str) -> int | None:
    """An fd holding an exclusive flock on the folder; None if another holds it or it is gone."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError:  # a file system without flock: carry on unlocked
        pass
    return fd


def _scan(out: str) -> dict[str, int]:
    """Every non-folder in the old output: route -> size, or -1 if not a regular file."""
    found: dict[str, int] = {}
    stack = [("", out)]
    while stack:
        rel, path = stack.pop()
        with os.scandir(path) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    stack.append((rel + e.name + "/", e.path))
                else:
                    found[rel + e.name] = (e.stat(follow_symlinks=False).st_size
                                           if e.is_file(follow_symlinks=False) else -1)
    return found


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:  # one read returns a regular file whole (up to 2 GiB on Linux); a short one differs
        return os.read(fd, len(data) + 1) == data
    finally:
        os.close(fd)


def _write_new(path: str, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        with open(os.open(path, flags, 0o644), "wb", buffering=0) as f:
            view = memoryview(data)
            while view:
                view = view[f.write(view):]
    except OSError as e:  # write() errors name no file: name it
        raise OSError(e.errno, e.strerror, e.filename or path) from None


def _stage(files: Mapping[str, bytes], routes: list[str], stage: str, out: str,
           old: dict[str, int], progress: Callable[[int, int], None] | None) -> tuple[int, int]:
    """Fill the staging folder; return (written, linked)."""
    written = linked = 0
    made = {""}
    can_link = True
    total = len(routes)
    step = max(1, -(-total // 100))
    for done, route in enumerate(routes, 1):
        data = files[route]
        folder = route.rpartition("/")[0]
        if folder not in made:
            segs = folder.split("/")
            for sub in ("/".join(segs[:i]) for i in range(1, len(segs) + 1)):
                if sub not in made:
                    os.mkdir(f"{stage}/{sub}", 0o755)
                    made.add(sub)
        dst, src = f"{stage}/{route}", f"{out}/{route}"
        same = can_link and old.get(route) == len(data) and _same_bytes(src, data)
        if same:
            try:
                os.link(src, dst, follow_symlinks=False)
                linked += 1
            except OSError as e:  # cross-device, no hard links here, or too many links
                can_link = e.errno == errno.EMLINK
                same = False
        if not same:
            _write_new(dst, data)
            written += 1
        if progress is not None and (done % step == 0 or done == total):
            progress(done, total)
    return written, linked


def write_site(files: Mapping[str, bytes], out: Path | str, *,
               progress: Callable[[int, int], None] | None = None) -> WriteReport:
    """Publish `files` ({route: bytes}) as the folder `out`, atomically."""
    start = time.perf_counter()
    routes = sorted(files)
    if bad := [r for r in routes if not isinstance(files[r], (bytes, bytearray, memoryview))]:
        raise TypeError(f"the content of these routes is not bytes: {bad[:5]}")
    _check_routes(routes)
    out_s = os.path.abspath(os.fspath(out))
    parent, name = os.path.split(out_s)
    st: os.stat_result | None = None
    try:
        os.makedirs(parent, exist_ok=True)
        parent_dev = os.stat(parent).st_dev
        st = os.lstat(out_s)
    except FileNotFoundError:
        pass
    except OSError as e:
        raise _failure(e, None, out_s, False) from None
    if not name or (st is not None and not stat.S_ISDIR(st.st_mode)):
        what = ("the file system root" if not name else "a symbolic link"
                if st and stat.S_ISLNK(st.st_mode) else "not a folder")
        raise WriteError(f"refusing to publish to {out_s}: it is {what}; "
                         "the output must be a real folder (or not exist yet)")
    if st is not None and st.st_dev != parent_dev:
        raise WriteError(f"cannot publish to {out_s}: it is a mount point, which cannot be "
                         "swapped atomically; use a folder inside it")
    clean_leftovers(out_s)  # old sites past their time, and what killed builds left
    stage = lock = old_lock = None
    try:
        path = os.path.join(parent, f".{name}.staging-{secrets.token_hex(8)}")
        os.mkdir(path, 0o755)
        stage = path
        lock = _lock(stage)
        if st is not None:
            os.chmod(stage, stat.S_IMODE(st.st_mode))
        old = _scan(out_s) if st is not None else {}
        written, linked = _stage(files, routes, stage, out_s, old, progress)
        if st is not None:
            old_lock = _lock(out_s)  # None while another build swaps: then go unlocked
        _swap(stage, out_s, st is not None)
    except BaseException as e:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        for fd in (lock, old_lock):
            if fd is not None:
                os.close(fd)
        if isinstance(e, OSError):
            raise _failure(e, stage or path, out_s, st is not None) from None
        raise
    with contextlib.suppress(OSError):  # make the renames durable
        fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    for fd in (lock, old_lock):  # the old site stays a while, unlocked, for readers in it
        if fd is not None:
            os.close(fd)
    removed = sum(1 for route in old if route not in files)
    return WriteReport(written, linked, removed, time.perf_counter() - start)


def clean_leftovers(out: Path | str) -> int:
    """Remove the staging folders killed builds left beside `out`, and old sites out of
    service for KEEP_OLD_SECONDS; return how many went. Skips what a running build holds."""
    out_s = os.path.abspath(os.fspath(out))
    parent, name = os.path.split(out_s)
    staging, old, cutoff = f".{name}.staging-", f".{name}.old-", time.time() - KEEP_OLD_SECONDS
    removed = 0
    try:
        with os.scandir(parent) as it:
            found = sorted(e.path for e in it if e.is_dir(follow_symlinks=False) and (
                e.name.startswith(staging) or e.name.startswith(old) and e.stat().st_mtime < cutoff))
        for path in found:
            if (fd := _lock(path)) is None:
                continue  # a running build holds it, or it is gone
            try:
                shutil.rmtree(path)
                removed += 1
            finally:
                os.close(fd)
    except FileNotFoundError:
        pass
    except OSError as e:
        raise WriteError(f"could not remove leftover folders beside {out_s}: "
                         f"{e.strerror} ({e.filename})") from None
    return removed
