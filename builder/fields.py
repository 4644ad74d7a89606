"""Field kinds: how one value in a record is checked, converted and described.

`model.py` declares every record as a frozen dataclass whose fields carry one
of these specs in their metadata (see `field()`); the same declaration drives
validation (`coerce`), the JSON Schema (`json_schema`) and the README's data
reference, so the three cannot drift apart.

`coerce` returns the converted value or `BAD`, appending Problems to the
context; it never raises for bad input.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import re
from decimal import Decimal
from typing import Any, Callable

from .errors import Problem
from .types import FieldPath

__all__ = [
    "BAD", "Ctx", "Spec", "Text", "Slug", "Ref", "Integer", "Amount", "FigureSpec",
    "DateSpec", "Month", "Year", "Period", "Choice", "ListOf", "MapOf", "Record",
    "Boolean", "Url", "SourceSpec", "field", "describe", "Figure",
]


class _Bad:
    def __repr__(self) -> str:
        return "BAD"


#: Returned by `coerce` for a value that failed; never stored in a record.
BAD: Any = _Bad()


class Ctx:
    """What a coercion needs: the document (for positions) and the sinks."""

    __slots__ = ("doc", "problems", "refs")

    def __init__(self, doc: Any):
        self.doc = doc
        self.problems: list[Problem] = []
        #: (field path, target kind, id) of every reference, for cross-record checks.
        self.refs: list[tuple[FieldPath, str, str]] = []

    def error(self, path: FieldPath, code: str, message: str, at_key: bool = False) -> Any:
        self.problems.append(self.doc.problem(path, code, message, "error", at_key))
        return BAD

    def warn(self, path: FieldPath, code: str, message: str) -> None:
        self.problems.append(self.doc.problem(path, code, message, "warning"))


def _show(value: Any) -> str:
    """A value as it would appear in the editor's file."""
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


class Spec:
    """Base of all field kinds."""

    type_name = "value"

    def coerce(self, value: Any, path: FieldPath, ctx: Ctx) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict:
        raise NotImplementedError

    def expected(self, value: Any, path: FieldPath, ctx: Ctx, what: str, code: str = "type") -> Any:
        return ctx.error(path, code, f"expected {what}, found {_show(value)}")


class Text(Spec):
    type_name = "text"

    def __init__(self, max_len: int = 500, pattern: str | None = None, hint: str = ""):
        self.max_len = max_len
        self.pattern = re.compile(pattern) if pattern else None
        self.hint = hint

    def coerce(self, value, path, ctx):
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            return self.expected(value, path, ctx, "text")
        if isinstance(value, _dt.date):
            value = value.isoformat()
        elif not isinstance(value, str):
            value = str(value)
        value = value.strip()
        if not value:
            return ctx.error(path, "empty", "must not be empty")
        if len(value) > self.max_len:
            return ctx.error(path, "too-long", f"is {len(value)} characters long; at most "
                             f"{self.max_len} are allowed")
        if self.pattern and not self.pattern.match(value):
            return ctx.error(path, "format", f"{_show(value)} is not valid here; {self.hint}")
        return value

    def json_schema(self):
        s: dict = {"type": "string", "maxLength": self.max_len}
        if self.pattern:
            s["pattern"] = self.pattern.pattern
        return s


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                     *(f"lpt{i}" for i in range(10))}


class Slug(Spec):
    """An id: lowercase ASCII letters, digits and single hyphens; safe as a URL part."""

    type_name = "id"

    def coerce(self, value, path, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return self.expected(value, path, ctx, "an id (lowercase letters, digits, hyphens)")
        if not SLUG.match(value) or len(value) > 80:
            return ctx.error(path, "bad-id",
                             f"{_show(value)} is not a valid id; use lowercase letters a-z, digits "
                             "and single hyphens, at most 80 characters (e.g. zhoukou-huaiyang)")
        if value in _WINDOWS_RESERVED:
            return ctx.error(path, "bad-id", f"{_show(value)} is a reserved file name on Windows; "
                             "choose another id")
        return value

    def json_schema(self):
        return {"type": "string", "pattern": SLUG.pattern, "maxLength": 80}


class Ref(Slug):
    """The id of another record; resolved in the cross-record pass."""

    def __init__(self, kind: str):
        self.kind = kind
        self.type_name = f"{kind} id"

    def coerce(self, value, path, ctx):
        v = super().coerce(value, path, ctx)
        if v is not BAD:
            ctx.refs.append((path, self.kind, v))
        return v


class Boolean(Spec):
    type_name = "true/false"

    def coerce(self, value, path, ctx):
        if not isinstance(value, bool):
            return self.expected(value, path, ctx, "true or false")
        return value

    def json_schema(self):
        return {"type": "boolean"}


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

    def coerce(self, value, path, ctx):
        n = _number(value)
        if n is None:
            what = "a whole number" if self.integer else "a number"
            if isinstance(value, str):
                fixed = value.translate(_FULLWIDTH)
                if fixed != value and _number_text(fixed):
                    return ctx.error(path, "type", f"expected {what}, found {_show(value)} written "
                                     f"with full-width digits; type {fixed} instead")
                if _number_text(value.strip()):
                    return ctx.error(path, "type", f"expected {what}, found the text {_show(value)}; "
                                     "remove the quotes")
                return ctx.error(path, "type", f"expected {what}, found {_show(value)}; write the "
                                 "figure alone (units and words like 约 or 多 go in `unit` and `bound`)")
            return self.expected(value, path, ctx, what)
        if self.integer and not isinstance(n, int):
            if n == n.to_integral_value() and "." not in str(n):
                n = int(n)
            else:
                return ctx.error(path, "type", f"expected a whole number, found {n}")
        if isinstance(n, Decimal) and not n.is_finite():
            return ctx.error(path, "not-finite", f"{n} is not a finite number")
        if self.minimum is not None and n < self.minimum:
            return ctx.error(path, "range", f"{n} is below the smallest allowed value, {self.minimum}")
        if self.maximum is not None and n > self.maximum:
            return ctx.error(path, "range", f"{n} is above the largest allowed value, {self.maximum}")
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

    def coerce(self, value, path, ctx):
        if not isinstance(value, dict):
            n = self.number.coerce(value, path, ctx)
            return BAD if n is BAD else Figure(n, None, self.kind)
        bad = False
        unknown = [k for k in value if k not in ("value", "bound", "kind", "note", "unit")]
        for k in unknown:
            ctx.error(path + (str(k),), "unknown-field",
                      _unknown_message(str(k), ("value", "bound", "kind", "note", "unit")),
                      at_key=True)
            bad = True
        if "value" not in value:
            return ctx.error(path, "missing", "a figure written as a mapping needs `value`")
        n = self.number.coerce(value["value"], path + ("value",), ctx)
        bound = value.get("bound")
        if bound is not None and bound not in BOUNDS:
            ctx.error(path + ("bound",), "choice", f"{_show(bound)} is not a bound; use one of "
                      "lower (多/以上), upper (以内), approx (约/近)")
            bad = True
        kind = value.get("kind", self.kind)
        if kind not in KINDS:
            ctx.error(path + ("kind",), "choice", f"{_show(kind)} is not a figure kind; use one of "
                      "actual, target (目标/力争), projection (预计)")
            bad = True
        note = value.get("note")
        if note is not None and not isinstance(note, str):
            ctx.error(path + ("note",), "type", f"expected text, found {_show(note)}")
            bad = True
        unit = value.get("unit")
        if unit is not None and unit not in self.units:
            allowed = ", ".join(self.units) if self.units else "none (the unit is fixed)"
            ctx.error(path + ("unit",), "choice", f"{_show(unit)} is not a unit allowed here; "
                      f"allowed: {allowed}")
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


class DateSpec(Spec):
    type_name = "date (YYYY-MM-DD)"

    def coerce(self, value, path, ctx):
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str) and re.match(r"^\d{4}-\d{1,2}-\d{1,2}[T ]", value):
            return ctx.error(path, "type", f"expected a date, found {_show(value)}; give the day "
                             "only, as YYYY-MM-DD")
        return self.expected(value, path, ctx, "a date written YYYY-MM-DD")

    def json_schema(self):
        return {"type": "string", "format": "date"}


class Month(Spec):
    type_name = "month (YYYY-MM)"
    _re = re.compile(r"^(\d{4})-(\d{2})$")

    def coerce(self, value, path, ctx):
        m = self._re.match(value) if isinstance(value, str) else None
        if not m:
            return self.expected(value, path, ctx, "a month written YYYY-MM (e.g. 2023-03)")
        if not 1 <= int(m[2]) <= 12:
            return ctx.error(path, "bad-date", f"{value} is not a real month")
        return value

    def json_schema(self):
        return {"type": "string", "pattern": self._re.pattern}


class Year(Amount):
    type_name = "year"

    def __init__(self):
        super().__init__(1949, 2100, integer=True)

    def coerce(self, value, path, ctx):
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        return super().coerce(value, path, ctx)


PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|\d{2}(?:/\d{2})?))?$")


class Period(Spec):
    """A reporting period: 2023, 2023-Q1, 2023-H1, 2023-03 or 2021-01/04."""

    type_name = "period"

    def coerce(self, value, path, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        m = PERIOD.match(value) if isinstance(value, str) else None
        if not m:
            return self.expected(value, path, ctx, "a period such as 2023, 2023-Q1, 2023-H1, "
                                 "2023-03 or 2021-01/04", code="bad-period")
        tail = m[2] or ""
        if tail[:1].isdigit():
            first, _, last = tail.partition("/")
            months = [int(first)] + ([int(last)] if last else [])
            if any(not 1 <= x <= 12 for x in months) or (last and int(last) < int(first)):
                return ctx.error(path, "bad-period", f"{value} is not a valid period; months run "
                                 "01 to 12, and 2021-01/04 means January to April")
        return value

    def json_schema(self):
        return {"type": "string", "pattern": PERIOD.pattern}


class Choice(Spec):
    """One of a closed set; each canonical value may be typed by its aliases."""

    def __init__(self, values: dict[str, tuple[str, ...]], type_name: str = "choice"):
        self.values = values
        self.type_name = type_name
        self.lookup = {}
        for canon, aliases in values.items():
            self.lookup[canon] = canon
            for a in aliases:
                self.lookup[a] = canon

    def coerce(self, value, path, ctx):
        canon = self.lookup.get(value) if isinstance(value, str) else None
        if canon is None:
            allowed = ", ".join(f"{c} ({'/'.join(a)})" if a else c for c, a in self.values.items())
            near = difflib.get_close_matches(str(value), list(self.lookup), n=1, cutoff=0.6)
            tip = f" Did you mean `{self.lookup[near[0]]}`?" if near else ""
            return ctx.error(path, "choice", f"{_show(value)} is not allowed; use one of: "
                             f"{allowed}.{tip}")
        return canon

    def json_schema(self):
        return {"enum": sorted(self.lookup)}


class Url(Text):
    type_name = "web address"

    def __init__(self):
        super().__init__(2000, r"^https?://[^\s<>\"']+$", "give a full web address starting with "
                         "http:// or https://")


class ListOf(Spec):
    def __init__(self, item: Spec, max_items: int = 10_000):
        self.item = item
        self.max_items = max_items

    @property
    def type_name(self):
        return f"list of {self.item.type_name}"

    def coerce(self, value, path, ctx):
        if not isinstance(value, list):
            return self.expected(value, path, ctx, "a list (lines starting with `- `)")
        if len(value) > self.max_items:
            return ctx.error(path, "too-long", f"has {len(value)} items; at most "
                             f"{self.max_items} are allowed")
        out = []
        item = self.item
        for i, v in enumerate(value):
            c = item.coerce(v, path + (i,), ctx)
            if c is not BAD:
                out.append(c)
        return tuple(out)

    def json_schema(self):
        return {"type": "array", "items": self.item.json_schema(), "maxItems": self.max_items}


class MapOf(Spec):
    """A mapping with keys of one kind and values of another (e.g. year -> figure)."""

    def __init__(self, key: Spec, value: Spec, key_name: str):
        self.key = key
        self.value = value
        self.key_name = key_name

    @property
    def type_name(self):
        return f"mapping of {self.key_name} to {self.value.type_name}"

    def coerce(self, value, path, ctx):
        if not isinstance(value, dict):
            return self.expected(value, path, ctx, f"a mapping of {self.key_name} to values")
        out = {}
        for k, v in value.items():
            sk = k.isoformat() if isinstance(k, _dt.date) else str(k)
            kk = self.key.coerce(k, path + (sk,), ctx)
            vv = self.value.coerce(v, path + (sk,), ctx)
            if kk is not BAD and vv is not BAD:
                out[kk] = vv
        return out

    def json_schema(self):
        return {"type": "object", "additionalProperties": self.value.json_schema(),
                "propertyNames": {"description": self.key_name}}


#: Field names editors are likely to type in Chinese or from old templates.
FIELD_HINTS = {
    "年度计划": "annual_plan", "年度计划投资": "annual_plan", "annual_plan_investment": "annual_plan",
    "总投资": "total_investment", "完成投资": "completed", "completed_investment": "completed",
    "名称": "name", "项目名称": "name", "所属地区": "region", "阶段": "stage", "进度": "progress",
    "来源": "source", "日期": "date", "年份": "year", "completed_ytd": "completed",
}


def _unknown_message(key: str, known) -> str:
    known = list(known)
    near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = FIELD_HINTS.get(key)
    if hint in known:
        near = [hint]
    tip = f"did you mean `{near[0]}`?" if near else "known fields: " + ", ".join(known)
    return f"`{key}` is not a known field here; {tip}"


def field(spec: Spec, zh: str, en: str = "", *, required: bool = False, default: Any = None,
          example: Any = None):
    """A dataclass field that carries its spec and its documentation."""
    meta = {"spec": spec, "required": required, "zh": zh, "en": en, "example": example}
    if required:
        return dataclasses.field(metadata=meta)
    if isinstance(default, (list, dict)):
        raise TypeError("use a tuple or None for defaults")
    return dataclasses.field(default=default, metadata=meta)


class Record(Spec):
    """A mapping checked against a dataclass's declared fields."""

    def __init__(self, cls: type, check: Callable[[Any, FieldPath, Ctx], Any] | None = None):
        self.cls = cls
        self.check = check
        self.fields = {f.name: f for f in dataclasses.fields(cls) if "spec" in f.metadata}
        self.required = [n for n, f in self.fields.items() if f.metadata["required"]]
        self.type_name = cls.__name__

    def coerce(self, value, path, ctx):
        if not isinstance(value, dict):
            return self.expected(value, path, ctx, f"a mapping of fields ({self.cls.__name__})")
        kwargs = {}
        failed = False
        fields = self.fields
        for key, v in value.items():
            f = fields.get(key)
            if f is None:
                # Reported, but the rest of the record is still checked and used.
                ctx.error(path + (str(key),), "unknown-field", _unknown_message(str(key), fields),
                          at_key=True)
                continue
            if v is None:
                if f.metadata["required"]:
                    ctx.error(path + (key,), "missing", f"`{key}` is required and cannot be empty")
                    failed = True
                continue
            c = f.metadata["spec"].coerce(v, path + (key,), ctx)
            if c is BAD:
                if f.metadata["required"]:
                    failed = True
            else:
                kwargs[key] = c
        for name in self.required:
            if name not in value:
                ctx.error(path, "missing", f"the required field `{name}` is missing")
                failed = True
        if failed:
            return BAD
        obj = self.cls(**kwargs)
        if self.check is not None:
            obj = self.check(obj, path, ctx)
        return obj

    def json_schema(self):
        props = {}
        for name, f in self.fields.items():
            s = dict(f.metadata["spec"].json_schema())
            s["description"] = f.metadata["zh"] + (f" / {f.metadata['en']}" if f.metadata["en"] else "")
            if f.metadata["example"] is not None:
                s["examples"] = [f.metadata["example"]]
            props[name] = s
        out = {"type": "object", "additionalProperties": False, "properties": props}
        if self.required:
            out["required"] = list(self.required)
        if self.cls.__doc__:
            out["description"] = " ".join(self.cls.__doc__.split())
        return out


class SourceSpec(Spec):
    """A source: the id of one listed in site.yaml `sources:`, or a mapping."""

    type_name = "source"

    def __init__(self, record: Callable[[], Record]):
        self._record = record

    def coerce(self, value, path, ctx):
        if isinstance(value, str):
            v = Slug().coerce(value, path, ctx)
            if v is not BAD:
                ctx.refs.append((path, "source", v))
            return v
        return self._record().coerce(value, path, ctx)

    def json_schema(self):
        return {"anyOf": [Slug().json_schema(), self._record().json_schema()]}


def describe(spec: Spec) -> str:
    return spec.type_name
