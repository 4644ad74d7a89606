"""builder.collector: the cyclic collector paused, resumed, and given back as it was; freed
memory handed back to the system."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from builder import collector


def test_paused_and_running_nest_and_give_the_setting_back():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.running():
            assert gc.isenabled()
        assert not gc.isenabled()
        with collector.paused(freeze=True):  # already paused: nothing to freeze or restore
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_what_a_frozen_pause_made_is_out_of_the_collectors_reach():
    before = gc.get_freeze_count()
    try:
        with collector.paused(freeze=True):
            made = [[i] for i in range(1000)]  # noqa: F841 - held while frozen
        assert gc.get_freeze_count() >= before + 1000 and gc.isenabled()
    finally:
        gc.unfreeze()


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists() or collector._libc() is None
                    or not hasattr(collector._libc(), "malloc_trim"), reason="glibc on Linux")
def test_memory_a_stage_freed_among_what_lives_on_goes_back_to_the_system():
    collector.give_back()
    start = _rss_mb()
    big, kept = [], []
    for i in range(4000):  # 200 MB in pieces, each followed by a small piece that lives on
        big.append(bytes([i % 251]) * 50_000)
        kept.append(bytes([i % 251]) * 700)
    grown = _rss_mb() - start
    del big
    collector.give_back()
    left = _rss_mb() - start
    assert grown > 150 and left < grown / 4, (start, grown, left)
    assert len(kept) == 4000
