"""Front matter of a bulletin."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Optional

from ..fields import ListOf, field
from ..scalars import Boolean, DateSpec, Period, Ref, Text
from .common import sources_field

__all__ = ["BulletinMeta"]


@dataclass(frozen=True, kw_only=True)
class BulletinMeta:
    """Front matter of `content/bulletins/<yyyy-mm-dd>-<slug>.md`."""

    title: str = field(Text(200), "标题", "title", required=True)
    title_en: Optional[str] = field(Text(200), "英文标题", "English title")
    date: _dt.date = field(DateSpec(), "发布日期（与文件名中的日期一致）", "publication date",
                           required=True)
    region: Optional[str] = field(Ref("region"), "地区", "region")
    as_of: Optional[_dt.date] = field(DateSpec(), "数据日期", "data date")
    period: Optional[str] = field(Period(), "时期", "period")
    summary: Optional[str] = field(Text(1000), "摘要", "summary")
    summary_en: Optional[str] = field(Text(1000), "摘要（英文）", "summary (English)")
    tags: tuple = field(ListOf(Text(50), 30), "标签", "tags", default=())
    headline: tuple = field(ListOf(Text(200, r"^[a-z0-9-]+/[a-z0-9-]+$", "hint.report_ref"),
                                   10), "头条引用的汇总数据：地区标识/key", "reports in the headline",
                            default=())
    campaign: Optional[str] = field(Ref("campaign"), "相关三个一批", "related campaign")
    sources: tuple = field(sources_field, "来源", "sources", default=())
    draft: bool = field(Boolean(), "草稿（不发布）", "draft (not published)", default=False)


#: Record kinds by folder, for loading and for the schema.
