"""Files in the cache folder: read whole or not at all, written atomically, never fatal.

The chart SVGs, the share images and the chart templates are kept under the cache
folder by a key of what they are made from. A file that cannot be read (missing,
damaged, half-written by a build that was killed) is a miss, and a cache that
cannot be written (a read-only or full disk) only costs time: the build goes on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Callable

__all__ = ["read", "write"]

log = logging.getLogger(__name__)


def read(path: Path, whole: Callable[[bytes], bool]) -> bytes | None:
    """The file's bytes if `whole(data)` holds (its format's start and end are there)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if whole(data) else None


def write(path: Path, data: bytes, what: str) -> bool:
    """Write `data` to `path` through a temporary file beside it; whether it was written
    (`what` names it in the warning logged when it was not)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:16]}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return True
    except OSError as err:
        log.warning("cannot cache %s in %s: %s", what, path.parent, err)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
