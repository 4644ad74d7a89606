"""Chart definitions, authored in Altair: one public function per chart kind.

Each takes plain rows (dicts of str/int/Decimal/float/None; the spec gets floats and long
category labels in lines) and a `Texts` with every word the chart shows (charts hold no UI
words), and returns a Vega-Lite spec as a plain dict with a title, a `description` (the SVG's
aria-label), a fixed width for a 375 px phone, the CJK font list, the Okabe–Ito
palette and explicit names for every view and param (Altair's own names hash the data).

`spec_for(kind, rows, texts)` is the build's fast path: Altair makes each kind's spec
once, with placeholder texts and rows, and the real ones are filled in as plain dicts
(`_chartfill`, which also gives the drawing engine the template and its fill apart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from .chartwords import label_lines, title_lines


class _Altair:
    """`altair`, imported on first use: Altair builds each kind's template once, and a
    build that finds them all in its cache (`_chartfill.template`) never needs it (the
    import alone costs 0.2 s)."""

    def __getattr__(self, name: str) -> Any:
        import altair

        return getattr(altair, name)


alt: Any = _Altair()

__all__ = ["Texts", "KINDS", "LABELS", "FONT", "PALETTE", "WIDTH", "plan_vs_schedule", "ranking",
           "stage_funnel", "campaign", "project_progress", "sector_investment", "problems",
           "spec_for"]

Row = Mapping[str, Any]

#: Every text in a chart; the PNG renderer and the browser each take the first they have.
FONT = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
        '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif')

#: Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2002), with its orange and
#: sky blue darkened to reach 3:1 against white (WCAG 2.2, 1.4.11: a yellow-flag bar must be
#: seen), and its yellow (1.3:1) left out of the chart range.
BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, BLACK = (
    "#0072B2", "#A86A00", "#3A8FC7", "#009E73", "#D55E00", "#CC79A7", "#000000")
PALETTE = [BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, BLACK]

#: The whole chart, axes and legend included, in CSS pixels: a 375 px phone less margins.
WIDTH = 340
_STEP = 30  # one row of a horizontal bar chart
_ROW = {"campaign": _STEP + 4}
_FONT_SIZE = 12
_LABEL_LIMIT = 140  # pixels a line of a category label may take
_LINE = 14  # pixels between the lines of a category label
_TEXT, _MUTED = "#222222", "#555555"

#: The label keys each kind reads from `Texts.labels`.
LABELS: dict[str, tuple[str, ...]] = {
    "plan_vs_schedule": ("period", "percent", "plan", "schedule"),
    "ranking": ("region", "percent", "ahead", "flag"),
    "stage_funnel": ("stage", "count"),
    "campaign": ("batch", "count", "advanced", "rate"),
    "project_progress": ("month", "value", "completed", "plan", "month_format"),
    "sector_investment": ("sector", "value"),
    "problems": ("label", "count", "resolved", "in_progress", "unresolved"),
}
KINDS = tuple(LABELS)


@dataclass(frozen=True)
class Texts:
    """Every word one chart shows, in the site's language: `labels` maps `LABELS[kind]` to
    axis, legend and tooltip words ("" for none) and `month_format` ("%-m月", "%b")."""

    title: str
    description: str
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", dict(sorted(self.labels.items())))

    def __hash__(self) -> int:
        return hash((self.title, self.description, tuple(self.labels.items())))


class _Words(NamedTuple):
    """What a builder reads: `w.title`, `w.description`, `w(key)` (real or placeholders)."""

    kind: str
    title: Any  # a string, or its lines
    description: str
    labels: Mapping[str, str]

    def __call__(self, key: str) -> str:
        if key not in self.labels:
            raise KeyError(f"chart kind {self.kind!r} needs the label {key!r} in its Texts "
                           f"(it reads {', '.join(LABELS[self.kind])})")
        return self.labels[key]


def _words(kind: str, texts: Texts) -> _Words:  # the real words, the title in lines
    return _Words(kind, title_lines(texts.title, 15, WIDTH - 8), texts.description, texts.labels)


_CONFIG: dict[str, Any] = {
    "font": FONT, "background": "white", "padding": 4, "view": {"stroke": None},
    "aria": False,  # the figure's aria-label and the table beside it speak for the marks
    "title": {"font": FONT, "fontSize": 15, "color": _TEXT, "anchor": "start", "offset": 10},
    "axis": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": _FONT_SIZE,
             "labelLimit": _LABEL_LIMIT, "titleFontSize": _FONT_SIZE, "titleFontWeight": "normal",
             "titleColor": _MUTED, "labelColor": _TEXT, "gridColor": "#e4e4e4",
             "domainColor": "#888", "tickColor": "#888"},
    "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": _FONT_SIZE, "labelLimit": 150,
               "labelColor": _TEXT, "orient": "top", "symbolSize": 130, "columnPadding": 16},
    "text": {"font": FONT, "fontSize": _FONT_SIZE, "color": _TEXT},
}

_PERCENT = "(isValid(datum.{f}) ? format(datum.{f}, '') + '%' : '')"
_NUMBER = "(isValid(datum.{f}) ? format(datum.{f}, '') : '')"
#: Room after a bar for its label, as a share of the plot per character (7 px of
#: 200 px or more): autosize makes room for axes and legends, not for marks.
_ROOM_PER_CHAR = 0.035


def _hover() -> tuple[Any, Any]:
    """A param, and an opacity by which hovering a bar fades the others (live view only)."""
    hover = alt.selection_point(name="hover", on="pointerover", clear="pointerout", empty=True)
    return hover, alt.when(hover).then(alt.value(1.0)).otherwise(alt.value(0.7))


def _tips(w: _Words, *fields: tuple[str, str]) -> list[Any]:  # (field:type, label key)
    return [alt.Tooltip(f, title=w(key)) for f, key in fields]


def _series(name: str) -> Any:
    """A layer's colour as a legend entry; the palette gives the colours in layer order."""
    return alt.ColorDatum(name, title=None)


#: Category labels come in lines (`_data`), centred: Vega puts the first mid-band, the rest below.
_LINES = "split(datum.label, '\\n')"
_CENTRED = {"condition": [{"test": f"length({_LINES}) >= 3", "value": -_LINE},
                          {"test": f"length({_LINES}) == 2", "value": -_LINE // 2}], "value": 0}
#: The field that holds each kind's categories.
_CATEGORY = {"plan_vs_schedule": "label", "ranking": "region", "stage_funnel": "label",
             "campaign": "label", "sector_investment": "sector", "problems": "label"}


def _rows_axis(field: str, title: str, sort: Any = None) -> Any:
    """Horizontal bars' categories, in `sort` order (None: the rows'), titled above."""
    axis = alt.Axis(labelPadding=6, ticks=False, domain=False, titleAngle=0, titleAlign="right",
                    titleAnchor="end", titleBaseline="bottom", titleX=-6, titleY=-4,
                    labelExpr=_LINES, labelOffset=_CENTRED, labelLineHeight=_LINE)
    return alt.Y(f"{field}:N", sort=sort, title=title, axis=axis)


def _value_axis(field: str, title: str) -> Any:
    axis = alt.Axis(tickCount=5, labelFlush=True, labelOverlap=True, labelSeparation=6)
    return alt.X(f"{field}:Q", title=title, scale=alt.Scale(nice=True), axis=axis)


def _labelled(layers: list[Any], y: Any, x_field: str, label: str, data: alt.Data,
              **calculate: str) -> Any:
    """Bars with `label` (an expression) printed after each, and room made for it."""
    text = alt.Chart().mark_text(align="left", baseline="middle", dx=4).encode(
        y=y, x=alt.X(f"{x_field}:Q"), text=alt.Text("value_label:N")).properties(name="values")
    room = alt.Chart().mark_rule(opacity=0).encode(
        x=alt.X("max(label_room):Q")).properties(name="room")
    return (alt.layer(*layers, text, room, data=data)
            .transform_calculate(**calculate, value_label=label)
            .transform_calculate(label_room=f"datum.{x_field} / max(0.4, 1 - {_ROOM_PER_CHAR}"
                                            " * (length(datum.value_label) + 1))"))


def _height(kind: str, rows: list[dict]) -> int:  # in pixels: a VL step warns with "fit-x"
    if kind == "project_progress":
        return 180
    field = _CATEGORY.get(kind, "")
    lines = max([str(r.get(field) or "").count("\n") + 1 for r in rows] + [2])
    return (_ROW.get(kind, _STEP) + _LINE * (lines - 2)) * max(len(rows), 1)


def _data(kind: str, rows: Iterable[Row]) -> list[dict]:
    """The rows as chart data: figures as floats (JSON has no decimals; the table beside the
    chart prints the rows as given), and long category labels broken into lines."""
    field = _CATEGORY.get(kind)
    out = [{k: float(v) if isinstance(v, Decimal) else v for k, v in r.items()} for r in rows]
    for row in out:
        if isinstance(row.get(field), str):
            row[field] = label_lines(row[field], _FONT_SIZE, _LABEL_LIMIT - 4)
    return out


def _finish(chart: Any, kind: str, w: _Words, data: alt.Data, colours: tuple[str, ...] = (),
            y_axis: int = 0) -> dict[str, Any]:
    """Title, description, size, config; `colours`: the legend's series, in layer order.

    `y_axis`: lay the chart out once, keeping this many pixels left of the plot for the
    y axis (an empty mark holds them), instead of twice: "fit-x" lays out and measures
    every text again once it knows how wide the axes came out."""
    size: dict[str, Any] = {"width": WIDTH, "autosize": alt.AutoSizeParams(type="fit-x",
                                                                           contains="padding")}
    if y_axis:
        room = alt.Chart(alt.Data(values=[{}])).mark_rule(opacity=0).encode(
            x=alt.XValue(-y_axis), x2=alt.X2Value(0), y=alt.YValue(0)).properties(name="y_axis")
        chart.layer = [*chart.layer, room]
        # 2: a rule across the plot (the plan) reaches a pixel past it, rounded up.
        size = {"width": WIDTH - 2 * _CONFIG["padding"] - y_axis - 2, "autosize": "pad"}
    chart = chart.properties(title=alt.Title(text=w.title), description=w.description,
                             height=_height(kind, data.values), usermeta={"chart": kind}, **size)
    rest = [c for c in PALETTE if c not in colours]
    spec = chart.configure(**_CONFIG, range={"category": [*colours, *rest]}).to_dict()
    # The legend ends where the plot does: long axis labels never push it off (Altair types it)
    spec["config"]["legend"]["layout"] = {"top": {"anchor": "end"}}
    return spec


def _begin(kind: str, rows: Iterable[Row], texts: Texts | _Words) -> tuple[alt.Data, _Words]:
    w = texts if isinstance(texts, _Words) else _words(kind, texts)
    return alt.Data(values=_data(kind, rows)), w


# --- The chart kinds (`texts` may also be `spec_for`'s placeholders) ---------------------------

def plan_vs_schedule(rows: Iterable[Row], texts: Texts) -> dict[str, Any]:
    """Plan completion % per report (bars) against 时序进度 (a stroke), with a legend."""
    data, w = _begin("plan_vs_schedule", rows, texts)
    y = _rows_axis("label", w("period"))
    tips = _tips(w, ("label:N", "period"), ("plan_completion_pct:Q", "plan"),
                 ("schedule_pct:Q", "schedule"))
    hover, fade = _hover()
    bars = alt.Chart().mark_bar(height={"band": 0.6}).encode(
        y=y, x=_value_axis("plan_completion_pct", w("percent")), color=_series(w("plan")),
        opacity=fade, tooltip=tips).add_params(hover).properties(name="plan")
    # 时序进度: a stroke on a white halo across the bar, and in the legend (strokeDash datum).
    stroke = {"shape": "M0,-1L0,1", "size": (_STEP - 6) ** 2 // 4, "opacity": 1}
    halo = alt.Chart().mark_point(color="white", strokeWidth=5, **stroke).encode(
        y=y, x=alt.X("schedule_pct:Q")).properties(name="schedule_halo")
    marker = alt.Chart().mark_point(color=VERMILLION, strokeWidth=3, **stroke).encode(
        y=y, x=alt.X("schedule_pct:Q"), strokeDash=alt.StrokeDashDatum(w("schedule"), title=None),
        tooltip=tips).properties(name="schedule")
    chart = _labelled([bars, halo, marker], y, "plan_completion_pct",
                      _PERCENT.format(f="plan_completion_pct"), data)
    return _finish(chart, "plan_vs_schedule", w, data, (BLUE,))


def ranking(rows: Iterable[Row], texts: Texts) -> dict[str, Any]:
    """Regions in the rows' (rank) order; a flag is a colour and its word beside the bar."""
    data, w = _begin("ranking", rows, texts)
    y = _rows_axis("region", w("region"))
    hover, fade = _hover()
    colour = (alt.when("datum.flag === 'red'").then(alt.value(VERMILLION))
              .when("datum.flag === 'yellow'").then(alt.value(ORANGE))
              .otherwise(alt.value(BLUE)))
    bars = alt.Chart().mark_bar(height={"band": 0.7}).encode(
        y=y, x=_value_axis("plan_completion_pct", w("percent")), color=colour,
        opacity=fade, tooltip=_tips(w, ("region:N", "region"), ("plan_completion_pct:Q", "percent"),
                                    ("ahead_pp:Q", "ahead"), ("flag_label:N", "flag")),
    ).add_params(hover).properties(name="bars")
    # The flag is its word after the figure, never the colour alone.
    label = (_PERCENT.format(f="plan_completion_pct")
             + " + (datum.flag_label ? ' ' + datum.flag_label : '')")
    return _finish(_labelled([bars], y, "plan_completion_pct", label, data), "ranking", w, data)


def _counts(data: alt.Data, y: Any, x_field: str, x_title: str, tips: list[Any],
            colour: str) -> Any:
    """A horizontal bar per row with its number printed after it."""
    hover, fade = _hover()
    bars = alt.Chart().mark_bar(height={"band": 0.7}, color=colour).encode(
        y=y, x=_value_axis(x_field, x_title), opacity=fade, tooltip=tips,
    ).add_params(hover).properties(name="bars")
    return _labelled([bars], y, x_field, _NUMBER.format(f=x_field), data)


def stage_funnel(rows: Iterable[Row], texts: Texts) -> dict[str, Any]:
    """Projects per lifecycle stage, in `order`."""
    data, w = _begin("stage_funnel", rows, texts)
    y = _rows_axis("label", w("stage"), sort=alt.EncodingSortField("order", op="min"))
    tips = _tips(w, ("label:N", "stage"), ("count:Q", "count"))
    return _finish(_counts(data, y, "count", w("count"), tips, BLUE), "stage_funnel", w, data)


def sector_investment(rows: Iterable[Row], texts: Texts) -> dict[str, Any]:
    """Total investment per sector, largest first."""
    data, w = _begin("sector_investment", rows, texts)
    y = _rows_axis("sector", w("sector"),
                   sort=alt.EncodingSortField("investment", op="sum", order="descending"))
    tips = _tips(w, ("sector:N", "sector"), ("investment:Q", "value"))
    chart = _counts(data, y, "investment", w("value"), tips, GREEN)
    return _finish(chart, "sector_investment", w, data)


def campaign(rows: Iterable[Row], texts: Texts) -> dict[str, Any]:
    """Count and advanced per batch of a 三个一批 round, the rate printed beside."""
    data, w = _begin("campaign", rows, texts)
    y = _rows_axis("label", w("batch"))
    tips = _tips(w, ("label:N", "batch"), ("count:Q", "count"), ("advanced:Q", "advanced"),
                 ("rate_pct:Q", "rate"))
    hover, fade = _hover()
    # Layered, not grouped: the advanced bar sits inside the count bar, thinner and darker.
    count = alt.Chart().mark_bar(height={"band": 0.75}).encode(
        y=y, x=_value_axis("count", w("count")), color=_series(w("count")),
        opacity=fade, tooltip=tips).add_params(hover).properties(name="count")
    advanced = alt.Chart().mark_bar(height={"band": 0.4}).encode(
        y=y, x=alt.X("advanced:Q"), color=_series(w("advanced")), tooltip=tips,
    ).properties(name="advanced")
    chart = _labelled([count, advanced], y, "label_x", _PERCENT.format(f="rate_pct"), data,
                      label_x="max(datum.count || 0, datum.advanced || 0)")
    return _finish(chart, "campaign", w, data, (SKY, BLUE))


#: A month's label: at a quarter's end, at the last month, or when it is the only month.
_QUARTER_ENDS_AND_LAST = ("utcmonth(datum.value) % 3 == 2 || datum.index == 1"
                          " || span(domain('x')) == 0 ? datum.label : ''")


def project_progress(rows: Iterable[Row], texts: Texts) -> dict[str, Any]:
    """One year's year-to-date completion by month, against the annual plan."""
    data, w = _begin("project_progress", rows, texts)
    # Every text costs the engine about half a millisecond to lay out, and there are
    # thousands of these charts: a tick every month but a label at each quarter's end
    # (3月, 6月, 9月, 12月: the months bulletins report) and at the last month, no x
    # title (the labels say "month"), three y ticks.
    x = alt.X("month:T", timeUnit="utcyearmonth", title=None, scale=alt.Scale(padding=14),
              axis=alt.Axis(format=w("month_format"), labelOverlap="parity", labelSeparation=3,
                            labelFlush=False, tickCount={"interval": "month", "step": 1},
                            labelExpr=_QUARTER_ENDS_AND_LAST, grid=False))
    tips = [alt.Tooltip("month:T", timeUnit="utcyearmonth", title=w("month"),
                        format=w("month_format")),
            *_tips(w, ("completed_ytd:Q", "completed"), ("annual_plan:Q", "plan"))]
    # The y title reads across, above the axis: rotated Chinese is hard to read.
    y_axis = alt.Axis(tickCount=3, titleAngle=0, titleAlign="left", titleAnchor="end",
                      titleBaseline="bottom", titleX=0, titleY=-8)
    line = alt.Chart().mark_line(point={"size": 40, "filled": True, "color": BLUE}, color=BLUE,
                                 strokeWidth=2).encode(
        x=x, y=alt.Y("completed_ytd:Q", title=w("value"), axis=y_axis), tooltip=tips,
    ).properties(name="completed")
    plan = alt.Chart().mark_rule(color=VERMILLION, strokeDash=[6, 3], strokeWidth=2).encode(
        y=alt.Y("max(annual_plan):Q")).properties(name="plan")
    # The plan line is named under its start (early months sit low), not by a legend.
    plan_label = alt.Chart().mark_text(align="left", baseline="top", dx=2, dy=3,
                                       color=VERMILLION).encode(
        y=alt.Y("max(annual_plan):Q"), x=alt.XValue(0), text=alt.TextDatum(w("plan")),
    ).properties(name="plan_label")
    return _finish(alt.layer(line, plan, plan_label, data=data), "project_progress", w, data,
                   y_axis=44)


def problems(rows: Iterable[Row], texts: Texts) -> dict[str, Any]:
    """Problems collected: resolved, in progress and unresolved, stacked."""
    data, w = _begin("problems", rows, texts)
    y = _rows_axis("label", w("label"))
    fields = ("resolved", "in_progress", "unresolved")
    tips = _tips(w, ("label:N", "label"), *((f"{f}:Q", f) for f in fields))
    hover, fade = _hover()
    # Stacked by hand, one layer per part, so each legend word is a plain datum;
    # white edges separate the parts, which run in the legend's order.
    layers, before = [], None
    for f in fields:
        enc = {"y": y, "color": _series(w(f)), "opacity": fade, "tooltip": tips,
               "x": _value_axis(f"end_{f}", w("count")) if before is None else alt.X(f"end_{f}:Q")}
        if before is not None:
            enc["x2"] = alt.X2(f"end_{before}")
        part = alt.Chart().mark_bar(height={"band": 0.7}, stroke="white", strokeWidth=1)
        part = part.encode(**enc).properties(name=f)
        layers.append(part.add_params(hover) if before is None else part)
        before = f
    chart = _labelled(layers, y, "end_unresolved", _NUMBER.format(f="end_unresolved"), data,
                      end_resolved="datum.resolved || 0",
                      end_in_progress="datum.end_resolved + (datum.in_progress || 0)",
                      end_unresolved="datum.end_in_progress + (datum.unresolved || 0)")
    return _finish(chart, "problems", w, data, (GREEN, ORANGE, VERMILLION))


_BUILDERS: dict[str, Callable[[Iterable[Row], Texts], dict[str, Any]]] = {
    "plan_vs_schedule": plan_vs_schedule, "ranking": ranking, "stage_funnel": stage_funnel,
    "campaign": campaign, "project_progress": project_progress,
    "sector_investment": sector_investment, "problems": problems,
}


def spec_for(kind: str, rows: Iterable[Row], texts: Texts) -> dict[str, Any]:
    """The same spec as the kind's Altair function, at a fraction of the cost: Altair builds
    each kind once, as a template filled as plain data (`_chartfill.filled`)."""
    from ._chartfill import filled  # it builds on this module

    return filled(kind, rows, texts)[0]
