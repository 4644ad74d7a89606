"""Closed vocabularies: canonical (English) values and the words editors type.

Records store the canonical value; pages show the label from the message
catalog. Each tuple lists the aliases accepted on input (Chinese first).
"""

from __future__ import annotations

#: The nine-stage lifecycle (九个方位), in order.
STAGES: dict[str, tuple[str, ...]] = {
    "plan": ("谋划",),
    "reserve": ("储备",),
    "signed": ("签约",),
    "landed": ("落地",),
    "started": ("开工",),
    "building": ("建设", "在建"),
    "operating": ("投产", "建成投用", "建成投产"),
    "at_capacity": ("达效", "投产达效"),
    "in_statistics": ("入统",),
}
STAGE_ORDER = {s: i for i, s in enumerate(STAGES)}

#: Dates may also mark completion of construction (竣工), between building and operating.
STAGE_DATE_KEYS: dict[str, tuple[str, ...]] = dict(STAGES)
STAGE_DATE_KEYS["completed"] = ("竣工",)
STAGE_DATE_ORDER = {s: i for i, s in enumerate(
    ["plan", "reserve", "signed", "landed", "started", "building", "completed",
     "operating", "at_capacity", "in_statistics"])}

REGION_LEVELS = {
    "province": ("省",),
    "city": ("市", "省辖市"),
    "county": ("县", "县级市"),
    "district": ("区",),
    "zone": ("园区", "开发区", "经开区", "示范区"),
}

LIST_LEVELS = {
    "province": ("省", "省重点"),
    "city": ("市", "市重点"),
    "county": ("县", "区", "县级", "区级", "县重点", "区重点"),
}

BUILD_TYPES = {"new": ("新建",), "continuing": ("续建",)}

BATCHES = {
    "sign": ("签约一批",),
    "start": ("开工一批",),
    "operate": ("投产一批",),
    "revive": ("盘活一批",),
}
#: What "advanced" means for each batch, and the rate it gives.
BATCH_RATES = {"sign": "start_rate", "start": "operating_rate", "operate": "capacity_rate",
               "revive": "revive_rate"}

BASES = {"project_reported": ("项目报送",), "statistical": ("统计",)}

SCHEDULE_BASES = {"month": ("月",), "day": ("日",)}

FLAG_COLORS = {"red": ("红旗", "红"), "yellow": ("黄旗", "黄")}

CATEGORIES = {
    "key_projects": ("重点项目",),
    "campaign": ("三个一批",),
    "pipeline": ("谋划项目库", "谋划"),
    "ranking": ("排名",),
    "problems": ("问题",),
    "approval": ("审批",),
    "land": ("土地", "用地"),
    "funding": ("资金",),
    "investment_promotion": ("招商引资", "招商"),
    "enterprise_service": ("万人助万企", "助企服务"),
    "industry_stats": ("工业统计", "产业"),
    "mechanism": ("工作机制", "机制"),
    "project": ("项目",),
    "context": ("背景",),
}

LANGUAGES = {"zh-CN": ("zh", "zh-cn", "中文"), "en": ("en-US", "en-GB", "English")}

MONEY_UNITS = ("亿元", "万元")
#: How many of the site's money unit (亿元) one of each unit is.
MONEY_FACTORS = {"亿元": 1, "万元": "0.0001"}
