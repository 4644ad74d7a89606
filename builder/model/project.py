"""`content/projects/<id>.yaml`: one key project."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from .. import vocab as V
from ..fields import ListOf, MapOf, Record, field
from ..numbers import Amount, Figure, Year
from ..scalars import Choice, DateSpec, Month, Ref, Slug, Text
from .common import long_text, money_fig, sources_field
from .region import Indicator

__all__ = [
    "Progress", "CampaignRef", "Lead", "Capacity", "Baseline", "ProjectIssue", "Whitelist", "Project",
]


@dataclass(frozen=True, kw_only=True)
class Progress:
    """One month of the ledger (台账): investment completed so far."""

    month: str = field(Month(), "月份 YYYY-MM", "month", required=True)
    completed_ytd: Optional[Any] = field(Amount(), "本年累计完成投资", "completed this year so far")
    completed_cumulative: Optional[Any] = field(Amount(), "开工以来累计完成投资",
                                                "completed since the start")
    image_progress: Optional[str] = field(Text(300), "形象进度", "physical progress (形象进度)")
    note: Optional[str] = field(Text(500), "说明", "note")


@dataclass(frozen=True, kw_only=True)
class CampaignRef:
    """A project's place in a 三个一批 round."""

    campaign: str = field(Ref("campaign"), "活动标识", "campaign id", required=True)
    batch: str = field(Choice(V.BATCHES, "batch"), "批次：签约一批/开工一批/投产一批/盘活一批", "batch",
                       required=True)


@dataclass(frozen=True, kw_only=True)
class Lead:
    """The lead official (分包领导); sources give titles, rarely names."""

    title: str = field(Text(100), "职务", "title", required=True)
    level: Optional[str] = field(Text(50), "层级，如 市级", "level")
    name: Optional[str] = field(Text(50), "姓名", "name")


@dataclass(frozen=True, kw_only=True)
class Capacity:
    value: Any = field(Amount(), "产能数值", "capacity", required=True)
    unit: str = field(Text(30), "产能单位，如 万吨/年", "unit, e.g. 万吨/年", required=True)


@dataclass(frozen=True, kw_only=True)
class Baseline:
    """The figures as first listed; kept when the project is revised."""

    total_investment: Optional[Figure] = field(money_fig(), "最初总投资", "first total investment")
    annual_plan: Optional[Figure] = field(money_fig(), "最初年度计划", "first annual plan")
    completion: Optional[_dt.date] = field(DateSpec(), "最初计划完工日期", "first planned completion")
    as_of: Optional[_dt.date] = field(DateSpec(), "基线日期", "baseline date")


@dataclass(frozen=True, kw_only=True)
class ProjectIssue:
    opened: Optional[_dt.date] = field(DateSpec(), "提出日期", "opened")
    text: str = field(Text(500), "问题", "problem", required=True)
    resolved: Optional[_dt.date] = field(DateSpec(), "解决日期", "resolved")


@dataclass(frozen=True, kw_only=True)
class Whitelist:
    batch: int = field(Amount(1, 100, integer=True), "白名单批次", "white-list batch", required=True)
    note: Optional[str] = field(Text(200), "说明", "note")


@dataclass(frozen=True, kw_only=True)
class Project:
    """`content/projects/<id>.yaml`: one key project."""

    id: str = field(Slug(), "标识，须与文件名相同", "id, equal to the file name", required=True)
    name: str = field(Text(200), "项目名称（照录原文）", "name, verbatim", required=True)
    name_en: Optional[str] = field(Text(200), "英文名称", "English name")
    aliases: tuple = field(ListOf(Text(200), 20), "别名", "other names", default=())
    region: str = field(Ref("region"), "所在地区", "region", required=True)
    levels: tuple = field(ListOf(Choice(V.LIST_LEVELS, "list level"), 3), "重点项目层级",
                          "key-project lists it is on", default=())
    sector: Optional[str] = field(Text(100), "行业/领域", "sector")
    build_type: Optional[str] = field(Choice(V.BUILD_TYPES, "build type"), "新建/续建",
                                      "new or continuing")
    total_investment: Optional[Figure] = field(money_fig(), "总投资", "total investment")
    annual_plan: Mapping[int, Figure] = field(MapOf(Year(), money_fig(), "year"), "年度计划投资，按年",
                                              "annual plan, by year", default=None)
    capacity: Optional[Capacity] = field(Record(Capacity), "产能", "capacity")
    stage: Optional[str] = field(Choice(V.STAGES, "stage"), "所处阶段（九个方位）", "lifecycle stage")
    stage_dates: Mapping[str, _dt.date] = field(MapOf(Choice(V.STAGE_DATE_KEYS, "stage"), DateSpec(),
                                                      "stage"), "各阶段日期", "date of each stage",
                                                default=None)
    status_text: Optional[str] = field(Text(300), "进展（照录原文）", "status, verbatim")
    status_as_of: Optional[_dt.date] = field(DateSpec(), "进展日期", "status date")
    campaigns: tuple = field(ListOf(Record(CampaignRef), 50), "三个一批", "campaign rounds", default=())
    whitelist: tuple = field(ListOf(Record(Whitelist), 20), "白名单批次", "white-list batches",
                             default=())
    lead: Optional[Lead] = field(Record(Lead), "分包领导", "lead official")
    responsible_unit: Optional[str] = field(Text(200), "责任单位", "responsible unit")
    progress: tuple = field(ListOf(Record(Progress), 1200), "月度进度（台账）", "monthly progress",
                            default=())
    problems: tuple = field(ListOf(Record(ProjectIssue), 500), "问题", "problems", default=())
    baseline: Optional[Baseline] = field(Record(Baseline), "基线（首次列入时的数字）",
                                         "baseline (first listed figures)")
    indicators: tuple = field(ListOf(Record(Indicator), 200), "其他指标", "other figures", default=())
    summary: Optional[str] = field(long_text(), "简介", "summary")
    summary_en: Optional[str] = field(long_text(), "简介（英文）", "summary (English)")
    sources: tuple = field(sources_field, "来源", "sources", default=())
