"""builder.present: figures as a reader sees them, per language."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from builder.i18n import load_catalog
from builder.numbers import Figure
from builder.present import Presenter

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", params=["zh-CN", "en"])
def p(request) -> Presenter:
    return Presenter(load_catalog(REPO / "site_templates", request.param))


def test_a_count_prints_the_records_own_measure_word_in_chinese_and_bare_in_english(p):
    f = p.fig(Figure(Decimal("3118")), "count", unit="条")
    plain = p.fig(Figure(Decimal("3118")), "count")
    if p.t.lang == "zh-CN":
        assert f.text == "3118 条" and plain.text == "3118 个"
    else:
        assert f.text == "3,118" and plain.text == "3,118"


def test_a_bounded_count_keeps_its_bound_and_measure_word(p):
    f = p.fig(Figure(Decimal("130"), "lower"), "count", unit="个")
    assert f.text == ("130 个以上" if p.t.lang == "zh-CN" else "130+")


def test_the_measure_word_does_not_touch_other_kinds(p):
    assert p.fig(Decimal("99"), "pct", unit="条").text == "99%"
    assert p.fig(Decimal("36"), "plain", unit="处").text == "36 处"


# --- FigMarkup: `fig(f)` in the templates -------------------------------------------------

def _markup(p, f):
    from builder.present import FigMarkup
    return str(FigMarkup(p.t)(f))


def test_a_plain_figure_is_a_span_with_its_text_and_its_provenance_as_tooltip(p):
    f = p.fig(Figure(Decimal("3118")), "count", unit="条", as_of=__import__("datetime").date(2023, 3, 31))
    html = _markup(p, f)
    assert html.startswith('<span class="fig" title="') and html.endswith(f"{f.text}</span>")
    assert f.as_of in html


def test_an_absent_figure_says_so_in_its_class_and_tooltip(p):
    html = _markup(p, p.fig(None, "money"))
    assert html == (f'<span class="fig fig-absent" title="{p.t.t("figure.absent_title")}">'
                    f'{p.t.t("figure.absent")}</span>')


def test_a_derived_target_that_disagrees_carries_every_mark(p):
    from builder.derive import Num
    f = p.fig(Num(Decimal("12.5"), derived=True, rule="rule.plan_completion", kind="target", agrees=False), "pct")
    html = _markup(p, f)
    assert html.startswith('<span class="fig fig-derived fig-target fig-disagrees" title="')
    assert f'<span class="badge badge-target">{p.t.t("kind.target")}</span> ' in html
    assert f'<abbr class="derived-mark" title="{p.t.t("rule.plan_completion")}">' in html
    assert '<abbr class="warn-mark"' in html and html.endswith("!</abbr></span>")


def test_figure_markup_escapes_what_comes_from_the_data(p):
    f = p.fig(Figure(Decimal("1"), unit='<b>"x"</b>'), "plain", source="<script>&'")
    html = _markup(p, f)
    assert "<b>" not in html and "<script>" not in html
    assert "&lt;b&gt;&#34;x&#34;&lt;/b&gt;" in html and "&lt;script&gt;&amp;&#39;" in html


@pytest.mark.parametrize("value", ["12.30", "0", "-1.5", "1E+3", "123456789.000001"])
def test_a_bare_amount_is_shown_as_the_same_amount_as_a_figure(p, value):
    """The quick path for bare amounts gives what the general one gives a plain Figure."""
    bare = p.fig(Decimal(value), "money")
    assert bare == p.fig(Figure(Decimal(value)), "money")
    assert str(bare.__html__()) == str(p.fig(Figure(Decimal(value)), "money").__html__())
