"""Shared field helpers and the Source record."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Optional

from .. import vocab as V
from ..fields import ListOf, Record, field
from ..numbers import FigureSpec
from ..scalars import DateSpec, SourceSpec, Text, Url

__all__ = ["Source", "MONEY", "money_fig", "count_fig", "pct_fig", "pp_fig", "source_field",
           "sources_field", "long_text", "KEY_DOC"]

MONEY = dict(units=V.MONEY_UNITS)
money_fig = lambda **kw: FigureSpec(**MONEY, **kw)  # noqa: E731
count_fig = lambda: FigureSpec(integer=True, maximum=10_000_000)  # noqa: E731
pct_fig = lambda: FigureSpec(maximum=100_000)  # noqa: E731
pp_fig = lambda: FigureSpec(minimum=-1000, maximum=100_000)  # noqa: E731
source_field = SourceSpec(lambda: Record(Source))
sources_field = ListOf(source_field, 50)
long_text = lambda: Text(20_000)  # noqa: E731
KEY_DOC = ("本地区内唯一的简短标识，供通报引用：{{ figure 地区 key 字段 }}",
            "short id, unique within the region; bulletins cite figures through it")


@dataclass(frozen=True, kw_only=True)
class Source:
    """Where a figure comes from: an article, a notice, a ledger."""

    title: str = field(Text(300), "来源标题", "title of the source", required=True)
    publisher: Optional[str] = field(Text(200), "发布单位或媒体", "publisher")
    date: Optional[_dt.date] = field(DateSpec(), "发布日期", "publication date")
    url: Optional[str] = field(Url(), "网址", "web address")
    file: Optional[str] = field(Text(200, r"^[A-Za-z0-9._-]+$", "hint.file_name"),
                                "原始文件名（如种子文章）", "file name of the original text")
    note: Optional[str] = field(Text(1000), "说明", "note")
