"""builder.chartready: a drawn chart found by its request, read back whole or made again."""

from __future__ import annotations

import dataclasses
from builder import chart as CH
from builder import chartready as R
from builder.chart import ChartRequest, draw
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
    first = dict(list(drawn.items())[:2])
    R.record(first, keys, tmp_path)
    assert R.ready(requests, tmp_path)[0] is None
    R.record(drawn, keys, tmp_path)
    found, _ = R.ready(requests, tmp_path)
    assert found is not None and list(found) == list(requests) and len(found) == len(drawn)
    for cid, c in drawn.items():
        got = found[cid]
        assert (got.spec_utf8, got.svg_utf8, got.rows, got.kind) == (c.spec_utf8, c.svg_utf8,
                                                                      c.rows, c.kind)
    assert "r-nothing" not in found


def test_a_damaged_or_missing_file_is_made_again_not_an_error(tmp_path, monkeypatch):
    requests = _requests()
    drawn = draw(list(requests.values()), tmp_path)
    _, keys = R.ready(requests, tmp_path)
    R.record(drawn, keys, tmp_path)
    found, _ = R.ready(requests, tmp_path)
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
