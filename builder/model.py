"""The content model: one frozen dataclass per record kind.

Each field declares its kind (`builder.fields`) and its documentation in
Chinese and English. This file is the schema: validation, the JSON Schema
(`bulletin schema`) and the README's data reference are all read from it.

Money is in the site's unit (亿元) unless a figure says `unit: 万元`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from . import vocab as V
from .fields import (Amount, Boolean, Choice, DateSpec, Figure, FigureSpec, ListOf, MapOf, Month,
                     Period, Record, Ref, Slug, SourceSpec, Text, Url, Year, field)

__all__ = [
    "Source", "FlagRule", "Sector", "Site", "Report", "Ranking", "Flag", "ProblemLedger",
    "Event", "Indicator", "Region", "Progress", "CampaignRef", "Lead", "Capacity", "Baseline",
    "ProjectIssue", "Whitelist", "Project", "Batch", "CampaignTotals", "Window", "Campaign",
    "BulletinMeta", "Figure", "RECORDS",
]

MONEY = dict(units=V.MONEY_UNITS)
_money = lambda **kw: FigureSpec(**MONEY, **kw)  # noqa: E731
_count = lambda: FigureSpec(integer=True, maximum=10_000_000)  # noqa: E731
_pct = lambda: FigureSpec(maximum=100_000)  # noqa: E731
_pp = lambda: FigureSpec(minimum=-1000, maximum=100_000)  # noqa: E731
_source = SourceSpec(lambda: Record(Source))
_sources = ListOf(_source, 50)
_text = Text
_long = lambda: Text(20_000)  # noqa: E731
_key_doc = ("本地区内唯一的简短标识，供通报引用：{{ figure 地区 key 字段 }}",
            "short id, unique within the region; bulletins cite figures through it")


@dataclass(frozen=True, kw_only=True)
class Source:
    """Where a figure comes from: an article, a notice, a ledger."""

    title: str = field(_text(300), "来源标题", "title of the source", required=True)
    publisher: Optional[str] = field(_text(200), "发布单位或媒体", "publisher")
    date: Optional[_dt.date] = field(DateSpec(), "发布日期", "publication date")
    url: Optional[str] = field(Url(), "网址", "web address")
    file: Optional[str] = field(Text(200, r"^[A-Za-z0-9._-]+$", "a plain file name"),
                                "原始文件名（如种子文章）", "file name of the original text")
    note: Optional[str] = field(_text(1000), "说明", "note")


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
    name: str = field(_text(100), "行业名称", "sector name", required=True)
    name_en: Optional[str] = field(_text(100), "英文名称", "English name")


@dataclass(frozen=True, kw_only=True)
class Site:
    """`content/site.yaml`: the site as a whole."""

    title: str = field(_text(200), "网站标题", "site title", required=True)
    title_en: Optional[str] = field(_text(200), "英文标题", "English title")
    language: str = field(Choice(V.LANGUAGES, "language"), "界面语言", "UI language", default="zh-CN")
    as_of: _dt.date = field(DateSpec(), "首页数据日期", "data date the home page presents",
                            required=True)
    home_region: str = field(Ref("region"), "首页展示的地区", "region the home page presents",
                             required=True)
    base_url: Optional[str] = field(Url(), "正式网址（仅用于站点地图、订阅和规范链接）",
                                    "public address (sitemap, feed and canonical links only)")
    money_unit: str = field(Choice({u: () for u in V.MONEY_UNITS}, "money unit"), "金额单位",
                            "money unit", default="亿元")
    schedule_basis: str = field(Choice(V.SCHEDULE_BASES, "schedule basis"),
                                "时序进度口径：month 按月，day 按日", "时序进度 basis", default="month")
    flags: FlagRule = field(Record(FlagRule), "红黄旗规则", "red/yellow flag rule", default=FlagRule())
    organisation: Optional[str] = field(_text(200), "主办单位", "publishing organisation")
    organisation_en: Optional[str] = field(_text(200), "主办单位（英文）", "organisation (English)")
    licence: Optional[str] = field(_text(300), "数据许可", "data licence")
    repo_url: Optional[str] = field(Url(), "源文件仓库网址", "repository with the source files")
    description: Optional[str] = field(_text(1000), "网站简介", "site description")
    description_en: Optional[str] = field(_text(1000), "网站简介（英文）", "description (English)")
    sectors: tuple = field(ListOf(Record(Sector), 200), "行业分类（填写后项目的 sector 必须取自其中）",
                           "sector taxonomy (when given, project sectors must come from it)",
                           default=())
    sources: Mapping[str, Source] = field(MapOf(Slug(), Record(Source), "source id"),
                                          "来源清单，记录中用 source: 标识 引用",
                                          "sources, cited from records by id", default=None)


# --- regions ---------------------------------------------------------------

_report_figures = ("project_count", "total_investment", "annual_plan", "completed",
                   "estimated_investment", "contract_investment", "landed_count")


@dataclass(frozen=True, kw_only=True)
class Report:
    """An aggregate as published: one scope, one period, one data date."""

    key: str = field(Slug(), *_key_doc, required=True, example="2022")
    scope: str = field(_text(200), "统计口径，如 省市重点项目", "scope, e.g. 省市重点项目", required=True)
    scope_en: Optional[str] = field(_text(200), "口径（英文）", "scope (English)")
    subset_of: Optional[str] = field(Slug(), "所属上级口径的 key（嵌套口径不相加）",
                                     "key of the report this scope is part of")
    category: str = field(Choice(V.CATEGORIES, "category"), "类别", "category", default="key_projects")
    year: int = field(Year(), "年度", "year", required=True)
    period: Optional[str] = field(Period(), "统计期，如 2023、2023-Q1、2021-01/04",
                                  "period, e.g. 2023, 2023-Q1, 2021-01/04")
    as_of: Optional[_dt.date] = field(DateSpec(), "数据截止日期", "data date")
    as_of_note: Optional[str] = field(_text(300), "数据日期说明（日期不详时必填）",
                                      "note on the data date (required when it is unknown)")
    as_of_inferred: bool = field(Boolean(), "数据日期为推定", "the data date is inferred", default=False)
    basis: str = field(Choice(V.BASES, "basis"), "口径：project_reported 项目报送；statistical 统计",
                       "basis", default="project_reported")
    schedule_basis: Optional[str] = field(Choice(V.SCHEDULE_BASES, "schedule basis"),
                                          "时序进度口径（覆盖全站设置）", "时序进度 basis override")
    project_count: Optional[Figure] = field(_count(), "项目个数", "number of projects")
    total_investment: Optional[Figure] = field(_money(), "总投资", "total investment")
    annual_plan: Optional[Figure] = field(_money(), "年度计划投资", "annual plan investment")
    completed: Optional[Figure] = field(_money(), "完成投资（年初至今）", "completed investment (YTD)")
    estimated_investment: Optional[Figure] = field(_money(), "概算投资", "estimated investment")
    contract_investment: Optional[Figure] = field(_money(), "合同投资", "contract investment")
    landed_count: Optional[Figure] = field(_count(), "已落地项目数", "projects landed")
    plan_completion_pct: Optional[Figure] = field(_pct(), "完成年度计划 %", "% of annual plan done")
    ahead_of_schedule_pp: Optional[Figure] = field(_pp(), "高于时序进度（百分点，落后为负）",
                                                   "points ahead of 时序进度 (negative: behind)")
    ahead_of_province_avg_pp: Optional[Figure] = field(_pp(), "高于全省平均进度（百分点）",
                                                       "points ahead of the provincial average")
    over_plan_pp: Optional[Figure] = field(_pp(), "超计划进度（百分点，基准未说明）",
                                           "points over plan (baseline unstated)")
    growth_vs_province_pp: Optional[Figure] = field(_pp(), "增速高于全省（百分点）",
                                                    "growth points above the province")
    landing_rate_pct: Optional[Figure] = field(_pct(), "落地率 %", "landing rate %")
    target_met_months_early: Optional[Figure] = field(FigureSpec(integer=True, maximum=12),
                                                      "提前几个月完成年度目标", "months ahead of year end")
    yoy_pct: Mapping[str, Figure] = field(
        MapOf(Choice({k: () for k in _report_figures}, "figure"), _pp(), "figure name"),
        "同比增长 %，按指标", "year-on-year growth %, by figure", default=None)
    note: Optional[str] = field(_text(1000), "说明", "note")
    source: Any = field(_source, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class Ranking:
    """A position in a named evaluation within a peer group."""

    key: str = field(Slug(), *_key_doc, required=True)
    evaluation: str = field(_text(200), "评价名称", "evaluation", required=True)
    evaluation_en: Optional[str] = field(_text(200), "评价名称（英文）", "evaluation (English)")
    year: Optional[int] = field(Year(), "年度", "year")
    period_note: Optional[str] = field(_text(200), "评价期说明", "period as printed")
    peer_group: str = field(_text(100), "比较范围，如 省辖市", "peer group, e.g. 省辖市", required=True)
    rank: int = field(Amount(1, 10_000, integer=True), "名次", "rank", required=True)
    of: Optional[int] = field(Amount(1, 10_000, integer=True), "参评总数", "out of")
    note: Optional[str] = field(_text(1000), "说明", "note")
    source: Any = field(_source, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class Flag:
    """A red or yellow flag awarded at a review (观摩讲评)."""

    review: str = field(Period(), "讲评期，如 2023-Q1", "review period, e.g. 2023-Q1", required=True)
    color: str = field(Choice(V.FLAG_COLORS, "flag colour"), "旗色", "colour", required=True)
    reason: Optional[str] = field(_text(500), "理由", "reason")
    source: Any = field(_source, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class ProblemLedger:
    """Problems collected and resolved, on a date (问题台账)."""

    key: str = field(Slug(), *_key_doc, required=True)
    scope: str = field(_text(200), "问题范围，如 企业问题", "scope, e.g. enterprise problems",
                       required=True)
    scope_en: Optional[str] = field(_text(200), "范围（英文）", "scope (English)")
    as_of: Optional[_dt.date] = field(DateSpec(), "截止日期", "data date")
    as_of_note: Optional[str] = field(_text(300), "日期说明", "note on the date")
    period: Optional[str] = field(Period(), "统计期", "period")
    collected: Optional[Figure] = field(_count(), "收集问题数", "collected")
    resolved: Optional[Figure] = field(_count(), "已解决", "resolved")
    in_progress: Optional[Figure] = field(_count(), "正在处理", "in progress")
    resolution_pct: Optional[Figure] = field(_pct(), "解决率 %（如来源给出）", "resolution rate % as printed")
    note: Optional[str] = field(_text(1000), "说明", "note")
    source: Any = field(_source, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class Event:
    """A mass groundbreaking (集中开工) or similar event."""

    key: str = field(Slug(), *_key_doc, required=True)
    name: str = field(_text(200), "活动名称", "event name", required=True)
    name_en: Optional[str] = field(_text(200), "活动名称（英文）", "event name (English)")
    date: Optional[_dt.date] = field(DateSpec(), "日期", "date")
    period: Optional[str] = field(Period(), "时期", "period")
    period_note: Optional[str] = field(_text(200), "时期说明", "period as printed")
    batches: Optional[Figure] = field(_count(), "批次数", "number of batches")
    project_count: Optional[Figure] = field(_count(), "项目个数", "projects")
    total_investment: Optional[Figure] = field(_money(), "总投资", "total investment")
    annual_plan: Optional[Figure] = field(_money(), "年度计划投资", "annual plan investment")
    note: Optional[str] = field(_text(1000), "说明", "note")
    source: Any = field(_source, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class Indicator:
    """Any other figure the sources give, with its own label and unit."""

    key: str = field(Slug(), *_key_doc, required=True)
    label: str = field(_text(200), "指标名称", "label", required=True)
    label_en: Optional[str] = field(_text(200), "指标名称（英文）", "label (English)")
    category: str = field(Choice(V.CATEGORIES, "category"), "类别", "category", default="context")
    value: Figure = field(FigureSpec(minimum=-1e9, units=V.MONEY_UNITS), "数值", "value",
                          required=True)
    unit: str = field(_text(30), "单位，如 个、亿元、%、百分点", "unit", required=True)
    year: Optional[int] = field(Year(), "年度", "year")
    period: Optional[str] = field(Period(), "统计期", "period")
    period_note: Optional[str] = field(_text(200), "时期说明", "period as printed")
    as_of: Optional[_dt.date] = field(DateSpec(), "截止日期", "data date")
    note: Optional[str] = field(_text(1000), "说明", "note")
    source: Any = field(_source, "来源", "source")


@dataclass(frozen=True, kw_only=True)
class Region:
    """`content/regions/<id>.yaml`: a region and what is reported about it."""

    id: str = field(Slug(), "标识，须与文件名相同", "id, equal to the file name", required=True)
    name: str = field(_text(100), "名称", "name", required=True)
    name_en: Optional[str] = field(_text(100), "英文名称", "English name")
    full_name: Optional[str] = field(_text(200), "全称", "full name")
    full_name_en: Optional[str] = field(_text(200), "英文全称", "full name (English)")
    level: str = field(Choice(V.REGION_LEVELS, "level"), "层级", "level", required=True)
    parent: Optional[str] = field(Ref("region"), "上级地区", "parent region")
    aliases: tuple = field(ListOf(_text(100), 20), "别名", "other names", default=())
    summary: Optional[str] = field(_long(), "简介", "summary")
    summary_en: Optional[str] = field(_long(), "简介（英文）", "summary (English)")
    reports: tuple = field(ListOf(Record(Report), 500), "汇总数据", "reported aggregates", default=())
    rankings: tuple = field(ListOf(Record(Ranking), 500), "排名", "rankings", default=())
    flags: tuple = field(ListOf(Record(Flag), 500), "红黄旗", "flags", default=())
    problems: tuple = field(ListOf(Record(ProblemLedger), 500), "问题台账", "problem ledger",
                            default=())
    events: tuple = field(ListOf(Record(Event), 500), "集中开工等活动", "events", default=())
    targets: tuple = field(ListOf(Record(Indicator), 500), "目标（不计为完成数）",
                           "targets (never counted as achieved)", default=())
    indicators: tuple = field(ListOf(Record(Indicator), 2000), "其他指标", "other figures", default=())
    sources: tuple = field(_sources, "来源", "sources", default=())


# --- projects --------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Progress:
    """One month of the ledger (台账): investment completed so far."""

    month: str = field(Month(), "月份 YYYY-MM", "month", required=True)
    completed_ytd: Optional[Any] = field(Amount(), "本年累计完成投资", "completed this year so far")
    completed_cumulative: Optional[Any] = field(Amount(), "开工以来累计完成投资",
                                                "completed since the start")
    image_progress: Optional[str] = field(_text(300), "形象进度", "physical progress (形象进度)")
    note: Optional[str] = field(_text(500), "说明", "note")


@dataclass(frozen=True, kw_only=True)
class CampaignRef:
    """A project's place in a 三个一批 round."""

    campaign: str = field(Ref("campaign"), "活动标识", "campaign id", required=True)
    batch: str = field(Choice(V.BATCHES, "batch"), "批次：签约一批/开工一批/投产一批/盘活一批", "batch",
                       required=True)


@dataclass(frozen=True, kw_only=True)
class Lead:
    """The lead official (分包领导); sources give titles, rarely names."""

    title: str = field(_text(100), "职务", "title", required=True)
    level: Optional[str] = field(_text(50), "层级，如 市级", "level")
    name: Optional[str] = field(_text(50), "姓名", "name")


@dataclass(frozen=True, kw_only=True)
class Capacity:
    value: Any = field(Amount(), "产能数值", "capacity", required=True)
    unit: str = field(_text(30), "产能单位，如 万吨/年", "unit, e.g. 万吨/年", required=True)


@dataclass(frozen=True, kw_only=True)
class Baseline:
    """The figures as first listed; kept when the project is revised."""

    total_investment: Optional[Figure] = field(_money(), "最初总投资", "first total investment")
    annual_plan: Optional[Figure] = field(_money(), "最初年度计划", "first annual plan")
    completion: Optional[_dt.date] = field(DateSpec(), "最初计划完工日期", "first planned completion")
    as_of: Optional[_dt.date] = field(DateSpec(), "基线日期", "baseline date")


@dataclass(frozen=True, kw_only=True)
class ProjectIssue:
    opened: Optional[_dt.date] = field(DateSpec(), "提出日期", "opened")
    text: str = field(_text(500), "问题", "problem", required=True)
    resolved: Optional[_dt.date] = field(DateSpec(), "解决日期", "resolved")


@dataclass(frozen=True, kw_only=True)
class Whitelist:
    batch: int = field(Amount(1, 100, integer=True), "白名单批次", "white-list batch", required=True)
    note: Optional[str] = field(_text(200), "说明", "note")


@dataclass(frozen=True, kw_only=True)
class Project:
    """`content/projects/<id>.yaml`: one key project."""

    id: str = field(Slug(), "标识，须与文件名相同", "id, equal to the file name", required=True)
    name: str = field(_text(200), "项目名称（照录原文）", "name, verbatim", required=True)
    name_en: Optional[str] = field(_text(200), "英文名称", "English name")
    aliases: tuple = field(ListOf(_text(200), 20), "别名", "other names", default=())
    region: str = field(Ref("region"), "所在地区", "region", required=True)
    levels: tuple = field(ListOf(Choice(V.LIST_LEVELS, "list level"), 3), "重点项目层级",
                          "key-project lists it is on", default=())
    sector: Optional[str] = field(_text(100), "行业/领域", "sector")
    build_type: Optional[str] = field(Choice(V.BUILD_TYPES, "build type"), "新建/续建",
                                      "new or continuing")
    total_investment: Optional[Figure] = field(_money(), "总投资", "total investment")
    annual_plan: Mapping[int, Figure] = field(MapOf(Year(), _money(), "year"), "年度计划投资，按年",
                                              "annual plan, by year", default=None)
    capacity: Optional[Capacity] = field(Record(Capacity), "产能", "capacity")
    stage: Optional[str] = field(Choice(V.STAGES, "stage"), "所处阶段（九个方位）", "lifecycle stage")
    stage_dates: Mapping[str, _dt.date] = field(MapOf(Choice(V.STAGE_DATE_KEYS, "stage"), DateSpec(),
                                                      "stage"), "各阶段日期", "date of each stage",
                                                default=None)
    status_text: Optional[str] = field(_text(300), "进展（照录原文）", "status, verbatim")
    status_as_of: Optional[_dt.date] = field(DateSpec(), "进展日期", "status date")
    campaigns: tuple = field(ListOf(Record(CampaignRef), 50), "三个一批", "campaign rounds", default=())
    whitelist: tuple = field(ListOf(Record(Whitelist), 20), "白名单批次", "white-list batches",
                             default=())
    lead: Optional[Lead] = field(Record(Lead), "分包领导", "lead official")
    responsible_unit: Optional[str] = field(_text(200), "责任单位", "responsible unit")
    progress: tuple = field(ListOf(Record(Progress), 1200), "月度进度（台账）", "monthly progress",
                            default=())
    problems: tuple = field(ListOf(Record(ProjectIssue), 500), "问题", "problems", default=())
    baseline: Optional[Baseline] = field(Record(Baseline), "基线（首次列入时的数字）",
                                         "baseline (first listed figures)")
    indicators: tuple = field(ListOf(Record(Indicator), 200), "其他指标", "other figures", default=())
    summary: Optional[str] = field(_long(), "简介", "summary")
    summary_en: Optional[str] = field(_long(), "简介（英文）", "summary (English)")
    sources: tuple = field(_sources, "来源", "sources", default=())


# --- campaigns -------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Batch:
    """One batch of a round: how many, how much, how many advanced."""

    batch: str = field(Choice(V.BATCHES, "batch"), "批次", "batch", required=True)
    round: Optional[int] = field(Amount(1, 100, integer=True), "期数（记录涵盖多期时）",
                                 "round (when the record covers several)")
    count: Optional[Figure] = field(_count(), "项目个数", "projects")
    investment: Optional[Figure] = field(_money(), "总投资", "total investment")
    advanced: Optional[Figure] = field(_count(), "推进数：已开工/已投产/已达效",
                                       "advanced: started / operating / at capacity")
    rate_pct: Optional[Figure] = field(_pct(), "来源给出的比率 %（开工率/投产率/达效率）",
                                       "rate % as printed")


@dataclass(frozen=True, kw_only=True)
class CampaignTotals:
    count: Optional[Figure] = field(_count(), "项目总数", "projects in all")
    investment: Optional[Figure] = field(_money(), "总投资", "total investment")
    completed_investment: Optional[Figure] = field(_money(), "完成投资", "completed investment")
    started_count: Optional[Figure] = field(_count(), "开工项目数", "projects started")
    started_investment: Optional[Figure] = field(_money(), "开工项目总投资", "investment started")
    finished_count: Optional[Figure] = field(_count(), "竣工项目数", "projects completed")
    finished_investment: Optional[Figure] = field(_money(), "竣工项目总投资", "investment completed")
    target_met: Optional[bool] = field(Boolean(), "已完成本期目标", "round target met")


@dataclass(frozen=True, kw_only=True)
class Window:
    start: Optional[_dt.date] = field(DateSpec(), "开始日期", "from")
    end: Optional[_dt.date] = field(DateSpec(), "结束日期", "to")


@dataclass(frozen=True, kw_only=True)
class Campaign:
    """`content/campaigns/<id>.yaml`: a 三个一批 round (or several) in one region."""

    id: str = field(Slug(), "标识，须与文件名相同", "id, equal to the file name", required=True)
    campaign: str = field(_text(50), "活动名称", "campaign", default="三个一批")
    region: str = field(Ref("region"), "地区", "region", required=True)
    round: Optional[int] = field(Amount(1, 100, integer=True), "期数", "round")
    round_count: Optional[int] = field(Amount(1, 100, integer=True), "涵盖期数（累计记录）",
                                       "rounds covered (cumulative records)")
    period: Optional[str] = field(Period(), "时期", "period")
    period_note: Optional[str] = field(_text(200), "时期说明", "period as printed")
    as_of: Optional[_dt.date] = field(DateSpec(), "截止日期", "data date")
    window: Optional[Window] = field(Record(Window), "起止日期", "window")
    batches: tuple = field(ListOf(Record(Batch), 50), "各批次", "batches", default=())
    totals: Optional[CampaignTotals] = field(Record(CampaignTotals), "合计", "totals")
    members: tuple = field(ListOf(Ref("project"), 5000), "成员项目标识", "member project ids", default=())
    summary: Optional[str] = field(_long(), "简介", "summary")
    summary_en: Optional[str] = field(_long(), "简介（英文）", "summary (English)")
    note: Optional[str] = field(_text(1000), "说明", "note")
    source: Any = field(_source, "来源", "source")


# --- bulletins -------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class BulletinMeta:
    """Front matter of `content/bulletins/<yyyy-mm-dd>-<slug>.md`."""

    title: str = field(_text(200), "标题", "title", required=True)
    title_en: Optional[str] = field(_text(200), "英文标题", "English title")
    date: _dt.date = field(DateSpec(), "发布日期（与文件名中的日期一致）", "publication date",
                           required=True)
    region: Optional[str] = field(Ref("region"), "地区", "region")
    as_of: Optional[_dt.date] = field(DateSpec(), "数据日期", "data date")
    period: Optional[str] = field(Period(), "时期", "period")
    summary: Optional[str] = field(_text(1000), "摘要", "summary")
    summary_en: Optional[str] = field(_text(1000), "摘要（英文）", "summary (English)")
    tags: tuple = field(ListOf(_text(50), 30), "标签", "tags", default=())
    headline: tuple = field(ListOf(Text(200, r"^[a-z0-9-]+/[a-z0-9-]+$", "write region-id/report-key"),
                                   10), "头条引用的汇总数据：地区标识/key", "reports in the headline",
                            default=())
    campaign: Optional[str] = field(Ref("campaign"), "相关三个一批", "related campaign")
    sources: tuple = field(_sources, "来源", "sources", default=())
    draft: bool = field(Boolean(), "草稿（不发布）", "draft (not published)", default=False)


#: Record kinds by folder, for loading and for the schema.
RECORDS = {"site": Site, "regions": Region, "projects": Project, "campaigns": Campaign,
           "bulletins": BulletinMeta}
