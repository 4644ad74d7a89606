"""builder.figures: precision, agreement within printed precision, 时序进度."""

import datetime as dt
from decimal import Decimal as D

from builder.numbers import Figure
from builder.figures import agrees, months_elapsed, percent, schedule_pct, tolerance


def test_tolerance_is_half_the_last_printed_digit():
    assert tolerance(68) == D("0.5")
    assert tolerance(D("85.7")) == D("0.05")
    assert tolerance(D("109.42")) == D("0.005")


def test_month_basis_counts_a_month_end_as_its_month():
    assert months_elapsed(dt.date(2023, 3, 31)) == 3
    assert months_elapsed(dt.date(2023, 3, 29)) == 2
    assert schedule_pct(dt.date(2023, 3, 31)) == 25
    assert schedule_pct(dt.date(2021, 4, 30)) == D(100) * 4 / 12  # 1-4月
    assert schedule_pct(dt.date(2022, 12, 31)) == 100


def test_day_basis_is_day_of_year_over_days_in_year():
    assert schedule_pct(dt.date(2023, 12, 31), "day") == 100
    assert round(schedule_pct(dt.date(2023, 3, 31), "day"), 2) == D("24.66")
    assert schedule_pct(dt.date(2024, 12, 31), "day") == 100  # leap year: 366/366


def test_zhoukou_2023_ahead_of_schedule_matches_the_printed_six_points():
    # 周口 2023: "完成年度目标任务的 31.1%，高于时序进度 6 个百分点" (data as of Q1 end)
    for basis in ("month", "day"):
        gap = D("31.1") - schedule_pct(dt.date(2023, 3, 31), basis)
        assert agrees(Figure(6), gap), (basis, gap)


def test_wugang_start_rate_agrees_and_zhumadian_landing_rate_does_not():
    assert agrees(Figure(D("85.7")), percent(6, 7))          # 舞钢: 6 of 7 = 85.7%
    assert not agrees(Figure(68), percent(93, 135))           # 驻马店: 68.9% printed "68%"
    assert round(percent(93, 135), 1) == D("68.9")


def test_bounds_widen_agreement_the_way_the_source_meant():
    # 周口: 3097 of 3118 resolved, printed "保持在 99% 以上"
    assert agrees(Figure(99, bound="lower"), percent(3097, 3118))
    assert agrees(Figure(99), percent(3097, 3118))  # 99.33 rounds to 99
    assert not agrees(Figure(98), percent(3097, 3118))
    assert agrees(Figure(40, bound="upper"), D(39))
    assert not agrees(Figure(40, bound="upper"), D(41))
    assert agrees(Figure(67, bound="approx"), D("67.9"))


def test_percent_of_zero_is_none():
    assert percent(1, 0) is None
