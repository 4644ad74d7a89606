"""`content/regions/<id>.yaml`: a region and what is reported about it."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from .. import vocab as V
from ..fields import ListOf, MapOf, Record, field
from ..numbers import Amount, Figure, FigureSpec, Year
from ..scalars import Boolean, Choice, DateSpec, Period, Ref, Slug, Text
from .common import (
    KEY_DOC,
    count_fig,
    long_text,
    money_fig,
    pct_fig,
    pp_fig,
    source_field,
    sources_field,
)

__all__ = ["Report", "Ranking", "Flag", "ProblemLedger", "Event", "Indicator", "Target", "Region"]


_report_figures = ("project_count", "total_investment", "annual_plan", "completed",
                   "estimated_investment", "contract_investment", "landed_count")


@dataclass(frozen=True, kw_only=True)
class Report:
    """An aggregate as published: one scope, one period, one data date."""

    key: str = field(Slug(), *KEY_DOC, required=True, example="2022")
    scope: str = field(Text(200), "统计口径，如 省市重点项目", "scope, e.g. 省市重点项目", required=True)
    scope_en: Optional[str] = field(Text(200), "口径（英文）", "scope (English)")
    subset_of: Optional[str] = field(Slug(), "所属上级口径的 key（嵌套口径不相加）",
                                     "key of the report this scope is part of")
    category: str = field(Choice(V.CATEGORIES, "category"), "类别", "category", default="key_projects")
    year: int = field(Year(), "年度", "year", required=True)
    period: Optional[str] = field(Period(), "统计期，如 2023、2023-Q1、2021-01/04",
                                  "period, e.g. 2023, 2023-Q1, 2021-01/04")
    as_of: Optional[_dt.date] = field(DateSpec(), "数据截止日期", "data date")
    as_of_note: Optional[str] = field(Text(300), "数据日期说明（日期不详时必填）",
                                      "note on the data date (required when it is unknown)")
    as_of_inferred: bool = field(Boolean(), "数据日期为推定", "the data date is inferred", default=False)
    basis: str = field(Choice(V.BASES, "basis"), "口径：project_reported 项目报送；statistical 统计",
                       "basis", default="project_reported")
    schedule_basis: Optional[str] = field(Choice(V.SCHEDULE_BASES, "schedule basis"),
                                          "时序进度口径（覆盖全站设置）", "时序进度 basis override")
    project_count: Optional[Figure] = field(count_fig(), "项目个数", "number of projects")
    total_investment: Optional[Figure] = field(money_fig(), "总投资", "total investment")
    annual_plan: Optional[Figure] = field(money_fig(), "年度计划投资", "annual plan investment")
    completed: Optional[Figure] = field(money_fig(), "完成投资（年初至今）", "completed investment (YTD)")
    estimated_investment: Optional[Figure] = field(money_fig(), "概算投资", "estimated investment")
    contract_investment: Optional[Figure] = field(money_fig(), "合同投资", "contract investment")
    landed_count: Optional[Figure] = field(count_fig(), "已落地项目数", "projects landed")
    plan_completion_pct: Optional[Figure] = field(pct_fig(), "完成年度计划 %", "% of annual plan done")
    ahead_of_schedule_pp: Optional[Figure] = field(pp_fig(), "高于时序进度（百分点，落后为负）",
                                                   "points ahead of 时序进度 (negative: behind)")
    ahead_of_province_avg_pp: Optional[Figure] = field(pp_fig(), "高于全省平均进度（百分点）",
                                                       "points ahead of the provincial average")
    over_plan_pp: Optional[Figure] = field(pp_fig(), "超计划进度（百分点，基准未说明）",
                                           "points over plan (baseline unstated)")
    growth_vs_province_pp: Optional[Figure] = field(pp_fig(), "增速高于全省（百分点）",
                                                    "growth points above the province")
    landing_rate_pct: Optional[Figure] = field(pct_fig(), "落地率 %", "landing rate %")
    target_met_months_early: Optional[Figure] = field(FigureSpec(integer=True, maximum=12),
                                                      "提前几个月完成年度目标", "months ahead of year end")
    yoy_pct: Mapping[str, Figure] = field(
        MapOf(Choice({k: () for k in _report_figures}, "figure"), pp_fig(), "figure name"),
        "同比增长 %，按指标", "year-on-year growth %, by figure", default=None)
    note: Optional[str] = field(Text(1000), "说明", "note")
    source: Any = field(source_field, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class Ranking:
    """A position in a named evaluation within a peer group."""

    key: str = field(Slug(), *KEY_DOC, required=True)
    evaluation: str = field(Text(200), "评价名称", "evaluation", required=True)
    evaluation_en: Optional[str] = field(Text(200), "评价名称（英文）", "evaluation (English)")
    year: Optional[int] = field(Year(), "年度", "year")
    period_note: Optional[str] = field(Text(200), "评价期说明", "period as printed")
    peer_group: str = field(Text(100), "比较范围，如 省辖市", "peer group, e.g. 省辖市", required=True)
    rank: int = field(Amount(1, 10_000, integer=True), "名次", "rank", required=True)
    of: Optional[int] = field(Amount(1, 10_000, integer=True), "参评总数", "out of")
    note: Optional[str] = field(Text(1000), "说明", "note")
    source: Any = field(source_field, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class Flag:
    """A red or yellow flag awarded at a review (观摩讲评)."""

    review: str = field(Period(), "讲评期，如 2023-Q1", "review period, e.g. 2023-Q1", required=True)
    color: str = field(Choice(V.FLAG_COLORS, "flag colour"), "旗色", "colour", required=True)
    reason: Optional[str] = field(Text(500), "理由", "reason")
    source: Any = field(source_field, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class ProblemLedger:
    """Problems collected and resolved, on a date (问题台账)."""

    key: str = field(Slug(), *KEY_DOC, required=True)
    scope: str = field(Text(200), "问题范围，如 企业问题", "scope, e.g. enterprise problems",
                       required=True)
    scope_en: Optional[str] = field(Text(200), "范围（英文）", "scope (English)")
    as_of: Optional[_dt.date] = field(DateSpec(), "截止日期", "data date")
    as_of_note: Optional[str] = field(Text(300), "日期说明", "note on the date")
    period: Optional[str] = field(Period(), "统计期", "period")
    collected: Optional[Figure] = field(count_fig(), "收集问题数", "collected")
    resolved: Optional[Figure] = field(count_fig(), "已解决", "resolved")
    in_progress: Optional[Figure] = field(count_fig(), "正在处理", "in progress")
    unit: Optional[str] = field(Text(10), "计数的量词，按原文：个、条、件、处、项（默认 个）",
                                "measure word of the counts as printed: 个, 条, 件, 处, 项 "
                                "(default 个; English pages print bare numbers)")
    resolution_pct: Optional[Figure] = field(pct_fig(), "解决率 %（如来源给出）", "resolution rate % as printed")
    note: Optional[str] = field(Text(1000), "说明", "note")
    source: Any = field(source_field, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class Event:
    """A mass groundbreaking (集中开工) or similar event."""

    key: str = field(Slug(), *KEY_DOC, required=True)
    name: str = field(Text(200), "活动名称", "event name", required=True)
    name_en: Optional[str] = field(Text(200), "活动名称（英文）", "event name (English)")
    date: Optional[_dt.date] = field(DateSpec(), "日期", "date")
    period: Optional[str] = field(Period(), "时期", "period")
    period_note: Optional[str] = field(Text(200), "时期说明", "period as printed")
    batches: Optional[Figure] = field(count_fig(), "批次数", "number of batches")
    project_count: Optional[Figure] = field(count_fig(), "项目个数", "projects")
    total_investment: Optional[Figure] = field(money_fig(), "总投资", "total investment")
    annual_plan: Optional[Figure] = field(money_fig(), "年度计划投资", "annual plan investment")
    note: Optional[str] = field(Text(1000), "说明", "note")
    source: Any = field(source_field, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class Indicator:
    """Any other figure the sources give, with its own label and unit."""

    key: str = field(Slug(), *KEY_DOC, required=True)
    label: str = field(Text(200), "指标名称", "label", required=True)
    label_en: Optional[str] = field(Text(200), "指标名称（英文）", "label (English)")
    category: str = field(Choice(V.CATEGORIES, "category"), "类别", "category", default="context")
    value: Figure = field(FigureSpec(minimum=-1e9, units=V.MONEY_UNITS), "数值", "value",
                          required=True)
    unit: str = field(Text(30), "单位，如 个、亿元、%、百分点", "unit", required=True)
    year: Optional[int] = field(Year(), "年度", "year")
    period: Optional[str] = field(Period(), "统计期", "period")
    period_note: Optional[str] = field(Text(200), "时期说明", "period as printed")
    as_of: Optional[_dt.date] = field(DateSpec(), "截止日期", "data date")
    note: Optional[str] = field(Text(1000), "说明", "note")
    source: Any = field(source_field, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class Target(Indicator):
    """A goal or forecast (力争, 确保, 预计): a bare number is a target, never an achievement."""

    value: Figure = field(FigureSpec(minimum=-1e9, units=V.MONEY_UNITS, kind="target"),
                          "目标值（默认 kind: target；预计数写 kind: projection）",
                          "value (kind target unless it says projection)", required=True)


@dataclass(frozen=True, kw_only=True)
class Region:
    """`content/regions/<id>.yaml`: a region and what is reported about it."""

    id: str = field(Slug(), "标识，须与文件名相同", "id, equal to the file name", required=True)
    name: str = field(Text(100), "名称", "name", required=True)
    name_en: Optional[str] = field(Text(100), "英文名称", "English name")
    full_name: Optional[str] = field(Text(200), "全称", "full name")
    full_name_en: Optional[str] = field(Text(200), "英文全称", "full name (English)")
    level: str = field(Choice(V.REGION_LEVELS, "level"), "层级", "level", required=True)
    parent: Optional[str] = field(Ref("region"), "上级地区", "parent region")
    aliases: tuple = field(ListOf(Text(100), 20), "别名", "other names", default=())
    summary: Optional[str] = field(long_text(), "简介", "summary")
    summary_en: Optional[str] = field(long_text(), "简介（英文）", "summary (English)")
    reports: tuple = field(ListOf(Record(Report), 500), "汇总数据", "reported aggregates", default=())
    rankings: tuple = field(ListOf(Record(Ranking), 500), "排名", "rankings", default=())
    flags: tuple = field(ListOf(Record(Flag), 500), "红黄旗", "flags", default=())
    problems: tuple = field(ListOf(Record(ProblemLedger), 500), "问题台账", "problem ledger",
                            default=())
    events: tuple = field(ListOf(Record(Event), 500), "集中开工等活动", "events", default=())
    targets: tuple = field(ListOf(Record(Target), 500), "目标（不计为完成数）",
                           "targets (never counted as achieved)", default=())
    indicators: tuple = field(ListOf(Record(Indicator), 2000), "其他指标", "other figures", default=())
    sources: tuple = field(sources_field, "来源", "sources", default=())
