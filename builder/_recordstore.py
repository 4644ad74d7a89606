"""Validated records kept on disk between runs, keyed by each file's bytes.

`validate(content, cache_dir=...)` keeps `<cache_dir>/records.pickle`: for
each content file, what `validate_file` made of it (record, problems,
references, positions), filed under the SHA-256 of the file's bytes together
with its kind, display path, stem and the site's schedule basis (everything
the result depends on). A later run rebuilds an unchanged file's result from
there instead of parsing and checking it again.

The whole store is dropped when the builder changes: its key (`SALT`) hashes
the source of every `builder/` module, Python's version and PyYAML's. To
avoid reading every file, a file whose stat (inode, size, mtime, ctime) is
the one recorded is taken to hold the bytes recorded, as git's index does,
unless it was modified less than `RACY_NS` before the run that recorded it
(a later edit in the same clock tick could keep the stat). A store that
cannot be read is ignored; one that cannot be written is not an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import platform
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from .load import SourceFile, read_bytes

__all__ = ["RecordStore", "SALT", "key_of", "read_stamped"]

FILE_NAME = "records.pickle"
RACY_NS = 2_000_000_000


def _salt() -> str:
    h = hashlib.sha256(f"{sys.version}\0{platform.machine()}\0{yaml.__version__}".encode())
    root = Path(__file__).resolve().parent
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


SALT = _salt()


def read_stamped(f: SourceFile, basis: str) -> tuple[bytes | None, tuple | None]:
    """`f`'s bytes and ((stat signature, basis), key), the stat taken before the read
    so that a later edit cannot hide behind it; (None, None) if it cannot be read."""
    try:
        st = os.stat(f.fs_path)
    except OSError:
        return None, None
    raw = read_bytes(f.fs_path)
    if raw is None:
        return None, None
    sig = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, basis)
    return raw, (sig, key_of(f, basis, raw))


def key_of(f: SourceFile, basis: str, raw: bytes) -> str:
    """What a result of `f` with these bytes is filed under: everything it depends on."""
    h = hashlib.sha256(f"{f.kind}\0{f.path}\0{f.stem}\0{basis}\0".encode())
    h.update(raw)
    return h.hexdigest()


class _Unpickler(pickle.Unpickler):
    """Unpickles only data: the builder's dataclasses, Decimal and date.

    The store sits in a folder a CI cache may restore from elsewhere; a plain
    unpickler would run whatever a tampered file names, this one refuses it."""

    _allowed: dict[tuple[str, str], Any] = {}

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._allowed[(module, name)]
        except KeyError:
            pass
        if (module, name) in (("decimal", "Decimal"), ("datetime", "date")):
            found = super().find_class(module, name)
        elif module.startswith("builder.") and "__" not in name:
            found = super().find_class(module, name)
            if not (isinstance(found, type) and dataclasses.is_dataclass(found)
                    and "__setstate__" not in vars(found) and "__reduce__" not in vars(found)):
                raise pickle.UnpicklingError(f"{module}.{name} is not stored data")
        else:
            raise pickle.UnpicklingError(f"{module}.{name} is not stored data")
        self._allowed[(module, name)] = found
        return found


class RecordStore:
    """The store of one run: what the last run left, and what this one keeps."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE_NAME
        self.started_ns = time.time_ns()
        self.old_entries: dict[str, bytes] = {}
        self.old_stats: dict[str, tuple[tuple, str]] = {}
        self.old_started = 0
        try:
            with open(self.path, "rb") as fh:
                saved = pickle.load(fh)
            if saved.get("salt") == SALT:
                self.old_entries = saved["entries"]
                self.old_stats = saved["stats"]
                self.old_started = saved["started_ns"]
        except Exception:  # noqa: BLE001 - missing, truncated, from another version: start afresh
            pass
        self.entries: dict[str, bytes] = {}
        self.stats: dict[str, tuple[tuple, str]] = {}
        self.hits = 0
        self.rehashed = 0

    def lookup(self, f: SourceFile, basis: str) -> str | None:
        """`f`'s key, if the store may hold it.

        A file whose stat is the one recorded has the key recorded; one at a path
        the store has seen is read and hashed (it may have been touched, not
        changed); a path it has not seen cannot be in it (keys hold the path):
        None, and its key is taken by whoever reads it to validate it."""
        known = self.old_stats.get(f.path)
        if known is None:
            return None
        try:
            st = os.stat(f.fs_path)
        except OSError:
            return None
        sig = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, basis)
        if known[0] == sig and st.st_mtime_ns < self.old_started - RACY_NS:
            self.stats[f.path] = known
            return known[1]
        self.rehashed += 1  # the store is written again, so next time the stat is enough
        _raw, stamp = read_stamped(f, basis)
        if stamp is None:
            return None
        self.stats[f.path] = stamp
        return stamp[1]

    def record(self, f: SourceFile, stamp: tuple, blob: bytes) -> None:
        """Keep a result validated this run; `stamp` is from `read_stamped`."""
        self.stats[f.path] = stamp
        self.entries[stamp[1]] = blob

    def get(self, key: str | None) -> Any:
        """The stored (record, problems, refs, where) under `key`, or None."""
        blob = self.old_entries.get(key) if key is not None else None
        if blob is None:
            return None
        try:
            value = _Unpickler(io.BytesIO(blob)).load()
        except Exception:  # noqa: BLE001 - a damaged or foreign entry is a miss
            return None
        self.hits += 1
        return value

    def save(self, paths: set[str]) -> None:
        """Write the entries of the files in `paths` (display paths; others are
        dropped), atomically, unless nothing changed."""
        stats = {p: v for p, v in self.old_stats.items() if p in paths}
        stats.update(self.stats)
        keys = {key for _sig, key in stats.values()}
        entries = {k: self.entries.get(k) or self.old_entries[k] for k in keys
                   if k in self.entries or k in self.old_entries}
        if (stats == self.old_stats and entries.keys() == self.old_entries.keys()
                and not self.rehashed):
            return
        data = {"salt": SALT, "started_ns": self.started_ns, "stats": stats, "entries": entries}
        tmp = self.path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
