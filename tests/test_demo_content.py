"""The demo site in content/ is valid, and its figures are the seeds' figures as printed.

`bulletin check content` must report no errors and exactly the two warnings
that are the seed articles' own inconsistencies:

- 驻马店: a landing rate printed as 68% while 93 ÷ 135 = 68.9% (`disagrees`);
- 梁园区: 12 "三个一批" projects in all, while the batches listed add up to 9
  (`sum-mismatch`).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from builder.derive import derive
from builder.validate import validate

ROOT = Path(__file__).resolve().parents[1]

EXPECTED_WARNINGS = {
    ("content/regions/zhumadian.yaml", "disagrees", ("reports", 3, "landing_rate_pct")),
    ("content/campaigns/liangyuan-3kb-2021.yaml", "sum-mismatch", ("totals", "count")),
}


@pytest.fixture(scope="module")
def content():
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)  # problems carry paths relative to the working directory
        return validate(Path("content"))


def _report(content, region: str, key: str):
    return next(r for r in content.regions[region].reports if r.key == key)


def _item(content, region: str, kind: str, key: str):
    return next(i for i in getattr(content.regions[region], kind) if i.key == key)


def test_no_errors(content):
    assert not content.errors, "\n".join(f"{p.path}:{p.line}: {p.code}: {p.message}"
                                         for p in content.errors)


def test_warnings_are_exactly_the_seed_inconsistencies(content):
    got = {(Path(p.path).as_posix(), p.code, p.field) for p in content.warnings}
    assert got == EXPECTED_WARNINGS


def test_the_site_is_all_there(content):
    assert content.site.home_region == "henan"
    assert content.site.as_of.isoformat() == "2023-03-31"
    assert content.site.flags.red == 2 and content.site.flags.yellow == 1
    assert len(content.site.sources) == 5
    assert len(content.regions) == 18  # 河南 + 7 cities + 10 counties, districts and zones
    assert len(content.projects) == 59
    assert len(content.campaigns) == 6
    assert len(content.bulletins) >= 6


def test_zhoukou_2022(content):
    r = _report(content, "zhoukou", "2022")
    assert r.project_count.value == 336
    assert r.completed.value == Decimal("1546.18")
    assert str(r.completed.value) == "1546.18"  # kept as typed, never a float
    assert r.plan_completion_pct.value == Decimal("109.42")
    assert r.target_met_months_early.value == 1
    assert r.annual_plan is None  # the seed gives none; nothing is back-computed


def test_zhoukou_2023_q1_is_ahead_of_schedule(content):
    r = _report(content, "zhoukou", "2023-q1")
    assert (r.project_count.value, r.completed.value) == (398, 550)
    assert r.plan_completion_pct.value == Decimal("31.1")
    assert r.ahead_of_schedule_pp.value == 6
    assert r.as_of.isoformat() == "2023-03-31" and r.as_of_inferred and r.as_of_note
    view = next(v for v in derive(content).regions["zhoukou"].reports if v.report.key == "2023-q1")
    assert view.schedule_pct.value == Decimal("25")


def test_nested_and_differently_based_scopes_are_marked(content):
    assert _report(content, "xinzheng", "prov-zz-2021").subset_of == "2021"
    assert _report(content, "zhoukou", "techreform-inv-2022").subset_of == "ind-inv-2022"
    assert _report(content, "zhumadian", "ind-inv-2021-04").basis == "statistical"
    assert _report(content, "zhumadian", "city-ind-2021-04").basis == "project_reported"


def test_the_two_seed_inconsistencies_are_kept_as_printed(content):
    r = _report(content, "zhumadian", "signed-ind-2021")
    assert (r.project_count.value, r.landed_count.value, r.landing_rate_pct.value) == (135, 93, 68)
    ly = content.campaigns["liangyuan-3kb-2021"]
    assert ly.totals.count.value == 12
    assert sum(b.count.value for b in ly.batches) == 9


def test_campaigns(content):
    wg = content.campaigns["wugang-3kb-2021"]
    assert [(b.batch, b.count.value, b.advanced.value, b.rate_pct.value) for b in wg.batches] == [
        ("sign", 7, 6, Decimal("85.7")), ("start", 5, 5, 100), ("operate", 6, 6, 100)]
    assert wg.totals.count.value == 18
    zk = content.campaigns["zhoukou-3kb-7"]
    assert (zk.round, zk.totals.count.value, zk.totals.completed_investment.value,
            zk.totals.target_met) == (7, 277, Decimal("502.5"), True)
    mj = content.campaigns["mengjin-3kb"].totals
    assert (mj.started_count.value, mj.started_investment.value, mj.finished_count.value,
            mj.finished_investment.value) == (49, Decimal("181.7"), 28, Decimal("115.5"))
    for cid, c in content.campaigns.items():
        for pid in c.members:
            assert any(ref.campaign == cid for ref in content.projects[pid].campaigns), (cid, pid)


def test_events(content):
    xz = _item(content, "xinzheng", "events", "group-start-2021")
    assert (xz.batches.value, xz.project_count.value, xz.total_investment.value,
            xz.annual_plan.value) == (2, 65, 210, Decimal("97.1"))
    mj = _item(content, "luoyang-mengjin", "events", "group-start")
    assert (mj.batches.value, mj.project_count.value, mj.total_investment.value,
            mj.annual_plan.value) == (4, 110, Decimal("422.3"), Decimal("109.1"))


def test_bounds_and_kinds_as_printed(content):
    ledger = _item(content, "zhoukou", "problems", "enterprise-problems")
    assert (ledger.resolution_pct.value, ledger.resolution_pct.bound) == (99, "lower")
    q1 = _item(content, "zhoukou-huaiyang", "targets", "q1-start-rate").value
    assert (q1.value, q1.bound, q1.kind) == (50, "lower", "target")
    out = next(i for i in content.projects["junheng-biofuel"].indicators
               if i.key == "annual-output-2023").value
    assert (out.value, out.bound, out.kind) == (35, "lower", "projection")


def test_every_target_is_marked_as_one(content):
    # A bare number under `targets:` would load as an actual figure; every target
    # here must say kind: target (or projection).
    for rid, r in content.regions.items():
        for t in r.targets:
            assert t.value.kind in ("target", "projection"), (rid, t.key)


def test_wan_yuan_figures_keep_their_unit(content):
    fund = _item(content, "zhoukou", "indicators", "techreform-fund")
    assert (fund.value.value, fund.value.unit) == (1000, "万元")
    central = _item(content, "puyang-shifanqu", "indicators", "central-budget-funds")
    assert (central.value.value, central.value.unit) == (2505, "万元")


def test_only_the_four_projects_with_money_have_money(content):
    money = {pid: p.total_investment.value for pid, p in content.projects.items()
             if p.total_investment is not None}
    assert money == {"zhongxin-taikang-hydrogen": 50, "guohong-hydrogen-park": Decimal("13.6"),
                     "medical-bigdata-park": 30, "zhongke-puyang-mma": 20}
    assert all(not p.progress for p in content.projects.values())


_REF = re.compile(r"\{\{\s*figure\b[^}]*\}\}")
_FENCE = re.compile(r"^```chart\n.*?^```\n?", re.S | re.M)


def _prose(body: str) -> str:
    return _REF.sub("", _FENCE.sub("", body))


def test_bulletins_cite_figures_instead_of_retyping_them(content):
    for b in content.bulletins:
        prose = _prose(b.body)
        # Years (2021年) are labels, not figures; any other digit would be a retyped number.
        digits = re.findall(r"\d+(?:\.\d+)?", re.sub(r"20\d\d(?=年|—|-|–)", "", prose))
        assert not digits, f"{b.path}: numbers typed into the text: {digits}"
        assert len(b.figure_refs) >= 4, f"{b.path} cites too few figures"


def test_bulletins_are_of_a_readable_length(content):
    for b in content.bulletins:
        text = re.sub(r"\s+", "", _prose(b.body))
        assert 300 <= len(text) + 6 * len(b.figure_refs) <= 800, (b.path, len(text))
        assert b.meta.title_en and b.meta.summary and b.meta.summary_en and b.meta.sources


def test_most_bulletins_have_a_chart(content):
    with_chart = [b for b in content.bulletins if b.charts]
    assert len(with_chart) >= len(content.bulletins) - 1
