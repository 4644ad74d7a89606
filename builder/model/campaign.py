"""`content/campaigns/<id>.yaml`: a 三个一批 round."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Optional

from .. import vocab as V
from ..fields import ListOf, Record, field
from ..numbers import Amount, Figure
from ..scalars import Boolean, Choice, DateSpec, Period, Ref, Slug, Text
from .common import count_fig, long_text, money_fig, pct_fig, source_field

__all__ = ["Batch", "CampaignTotals", "Window", "Campaign"]


@dataclass(frozen=True, kw_only=True)
class Batch:
    """One batch of a round: how many, how much, how many advanced."""

    batch: str = field(Choice(V.BATCHES, "batch"), "批次", "batch", required=True)
    round: Optional[int] = field(Amount(1, 100, integer=True), "期数（记录涵盖多期时）",
                                 "round (when the record covers several)")
    count: Optional[Figure] = field(count_fig(), "项目个数", "projects")
    investment: Optional[Figure] = field(money_fig(), "总投资", "total investment")
    advanced: Optional[Figure] = field(count_fig(), "推进数：已开工/已投产/已达效",
                                       "advanced: started / operating / at capacity")
    rate_pct: Optional[Figure] = field(pct_fig(), "来源给出的比率 %（开工率/投产率/达效率）",
                                       "rate % as printed")


@dataclass(frozen=True, kw_only=True)
class CampaignTotals:
    count: Optional[Figure] = field(count_fig(), "项目总数", "projects in all")
    investment: Optional[Figure] = field(money_fig(), "总投资", "total investment")
    completed_investment: Optional[Figure] = field(money_fig(), "完成投资", "completed investment")
    started_count: Optional[Figure] = field(count_fig(), "开工项目数", "projects started")
    started_investment: Optional[Figure] = field(money_fig(), "开工项目总投资", "investment started")
    finished_count: Optional[Figure] = field(count_fig(), "竣工项目数", "projects completed")
    finished_investment: Optional[Figure] = field(money_fig(), "竣工项目总投资", "investment completed")
    target_met: Optional[bool] = field(Boolean(), "已完成本期目标", "round target met")


@dataclass(frozen=True, kw_only=True)
class Window:
    start: Optional[_dt.date] = field(DateSpec(), "开始日期", "from")
    end: Optional[_dt.date] = field(DateSpec(), "结束日期", "to")


@dataclass(frozen=True, kw_only=True)
class Campaign:
    """`content/campaigns/<id>.yaml`: a 三个一批 round (or several) in one region."""

    id: str = field(Slug(), "标识，须与文件名相同", "id, equal to the file name", required=True)
    campaign: str = field(Text(50), "活动名称", "campaign", default="三个一批")
    region: str = field(Ref("region"), "地区", "region", required=True)
    round: Optional[int] = field(Amount(1, 100, integer=True), "期数", "round")
    round_count: Optional[int] = field(Amount(1, 100, integer=True), "涵盖期数（累计记录）",
                                       "rounds covered (cumulative records)")
    period: Optional[str] = field(Period(), "时期", "period")
    period_note: Optional[str] = field(Text(200), "时期说明", "period as printed")
    as_of: Optional[_dt.date] = field(DateSpec(), "截止日期", "data date")
    window: Optional[Window] = field(Record(Window), "起止日期", "window")
    batches: tuple = field(ListOf(Record(Batch), 50), "各批次", "batches", default=())
    totals: Optional[CampaignTotals] = field(Record(CampaignTotals), "合计", "totals")
    members: tuple = field(ListOf(Ref("project"), 5000), "成员项目标识", "member project ids", default=())
    summary: Optional[str] = field(long_text(), "简介", "summary")
    summary_en: Optional[str] = field(long_text(), "简介（英文）", "summary (English)")
    note: Optional[str] = field(Text(1000), "说明", "note")
    source: Any = field(source_field, "来源", "source")
