"""builder.apart: work done in a forked process comes back whole, or the caller is told."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from builder import apart


def test_the_result_comes_back_from_the_child():
    parent = os.getpid()
    result = apart.start(lambda: {"pid": os.getpid(), "data": b"x" * 3_000_000})
    got = result()
    assert got["pid"] != parent and got["data"] == b"x" * 3_000_000  # (larger than a pipe)


def test_an_error_in_the_child_is_reported_not_raised_there():
    def work():
        raise ValueError("the data is wrong")
    with pytest.raises(apart.Failed, match="ValueError: the data is wrong"):
        apart.start(work)()


def test_a_child_that_dies_is_a_failure():
    with pytest.raises(apart.Failed, match="stopped"):
        apart.start(lambda: os._exit(3))()


def test_a_result_never_asked_for_leaves_no_zombie():
    result = apart.start(lambda: 42)
    # The reader thread may already have reaped the child and ended (a fast machine).
    for thread in [t for t in threading.enumerate() if t.name == "apart"]:
        thread.join(timeout=30)
        assert not thread.is_alive()
    assert _zombies() == []
    assert result() == 42


def _zombies() -> list[int]:
    """This process's children that exited and were not reaped (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == os.getpid():
            out.append(int(stat.parent.name))
    return out
