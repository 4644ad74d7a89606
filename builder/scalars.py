"""Leaf field kinds for text, ids, references, choices and dates."""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from typing import Callable

from .fields import BAD, SLOW, Record, Spec, _show
from .messages import Msg

__all__ = ["Text", "Slug", "Ref", "Boolean", "Choice", "Url", "DateSpec", "Month", "Period",
           "SourceSpec", "SLUG", "PERIOD"]


class Text(Spec):
    type_name = "text"

    def __init__(self, max_len: int = 500, pattern: str | None = None, hint: str = ""):
        """`hint`: the id of the message saying what `pattern` wants (see messages.py)."""
        self.max_len = max_len
        self.pattern = re.compile(pattern) if pattern else None
        self.hint = hint

    def quick(self, value):
        if value.__class__ is str:
            value = value.strip()
            if value and len(value) <= self.max_len and (
                    self.pattern is None or self.pattern.match(value)):
                return value
        return SLOW

    def coerce(self, value, path, ctx):
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            return self.expected(value, path, ctx, Msg("what.text"))
        if isinstance(value, _dt.date):
            value = value.isoformat()
        elif not isinstance(value, str):
            value = str(value)
        value = value.strip()
        if not value:
            return ctx.error(path, "empty", Msg("text.empty"))
        if len(value) > self.max_len:
            return ctx.error(path, "too-long", Msg("text.too_long", n=len(value), max=self.max_len))
        if self.pattern and not self.pattern.match(value):
            return ctx.error(path, "format", Msg("text.format", value=_show(value),
                                                 hint=Msg(self.hint) if self.hint else ""))
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

    def quick(self, value):
        if (value.__class__ is str and SLUG.match(value) and len(value) <= 80
                and value not in _WINDOWS_RESERVED):
            return value
        return SLOW

    def coerce(self, value, path, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return self.expected(value, path, ctx, Msg("what.id"))
        if not SLUG.match(value) or len(value) > 80:
            return ctx.error(path, "bad-id", Msg("id.bad", value=_show(value)))
        if value in _WINDOWS_RESERVED:
            return ctx.error(path, "bad-id", Msg("id.reserved", value=_show(value)))
        return value

    def json_schema(self):
        return {"type": "string", "pattern": SLUG.pattern, "maxLength": 80}


class Ref(Slug):
    """The id of another record; resolved in the cross-record pass."""

    quick = None  # a reference is recorded as it is read

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

    def quick(self, value):
        return value if value.__class__ is bool else SLOW

    def coerce(self, value, path, ctx):
        if not isinstance(value, bool):
            return self.expected(value, path, ctx, Msg("what.boolean"))
        return value

    def json_schema(self):
        return {"type": "boolean"}


class DateSpec(Spec):
    type_name = "date (YYYY-MM-DD)"

    def quick(self, value):
        return value if isinstance(value, _dt.date) else SLOW

    def coerce(self, value, path, ctx):
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str) and re.match(r"^\d{4}-\d{1,2}-\d{1,2}[T ]", value):
            return ctx.error(path, "type", Msg("date.with_time", value=_show(value)))
        return self.expected(value, path, ctx, Msg("what.date"))

    def json_schema(self):
        return {"type": "string", "format": "date"}


class Month(Spec):
    type_name = "month (YYYY-MM)"
    _re = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)  # not ２０２３-０３: it sorts apart
    _ok: set[str] = set()  # months already seen valid: a ledger repeats the same few

    def quick(self, value):
        return value if value.__class__ is str and value in self._ok else SLOW

    def coerce(self, value, path, ctx):
        if value.__class__ is str and value in self._ok:
            return value
        m = self._re.match(value) if isinstance(value, str) else None
        if not m:
            return self.expected(value, path, ctx, Msg("what.month"))
        if not 1 <= int(m[2]) <= 12:
            return ctx.error(path, "bad-date", Msg("date.bad_month", value=value))
        if len(self._ok) < 10_000:
            self._ok.add(value)
        return value

    def json_schema(self):
        return {"type": "string", "pattern": self._re.pattern}


PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|\d{2}(?:/\d{2})?))?$", re.ASCII)


class Period(Spec):
    """A reporting period: 2023, 2023-Q1, 2023-H1, 2023-03 or 2021-01/04."""

    type_name = "period"

    def coerce(self, value, path, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        m = PERIOD.match(value) if isinstance(value, str) else None
        if not m:
            return self.expected(value, path, ctx, Msg("what.period"), code="bad-period")
        tail = m[2] or ""
        if tail[:1].isdigit():
            first, _, last = tail.partition("/")
            months = [int(first)] + ([int(last)] if last else [])
            if any(not 1 <= x <= 12 for x in months) or (last and int(last) < int(first)):
                return ctx.error(path, "bad-period", Msg("date.bad_period", value=value))
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

    def quick(self, value):
        return self.lookup.get(value, SLOW) if value.__class__ is str else SLOW

    def coerce(self, value, path, ctx):
        canon = self.lookup.get(value) if isinstance(value, str) else None
        if canon is None:
            allowed = ", ".join(f"{c} ({'/'.join(a)})" if a else c for c, a in self.values.items())
            near = difflib.get_close_matches(str(value), list(self.lookup), n=1, cutoff=0.6)
            tip = Msg("choice.tip", near=self.lookup[near[0]]) if near else ""
            return ctx.error(path, "choice", Msg("choice.bad", value=_show(value), allowed=allowed,
                                                 tip=tip))
        return canon

    def json_schema(self):
        return {"enum": sorted(self.lookup)}


class Url(Text):
    type_name = "web address"

    def __init__(self):
        super().__init__(2000, r"^https?://[^\s<>\"']+$", "hint.url")


class SourceSpec(Spec):
    """A source: the id of one listed in site.yaml `sources:`, or a mapping."""

    type_name = "source"

    def __init__(self, record: Callable[[], Record]):
        self._make_record = record
        self._made: Record | None = None

    def _record(self) -> Record:
        if self._made is None:  # made on first use: the record class may be defined later
            self._made = self._make_record()
        return self._made

    def coerce(self, value, path, ctx):
        if isinstance(value, str):
            v = Slug().coerce(value, path, ctx)
            if v is not BAD:
                ctx.refs.append((path, "source", v))
            return v
        return self._record().coerce(value, path, ctx)

    def json_schema(self):
        return {"anyOf": [Slug().json_schema(), self._record().json_schema()]}
