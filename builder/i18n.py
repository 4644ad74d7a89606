"""UI words and number/date formatting, per language.

Words come from `site_templates/i18n/<lang>.yaml` (flat `key: text` maps, zh-CN
and en); templates never hold UI text. Numbers are shown exactly as the
editor typed them (`Decimal` precision kept). In English, money in 亿元 and
万元 is shown in billions and millions of yuan by moving the decimal point,
which keeps every printed digit.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

import yaml

from .errors import ConfigError

__all__ = ["Catalog", "load_catalog", "LANGS"]

LANGS = ("zh-CN", "en")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: (factor, English unit) for money units; factors are exact powers of ten.
_MONEY_EN = {"亿元": (Decimal("0.1"), "bn yuan"), "万元": (Decimal("0.01"), "m yuan")}


def _plain(d: Decimal | int) -> str:
    """A number as typed: no exponent, trailing zeros kept (8.0 stays 8.0)."""
    if isinstance(d, int):
        return str(d)
    return format(d, "f")


def _group(s: str) -> str:
    sign = "-" if s.startswith("-") else ""
    s = s.lstrip("-")
    whole, dot, frac = s.partition(".")
    parts = []
    while len(whole) > 3:
        parts.insert(0, whole[-3:])
        whole = whole[:-3]
    parts.insert(0, whole)
    return sign + ",".join(parts) + dot + frac


@dataclass(frozen=True)
class Catalog:
    """Messages and formats for one language."""

    lang: str
    messages: Mapping[str, str]

    def t(self, key: str, **params: Any) -> str:
        """The message for `key`, with `{name}` placeholders filled in."""
        try:
            text = self.messages[key]
        except KeyError:
            raise ConfigError(f"the message `{key}` is missing from the {self.lang} catalog") from None
        return text.format(**params) if params else text

    __call__ = t

    def has(self, key: str) -> bool:
        return key in self.messages

    @property
    def html_lang(self) -> str:
        return "zh-CN" if self.lang == "zh-CN" else "en"

    def number(self, value: Decimal | int | float | None) -> str:
        if value is None:
            return "—"
        d = value if isinstance(value, (Decimal, int)) else Decimal(str(value))
        s = _plain(d)
        return _group(s) if self.lang == "en" else s

    def money(self, value: Decimal | int, unit: str = "亿元") -> tuple[str, str]:
        """(number, unit) for a money figure in this language."""
        if self.lang == "en" and unit in _MONEY_EN:
            factor, name = _MONEY_EN[unit]
            d = Decimal(value) * factor
            return self.number(d.normalize() if d == d.to_integral_value() else d), name
        return self.number(value), unit

    def date(self, d: _dt.date | None) -> str:
        if d is None:
            return self.t("date.unknown")
        if self.lang == "en":
            return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
        return f"{d.year}年{d.month}月{d.day}日"

    def month(self, ym: str) -> str:
        y, m = ym[:4], int(ym[5:7])
        return f"{_MONTHS_EN[m - 1]} {y}" if self.lang == "en" else f"{y}年{m}月"

    def period(self, p: str | None) -> str:
        """2023 → 2023年; 2023-Q1 → 2023年一季度; 2021-01/04 → 2021年1–4月."""
        if not p:
            return ""
        year, _, rest = p.partition("-")
        if not rest:
            return self.t("period.year", year=year)
        if rest[0] in "QH":
            return self.t(f"period.{rest[0].lower()}{rest[1]}", year=year)
        first, _, last = rest.partition("/")
        if last:
            return self.t("period.months", year=year, first=int(first), last=int(last))
        return self.month(p)


def load_catalog(templates: Path, lang: str) -> Catalog:
    """Read `templates/i18n/<lang>.yaml`."""
    path = Path(templates) / "i18n" / f"{lang}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"cannot read the {lang} message catalog {path}: {err}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ConfigError(f"{path} must map message keys to text")
    return Catalog(lang, {str(k): v for k, v in data.items()})
