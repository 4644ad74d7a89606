"""`bulletin new`: what each record kind asks for, how answers are checked, the file.

Answers are checked with the validator's own field kinds (the same id rule,
the same choices and lengths), references against the files in `content/`,
and the finished text is validated as the file it will be before it is moved
into place, so a new record passes `bulletin check` at once. The text itself
comes from the model (`scaffold_text`).
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ._resolve import BAD_DATE, plain
from ._yaml import parse_yaml
from .errors import ConfigError, Problem
from .fields import BAD, Ctx, Record, Spec
from .load import SourceFile, discover, display_path
from .model import BulletinMeta, Campaign, Project, Region
from .scaffold_text import record_text
from .scalars import Ref, Slug, Text
from .schema import SCHEMA_FILES, dump, json_schemas
from .validate import validate_file

__all__ = ["Ask", "Kind", "KINDS", "FLAGS", "Existing", "Created", "existing", "check_value",
           "target_path", "check_target", "render", "create"]

_BULLETIN_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}-([a-z0-9]+(?:-[a-z0-9]+)*)$")


@dataclass(frozen=True)
class Ask:
    """One value `bulletin new` takes: the model field, its flag, how it is asked."""

    field: str
    label: str  # a few Chinese words, shown with the flag
    hint: str = ""  # how to write it, shown in the prompt
    required: bool = True
    flag: str = ""  # defaults to the field name
    #: Asked on a terminal although optional (an empty answer skips it).
    ask_optional: bool = False

    @property
    def option(self) -> str:
        return "--" + (self.flag or self.field)

    @property
    def prompt(self) -> str:
        hint = f"（{self.hint}）" if self.hint else ""
        extra = "" if self.required else "，可留空 optional"
        return f"{self.label}{hint} ({self.flag or self.field}{extra}): "


@dataclass(frozen=True)
class Kind:
    """A record kind `bulletin new` can create."""

    name: str  # project | region | bulletin | campaign
    folder: str  # under content/
    cls: type
    zh: str
    about: str  # one line for the file's header, zh / en
    asks: tuple[Ask, ...]

    def spec(self, field: str) -> Spec:
        """The field kind that checks a value (a bulletin's id is its file-name slug)."""
        f = Record(self.cls).fields.get(field)
        return f.metadata["spec"] if f is not None else Slug()


_ID_HINT = "小写字母、数字、连字符，如 {}"
KINDS: dict[str, Kind] = {
    "project": Kind("project", "projects", Project, "项目", "一个重点项目 / one key project", (
        Ask("id", "项目标识", _ID_HINT.format("zhoukou-foxconn")),
        Ask("name", "项目名称"),
        Ask("region", "所在地区标识"),
        Ask("sector", "行业/领域", required=False),
    )),
    "region": Kind("region", "regions", Region, "地区",
                   "地区及其汇总数据、排名、问题台账 / a region and what is reported about it", (
        Ask("id", "地区标识", _ID_HINT.format("zhoukou-huaiyang")),
        Ask("name", "地区名称"),
        Ask("level", "层级", "province 省 | city 市 | county 县 | district 区 | zone 园区"),
        Ask("parent", "上级地区标识", required=False, ask_optional=True),
    )),
    "bulletin": Kind("bulletin", "bulletins", BulletinMeta, "通报",
                     "正文写在第二个 --- 之后，用 Markdown / the body, after the second ---, is "
                     "Markdown", (
        Ask("id", "通报短标识", "用于文件名和网址，" + _ID_HINT.format("q1-review")),
        Ask("title", "标题"),
        Ask("date", "发布日期", "YYYY-MM-DD"),
        Ask("region", "地区标识", required=False, ask_optional=True),
        Ask("campaign", "相关三个一批标识", required=False),
    )),
    "campaign": Kind("campaign", "campaigns", Campaign, "三个一批",
                     "一个地区的一期（或累计多期）/ one round (or several) in one region", (
        Ask("id", "标识", _ID_HINT.format("zhoukou-3kb-7")),
        Ask("region", "地区标识"),
        Ask("round", "期数", required=False, ask_optional=True),
        Ask("campaign", "活动名称", "默认 三个一批", required=False, flag="name"),
    )),
}

#: Every flag any kind takes, with its help text.
FLAGS: dict[str, str] = {
    "id": "the new record's id (for a bulletin: the slug after the date in its file name)",
    "name": "name (project, region); campaign name for a campaign (default 三个一批)",
    "region": "region id (project, campaign; optional for a bulletin)",
    "parent": "parent region id (region)",
    "level": "province | city | county | district | zone, or 省/市/县/区/园区 (region)",
    "title": "title (bulletin)",
    "date": "publication date YYYY-MM-DD (bulletin)",
    "sector": "sector (project); one of site.yaml sectors when it lists them",
    "campaign": "related campaign id (bulletin)",
    "round": "round number (campaign)",
}


@dataclass(frozen=True)
class Existing:
    """What the content folder already holds, as far as a new record cares."""

    content: Path
    ids: Mapping[str, frozenset[str]]  # region | project | campaign | bulletin -> ids
    sectors: Mapping[str, str]  # site.yaml sectors, id -> name; empty = any sector
    project_names: Mapping[str, str]  # name -> project id


@dataclass(frozen=True)
class Created:
    path: Path
    schema: Path | None  # a schema file written because the site had none


def _name_of(text: str) -> str | None:
    """The top-level `name:` of a project file, read cheaply (no full parse)."""
    m = re.search(r"^name:[ \t]*(.*?)[ \t]*$", text, re.M)
    if not m:
        return None
    if m[1][:1] in "\"'":  # quoted: let the parser undo the escapes
        doc, _ = parse_yaml(m[0], "")
        value = doc.data.get("name") if doc is not None and isinstance(doc.data, dict) else None
    else:
        value = plain(m[1].split(" #")[0].strip())
    return value if isinstance(value, str) else None


def existing(content: Path, names: bool = False) -> Existing:
    """Ids in `content/` by kind (from file names, which the validator ties to ids)."""
    files, _ = discover(content)
    ids: dict[str, set[str]] = {"region": set(), "project": set(), "campaign": set(),
                                "bulletin": set()}
    sectors: dict[str, str] = {}
    project_names: dict[str, str] = {}
    for f in files:
        if f.kind == "bulletins":
            m = _BULLETIN_FILE.match(f.stem)
            ids["bulletin"].add(m[1] if m else f.stem)
        elif f.kind == "site":
            site = validate_file(f).record
            if site is not None and site.sectors:
                sectors = {s.id: s.name for s in site.sectors}
        else:
            ids[f.kind[:-1]].add(f.stem)
            if names and f.kind == "projects":
                try:
                    name = _name_of(Path(f.fs_path).read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError):
                    name = None
                if name:
                    project_names.setdefault(name, f.stem)
    return Existing(content, {k: frozenset(v) for k, v in ids.items()}, sectors, project_names)


class _Doc:
    """Stands in for a parsed document: a flag value has no line or column."""

    def __init__(self, where: str):
        self.where = where

    def problem(self, path, code, message, severity="error", at_key=False) -> Problem:
        return Problem(self.where, 0, 0, tuple(path), code, message, severity)


def _near(word: str, ids: frozenset[str]) -> str:
    near = difflib.get_close_matches(word, sorted(ids), n=3, cutoff=0.6)
    if near:
        return "; did you mean " + " or ".join(f"`{n}`" for n in near) + "?"
    if not ids:
        return "; there are none yet"
    shown = sorted(ids)[:12]
    return "; existing: " + ", ".join(shown) + (", …" if len(ids) > len(shown) else "")


def check_value(kind: Kind, ask: Ask, raw: str, ex: Existing,
                values: Mapping[str, Any]) -> tuple[Any, Problem | None]:
    """`raw` (as typed on the command line) checked for `ask`: (value, None) or (BAD, problem).

    A problem with severity "warning" still gives the value (e.g. a project
    name already in use, which `bulletin check` warns about too).
    """
    where = display_path(ex.content)
    field = (ask.field,)
    raw = raw.strip()
    spec = kind.spec(ask.field)
    if not raw:
        return BAD, Problem(where, 0, 0, field, "empty", "must not be empty")
    if any(ord(c) < 32 for c in raw):
        return BAD, Problem(where, 0, 0, field, "format", "must be one line of text")
    # Text stays as typed; anything else reads as YAML would read it (dates, numbers).
    value = raw if isinstance(spec, Text) else plain(raw)
    if value is BAD_DATE:
        return BAD, Problem(where, 0, 0, field, "bad-date", f"{raw} is not a real date")
    ctx = Ctx(_Doc(where))
    value = spec.coerce(value, field, ctx)
    if value is BAD:
        p = ctx.problems[0]
        if ask.field == "id" and not raw.isascii():
            p = Problem(where, 0, 0, field, p.code, p.message + "; write the id in pinyin or "
                        "English, the Chinese name goes in the name or title")
        return BAD, p
    if ask.field == "id":
        if value in ex.ids[kind.name]:
            shown = display_path(ex.content / kind.folder)
            return BAD, Problem(where, 0, 0, field, "duplicate-id",
                                f"a {kind.name} with the id `{value}` already exists in {shown}/; "
                                "choose another id")
        return value, None
    if isinstance(spec, Ref):
        if spec.kind == "region" and ask.field == "parent" and value == values.get("id"):
            return BAD, Problem(where, 0, 0, field, "parent-cycle",
                                "a region cannot be its own parent")
        if value not in ex.ids[spec.kind]:
            shown = display_path(ex.content / KINDS[spec.kind].folder)
            return BAD, Problem(where, 0, 0, field, "unknown-reference",
                                f"no {spec.kind} has the id `{value}` (looked in {shown}/)"
                                + _near(value, ex.ids[spec.kind]))
    if ask.field == "sector" and ex.sectors and value not in {*ex.sectors, *ex.sectors.values()}:
        return BAD, Problem(where, 0, 0, field, "unknown-reference",
                            f"`{value}` is not a sector listed in site.yaml; use one of: "
                            + ", ".join(ex.sectors.values()))
    if kind.name == "project" and ask.field == "name" and value in ex.project_names:
        return value, Problem(where, 0, 0, field, "duplicate-name",
                              f"the name {value} is also used by project "
                              f"{ex.project_names[value]}; ledger rows are matched by name, "
                              "so `bulletin check` will warn", "warning")
    return value, None


def target_path(content: Path, kind: Kind, values: Mapping[str, Any]) -> Path:
    """Where the new record goes: the file name the loader expects."""
    if kind.name == "bulletin":
        return content / kind.folder / f"{values['date'].isoformat()}-{values['id']}.md"
    return content / kind.folder / f"{values['id']}.yaml"


def check_target(content: Path, kind: Kind, values: Mapping[str, Any]) -> Problem | None:
    """A problem if the file is already there (even if it is not a valid record)."""
    path = target_path(content, kind, values)
    if os.path.lexists(path):
        return Problem(display_path(path), 0, 0, ("id",), "file-exists",
                       f"{display_path(path)} already exists; choose another id")
    return None


def _schema_file(content: Path, kind: Kind) -> tuple[Path, Path | None]:
    """The site's schema file for the kind, written from the model if missing."""
    path = content.resolve().parent / "schema" / SCHEMA_FILES[kind.folder]
    if path.is_file():
        return path, None
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_new(path, dump(json_schemas()[kind.folder]), replace=True)
    return path, path


def _write_new(path: Path, text: str, replace: bool = False) -> None:
    """Write atomically: a hidden temp file beside it (the loader skips dot files), then a
    link into place, which fails rather than overwrite a file created meanwhile."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".new-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        if replace:
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise ConfigError(f"{display_path(path)} already exists; choose another id") from None
        except OSError:  # a file system without hard links
            if os.path.lexists(path):
                raise ConfigError(f"{display_path(path)} already exists") from None
            os.replace(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def render(content: Path, kind: Kind, values: Mapping[str, Any], schema: Path) -> str:
    """The new file's text, its schema modeline relative to where it will sit."""
    path = target_path(content, kind, values)
    ref = Path(os.path.relpath(schema.resolve(), path.parent.resolve())).as_posix()
    title = f"{kind.zh} / {kind.name}: {kind.about}"
    fields = {k: v for k, v in values.items() if k in Record(kind.cls).fields}
    return record_text(kind.cls, fields, ref, title, front_matter=kind.name == "bulletin")


def create(content: Path, kind: Kind, values: Mapping[str, Any]) -> Created:
    """Write the new record's file; refuse (ConfigError) rather than write a file that fails."""
    path = target_path(content, kind, values)
    path.parent.mkdir(parents=True, exist_ok=True)
    schema, wrote = _schema_file(content, kind)
    text = render(content, kind, values, schema)
    # Validate the exact text as the file it will be, before it is in place.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".check-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        stem = path.name.rsplit(".", 1)[0]
        result = validate_file(SourceFile(kind.folder, display_path(path), tmp, stem))
    finally:
        os.unlink(tmp)
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:  # a value the checks above let through; never leave a failing file
        raise ConfigError("the new file would not pass `bulletin check`: "
                          + "; ".join(f"{p.field_name}: {p.message}" for p in errors))
    _write_new(path, text)
    return Created(path, wrote)
