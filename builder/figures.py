"""Arithmetic on figures as printed: precision, percentages, 时序进度.

Pure functions over `Decimal`, shared by the validator (which warns when a
printed figure disagrees with its parts) and by `derive` (which computes).
"""

from __future__ import annotations

import calendar
import datetime as _dt
from decimal import ROUND_HALF_UP, Decimal

from .numbers import Figure
from .types import Number

__all__ = [
    "dec", "tolerance", "agrees", "percent", "schedule_pct", "round_to", "value_of",
    "months_elapsed",
]

HUNDRED = Decimal(100)


def dec(n: Number) -> Decimal:
    return n if isinstance(n, Decimal) else Decimal(n)


def tolerance(printed: Number) -> Decimal:
    """Half a unit of the last printed digit: 68 -> 0.5, 85.7 -> 0.05, 109.42 -> 0.005."""
    exp = dec(printed).as_tuple().exponent
    exp = exp if isinstance(exp, int) else 0
    return Decimal(5) * Decimal(10) ** (min(exp, 0) - 1)


def agrees(printed: Figure, computed: Decimal) -> bool:
    """Whether a printed figure is what its parts give, within its printed precision.

    A lower bound (99%以上) agrees with anything at or above it, less the
    tolerance; an upper bound likewise; an approximate figure gets twice the
    tolerance plus 1% of its size.
    """
    v = dec(printed.value)
    tol = tolerance(printed.value)
    if printed.bound == "lower":
        return computed >= v - tol
    if printed.bound == "upper":
        return computed <= v + tol
    if printed.bound == "approx":
        tol = tol * 2 + abs(v) / 100
    return abs(computed - v) <= tol


def percent(part: Number, whole: Number) -> Decimal | None:
    """part ÷ whole × 100, unrounded; None when whole is zero."""
    w = dec(whole)
    if w == 0:
        return None
    return dec(part) * HUNDRED / w


def round_to(x: Decimal, places: int = 1) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def months_elapsed(as_of: _dt.date) -> int:
    """Whole months elapsed in the year on `as_of`; a month-end date counts its month."""
    last = calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.month if as_of.day == last else as_of.month - 1


def schedule_pct(as_of: _dt.date, basis: str = "month") -> Decimal:
    """时序进度: the share of the year elapsed on `as_of`, in percent.

    month basis: whole months elapsed ÷ 12 (for "1–N月" reports);
    day basis: day of the year ÷ days in the year.
    """
    if basis == "day":
        days = 366 if calendar.isleap(as_of.year) else 365
        return Decimal(as_of.timetuple().tm_yday) * HUNDRED / days
    return Decimal(months_elapsed(as_of)) * HUNDRED / 12


def value_of(f: Figure | None, actual_only: bool = True) -> Decimal | None:
    """The value of a figure for arithmetic: None if absent, bounded or not actual."""
    if f is None or (actual_only and not f.is_actual):
        return None
    return dec(f.value)
