"""How a plain YAML scalar resolves: YAML 1.1, once per distinct text.

PyYAML resolves every plain scalar by trying a list of regular expressions
in Python; `_FastLoader` leaves plain scalars tagged `_PLAIN` and `plain()`
does the same work with a memo, which for ledgers full of repeated keys and
months is several times faster. Three deliberate differences protect
editors: only `true`/`false` are booleans (`yes`, `no`, `on`, `off` stay
text); integers in octal, hex or base 60 stay text; timestamps with a time
of day stay text.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from .errors import ConfigError

__all__ = ["FastLoader", "plain", "PLAIN", "STR", "SEQ", "MAP", "NOT_FINITE", "BAD_DATE",
           "MERGE_KEY", "SIMPLE", "HAVE_LIBYAML", "T", "plain_memo", "c_loader", "require_libyaml",
           "NO_LIBYAML", "HUGE_NUMBER", "MAX_DIGITS", "MAX_EXPONENT"]


def c_loader() -> type | None:
    """PyYAML's loader on libyaml's C parser, or None when PyYAML was built without it."""
    return getattr(yaml, "CSafeLoader", None)


# libyaml's parser is several times faster than PyYAML's own, and the builder is
# tested on it; without it a large site takes minutes to check, so it is required
# (DESIGN §8). The module still imports, so that `--help` and the message work.
HAVE_LIBYAML = c_loader() is not None
_Loader = c_loader() or yaml.SafeLoader
NO_LIBYAML = (
    f"PyYAML {getattr(yaml, '__version__', '?')} was installed without libyaml, the C parser "
    "the builder requires (yaml.CSafeLoader is missing). Reinstall it from a wheel: "
    "`pip install --force-reinstall --only-binary=pyyaml pyyaml`; where no wheel fits, "
    "install libyaml's headers first (Debian/Ubuntu: `apt install libyaml-dev`, macOS: "
    "`brew install libyaml`), then `pip install --force-reinstall --no-binary=pyyaml pyyaml`.")


def require_libyaml() -> None:
    """Raise ConfigError, saying how to fix it, when libyaml is missing."""
    if not HAVE_LIBYAML:
        raise ConfigError(NO_LIBYAML)

T = "tag:yaml.org,2002:"
STR, SEQ, MAP = T + "str", T + "seq", T + "map"
_DECIMAL_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
SIMPLE = frozenset({str, int, Decimal, bool, type(None), _dt.date})

PLAIN = "!plain"  # our resolver's tag for plain scalars; `_plain` resolves them once


class FastLoader(_Loader):  # type: ignore[misc, valid-type]
    """PyYAML's loader with implicit resolution moved out of the parser.

    Plain scalars are resolved later by `plain()`, explicit tags are kept.
    """

    def resolve(self, kind, value, implicit):  # noqa: D102 - PyYAML hook
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else STR
        return SEQ if kind is yaml.SequenceNode else MAP


_FLOAT_RE = re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?$")
_NUMERIC_START = frozenset("0123456789+-.")
NOT_FINITE = object()
BAD_DATE = object()
#: A number no figure is printed with: more than MAX_DIGITS digits, or an exponent beyond
#: ±MAX_EXPONENT (Python refuses to read an int of over 4,300 digits, and 1.0e-999999999
#: written out in full is a billion zeros).
HUGE_NUMBER = object()
MAX_DIGITS, MAX_EXPONENT = 100, 1000
MERGE_KEY = object()
_memo: dict[str, Any] = {}
#: What `plain` has resolved so far (read-only for callers): a lookup here skips a call.
plain_memo = _memo


def plain(text: str) -> Any:
    """A plain scalar's value, as YAML 1.1 would resolve it (with our three exceptions)."""
    try:
        return _memo[text]
    except KeyError:
        pass
    v = _resolve(text)
    if len(_memo) < 50_000:
        _memo[text] = v
    return v


def _resolve(text: str) -> Any:
    if not text or text in ("~", "null", "Null", "NULL"):
        return None
    c = text[0]
    if c in "tTfF":
        low = text.lower()
        return True if low == "true" else False if low == "false" else text
    if text == "<<":
        return MERGE_KEY
    if c not in _NUMERIC_START:
        return text
    if _DECIMAL_INT.match(text):
        digits = len(text) - (text[0] in "+-") - text.count("_")
        return int(text.replace("_", "")) if digits <= MAX_DIGITS else HUGE_NUMBER
    if text.lstrip("+-").lower() in (".inf", ".nan"):
        return NOT_FINITE
    if _FLOAT_RE.match(text) and any(ch.isdigit() for ch in text):
        try:
            d = Decimal(text.replace("_", ""))
        except InvalidOperation:
            return text
        huge = len(d.as_tuple().digits) > MAX_DIGITS or abs(d.adjusted()) > MAX_EXPONENT
        return HUGE_NUMBER if huge else d
    m = _DATE.match(text)
    if m:
        try:
            return _dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return BAD_DATE
    return text  # octal, hex, base 60, dates with times: text; the validator explains
