"""builder.chartplan on the demo content: what each chart is asked to show, per language."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from builder.blocks import ChartBlock
from builder.chartplan import _en, block_request, plan_charts
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


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """A generated site: the demo content has no monthly progress to chart."""
    root = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "30", str(root)],
                   check=True, stdout=subprocess.DEVNULL)
    checked = validate(root / "content")
    assert not checked.errors
    return derive(checked)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_project_page_chart_is_titled_by_its_year_and_a_bulletin_chart_by_its_project(
        synthetic, lang):
    t = load_catalog(REPO / "site_templates", lang)
    reqs = plan_charts(synthetic, t)
    pid = sorted(synthetic.projects)[0]
    own = reqs[f"project-{pid}-2023"]
    name = _en(t, synthetic.projects[pid].project)
    # Under the project's own heading: the year, not the name again (and a shorter text to draw).
    assert "2023" in own.texts.title and name not in own.texts.title
    assert name in own.texts.description  # what a screen reader hears still names it
    block = block_request(synthetic, t, "news", 0, ChartBlock(kind="project_progress", project=pid,
                                                               year=2023))
    assert name in block.texts.title and block.rows == own.rows
