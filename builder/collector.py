"""Python's cyclic garbage collector, paused where it only costs time and on where it pays.

Each collection walks every object the process holds, and a build holds a site: at
20,000 projects a build spent seconds in it, freeing nothing. Parsing and deriving
make objects that form no cycles (reference counting frees them), so those stages
run with the collector paused, and a one-shot build (`pipeline.build`) pauses it
throughout. Pages are the exception: each leaves cycles behind (Jinja's context and
the macros it imports hold each other, with all of a page's figures), so they are
rendered with it on (`renderpool`).
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

__all__ = ["paused", "running"]


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
