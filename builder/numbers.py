"""Numbers as printed: plain amounts, qualified figures, years."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from typing import Any

from .fields import BAD, SLOW, Spec, _show, unknown_message
from .messages import Msg

__all__ = ["Amount", "Figure", "FigureSpec", "Year", "BOUNDS", "KINDS"]


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return value
    return None


_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")
_LIMIT = Decimal("1e12")


class Amount(Spec):
    """A plain number, kept as typed (`int` or `Decimal`)."""

    type_name = "number"

    def __init__(self, minimum: Any = 0, maximum: Any = _LIMIT, integer: bool = False):
        self.minimum = minimum
        self.maximum = maximum
        self.integer = integer
        if integer:
            self.type_name = "whole number"

    def quick(self, value):
        cls = value.__class__
        if cls is int or (cls is Decimal and not self.integer and value.is_finite()):
            lo, hi = self.minimum, self.maximum
            if (lo is None or value >= lo) and (hi is None or value <= hi):
                return value
        return SLOW

    def coerce(self, value, path, ctx):
        cls = value.__class__
        plain_ok = cls is int or (cls is Decimal and not self.integer and value.is_finite())
        if plain_ok:  # the common case, checked first
            lo, hi = self.minimum, self.maximum
            if (lo is None or value >= lo) and (hi is None or value <= hi):
                return value
        n = _number(value)
        if n is None:
            what = Msg("what.whole_number" if self.integer else "what.number")
            if isinstance(value, str):
                fixed = value.translate(_FULLWIDTH)
                shown = _show(value)
                if fixed != value and _number_text(fixed):
                    return ctx.error(path, "type", Msg("number.fullwidth", what=what, found=shown,
                                                       fixed=fixed))
                if _number_text(value.strip()):
                    return ctx.error(path, "type", Msg("number.quoted", what=what, found=shown))
                return ctx.error(path, "type", Msg("number.words", what=what, found=shown))
            return self.expected(value, path, ctx, what)
        if self.integer and not isinstance(n, int):
            if n == n.to_integral_value() and "." not in str(n):
                n = int(n)
            else:
                return ctx.error(path, "type", Msg("type.expected", what=Msg("what.whole_number"),
                                                   found=n))
        if isinstance(n, Decimal) and not n.is_finite():
            return ctx.error(path, "not-finite", Msg("number.not_finite", n=n))
        if self.minimum is not None and n < self.minimum:
            return ctx.error(path, "range", Msg("number.below", n=n, min=self.minimum))
        if self.maximum is not None and n > self.maximum:
            return ctx.error(path, "range", Msg("number.above", n=n, max=self.maximum))
        return n

    def json_schema(self):
        s: dict = {"type": "integer" if self.integer else "number"}
        if self.minimum is not None:
            s["minimum"] = float(self.minimum)
        if self.maximum is not None:
            s["maximum"] = float(self.maximum)
        return s


def _number_text(text: str) -> bool:
    return bool(re.match(r"^[-+]?[0-9]+(\.[0-9]+)?$", text))


@dataclasses.dataclass(frozen=True)
class Figure:
    """A figure as printed: its value, its bound (多/约/以内), and its kind.

    `kind` is `actual` unless the source calls it a target (力争, 确保) or a
    projection (可完成); targets and projections are never charted or summed
    as achieved figures. `unit` overrides the field's unit (e.g. 万元).
    """

    value: Any
    bound: str | None = None
    kind: str = "actual"
    note: str | None = None
    unit: str | None = None

    @property
    def is_actual(self) -> bool:
        return self.kind == "actual"


_FIGURE_FIELDS = {"value": None, "bound": None, "kind": "actual", "note": None, "unit": None}


def _plain_figure(value: Any, kind: str) -> Figure:
    """Figure(value, None, kind) without the frozen `__init__`'s setattr per field
    (a site has a few per project, and some are cheaper to make than to check)."""
    fig = object.__new__(Figure)
    fields = _FIGURE_FIELDS.copy()
    fields["value"] = value
    fields["kind"] = kind
    object.__setattr__(fig, "__dict__", fields)
    return fig


BOUNDS = ("lower", "upper", "approx")
KINDS = ("actual", "target", "projection")


class FigureSpec(Spec):
    """A number, or `{value, bound, kind, note, unit}` for a qualified figure."""

    type_name = "figure"

    def __init__(self, minimum: Any = 0, maximum: Any = _LIMIT, integer: bool = False,
                 units: tuple[str, ...] = (), kind: str = "actual"):
        self.number = Amount(minimum, maximum, integer)
        self.units = units
        self.kind = kind
        self.type_name = "figure (whole number)" if integer else "figure"

    def quick(self, value):
        if value.__class__ is dict:
            return SLOW
        n = self.number.quick(value)
        return SLOW if n is SLOW else _plain_figure(n, self.kind)

    def coerce(self, value, path, ctx):
        if not isinstance(value, dict):
            n = self.number.coerce(value, path, ctx)
            return BAD if n is BAD else _plain_figure(n, self.kind)
        bad = False
        unknown = [k for k in value if k not in ("value", "bound", "kind", "note", "unit")]
        for k in unknown:
            ctx.error(path + (str(k),), "unknown-field",
                      unknown_message(str(k), ("value", "bound", "kind", "note", "unit")),
                      at_key=True)
            bad = True
        if "value" not in value:
            return ctx.error(path, "missing", Msg("figure.needs_value"))
        n = self.number.coerce(value["value"], path + ("value",), ctx)
        bound = value.get("bound")
        if bound is not None and bound not in BOUNDS:
            ctx.error(path + ("bound",), "choice", Msg("figure.bound", value=_show(bound)))
            bad = True
        kind = value.get("kind", self.kind)
        if kind not in KINDS:
            ctx.error(path + ("kind",), "choice", Msg("figure.kind", value=_show(kind)))
            bad = True
        note = value.get("note")
        if note is not None and not isinstance(note, str):
            ctx.error(path + ("note",), "type", Msg("type.expected", what=Msg("what.text"),
                                                    found=_show(note)))
            bad = True
        unit = value.get("unit")
        if unit is not None and unit not in self.units:
            allowed = ", ".join(self.units) if self.units else Msg("figure.unit_fixed")
            ctx.error(path + ("unit",), "choice", Msg("figure.unit", value=_show(unit),
                                                      allowed=allowed))
            bad = True
        if bad or n is BAD:
            return BAD
        return Figure(n, bound, kind, note, unit)

    def json_schema(self):
        num = self.number.json_schema()
        mapping = {
            "type": "object", "additionalProperties": False, "required": ["value"],
            "properties": {
                "value": num,
                "bound": {"enum": list(BOUNDS), "description": "lower = 多/余/以上; upper = 以内; approx = 约/近"},
                "kind": {"enum": list(KINDS), "description": "target and projection are never charted as achieved"},
                "note": {"type": "string"},
            },
        }
        if self.units:
            mapping["properties"]["unit"] = {"enum": list(self.units)}
        return {"anyOf": [num, mapping]}


class Year(Amount):
    type_name = "year"

    def __init__(self):
        super().__init__(1949, 2100, integer=True)

    def coerce(self, value, path, ctx):
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
            value = int(value)  # ("²".isdigit(), and int() refuses 4,301 digits)
        return super().coerce(value, path, ctx)
