"""Figures as a reader sees them: number, unit, bound, kind, provenance.

Templates hold no arithmetic and no formatting rules: every figure reaches
them as a `FigView` built here, already formatted for the page's language,
with the facts a reader may ask about (is it derived? a target? as of when?
from which source?) attached.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any, Mapping, NamedTuple

from markupsafe import Markup, escape

from .derive import Num
from .i18n import Catalog
from .model import Source
from .numbers import Figure

__all__ = ["FigView", "Presenter", "FigMarkup", "UNIT_KINDS"]

#: How a figure's unit is shown, by the kind of quantity.
UNIT_KINDS = ("money", "count", "pct", "pp", "rank", "plain")


class FigView(NamedTuple):
    """One figure, ready for a template: `{{ f }}` prints its markup (`FigMarkup`), and its
    parts are there for a template that lays a figure out otherwise. (A named tuple: a
    project page makes ~60, and a frozen dataclass costs three times as much to make.)"""

    number: str  # "1546.18", "1,546.18" (en), or "—" when absent
    unit: str
    prefix: str = ""  # 约 / about
    suffix: str = ""  # 以上 / 多 / +
    kind: str = "actual"  # actual | target | projection
    kind_label: str = ""  # 目标 / 预计
    derived: bool = False
    rule: str = ""  # how a derived figure is computed, in words
    note: str = ""
    source: str = ""  # source title
    as_of: str = ""  # formatted data date
    disagrees: bool = False  # a printed figure its own parts do not give
    value: str = ""  # plain number for sorting (data-sort), "" when absent
    present: bool = True
    markup: "FigMarkup | None" = None  # how `{{ f }}` prints it (its catalog's words)

    def __html__(self) -> str:
        if self.markup is None:
            raise TypeError("a FigView made without a Presenter cannot print itself")
        return self.markup(self)

    @property
    def text(self) -> str:
        """The figure as one string: 约 67 亿元, 60+ 个, 99% 以上."""
        if not self.present:
            return self.number
        sep = "" if self.unit in ("%", "") or not self.unit else " "
        return f"{self.prefix}{self.number}{sep}{self.unit}{self.suffix}".strip()

    @property
    def title(self) -> str:
        """The tooltip: as of, source, derivation, note."""
        return " · ".join(x for x in (self.kind_label, self.rule, self.as_of, self.source, self.note) if x)


class Presenter:
    """Formats figures for one language and one site."""

    def __init__(self, catalog: Catalog, money_unit: str = "亿元",
                 sources: Mapping[str, Source] | None = None):
        self.t = catalog
        self.money_unit = money_unit
        self.sources = dict(sources or {})
        self.markup = FigMarkup(catalog)

    def source_title(self, source: Any) -> str:
        if source is None:
            return ""
        if isinstance(source, str):
            s = self.sources.get(source)
            return s.title if s else source
        return source.title

    def unit(self, kind: str, unit: str | None = None) -> str:
        if kind == "money":
            return self.t.money(Decimal(1), unit or self.money_unit)[1] if unit or self.money_unit else ""
        if kind == "plain":
            return unit or ""
        if kind == "count":  # a record's own measure word (条, 件); a bare-count catalog (en) stays bare
            default = self.t.t("unit.count")
            return (unit or default) if default else ""
        return self.t.t(f"unit.{kind}")

    def fig(self, f: Figure | Num | Decimal | int | None, kind: str = "plain", *,
            unit: str | None = None, source: Any = None, as_of: _dt.date | None = None,
            note: str | None = None) -> FigView:
        """Any figure, bare number or derived `Num`, as a FigView."""
        t = self.t
        if f is None:
            return FigView(t.t("figure.absent"), "", present=False, markup=self.markup)
        if (type(f) is Decimal and kind == "money" and t.lang != "en" and unit is None
                and source is None and as_of is None and not note):
            # A bare amount in the site's unit (the monthly figures: ~50 a project page):
            # what the general path below gives, without its lookups.
            number = format(f, "f")
            return FigView(number, self.money_unit, value=number, markup=self.markup)
        bound, fkind, derived, rule, disagrees = None, "actual", False, "", False
        if isinstance(f, Figure):
            value, bound, fkind = f.value, f.bound, f.kind
            unit = f.unit or unit
            note = f.note or note
        elif isinstance(f, Num):
            value, bound, fkind, derived = f.value, f.bound, f.kind, f.derived
            rule = t.t(f.rule) if f.rule else ""
            disagrees = f.agrees is False
        else:
            value = f
        if kind == "money":
            number, shown_unit = t.money(value, unit or self.money_unit)
        else:
            number, shown_unit = t.number(value), self.unit(kind, unit)
        prefix = t.t("bound.approx") if bound == "approx" else ""
        suffix = t.t(f"bound.{bound}") if bound in ("lower", "upper") else ""
        return FigView(
            number=number, unit=shown_unit, prefix=prefix, suffix=suffix, kind=fkind,
            kind_label=t.t(f"kind.{fkind}") if fkind != "actual" else "",
            derived=derived, rule=rule, note=note or "",
            source=self.source_title(source), as_of=t.date(as_of) if as_of else "",
            disagrees=disagrees, value=_plain(value), markup=self.markup)


def _plain(v: Any) -> str:
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


class FigMarkup:
    """`{{ f }}` in the templates: a FigView as HTML, its facts in classes and a tooltip.

    Python, not a template macro: a project page shows ~60 figures, and a Jinja macro
    call costs ~10 µs (a third of a page's render time at 5,000 projects); the Markdown
    figure references (`refs.figure_html`) are made in Python too."""

    def __init__(self, t: Catalog):
        self._t = t
        self._absent = f'<span class="fig fig-absent" title="{escape(t.t("figure.absent_title"))}">'
        self._derived = f'">{escape(t.t("figure.derived_mark"))}</abbr>'
        self._warn = f'<abbr class="warn-mark" title="{escape(t.t("figure.disagrees"))}">!</abbr>'

    # Equal for one catalog: figures made by two Presenters of it are equal when their
    # parts are (render.RowCache keeps rows across rebuilds, each with its Presenter).
    def __eq__(self, other: object) -> bool:
        return isinstance(other, FigMarkup) and other._t is self._t

    def __hash__(self) -> int:
        return id(self._t)

    def __call__(self, f: FigView) -> Markup:
        if not f.present:
            return _markup(Markup, f"{self._absent}{_esc(f.text)}</span>")
        if not (f.derived or f.disagrees or f.kind_label or f.rule or f.as_of or f.source
                or f.note or f.kind != "actual"):  # a bare figure: most of them
            return _markup(Markup, f'<span class="fig">{_esc(f.text)}</span>')
        cls = "fig"
        if f.derived:
            cls += " fig-derived"
        if f.kind != "actual":
            cls += " fig-target"
        if f.disagrees:
            cls += " fig-disagrees"
        title = f.title
        out = f'<span class="{cls}" title="{_esc(title)}">' if title else f'<span class="{cls}">'
        if f.kind_label:
            out += f'<span class="badge badge-{_esc(f.kind)}">{_esc(f.kind_label)}</span> '
        out += _esc(f.text)
        if f.derived:
            out += f'<abbr class="derived-mark" title="{_esc(f.rule)}{self._derived}'
        if f.disagrees:
            out += self._warn
        return _markup(Markup, out + "</span>")


_markup = str.__new__  # `_markup(Markup, s)`: Markup(s) for a str s, without its Python __new__

try:  # markupsafe's own C escaping, without making a Markup of each part
    from markupsafe._speedups import _escape_inner as _esc
except ImportError:  # pragma: no cover - its pure-Python build
    def _esc(s: str) -> str:
        return str(escape(s))
