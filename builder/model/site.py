"""`content/site.yaml`: the site as a whole."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Mapping, Optional

from .. import vocab as V
from ..fields import ListOf, MapOf, Record, field
from ..numbers import Amount
from ..scalars import Choice, DateSpec, Ref, Slug, Text, Url
from .common import Source

__all__ = ["FlagRule", "LEDGER_FIELDS", "LedgerConfig", "Sector", "Site"]


@dataclass(frozen=True, kw_only=True)
class FlagRule:
    """How many leaders get a red flag and how many laggards a yellow one."""

    red: int = field(Amount(0, 50, integer=True), "前几名授红旗", "leaders given a red flag", default=2)
    yellow: int = field(Amount(0, 50, integer=True), "后几名授黄旗", "laggards given a yellow flag",
                        default=1)


@dataclass(frozen=True, kw_only=True)
class Sector:
    """One sector of the site's own taxonomy (五大领域, 主导产业 …)."""

    id: str = field(Slug(), "行业标识", "sector id", required=True)
    name: str = field(Text(100), "行业名称", "sector name", required=True)
    name_en: Optional[str] = field(Text(100), "英文名称", "English name")


#: What a ledger (台账) column can fill, with the Chinese words accepted for each.
LEDGER_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("标识",),
    "name": ("项目名称",),
    "completed_ytd": ("本年完成投资",),
    "completed_cumulative": ("累计完成投资",),
    "annual_plan": ("年度计划投资",),
    "image_progress": ("形象进度",),
    "status_text": ("进展情况",),
    "stage": ("所处阶段",),
    "ignore": ("忽略",),
}


@dataclass(frozen=True, kw_only=True)
class LedgerConfig:
    """How `bulletin import` reads the monthly ledger (台账)."""

    columns: Mapping[str, str] = field(
        MapOf(Text(100), Choice(LEDGER_FIELDS, "ledger field"), "column header"),
        "表头与字段的对应，补充或覆盖内置的中文表头（如 项目名称: name；ignore 表示不读该列）",
        "column header → field, adding to or overriding the built-in Chinese headers "
        "(ignore: skip the column)", default=None)
    sheet: Optional[str] = field(Text(100), "工作表名称（默认第一个）", "sheet name (default: the first)")
    header_row: Optional[int] = field(Amount(1, 1000, integer=True), "表头所在行（默认自动查找）",
                                      "header row (found automatically by default)")
    unit: Optional[str] = field(Choice({u: () for u in V.MONEY_UNITS}, "money unit"),
                                "台账金额单位（表头和表上方都未注明时）",
                                "the ledger's money unit when neither the headers nor the title say")


@dataclass(frozen=True, kw_only=True)
class Site:
    """`content/site.yaml`: the site as a whole."""

    title: str = field(Text(200), "网站标题", "site title", required=True)
    title_en: Optional[str] = field(Text(200), "英文标题", "English title")
    language: str = field(Choice(V.LANGUAGES, "language"), "界面语言", "UI language", default="zh-CN")
    as_of: _dt.date = field(DateSpec(), "首页数据日期", "data date the home page presents",
                            required=True)
    home_region: str = field(Ref("region"), "首页展示的地区", "region the home page presents",
                             required=True)
    base_url: Optional[str] = field(Url(), "正式网址（用于站点地图、订阅、规范链接和 404 页的链接）",
                                    "public address (sitemap, feed, canonical links, 404 page links)")
    money_unit: str = field(Choice({u: () for u in V.MONEY_UNITS}, "money unit"), "金额单位",
                            "money unit", default="亿元")
    schedule_basis: str = field(Choice(V.SCHEDULE_BASES, "schedule basis"),
                                "时序进度口径：month 按月，day 按日", "时序进度 basis", default="month")
    flags: FlagRule = field(Record(FlagRule), "红黄旗规则", "red/yellow flag rule", default=FlagRule())
    organisation: Optional[str] = field(Text(200), "主办单位", "publishing organisation")
    organisation_en: Optional[str] = field(Text(200), "主办单位（英文）", "organisation (English)")
    licence: Optional[str] = field(Text(300), "数据许可", "data licence")
    repo_url: Optional[str] = field(Url(), "源文件仓库网址", "repository with the source files")
    description: Optional[str] = field(Text(1000), "网站简介", "site description")
    description_en: Optional[str] = field(Text(1000), "网站简介（英文）", "description (English)")
    sectors: tuple = field(ListOf(Record(Sector), 200), "行业分类（填写后项目的 sector 必须取自其中）",
                           "sector taxonomy (when given, project sectors must come from it)",
                           default=())
    sources: Mapping[str, Source] = field(MapOf(Slug(), Record(Source), "source id"),
                                          "来源清单，记录中用 source: 标识 引用",
                                          "sources, cited from records by id", default=None)
    ledger: Optional[LedgerConfig] = field(Record(LedgerConfig), "月度台账导入设置（bulletin import）",
                                           "monthly ledger import settings (bulletin import)")
