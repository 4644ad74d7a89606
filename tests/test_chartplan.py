"""builder.chartplan on the demo content: what each chart is asked to show, per language."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from builder.chartplan import plan_charts
from builder.derive import derive
from builder.i18n import load_catalog
from builder.validate import validate

REPO = Path(__file__).resolve().parents[1]
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def derived():
    checked = validate(REPO / "content")
    assert not checked.errors
    return derive(checked)


def requests(derived, lang: str) -> dict:
    return plan_charts(derived, load_catalog(REPO / "site_templates", lang))


def words(req) -> list[str]:
    """Every word a chart shows: its title, description and the text of its rows."""
    return [req.texts.title, req.texts.description,
            *(v for row in req.rows for k, v in row.items()
              if isinstance(v, str) and k not in ("batch", "stage", "flag", "month"))]


def test_english_charts_name_regions_scopes_ledgers_sectors_and_campaigns_in_english(derived):
    reqs = requests(derived, "en")
    han = {cid: [w for w in words(r) if HAN.search(w)] for cid, r in reqs.items()
           if not cid.startswith("bulletin-")}  # a bulletin's own chart titles are its words
    assert {cid: found for cid, found in han.items() if found} == {}
    zk = reqs["region-zhoukou-plan_vs_schedule"]
    assert zk.texts.title.startswith("Zhoukou")
    assert [r["label"] for r in zk.rows] == ["2022 province- and city-listed key investment projects",
                                             "Q1 2023 province- and city-listed key projects"]
    assert reqs["region-zhoukou-problems"].rows[0]["label"].startswith("enterprise problems")
    assert "Hydrogen energy" in {r["sector"] for r in reqs["region-henan-sector_investment"].rows}
    assert "three batches" in reqs["campaign-wugang-3kb-2021"].texts.title


def test_chinese_charts_keep_the_chinese_names(derived):
    reqs = requests(derived, "zh-CN")
    assert reqs["region-zhoukou-plan_vs_schedule"].texts.title.startswith("周口市")
    assert reqs["region-zhoukou-problems"].rows[0]["label"] == "企业问题（万人助万企）"
    assert "氢能" in {r["sector"] for r in reqs["region-henan-sector_investment"].rows}


def test_rows_keep_the_figures_as_printed(derived):
    """The table beside a chart prints its rows: 7, 51 and 85.7, never 7.0 or 51.0."""
    reqs = requests(derived, "zh-CN")
    sign = reqs["campaign-wugang-3kb-2021"].rows[0]
    assert (sign["count"], sign["advanced"], sign["rate_pct"]) == (7, 6, Decimal("85.7"))
    assert str(sign["count"]) == "7" and str(sign["rate_pct"]) == "85.7"
    home = {r["label"]: r for r in reqs["region-henan-plan_vs_schedule"].rows}
    zmd = home["驻马店市 · 2021年1–4月"]
    assert str(zmd["plan_completion_pct"]) == "51" and str(zmd["schedule_pct"]) == "33.33"
    assert not [v for r in reqs["region-zhoukou-problems"].rows for v in r.values()
                if isinstance(v, float)]
