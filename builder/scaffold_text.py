"""The text of a new record's file, generated from the model (for `bulletin new`).

Every field of the record is listed in the model's order with the model's own
documentation (zh, then en) and a hint read from its field kind; required
fields carry the editor's values, optional ones are commented out with an
empty value, which the validator accepts as "not given". Nothing here is typed
twice, so the template cannot drift from the schema.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import textwrap
from typing import Any, Mapping

from ._yaml import parse_yaml
from .fields import ListOf, MapOf, Record, Spec
from .numbers import Amount, FigureSpec, Year
from .scalars import (
    Boolean,
    Choice,
    DateSpec,
    Month,
    Period,
    Ref,
    Slug,
    SourceSpec,
    Text,
    Url,
)

__all__ = ["record_text", "yaml_scalar", "BODY"]

_WIDTH = 96
_HOW_TO = (
    "# 形如 \"# 字段名:\" 的行是可选字段：删去行首的 \"# \" 再填写即可启用（留空也可以）。",
    "# A line \"# field:\" is an optional field: remove its leading \"# \" and fill in a value.",
    "# 带 * 的子字段必填。/ Sub-fields marked * are required.",
)

#: Placeholder body of a new bulletin: an HTML comment, which is never published.
BODY = """
<!--
在这里用 Markdown 写正文（这段说明不会发布）。数字请引用数据，不要重打一遍：
引用数字、插入图表的写法见 README「引用数字 · Cite a figure in a bulletin」。
Write the body in Markdown here (this note is not published). Cite figures from the data
instead of retyping them: see "Cite a figure in a bulletin" in the README.
-->
"""


def yaml_scalar(value: Any) -> str:
    """`value` as a YAML scalar that reads back as exactly the same value."""
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    doc, problems = parse_yaml(f"k: {text}\n", "")
    if not problems and doc is not None and doc.data == {"k": text}:
        return text
    # JSON strings are YAML double-quoted scalars: safe for any text.
    return json.dumps(text, ensure_ascii=False)


def _choices(spec: Choice) -> str:
    # No space inside an entry, so wrapping never parts a value from its Chinese words.
    return " | ".join(f"{c}({'/'.join(a)})" if a else c for c, a in spec.values.items())


def _sub_fields(cls: type) -> str:
    names = [f.name + ("*" if f.metadata["required"] else "")
             for f in dataclasses.fields(cls) if "spec" in f.metadata]
    return "{" + ", ".join(names) + "}"


def _short(spec: Spec) -> str:
    """A few words for a value of this kind (inside lists and mappings)."""
    if isinstance(spec, Ref):
        return f"{spec.kind} id"
    if isinstance(spec, Slug):
        return "id"
    if isinstance(spec, DateSpec):
        return "YYYY-MM-DD"
    if isinstance(spec, Month):
        return "YYYY-MM"
    if isinstance(spec, Year):
        return "年份 year"
    if isinstance(spec, FigureSpec):
        return "数字 figure"
    if isinstance(spec, Amount):
        return "数字 number"
    if isinstance(spec, Choice):
        return spec.type_name
    if isinstance(spec, Record):
        return _sub_fields(spec.cls)
    if isinstance(spec, SourceSpec):
        return "source"
    return "文字 text"


def _hint(spec: Spec) -> str:
    """How to write a value of this kind, in one line (zh / en)."""
    if isinstance(spec, Ref):
        folder = {"region": "regions", "project": "projects", "campaign": "campaigns"}[spec.kind]
        return f"content/{folder}/ 中已有的标识 / an existing {spec.kind} id"
    if isinstance(spec, Slug):
        return "小写字母、数字和连字符 / lowercase letters, digits, hyphens (e.g. zhoukou-2023)"
    if isinstance(spec, Url):
        return "完整网址 / a full web address: https://…"
    if isinstance(spec, Text):
        if not spec.hint:
            return ""
        from .messages import Msg
        hint = Msg(spec.hint)
        return f"{hint.text('zh-CN')} / {hint}"
    if isinstance(spec, Choice):
        return _choices(spec)
    if isinstance(spec, (DateSpec, Month)):
        return _short(spec)
    if isinstance(spec, Period):
        return "2023 | 2023-Q1 | 2023-H1 | 2023-03 | 2021-01/04"
    if isinstance(spec, Boolean):
        return "true | false"
    if isinstance(spec, FigureSpec):
        return ("数字，如 20.5；有限定时写 {value: 60, bound: lower} / a number, or "
                "{value, bound: lower|upper|approx, kind: target|projection, note, unit}")
    if isinstance(spec, Year):
        return "年份 / year, e.g. 2023"
    if isinstance(spec, Amount):
        return "整数 / a whole number" if spec.integer else "数字 / a number"
    if isinstance(spec, Record):
        return "字段 / fields: " + _sub_fields(spec.cls)
    if isinstance(spec, SourceSpec):
        return ("site.yaml 中 sources: 的标识，或 / an id from site.yaml sources:, or "
                + _sub_fields(spec._record().cls))
    if isinstance(spec, MapOf):
        inner = f"{{{_short(spec.key)}: {_short(spec.value)}}}"
        keys = f"; {spec.key.type_name}: {_choices(spec.key)}" if isinstance(spec.key, Choice) else ""
        return f"映射 / a mapping {inner}{keys}"
    if isinstance(spec, ListOf):
        item = spec.item
        if isinstance(item, Record):
            return "列表，每项 / a list, each item: " + _sub_fields(item.cls)
        if isinstance(item, SourceSpec):
            return "列表，每项是 / a list, each item is: " + _hint(item)
        words = _hint(item) or _short(item)
        return f"列表 / a list, e.g. [甲, 乙], of: {words}"
    return ""


def _empty(spec: Spec) -> str:
    """The placeholder of an optional field: read as "not given" when uncommented."""
    if isinstance(spec, ListOf):
        return " []"
    if isinstance(spec, MapOf):
        return " {}"
    return ""


def _comment(lines: list[str], text: str) -> None:
    lines.extend(textwrap.wrap(text, _WIDTH, initial_indent="# ", subsequent_indent="#   ",
                               break_long_words=False, break_on_hyphens=False))


def record_text(cls: type, values: Mapping[str, Any], schema_ref: str, title: str,
                front_matter: bool = False) -> str:
    """The whole file for a new record of `cls` holding `values`.

    `schema_ref` is the schema file's path relative to the new file; with
    `front_matter` the fields sit between `---` lines of a Markdown bulletin.
    """
    lines = ["---"] if front_matter else []
    lines.append(f"# yaml-language-server: $schema={schema_ref}")
    if front_matter:
        # yaml-language-server reads modelines in YAML files only; the line is
        # kept for editors that treat front matter as YAML, and for people.
        lines.append("# 上一行指明字段说明（JSON Schema）；Markdown 文件里编辑器未必读取。")
        lines.append("# The line above names the JSON Schema of these fields; editors may not "
                     "read it in Markdown.")
    _comment(lines, title)
    lines.extend(_HOW_TO)
    for f in dataclasses.fields(cls):
        meta = f.metadata
        if "spec" not in meta:
            continue
        spec = meta["spec"]
        lines.append("")
        doc = meta["zh"] + (f" / {meta['en']}" if meta["en"] else "")
        _comment(lines, doc + (" · 必填 required" if meta["required"] else ""))
        hint = _hint(spec)
        if hint:
            _comment(lines, "  " + hint)
        if f.name in values:
            lines.append(f"{f.name}: {yaml_scalar(values[f.name])}")
        else:
            lines.append(f"# {f.name}:{_empty(spec)}")
    if front_matter:
        lines.append("---")
        return "\n".join(lines) + "\n" + BODY
    return "\n".join(lines) + "\n"
