"""Python's cyclic garbage collector, paused where it only costs time and on where it pays.

Each collection walks every object the process holds, and a build holds a site: at
20,000 projects a build spent seconds in it, freeing nothing. Parsing and deriving
make objects that form no cycles (reference counting frees them), so those stages
run with the collector paused, and a one-shot build (`pipeline.build`) pauses it
throughout. Pages are the exception: each leaves cycles behind (Jinja's context and
the macros it imports hold each other, with all of a page's figures), so they are
rendered with it on (`renderpool`).

Freed memory is not always handed back to the system: C's allocator (glibc's) keeps
what a stage freed among what lives on. `give_back` asks it to return what it can
(a cold build's chart stage leaves ~100 MB so at 5,000 projects).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
from typing import Any, Iterator

__all__ = ["paused", "running", "give_back"]


@contextlib.contextmanager
def paused(freeze: bool = False) -> Iterator[None]:
    """No cyclic collection inside. `freeze`: when it was on before, what was made inside
    is then moved out of its reach (it lives on, and walking it again frees nothing)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if freeze:
                gc.freeze()
            gc.enable()


@contextlib.contextmanager
def running() -> Iterator[None]:
    """The collector on inside, even within `paused`."""
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


@functools.lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def give_back() -> None:
    """Return the freed memory C's allocator holds to the system (glibc: `malloc_trim`;
    elsewhere nothing)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
