"""builder.chartready: a drawn chart found by its request, read back whole or made again."""

from __future__ import annotations

import dataclasses

import pytest

from builder import cachefile
from builder import chart as CH
from builder import chartready as R
from builder.chart import ChartRequest, draw, start_drawing
from tests.test_charts import ROWS, texts


def _requests() -> dict[str, ChartRequest]:
    reqs = [ChartRequest(f"r-{kind}", kind, tuple(rows), texts(kind)) for kind, rows in ROWS.items()]
    return {r.id: r for r in reqs}


def test_the_key_follows_every_part_of_the_request():
    req = next(iter(_requests().values()))
    same = ChartRequest(req.id, req.kind, tuple(dict(r) for r in req.rows),
                        dataclasses.replace(req.texts))
    assert R.key(same) == R.key(req)
    row = dict(req.rows[0], plan_completion_pct=28.61)  # (a plan_vs_schedule chart)
    others = [dataclasses.replace(req, id=req.id + "x"),
              dataclasses.replace(req, rows=(row, *req.rows[1:])),
              dataclasses.replace(req, texts=dataclasses.replace(req.texts, title="另一个标题"))]
    assert len({R.key(r) for r in [req, *others]}) == 4


def test_charts_are_found_only_once_all_are_recorded(tmp_path):
    requests = _requests()
    assert R.ready(requests, tmp_path)[0] is None  # nothing drawn yet
    drawn = draw(list(requests.values()), tmp_path)
    found, keys = R.ready(requests, tmp_path)
    assert found is None  # drawn, but not recorded
    found = R.index(start_drawing(list(requests.values()), tmp_path, keep=False), requests, keys,
                    tmp_path)
    assert found is not None and list(found) == list(requests) and len(found) == len(drawn)
    assert isinstance(R.ready(requests, tmp_path)[0], R.Ready)
    for cid, c in drawn.items():
        got = found[cid]
        assert (got.spec_utf8, got.svg_utf8, got.rows, got.kind) == (c.spec_utf8, c.svg_utf8,
                                                                      c.rows, c.kind)
    assert "r-nothing" not in found
    (tmp_path / "charts" / "ready" / keys[next(iter(requests))]).unlink()
    assert R.ready(requests, tmp_path)[0] is None  # one is missing: none is found so


def test_charts_drawn_into_the_cache_are_not_held_and_come_out_the_same(tmp_path):
    requests = _requests()
    kept = draw(list(requests.values()), tmp_path / "a")
    drawing = start_drawing(list(requests.values()), tmp_path / "b", keep=False)
    assert set(drawing._svgs.values()) == {b""}  # every SVG is in the cache folder only
    _, keys = R.ready(requests, tmp_path / "b")
    found = R.index(drawing, requests, keys, tmp_path / "b")
    assert {cid: found[cid].svg_utf8 for cid in requests} == {c: kept[c].svg_utf8 for c in kept}
    assert drawing.result() == kept


def test_a_cache_that_cannot_be_written_keeps_the_charts_in_memory(tmp_path, monkeypatch):
    requests = _requests()
    kept = draw(list(requests.values()), None)
    monkeypatch.setattr(cachefile, "write", lambda path, data, what: False)  # a full disk
    drawing = start_drawing(list(requests.values()), tmp_path, keep=False)
    _, keys = R.ready(requests, tmp_path)
    assert R.index(drawing, requests, keys, tmp_path) is None
    assert drawing.result() == kept
    assert not (tmp_path / "charts").exists()


def test_a_chart_that_cannot_be_drawn_is_named_as_with_result(tmp_path):
    good = next(iter(_requests().values()))
    bad = ChartRequest("r-bad", good.kind, good.rows, type(good.texts)("t", "d", {}))  # no labels
    requests = {**_requests(), bad.id: bad}
    drawing = start_drawing(list(requests.values()), tmp_path, keep=False)
    _, keys = R.ready(requests, tmp_path)
    with pytest.raises(CH.ChartError) as err:
        R.index(drawing, requests, keys, tmp_path)
    assert [f.id for f in err.value.failures] == ["r-bad"]


def test_a_damaged_or_missing_file_is_made_again_not_an_error(tmp_path, monkeypatch):
    requests = _requests()
    drawn = draw(list(requests.values()), tmp_path)
    _, keys = R.ready(requests, tmp_path)
    found = R.index(start_drawing(list(requests.values()), tmp_path, keep=False), requests, keys,
                    tmp_path)
    a, b = list(requests)[:2]
    (tmp_path / "charts" / "ready" / keys[a]).write_bytes(b"half a fi")
    (tmp_path / "charts" / f"{drawn[b].svg_key}.svg").unlink()
    calls = []
    real = CH._engine_svg
    monkeypatch.setattr(CH, "_engine_svg", lambda e, f: (calls.append(f), real(e, f))[1])
    assert found[a].svg_utf8 == drawn[a].svg_utf8 and calls == []  # its SVG was still cached
    assert found[b].svg_utf8 == drawn[b].svg_utf8 and len(calls) == 1  # drawn again


def test_a_change_in_the_code_that_draws_is_a_new_key(monkeypatch):
    req = next(iter(_requests().values()))
    before = R.key(req)
    R._salt.cache_clear()
    monkeypatch.setattr(CH, "ENGINE_VERSION", "vl-convert-python 0.0.0")
    try:
        assert R.key(req) != before
    finally:
        R._salt.cache_clear()
