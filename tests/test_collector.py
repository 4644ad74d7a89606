"""builder.collector: the cyclic collector paused, resumed, and given back as it was."""

from __future__ import annotations

import gc

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
