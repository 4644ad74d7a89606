"""Field kinds: how one value in a record is checked, converted and described.

`model/` declares every record as a frozen dataclass whose fields carry a
spec in their metadata (see `field()`); the same declaration drives
validation (`coerce`), the JSON Schema (`json_schema`) and the README's data
reference, so the three cannot drift apart. This module holds the framework
and the composite kinds; `scalars` and `numbers` hold the leaf kinds.

`coerce` returns the converted value or `BAD`, appending Problems to the
context; it never raises for bad input.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
from typing import Any, Callable

from .errors import Problem
from .messages import Msg
from .types import FieldPath

__all__ = ["BAD", "SLOW", "Ctx", "Spec", "ListOf", "MapOf", "Record", "field", "unknown_message"]


class _Bad:
    def __repr__(self) -> str:
        return "BAD"


#: Returned by `coerce` for a value that failed; never stored in a record.
BAD: Any = _Bad()


class _Slow:
    def __repr__(self) -> str:
        return "SLOW"


#: Returned by `quick` for a value that needs `coerce` (and perhaps its messages).
SLOW: Any = _Slow()


class Ctx:
    """What a coercion needs: the document (for positions) and the sinks."""

    __slots__ = ("doc", "problems", "refs", "reported")

    def __init__(self, doc: Any, reported: frozenset = frozenset()):
        self.doc = doc
        #: Fields the parser already reported (e.g. `.nan`): not reported again as missing.
        self.reported = reported
        self.problems: list[Problem] = []
        #: (field path, target kind, id) of every reference, for cross-record checks.
        self.refs: list[tuple[FieldPath, str, str]] = []

    def error(self, path: FieldPath, code: str, message: str, at_key: bool = False) -> Any:
        if tuple(path) not in self.reported:
            self.problems.append(self.doc.problem(path, code, message, "error", at_key))
        return BAD

    def warn(self, path: FieldPath, code: str, message: str) -> None:
        self.problems.append(self.doc.problem(path, code, message, "warning"))


def _show(value: Any) -> str:
    """A value as it would appear in the editor's file."""
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 60 else f'"{value[:57]}..."'
    if value is None:
        return Msg("value.null")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return Msg("value.mapping")
    if isinstance(value, list):
        return Msg("value.list")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


class Spec:
    """Base of all field kinds."""

    type_name = "value"
    #: `quick(value)`: what `coerce` returns for a value that passes, or SLOW,
    #: with no problems, references or paths: the common case, without the
    #: bookkeeping (a large site coerces millions of values). None when a kind
    #: has no shortcut; tests/test_quick.py holds each to `coerce`.
    quick: Any = None

    def coerce(self, value: Any, path: FieldPath, ctx: Ctx) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict:
        raise NotImplementedError

    def expected(self, value: Any, path: FieldPath, ctx: Ctx, what: str, code: str = "type") -> Any:
        return ctx.error(path, code, Msg("type.expected", what=what, found=_show(value)))


class ListOf(Spec):
    def __init__(self, item: Spec, max_items: int = 10_000):
        self.item = item
        self.max_items = max_items
        if item.quick is None:
            self.quick = None

    def quick(self, value):
        if value.__class__ is not list or len(value) > self.max_items:
            return SLOW
        out = []
        q = self.item.quick
        for v in value:
            c = q(v)
            if c is SLOW:
                return SLOW
            out.append(c)
        return tuple(out)

    @property
    def type_name(self):
        return f"list of {self.item.type_name}"

    def coerce(self, value, path, ctx):
        if not isinstance(value, list):
            return self.expected(value, path, ctx, Msg("what.list"))
        if len(value) > self.max_items:
            return ctx.error(path, "too-long", Msg("list.too_long", n=len(value), max=self.max_items))
        out = []
        item = self.item
        q = item.quick
        for i, v in enumerate(value):
            if q is not None:
                c = q(v)
                if c is not SLOW:
                    out.append(c)
                    continue
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
        if key.quick is None or value.quick is None:
            self.quick = None

    def quick(self, value):
        if value.__class__ is not dict:
            return SLOW
        out = {}
        kq, vq = self.key.quick, self.value.quick
        for k, v in value.items():
            kk = kq(k)
            vv = vq(v)
            if kk is SLOW or vv is SLOW:
                return SLOW
            out[kk] = vv
        return out

    @property
    def type_name(self):
        return f"mapping of {self.key_name} to {self.value.type_name}"

    def coerce(self, value, path, ctx):
        if not isinstance(value, dict):
            key = Msg("mapkey." + self.key_name.replace(" ", "_"))
            return self.expected(value, path, ctx, Msg("what.mapping_of", key=key))
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


def unknown_message(key: str, known) -> str:
    known = list(known)
    near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = FIELD_HINTS.get(key)
    if hint in known:
        near = [hint]
    tip = (Msg("tip.did_you_mean", near=near[0]) if near
           else Msg("tip.known_fields", fields=", ".join(known)))
    return Msg("field.unknown", key=key, tip=tip)


def field(spec: Spec, zh: str, en: str = "", *, required: bool = False, default: Any = None,
          example: Any = None) -> Any:
    """A dataclass field that carries its spec and its documentation."""
    meta = {"spec": spec, "required": required, "zh": zh, "en": en, "example": example}
    if required:
        return dataclasses.field(metadata=meta)
    if isinstance(default, (list, dict)):
        raise TypeError("use a tuple or None for defaults")
    return dataclasses.field(default=default, metadata=meta)


_new = object.__new__
_set = object.__setattr__


def _template(cls: type) -> dict | None:
    """Every field of `cls` with its default, in order, when a record can be made
    by filling in that dict: what the dataclass's `__init__` would store, without
    its `object.__setattr__` per field (half the cost of a ledger line). None when
    `__init__` does more: `__post_init__`, slots, factories, fields it leaves out."""
    if (not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__")
            or "__slots__" in cls.__dict__):
        return None
    out = {}
    for f in dataclasses.fields(cls):
        if not f.init or f.default_factory is not dataclasses.MISSING:
            return None
        if f.default is dataclasses.MISSING:
            if not f.metadata.get("required"):
                return None
            out[f.name] = None  # always given: a missing required field fails the record
        else:
            out[f.name] = f.default
    return out


class Record(Spec):
    """A mapping checked against a dataclass's declared fields."""

    def __init__(self, cls: type, check: Callable[[Any, FieldPath, Ctx], Any] | None = None):
        self.cls = cls
        self.check = check
        self.fields = {f.name: f for f in dataclasses.fields(cls) if "spec" in f.metadata}
        self.required = [n for n, f in self.fields.items() if f.metadata["required"]]
        self.type_name = cls.__name__
        # name -> (spec, required, quick): read once, not from metadata on every value.
        self._plan = {n: (f.metadata["spec"], f.metadata["required"], f.metadata["spec"].quick)
                      for n, f in self.fields.items()}
        self._template = _template(cls)
        if check is not None:
            self.quick = None

    def _make(self, kwargs: dict) -> Any:
        if self._template is None:
            return self.cls(**kwargs)
        fields = self._template.copy()
        fields.update(kwargs)
        obj = _new(self.cls)
        _set(obj, "__dict__", fields)
        return obj

    def quick(self, value):
        if value.__class__ is not dict:
            return SLOW
        plan = self._plan
        kwargs = {}
        for key, v in value.items():
            entry = plan.get(key)
            if entry is None:
                return SLOW
            if v is None:
                if entry[1]:
                    return SLOW
                continue
            q = entry[2]
            c = SLOW if q is None else q(v)
            if c is SLOW:
                return SLOW
            kwargs[key] = c
        for name in self.required:
            if name not in kwargs:
                return SLOW
        return self._make(kwargs)

    def coerce(self, value, path, ctx):
        if not isinstance(value, dict):
            return self.expected(value, path, ctx, Msg("what.record", name=self.cls.__name__))
        kwargs = {}
        failed = False
        plan = self._plan
        for key, v in value.items():
            entry = plan.get(key)
            if entry is None:
                # Reported, but the rest of the record is still checked and used.
                ctx.error(path + (str(key),), "unknown-field",
                          unknown_message(str(key), self.fields), at_key=True)
                continue
            spec, required, quick = entry
            if v is None:
                if required:
                    ctx.error(path + (key,), "missing", Msg("field.required_empty", key=key))
                    failed = True
                continue
            if quick is not None:
                c = quick(v)
                if c is not SLOW:
                    kwargs[key] = c
                    continue
            c = spec.coerce(v, path + (key,), ctx)
            if c is BAD:
                failed = failed or required
            else:
                kwargs[key] = c
        for name in self.required:
            if name not in value:
                ctx.error(path, "missing", Msg("field.required_missing", name=name))
                failed = True
        if failed:
            return BAD
        obj = self._make(kwargs)
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
