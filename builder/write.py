"""Stage 6, write: the one module that touches the output folder.

The new site is made in `.<name>.staging-<random>` beside `out` (`Staging`): a
file whose bytes equal the old `out`'s at its route is hard-linked from it, any
other is written (O_EXCL). Files go in as they are made, from forked render
workers too (a one-shot build's pages never come back to the build process);
`publish` puts in the rest, checks every route (`routes.check_routes`: escapes,
clashes by case, Unicode form, or file versus folder) and swaps the folder in.
Nothing in the old output is followed through a symlink. Linux swaps the folders
in one step (`renameat2` RENAME_EXCHANGE), so `out` is always the complete old or
the complete new site; elsewhere, or on EINVAL, `out` is renamed aside and the
staging renamed in, leaving `out` missing for the microseconds between. The old
site stays as `.<name>.old-<random>` for KEEP_OLD_SECONDS, then a later write
removes it, so a reader that opened it before the swap finds every file. A
failure before the swap removes the staging and raises `WriteError` in plain
words, `out` untouched. `write_site` does it all at once. POSIX only (Linux, macOS).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import secrets
import shutil
import stat
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .routes import UnsafePath, WriteError, check_routes, safe_route

__all__ = ["WriteReport", "WriteError", "UnsafePath", "Staging", "StagedSite", "write_site",
           "safe_route", "clean_leftovers"]


@dataclass(frozen=True)
class WriteReport:
    """What one `write_site` did."""

    written: int  # files whose bytes are new or changed (or that could not be linked)
    linked: int   # unchanged files carried over by hard link (no write)
    removed: int  # files in the old output that the new site no longer has
    seconds: float


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


def _scan(out: str) -> set[str]:
    """Every non-folder in the old output (named by its folder's entries: no stat)."""
    found: set[str] = set()
    stack = [("", out)]
    while stack:
        rel, path = stack.pop()
        with os.scandir(path) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    stack.append((rel + e.name + "/", e.path))
                else:
                    found.add(rel + e.name)
    return found


def _same_bytes(path: str, data: bytes) -> bool:
    """Whether `path` is a regular file (not a link to one) holding `data`."""
    try:  # (O_NONBLOCK: a FIFO left in the old output must not hang the build)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:  # one read returns a regular file whole (up to 2 GiB on Linux); a short one differs
        st = os.fstat(fd)
        return (stat.S_ISREG(st.st_mode) and st.st_size == len(data)
                and os.read(fd, len(data) + 1) == data)
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


class Staging:
    """The new site, made in `.<name>.staging-<random>` beside `out` and swapped in by
    `publish`. Files go in as they are made (`put`), from forked render workers too
    (each counts its own). On any failure, `discard` it: `out` is untouched."""

    def __init__(self, out: Path | str):
        self.out = out_s = os.path.abspath(os.fspath(out))
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
        self.existed, self.path, self._named = st is not None, "", ""
        self._locks: list[int] = []
        self._made, self._can_link = {""}, True
        self._old = {"": st is not None}  # folders of the old output: real ones (no symlink)?
        self.written = self.linked = 0
        try:
            self._named = path = os.path.join(parent, f".{name}.staging-{secrets.token_hex(8)}")
            os.mkdir(path, 0o755)
            self.path = path
            self._locks += [fd] if (fd := _lock(path)) is not None else []
            if st is not None:
                os.chmod(path, stat.S_IMODE(st.st_mode))
        except BaseException as e:
            raise self._failed(e) from None

    def put(self, route: str, data: bytes) -> bool:
        """Write one file (replacing what a failed worker may have left); whether it was
        hard-linked from the old site, its bytes being the same."""
        safe_route(route)  # (clashes between routes: `publish` checks them all)
        return self._put(route, data)

    def _put(self, route: str, data: bytes) -> bool:
        folder = route.rpartition("/")[0]
        if folder not in self._made:
            segs = folder.split("/")
            for sub in ("/".join(segs[:i]) for i in range(1, len(segs) + 1)):
                if sub not in self._made:
                    with contextlib.suppress(FileExistsError):  # made by another worker
                        os.mkdir(f"{self.path}/{sub}", 0o755)
                    self._made.add(sub)
        try:
            return self._place(route, data, folder)
        except FileExistsError:  # what a worker that failed left there
            os.unlink(f"{self.path}/{route}")
            return self._place(route, data, folder)

    def _place(self, route: str, data: bytes, folder: str) -> bool:
        """Link the old file if its bytes are `data`, else write it; whether linked."""
        dst, src = f"{self.path}/{route}", f"{self.out}/{route}"
        if self._can_link and self._old_folder(folder) and _same_bytes(src, data):
            try:
                os.link(src, dst, follow_symlinks=False)
                self.linked += 1
                return True
            except FileExistsError:
                raise
            except OSError as e:  # cross-device, no hard links here, or too many links
                self._can_link = e.errno == errno.EMLINK
        _write_new(dst, data)
        self.written += 1
        return False

    def _old_folder(self, folder: str) -> bool:
        """Whether the old output has `folder`, reached through no symbolic link."""
        real = self._old.get(folder)
        if real is None:
            try:
                real = (self._old_folder(folder.rpartition("/")[0])
                        and stat.S_ISDIR(os.lstat(f"{self.out}/{folder}").st_mode))
            except OSError:
                real = False
            self._old[folder] = real
        return real

    def read(self, route: str) -> bytes:
        """A file put in before (by a render worker)."""
        fd = os.open(f"{self.path}/{route}", os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with open(fd, "rb") as f:
            return f.read()

    def publish(self, files: Mapping[str, bytes], *,
                progress: Callable[[int, int], None] | None = None) -> WriteReport:
        """Put in `files` ({route: bytes}, or a `StagedSite` of this staging) and swap the
        folder in as `out`, atomically."""
        start, put = time.perf_counter(), {}
        if isinstance(files, StagedSite):
            files, put = files.files, files.put
        routes = sorted(files)
        if bad := [r for r in routes if not isinstance(files[r], (bytes, bytearray, memoryview))]:
            self.discard()
            raise TypeError(f"the content of these routes is not bytes: {bad[:5]}")
        try:
            check_routes(sorted([*routes, *put]))
            step, total = max(1, -(-len(routes) // 100)), len(routes)
            for done, route in enumerate(routes, 1):
                self._put(route, files[route])
                if progress is not None and (done % step == 0 or done == total):
                    progress(done, total)
            if self.existed and (fd := _lock(self.out)) is not None:
                self._locks.append(fd)  # (None while another build swaps: then go unlocked)
            old = _scan(self.out) if self.existed else set()
            _swap(self.path, self.out, self.existed)
        except BaseException as e:
            raise self._failed(e) from None
        with contextlib.suppress(OSError):  # make the renames durable
            fd = os.open(os.path.dirname(self.out), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        self._unlock()  # the old site stays a while, unlocked, for readers in it
        linked = self.linked + sum(put.values())
        removed = sum(1 for route in old if route not in files and route not in put)
        return WriteReport(self.written + len(put) - sum(put.values()), linked, removed,
                           time.perf_counter() - start)

    def discard(self) -> None:
        """Remove the staging folder (a build that failed)."""
        if self.path:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = ""
        self._unlock()

    def _unlock(self) -> None:
        while self._locks:
            os.close(self._locks.pop())

    def _failed(self, e: BaseException) -> BaseException:
        self.discard()
        return _failure(e, self._named, self.out, self.existed) if isinstance(e, OSError) else e


class StagedSite(Mapping):
    """A site ({route: bytes}) of which some files were put in a `Staging` already (by
    render workers): those are read back from it when asked for."""

    def __init__(self, files: Mapping[str, bytes], put: Mapping[str, bool], staging: Staging):
        self.files, self.put, self._staging = files, put, staging  # put: route -> linked

    def __getitem__(self, route: str) -> bytes:
        if route in self.files:
            return self.files[route]
        if route in self.put:
            return self._staging.read(route)
        raise KeyError(route)

    def __contains__(self, route: object) -> bool:
        return route in self.files or route in self.put

    def __iter__(self) -> Iterator[str]:
        yield from self.files
        yield from (r for r in self.put if r not in self.files)

    def __len__(self) -> int:
        return len(self.files) + sum(1 for r in self.put if r not in self.files)


def write_site(files: Mapping[str, bytes], out: Path | str, *,
               progress: Callable[[int, int], None] | None = None) -> WriteReport:
    """Publish `files` ({route: bytes}) as the folder `out`, atomically."""
    routes = sorted(files)
    if bad := [r for r in routes if not isinstance(files[r], (bytes, bytearray, memoryview))]:
        raise TypeError(f"the content of these routes is not bytes: {bad[:5]}")
    check_routes(routes)  # (before anything is made)
    return Staging(out).publish(files, progress=progress)


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
