"""The chart stage: real SVGs from vl-convert, safe to inline, cached, drawn in a pool."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import altair as alt
import pytest
import vl_convert

from builder import _chartengine
from builder import chart as CH
from builder._chartengine import Engine
from builder._chartfill import filled, template
from builder.chart import ChartError, ChartRequest, draw
from builder.errors import BulletinError
from tests.test_charts import ROWS, texts

SVG = "{http://www.w3.org/2000/svg}"


def requests(suffix: str = "") -> list[ChartRequest]:
    return [ChartRequest(f"demo-{kind}{suffix}", kind, tuple(rows), texts(kind))
            for kind, rows in ROWS.items()]


@pytest.fixture
def engine_calls(monkeypatch):
    """Count the real engine's drawings (the SVGs stay real)."""
    calls = []
    real = CH._engine_svg

    def counted(engine, fill):
        calls.append(fill.template.split("|")[0])
        return real(engine, fill)

    monkeypatch.setattr(CH, "_engine_svg", counted)
    return calls


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    return draw(requests(), tmp_path_factory.mktemp("cache"))


def test_every_kind_is_drawn_inlinable_and_labelled(drawn):
    assert list(drawn) == [r.id for r in requests()]
    for req in requests():
        c = drawn[req.id]
        assert (c.id, c.kind, c.rows) == (req.id, req.kind, req.rows)
        assert json.loads(c.spec_json) == c.spec and c.spec["title"]["text"] == req.texts.title
        assert c.svg.startswith("<svg ") and c.svg.endswith("</svg>") and "<?xml" not in c.svg
        root = ElementTree.fromstring(c.svg)
        assert root.get("role") == "img" and root.get("aria-label") == req.texts.description
        assert root.get("font-family").startswith('"Noto Sans CJK SC"')
        assert int(root.get("width")) <= 340 and root.get("viewBox")
        words = {t.text for t in root.iter(f"{SVG}text")}
        assert req.texts.title in words
        assert not any(el.tag.endswith(("script", "foreignObject")) for el in root.iter())


def test_the_ranking_prints_its_flags(drawn):
    words = {t.text for t in ElementTree.fromstring(drawn["demo-ranking"].svg).iter(f"{SVG}text")}
    assert "41.2% 红旗" in words and "19.5% 黄旗" in words and "35%" in words


def test_text_from_the_data_is_escaped(tmp_path):
    evil = '<script>alert("x")</script> & <b>'
    rows = ({"region": evil, "plan_completion_pct": 40.0, "ahead_pp": 1.0, "flag": "red",
             "flag_label": "</text><script>1</script>"},)
    t = texts("ranking")
    t = type(t)(title=evil, description='说明 "quoted" <i>&', labels=t.labels)
    c = draw([ChartRequest("evil", "ranking", rows, t)], tmp_path)["evil"]
    assert "<script" not in c.svg and "<b>" not in c.svg and "<i>" not in c.svg
    assert "&lt;script&gt;" in c.svg
    assert f'aria-label="{html.escape(t.description, quote=True)}"' in c.svg
    words = {e.text for e in ElementTree.fromstring(c.svg).iter(f"{SVG}text")}
    assert evil in words  # escaped in the markup, the same words on screen
    assert "<" not in c.spec_json and json.loads(c.spec_json)["title"]["text"][0].startswith("<")


def test_a_second_build_draws_nothing(tmp_path, engine_calls):
    first = draw(requests(), tmp_path)
    assert sorted(engine_calls) == sorted(ROWS)
    files = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert len(files) == len(ROWS) and all(re.fullmatch(r"[0-9a-f]{64}\.svg", f) for f in files)
    engine_calls.clear()
    assert draw(requests(), tmp_path) == first
    assert engine_calls == []


def test_the_same_chart_under_two_ids_is_drawn_once(tmp_path, engine_calls):
    reqs = requests() + requests("-again")
    out = draw(reqs, tmp_path)
    assert len(engine_calls) == len(ROWS) and len(out) == 2 * len(ROWS)
    assert out["demo-ranking"].svg == out["demo-ranking-again"].svg  # no ids to own


def test_a_damaged_cache_file_is_drawn_again(tmp_path, engine_calls):
    first = draw(requests(), tmp_path)
    files = sorted((tmp_path / "charts").iterdir())
    files[0].write_text("", encoding="utf-8")
    files[1].write_text(files[1].read_text(encoding="utf-8")[:100], encoding="utf-8")
    engine_calls.clear()
    assert draw(requests(), tmp_path) == first
    assert len(engine_calls) == 2
    assert all(f.read_text(encoding="utf-8").endswith("</svg>") for f in files)
    assert not [p for p in (tmp_path / "charts").iterdir() if p.suffix != ".svg"]  # no temp files


def test_a_failed_worker_falls_back_to_drawing_here(tmp_path, monkeypatch, engine_calls):
    monkeypatch.setattr(CH, "_POOL_MIN", 2)
    monkeypatch.setattr(CH, "_WORKER", "import sys; sys.exit(3)")
    out = draw(requests()[:3], tmp_path, jobs=2)
    assert len(out) == 3 and len(engine_calls) == 3


def test_no_cache_dir_still_draws(engine_calls):
    out = draw(requests()[:2], None)
    assert len(out) == 2 and len(engine_calls) == 2


def test_worker_processes_draw_the_same_bytes(tmp_path, monkeypatch):
    """Two fresh processes against this one: the SVGs are deterministic across processes."""
    monkeypatch.setattr(CH, "_POOL_MIN", 2)
    used = []
    real = CH._chartengine.draw_in_workers
    monkeypatch.setattr(CH._chartengine, "draw_in_workers",
                        lambda jobs, templates, font, n, done, code: used.append(n) or real(
                            jobs, templates, font, n, done, code))
    reqs = requests()
    serial = draw(reqs, tmp_path / "serial", jobs=1)
    pooled = draw(reqs, tmp_path / "pooled", jobs=2)
    assert used == [2]
    assert {k: c.svg for k, c in pooled.items()} == {k: c.svg for k, c in serial.items()}
    for name in (p.name for p in (tmp_path / "serial" / "charts").iterdir()):
        assert ((tmp_path / "pooled" / "charts" / name).read_bytes()
                == (tmp_path / "serial" / "charts" / name).read_bytes())


def test_ids_are_renumbered_and_owned_by_the_chart():
    rows = [{"a": i, "b": i * 2} for i in range(5)]
    spec = (alt.Chart(alt.Data(values=rows)).mark_line(clip=True)
            .encode(x=alt.X("a:Q", scale=alt.Scale(domain=[0, 3])), y="b:Q")
            .properties(description="d").to_dict())
    raw = [vl_convert.vegalite_to_svg(spec) for _ in range(2)]
    assert raw[0] != raw[1]  # the engine counts clip paths per process
    clean = [CH._clean(svg, "d") for svg in raw]
    assert clean[0] == clean[1] and 'id="clip1"' in clean[0]
    owned = CH._own(clean[0].encode(), "region-x-ranking").decode()
    assert 'id="region-x-ranking-clip1"' in owned and 'url(#region-x-ranking-clip1)' in owned
    assert 'id="clip1"' not in owned and "url(#clip1)" not in owned


def test_engine_errors_name_the_chart(tmp_path, monkeypatch):
    def broken(engine, fill):
        raise ValueError("Vega-Lite to SVG conversion failed:\nTypeError: boom\n    at oi (x.js:7)")

    monkeypatch.setattr(CH, "_engine_svg", broken)
    with pytest.raises(ChartError) as err:
        draw(requests()[:2], tmp_path)
    assert isinstance(err.value, BulletinError)
    assert [f.id for f in err.value.failures] == ["demo-plan_vs_schedule", "demo-ranking"]
    assert "TypeError: boom" in str(err.value) and "at oi" not in str(err.value)
    assert not (tmp_path / "charts").exists() or not list((tmp_path / "charts").iterdir())


def test_bad_requests_are_chart_errors(tmp_path):
    good = requests()[1]
    bad = [ChartRequest("has space", good.kind, good.rows, good.texts),
           ChartRequest("no-labels", good.kind, good.rows, type(good.texts)("t", "d", {})),
           good, ChartRequest(good.id, good.kind, good.rows[:1], good.texts)]
    with pytest.raises(ChartError) as err:
        draw(bad, tmp_path)
    reasons = {f.id: f.reason for f in err.value.failures}
    assert set(reasons) == {"has space", "no-labels", good.id}
    assert "'region'" in reasons["no-labels"] and "two different charts" in reasons[good.id]


def test_cache_key_follows_the_engine_and_the_fonts(monkeypatch):
    text = CH.spec_json({"a": 1})
    key = CH._key(text)
    assert re.fullmatch(r"[0-9a-f]{64}", key) and CH._key(text) == key
    monkeypatch.setattr(CH, "ENGINE_VERSION", "vl-convert-python 99")
    other_engine = CH._key(text)
    monkeypatch.setattr(CH, "_fonts", lambda: "fonts-noto-cjk installed since")
    assert len({key, other_engine, CH._key(text)}) == 3


def test_svg_is_deterministic_across_draws(tmp_path):
    a = draw(requests()[:3], tmp_path / "a")
    b = draw(requests()[:3], tmp_path / "b")
    assert {k: c.svg for k, c in a.items()} == {k: c.svg for k, c in b.items()}
    assert Path(tmp_path / "a" / "charts").exists()


# --- The engine: templates compiled once and filled, text measured with a metrics copy ---------

TRICKY = {"title": 'He said "go" \\ it\'s <b>&amp;</b> 引号「」', "labels": {
    "plan": "计划 \"完成\" 率's \\n", "period": "时期</text>", "count": "项目数 🏗", "percent": "%",
    "completed": "本年 'ytd'", "month_format": "%b '%y", "value": 'a"b', "region": '地区 "甲"',
}}


def _tricky(kind):
    t = texts(kind)
    labels = {k: TRICKY["labels"].get(k, v) for k, v in t.labels.items()}
    return type(t)(title=TRICKY["title"], description=t.description, labels=labels)


@pytest.mark.parametrize("tricky", [False, True])
@pytest.mark.parametrize("kind", list(ROWS))
def test_the_filled_vega_template_draws_what_the_vega_lite_spec_draws(kind, tricky):
    """A chart is drawn from its kind's template compiled to Vega once, with its words and
    rows put in: the same SVG as compiling its own Vega-Lite spec, whatever the words hold."""
    spec, fill = filled(kind, ROWS[kind], _tricky(kind) if tricky else texts(kind))
    engine = Engine(None)
    engine.define(fill.template, template(fill.template))
    ours = CH._clean(engine.svg(*fill), "d")
    assert ours == CH._clean(vl_convert.vegalite_to_svg(spec), "d")
    if tricky:
        words = {t.text for t in ElementTree.fromstring(ours).iter(f"{SVG}text")}
        assert TRICKY["title"] in words


def test_the_metrics_font_lays_out_as_the_real_font():
    """Text is measured with a copy of the font holding only its advance widths: the
    charts come out byte for byte as with the font itself, and name the real fonts."""
    font = CH._measure_font(None)
    if font is None:
        pytest.skip("no CJK font of the chart font list is installed")
    real, measured = Engine(None), Engine((font.folder, font.family))
    for kind, rows in ROWS.items():
        _, fill = filled(kind, rows, texts(kind))
        for e in (real, measured):
            e.define(fill.template, template(fill.template))
        svg = measured.svg(*fill)
        assert "Bulletin Metrics" not in svg
        assert CH._clean(svg, "d") == CH._clean(real.svg(*fill), "d"), kind


def test_the_project_chart_labels_quarter_ends_and_is_340_wide_whatever_its_numbers(tmp_path):
    t = texts("project_progress")
    reqs = [ChartRequest(f"p{i}", "project_progress",
                         tuple({"month": f"2023-{m:02d}", "completed_ytd": top * m / 12,
                                "annual_plan": top} for m in range(1, 13)), t)
            for i, top in enumerate([0.08, 1, 9.99, 75.5, 1234.5])]
    for c in draw(reqs, tmp_path).values():
        root = ElementTree.fromstring(c.svg)
        assert root.get("width") == "340", c.rows[-1]
        words = [e.text for e in root.iter(f"{SVG}text")]
        assert [w for w in words if w and w.endswith("月")] == ["3月", "6月", "9月", "12月"]
    # Early in the year the last month is labelled too, so the axis is never bare.
    for months, labels in (([1], ["1月"]), ([1, 2], ["2月"]), ([1, 2, 3, 4, 5], ["3月", "5月"])):
        rows = tuple({"month": f"2023-{m:02d}", "completed_ytd": m, "annual_plan": 9} for m in months)
        c = draw([ChartRequest("early", "project_progress", rows, t)], tmp_path)["early"]
        words = [e.text for e in ElementTree.fromstring(c.svg).iter(f"{SVG}text")]
        assert [w for w in words if w and w.endswith("月")] == labels


def test_charts_are_handed_out_in_chunks_to_workers_that_stay_up(tmp_path, monkeypatch):
    """More charts than one chunk: each worker takes chunks in turn until none are left."""
    monkeypatch.setattr(CH, "_POOL_MIN", 2)
    monkeypatch.setattr(_chartengine, "_CHUNK", 2)
    started = []
    real = subprocess.Popen
    monkeypatch.setattr(_chartengine.subprocess, "Popen",
                        lambda *a, **k: started.append(1) or real(*a, **k))
    reqs = requests() + requests("-2")[:3]
    reqs[-3:] = [ChartRequest(r.id, r.kind, r.rows[:1], r.texts) for r in reqs[-3:]]
    pooled = draw(reqs, tmp_path / "pooled", jobs=2)
    assert len(started) == 2
    serial = draw(reqs, tmp_path / "serial", jobs=1)
    assert {k: c.svg for k, c in pooled.items()} == {k: c.svg for k, c in serial.items()}


DYING = """
import io, sys
font = sys.stdin.readline()
chunk = [sys.stdin.readline()]
while not chunk[-1].startswith('["end"]'):
    chunk.append(sys.stdin.readline())
sys.stdin = io.StringIO(font + "".join(chunk))  # one chunk, then the worker ends
{worker}
sys.exit(3)
"""


def test_a_worker_that_dies_midway_leaves_the_rest_to_this_process(tmp_path, monkeypatch,
                                                                    engine_calls):
    monkeypatch.setattr(CH, "_POOL_MIN", 2)
    monkeypatch.setattr(_chartengine, "_CHUNK", 2)
    code = _chartengine._WORKER.replace("e.worker()", "e.worker(sys.stdin)")
    monkeypatch.setattr(CH, "_WORKER", DYING.format(worker=code))
    out = draw(requests(), tmp_path, jobs=2)
    assert sorted(out) == sorted(r.id for r in requests())
    assert 0 < len(engine_calls) < len(requests())  # the workers drew their first chunks
    assert out == draw(requests(), tmp_path / "again", jobs=1)


def test_a_pool_draws_behind_the_caller_until_it_asks_for_the_charts(tmp_path, monkeypatch):
    """`start_drawing` hands back control while worker processes draw (so a build can do
    other work meanwhile); `result()` gives what `draw` gives."""
    monkeypatch.setattr(CH, "_POOL_MIN", 2)
    drawing = CH.start_drawing(requests(), tmp_path / "behind", jobs=2)
    assert drawing._thread is not None and drawing._thread.is_alive()  # the workers still start
    charts = drawing.result()
    assert charts == draw(requests(), tmp_path / "here", jobs=1)


def test_an_error_behind_the_caller_is_raised_to_it(tmp_path, monkeypatch):
    monkeypatch.setattr(CH, "_POOL_MIN", 2)

    def broken(*args):
        raise RuntimeError("the pool broke")

    monkeypatch.setattr(CH, "_draw_misses", broken)
    drawing = CH.start_drawing(requests(), tmp_path, jobs=2)
    with pytest.raises(RuntimeError, match="the pool broke"):
        drawing.result()
