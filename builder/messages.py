"""Problem messages in the editor's language: a message id, named arguments, two catalogs.

Every message a Problem carries is made as `Msg(id, **args)`. The catalogs
`builder/catalogs/en.yaml` and `zh-CN.yaml` map each id to a template with
`str.format` placeholders (`{value}`, `{size:,}`); they ship with the package,
not in `site_templates/`, which a site may replace with its own.

Why `Msg` is a `str` subclass (its text is the English rendering; it also
carries `key` and `args`) rather than new `key`/`args` fields on `Problem`:
- English output stays byte-identical by construction, and every path that
  handles a message as text keeps working unchanged: `Ctx.error`,
  `Document.problem`, `Problem(...)`, sorting, de-duplication, the worker
  processes and the on-disk record store (a Msg pickles as its id and
  arguments and is rendered again when read, so a catalog edit cannot leave a
  stale text behind);
- messages nest: an argument may itself be a Msg ("a number" inside
  "expected …", a reference's problem inside "`{{ figure … }}`: …") and each
  is translated in turn, so no English phrase leaks into another language;
- a Problem stays the seven-field value STYLE.md describes.
A message that is a plain `str` (the ledger importer's, already Chinese) is
shown as it is in every language.

Arguments that are not Msgs are values from the editor's file (quoted by
`fields._show`), numbers, ids and field names: shown as typed, never
translated. Catalogs are read on first use, so validating a site without
problems never reads them; `text(message, lang)` is called only when problems
are printed, or the lines a command prints around them (`bulletin check`'s
count of problems, `report.summary`; what `bulletin import` read and wrote).
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Msg", "LANGS", "DEFAULT_LANG", "catalog", "text", "site_language", "placeholders",
           "lang_of"]

LANGS = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"
CATALOGS = Path(__file__).resolve().parent / "catalogs"
_loaded: dict[str, dict[str, str]] = {}


def catalog(lang: str) -> dict[str, str]:
    """The problem-message catalog of `lang` (`builder/catalogs/<lang>.yaml`), read once."""
    got = _loaded.get(lang)
    if got is None:
        if lang not in LANGS:
            raise ValueError(f"no problem messages in {lang!r}; languages: {', '.join(LANGS)}")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with open(CATALOGS / f"{lang}.yaml", encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=loader)
        got = _loaded[lang] = {str(k): str(v) for k, v in data.items()}
    return got


class Msg(str):
    """A message: its English text, and the id and arguments to say it in another language."""

    key: str
    args: dict[str, Any]

    def __new__(cls, key: str, /, **args: Any) -> "Msg":
        self = str.__new__(cls, catalog("en")[key].format_map(args))
        self.key = key
        self.args = args
        return self

    def text(self, lang: str) -> str:
        """The message in `lang` (its arguments that are messages too)."""
        if lang == "en":
            return str(self)
        args = {k: v.text(lang) if isinstance(v, Msg) else v for k, v in self.args.items()}
        return catalog(lang)[self.key].format_map(args)

    def __reduce__(self) -> tuple:
        return _restore, (self.key, self.args, str(self))


def _restore(key: str, args: dict, english: str) -> str:
    """A pickled Msg, rendered with today's catalog (its old English text if the id is gone)."""
    try:
        return Msg(key, **args)
    except (KeyError, IndexError, ValueError):
        return english


def text(message: str, lang: str) -> str:
    """`message` in `lang`: a Msg is translated, a plain str is shown as it is."""
    if lang != "en" and isinstance(message, Msg):
        return message.text(lang)
    return str(message)


def placeholders(template: str) -> set[str]:
    """The names a template fills in: `{size:,} of {limit}` -> {"size", "limit"}."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name}


def lang_of(value: Any) -> str | None:
    """The language a site.yaml `language:` value names (aliases included), or None."""
    from .vocab import LANGUAGES
    for lang, aliases in LANGUAGES.items():
        if value == lang or value in aliases:
            return lang
    return None


def site_language(content: Path) -> str:
    """The language of the site in `content/`: site.yaml `language`, else zh-CN.

    Read on its own, so a site whose site.yaml (or anything else) is broken
    still gets its problems in its language; zh-CN when site.yaml cannot be
    read or names no language we have."""
    site = Path(content) / "site.yaml"
    try:
        if site.stat().st_size > 2 * 1024 * 1024:  # refused by `load` too
            return DEFAULT_LANG
        raw = site.read_bytes()
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(raw.decode("utf-8-sig"), Loader=loader)
    except (OSError, ValueError, yaml.YAMLError, RecursionError):  # (UnicodeDecodeError too)
        return DEFAULT_LANG
    lang = lang_of(data.get("language")) if isinstance(data, dict) else None
    return lang or DEFAULT_LANG
