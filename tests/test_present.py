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
