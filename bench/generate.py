"""Write a synthetic, valid content tree of N projects for benchmarks.

    python bench/generate.py N OUTDIR        # writes OUTDIR/content/ (replacing it)

The tree has one province, 6 cities and 30 counties/districts (37 regions),
N projects with 24 months of progress (2022-01 … 2023-12), 20 三个一批 rounds
and 100 bulletins. Every aggregate is exactly what its parts give:

- a region's reports (2022-h1, 2022, 2023-h1, 2023) hold the count, total
  investment, annual plan and completed investment summed over the projects
  of the region and all its descendants; the printed % and the points ahead of
  时序进度 agree with those parts;
- rankings and red/yellow flags follow the plan-completion order;
- a campaign's batch counts add up to its totals, its rates are advanced ÷
  count, and a province round is the sum of its cities' rounds;
- bulletins cite figures only by `{{ figure … }}` references that resolve.

Deterministic: the same N gives byte-identical files (one `random.Random(N)`,
integer arithmetic in hundredths, sorted output, no clock). Only the standard
library is used; YAML is written with plain string formatting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import time
from pathlib import Path

__all__ = ["generate", "main"]

AS_OF = dt.date(2023, 12, 31)
YEARS = (2022, 2023)
MONTHS = [f"{y}-{m:02d}" for y in YEARS for m in range(1, 13)]
SCOPE = "省市重点项目"
SOURCE = "synthetic-ledger"

# --- the region tree -------------------------------------------------------

PROVINCE = ("zhongyuan", "中原", "中原省")
CITIES = [
    ("dongchuan", "东川"), ("xiling", "西陵"), ("beichen", "北辰"),
    ("linhe", "临河"), ("qingyuan", "清源"), ("yunling", "云岭"),
]
#: Five per city, in order; the first two of each city are districts (区).
COUNTIES = [
    ("hedong", "河东"), ("chengguan", "城关"), ("changfeng", "长丰"), ("yongning", "永宁"),
    ("pingan", "平安"), ("xihu", "西湖"), ("longting", "龙亭"), ("ningyuan", "宁远"),
    ("anhe", "安和"), ("fengle", "丰乐"), ("beiguan", "北关"), ("xinghua", "兴华"),
    ("taihe", "太和"), ("guangfeng", "广丰"), ("huaide", "怀德"), ("nanhu", "南湖"),
    ("jinshui", "金水"), ("chongren", "崇仁"), ("fushan", "福山"), ("jiahe", "嘉禾"),
    ("qinghe", "清河"), ("yuelu", "岳麓"), ("leping", "乐平"), ("baofeng", "宝丰"),
    ("tailai", "泰来"), ("songshan", "松山"), ("yunhe", "云河"), ("anyuan", "安远"),
    ("shangshui", "上水"), ("lanshan", "蓝山"),
]

# --- the sector taxonomy and what names are made of ------------------------

SECTORS = [
    ("advanced-manufacturing", "先进制造业", "Advanced manufacturing"),
    ("new-materials", "新材料", "New materials"),
    ("new-energy", "新能源", "New energy"),
    ("electronics", "电子信息", "Electronics and IT"),
    ("biomedicine", "生物医药", "Biomedicine"),
    ("agri-food", "现代农业与食品", "Agriculture and food"),
    ("infrastructure", "基础设施", "Infrastructure"),
    ("public-services", "社会民生", "Public services"),
]
PRODUCTS = {
    "advanced-manufacturing": ["智能装备", "数控机床", "工程机械", "汽车零部件", "农机装备",
                               "轴承", "电机", "环保装备"],
    "new-materials": ["高端铝材", "碳纤维", "特种钢材", "新型建材", "精细化工", "可降解塑料",
                      "超硬材料", "电子陶瓷"],
    "new-energy": ["光伏组件", "锂电池", "储能电站", "风电装备", "氢能", "动力电池回收",
                   "生物质发电", "充电桩"],
    "electronics": ["智能终端", "电子元器件", "集成电路封装", "数据中心", "显示模组",
                    "光通信器件", "传感器", "服务器"],
    "biomedicine": ["生物制药", "医疗器械", "中药饮片", "原料药", "疫苗", "医用敷料",
                    "体外诊断试剂", "健康食品"],
    "agri-food": ["冷链物流", "肉制品加工", "面粉深加工", "果蔬加工", "乳制品", "食用菌",
                  "预制菜", "粮食仓储"],
    "infrastructure": ["城乡供水一体化工程", "污水处理厂提标改造工程", "220千伏输变电工程",
                       "城区道路改造工程", "综合管廊工程", "物流园区道路工程",
                       "天然气管网工程", "水系连通工程"],
    "public-services": ["人民医院新院区建设项目", "职业教育园区建设项目", "第一高级中学新校区项目",
                        "老旧小区改造项目", "保障性租赁住房项目", "养老服务中心项目",
                        "文化中心建设项目", "全民健身中心项目"],
}
COMPANIES = ["宏达", "恒通", "金源", "鑫达", "中联", "远大", "天瑞", "华晨", "福泰", "安泰",
             "盛世", "瑞丰", "绿源", "国投", "东方", "明阳", "嘉诚", "永兴", "德胜", "华瑞",
             "润泽", "豪威", "正大", "新宇", "长江", "卓越", "中科", "众鑫", "博远", "昌盛"]
SUFFIXES = ["产业园项目", "项目", "生产基地项目", "产业园", "产业化项目", "扩建项目"]
STATUS = ["快速推进", "主体施工", "设备安装调试", "钢结构安装", "基础施工", "试生产",
          "已建成投产", "满负荷生产", "正在进行装修", "厂房封顶"]
UNITS = ["发展改革委", "工业和信息化局", "住房和城乡建设局", "商务局", "交通运输局", "产业集聚区管委会"]
LEADS_CITY = ["副市长", "市委常委", "市人大常委会副主任", "市政协副主席"]
LEADS_COUNTY = ["副县长", "县委常委", "县人大常委会副主任", "县政协副主席"]
LEADS_DISTRICT = ["副区长", "区委常委", "区人大常委会副主任", "区政协副主席"]
LEADS_PROVINCE = ["副省长", "省发展改革委主任"]
PROBLEMS = ["用电接入", "用地指标", "环评审批", "融资困难", "施工许可", "用工短缺", "拆迁安置"]
CN_NUM = "零一二三四五六七八九十"

#: Stage dates allowed for each current stage, in lifecycle order (Chinese keys).
STAGE_KEYS = {
    "开工": ["签约", "落地", "开工"],
    "建设": ["签约", "落地", "开工", "竣工"],
    "投产": ["签约", "落地", "开工", "竣工", "投产"],
    "达效": ["签约", "落地", "开工", "竣工", "投产", "达效"],
}
#: 三个一批 rounds per city, with their windows.
ROUNDS = {5: (dt.date(2022, 3, 1), dt.date(2022, 8, 31)),
          6: (dt.date(2022, 9, 1), dt.date(2023, 2, 28)),
          7: (dt.date(2023, 3, 1), dt.date(2023, 8, 31))}
PROVINCE_ROUNDS = (6, 7)
BATCHES = [("sign", "签约一批"), ("start", "开工一批"), ("operate", "投产一批")]

#: Reports per region: key, year, period, as_of, month index in MONTHS, months elapsed.
REPORTS = [
    ("2022-h1", 2022, "2022-01/06", dt.date(2022, 6, 30), 5, 6),
    ("2022", 2022, "2022", dt.date(2022, 12, 31), 11, 12),
    ("2023-h1", 2023, "2023-01/06", dt.date(2023, 6, 30), 17, 6),
    ("2023", 2023, "2023", dt.date(2023, 12, 31), 23, 12),
]


# --- arithmetic in hundredths (cents of 亿元, hundredths of a percent) ------

def money(c: int) -> str:
    """Hundredths as a decimal with two places: 12345 -> 123.45."""
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


def pct_h(part: int, whole: int, places: int = 2) -> int:
    """part ÷ whole × 100, rounded half up to `places` decimals, in units of 10**-places."""
    scale = 100 * 10 ** places
    return (2 * part * scale + whole) // (2 * whole)


def fixed(v: int, places: int) -> str:
    sign = "-" if v < 0 else ""
    v = abs(v)
    q, r = divmod(v, 10 ** places)
    return f"{sign}{q}.{r:0{places}d}" if places else f"{sign}{q}"


def cn(n: int) -> str:
    if n <= 10:
        return CN_NUM[n]
    if n < 20:
        return "十" + CN_NUM[n - 10]
    return CN_NUM[n // 10] + "十" + (CN_NUM[n % 10] if n % 10 else "")


def last_day(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


# --- records ---------------------------------------------------------------

class Region:
    __slots__ = ("id", "name", "full_name", "level", "parent", "children", "projects",
                 "suffix", "figures", "seq")

    def __init__(self, rid, name, full_name, level, parent, suffix, seq):
        self.id, self.name, self.full_name, self.level = rid, name, full_name, level
        self.parent, self.suffix, self.seq = parent, suffix, seq
        self.children: list[Region] = []
        self.projects: list[Project] = []  # own projects only
        self.figures: dict = {}


class Project:
    __slots__ = ("id", "name", "region", "sector", "build_type", "total", "plan", "ytd", "cum",
                 "stage", "campaign", "batch", "start_month")

    def __init__(self):
        self.campaign = None
        self.batch = None


def build_regions() -> tuple[Region, list[Region], list[Region]]:
    pid, pname, pfull = PROVINCE
    province = Region(pid, pfull, pfull, "province", None, "省", 0)
    cities, counties = [], []
    for ci, (cid, cname) in enumerate(CITIES):
        city = Region(cid, f"{cname}市", f"{pfull}{cname}市", "city", province, "市", ci)
        province.children.append(city)
        cities.append(city)
        for k in range(5):
            kid, kname = COUNTIES[ci * 5 + k]
            suffix = "区" if k < 2 else "县"
            county = Region(f"{cid}-{kid}", kname + suffix, f"{cname}市{kname}{suffix}",
                            "district" if k < 2 else "county", city, suffix, k)
            city.children.append(county)
            counties.append(county)
    return province, cities, counties


def make_projects(n: int, rng: random.Random, province, cities, counties) -> list[Project]:
    names: set[str] = set()
    sector_ids = [s[0] for s in SECTORS]
    sector_weights = [18, 12, 12, 12, 8, 12, 16, 10]
    projects = []
    for i in range(n):
        p = Project()
        p.id = f"p-{i + 1:06d}"
        if i < len(counties):
            region = counties[i]  # every county has a project once N >= 30
        else:
            r = rng.random()
            region = (counties[rng.randrange(len(counties))] if r < 0.88
                      else cities[rng.randrange(len(cities))] if r < 0.98 else province)
        p.region = region
        region.projects.append(p)
        sector = rng.choices(sector_ids, sector_weights)[0]
        p.sector = sector
        product = rng.choice(PRODUCTS[sector])
        place = region.name[:-1]
        if sector in ("infrastructure", "public-services"):
            name = f"{region.name}{product}"
        else:
            company = rng.choice(COMPANIES)
            name = f"{place}{company}{product}{rng.choice(SUFFIXES)}"
        if name in names:
            k = 2
            while f"{name}（{cn(k)}期）" in names:
                k += 1
            name = f"{name}（{cn(k)}期）"
        names.add(name)
        p.name = name
        p.build_type = "new" if rng.random() < 0.45 else "continuing"
        # Money in hundredths of 亿元.
        big = sector in ("infrastructure", "new-energy")
        total = int(100 * (1.0 + rng.paretovariate(1.6) * (6.0 if big else 3.0)))
        total = min(total, 50_000_00)
        p.total = total
        base = 0 if p.build_type == "new" else int(total * rng.uniform(0.05, 0.20))
        plans = {y: max(10, int(total * rng.uniform(0.10, 0.30))) for y in YEARS}
        p.plan = plans
        start_month = rng.randint(1, 6) if p.build_type == "new" else 1
        p.start_month = start_month
        ytd, cum = [], []
        before = base
        for yi, y in enumerate(YEARS):
            final = int(plans[y] * rng.uniform(0.55, 1.30))
            final = max(0, min(final, total - before))
            first = start_month if yi == 0 else 1
            weights = [0.0 if m < first else rng.random() + 0.1 for m in range(1, 13)]
            if rng.random() < 0.3:  # a quiet month or two
                for _ in range(2):
                    weights[rng.randrange(12)] = 0.0
            weights[11] = weights[11] or 0.1
            s = sum(weights)
            acc = 0.0
            for m in range(12):
                acc += weights[m]
                v = final if m == 11 else min(final, int(final * acc / s))
                ytd.append(v)
                cum.append(before + v)
            before += final
        p.ytd, p.cum = ytd, cum
        r = rng.random()
        done = cum[-1] / total
        if done > 0.55 and r < 0.7:
            p.stage = "达效" if r < 0.25 else "投产"
        else:
            p.stage = "开工" if (p.build_type == "new" and r < 0.15) else "建设"
        projects.append(p)
    return projects


def subtree_projects(region: Region) -> list[Project]:
    out = list(region.projects)
    for c in region.children:
        out.extend(subtree_projects(c))
    return out


def roll_up(region: Region) -> None:
    """Report figures of a region = sums over its projects and its descendants'."""
    for c in region.children:
        roll_up(c)
    ps = subtree_projects(region)
    figs = {}
    for key, year, _period, _as_of, mi, months in REPORTS:
        plan = sum(p.plan[year] for p in ps)
        completed = sum(p.ytd[mi] for p in ps)
        total = sum(p.total for p in ps)
        figs[key] = {"count": len(ps), "total": total, "plan": plan, "completed": completed,
                     "pct": pct_h(completed, plan) if plan else None, "months": months}
    region.figures = figs


# --- YAML writers ----------------------------------------------------------

def write_site(out: Path, province: Region) -> None:
    lines = [
        "title: 中原省重点项目建设进展（合成测试数据）",
        "title_en: Key project progress (synthetic benchmark data)",
        "language: zh-CN",
        f"as_of: {AS_OF.isoformat()}",
        f"home_region: {province.id}",
        "money_unit: 亿元",
        "schedule_basis: month",
        "flags: {red: 2, yellow: 1}",
        "organisation: 中原省发展和改革委员会（虚构）",
        "licence: CC BY 4.0",
        "description: 由 bench/generate.py 生成的合成数据，用于性能测试；地名、项目和数字均为虚构。",
        "sectors:",
    ]
    for sid, name, en in SECTORS:
        lines.append(f"  - {{id: {sid}, name: {name}, name_en: {en}}}")
    lines += [
        "sources:",
        f"  {SOURCE}:",
        "    title: 重点项目月度台账（合成）",
        "    publisher: 中原省发展和改革委员会（虚构）",
        "    date: 2024-01-10",
        "    note: 由 bench/generate.py 生成",
        "  synthetic-review:",
        "    title: 重点项目建设观摩讲评通报（合成）",
        "    publisher: 中原省重点项目建设领导小组办公室（虚构）",
        "    date: 2024-01-15",
    ]
    (out / "site.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def ranking_order(regions: list[Region], key: str) -> list[Region]:
    """Plan completion, high to low (then ahead-of-schedule, the same order here), then name."""
    def k(r):
        pct = r.figures[key]["pct"]
        return (0 if pct is not None else 1, -(pct or 0), r.name)
    return sorted(regions, key=k)


def region_yaml(r: Region, rng: random.Random) -> str:
    L = [f"id: {r.id}", f"name: {r.name}", f"full_name: {r.full_name}", f"level: {r.level}"]
    if r.parent:
        L.append(f"parent: {r.parent.id}")
    L.append(f"summary: {r.full_name}重点项目建设情况（合成数据）。")
    L.append("reports:")
    for key, year, period, as_of, _mi, months in REPORTS:
        f = r.figures[key]
        L += [f'  - key: "{key}"', f"    scope: {SCOPE}", f"    year: {year}",
              f"    period: {period}", f"    as_of: {as_of.isoformat()}",
              "    basis: project_reported",
              f"    project_count: {f['count']}",
              f"    total_investment: {money(f['total'])}",
              f"    annual_plan: {money(f['plan'])}",
              f"    completed: {money(f['completed'])}"]
        if f["pct"] is not None:
            L.append(f"    plan_completion_pct: {fixed(f['pct'], 2)}")
            L.append(f"    ahead_of_schedule_pp: {fixed(f['pct'] - months * 10000 // 12, 2)}")
        if key == "2023":
            prev = r.figures["2022"]
            yoy = []
            for name, a, b in (("project_count", f["count"], prev["count"]),
                               ("annual_plan", f["plan"], prev["plan"]),
                               ("completed", f["completed"], prev["completed"])):
                if b:
                    yoy.append(f"{name}: {fixed(pct_h(a - b, b, 1) if a >= b else -pct_h(b - a, b, 1), 1)}")
            if yoy:
                L.append(f"    yoy_pct: {{{', '.join(yoy)}}}")
        L.append(f"    source: {SOURCE}")
    # Rankings: among siblings by 2023 plan completion, plus an outside evaluation.
    L.append("rankings:")
    if r.parent is not None:
        sibs = ranking_order(r.parent.children, "2023")
        peer = "省辖市" if r.level == "city" else f"{r.parent.name}所辖县区"
        L += ['  - key: kpi-2023', "    evaluation: 2023年重点项目建设综合评价", "    year: 2023",
              f"    peer_group: {peer}", f"    rank: {sibs.index(r) + 1}", f"    of: {len(sibs)}",
              "    source: synthetic-review"]
        sibs = ranking_order(r.parent.children, "2023-h1")
        L += ['  - key: kpi-2023-h1', "    evaluation: 2023年上半年重点项目建设综合评价",
              "    year: 2023", "    period_note: 2023年上半年", f"    peer_group: {peer}",
              f"    rank: {sibs.index(r) + 1}", f"    of: {len(sibs)}",
              "    source: synthetic-review"]
    of = 31 if r.level == "province" else 18 if r.level == "city" else 100
    L += ["  - key: env-2022", "    evaluation: 营商环境评价·项目保障指标", "    year: 2022",
          "    peer_group: " + ("全国省份" if r.level == "province" else "全省" if r.level != "city"
                               else "全省省辖市"),
          f"    rank: {rng.randint(1, of)}", f"    of: {of}"]
    # Flags for this region's children, by the same order the rankings use.
    flags = []
    if r.parent is not None:
        order = ranking_order(r.parent.children, "2023")
        i = order.index(r)
        if i < 2:
            flags.append(("red", "2023年重点项目建设综合评价前两名"))
        elif i == len(order) - 1:
            flags.append(("yellow", "2023年重点项目建设综合评价末位"))
    if flags:
        L.append("flags:")
        for color, reason in flags:
            L.append(f"  - {{review: 2023-Q4, color: {color}, reason: {reason}, source: synthetic-review}}")
    # Problem ledger.
    collected = max(3, r.figures["2023"]["count"] // 3 + rng.randint(0, 20))
    resolved = collected - rng.randint(0, max(1, collected // 10))
    L += ["problems:", "  - key: problems-2023", "    scope: 项目建设问题",
          "    as_of: 2023-12-31", f"    collected: {collected}", f"    resolved: {resolved}",
          f"    in_progress: {collected - resolved}",
          f"    resolution_pct: {fixed(pct_h(resolved, collected, 1), 1)}",
          f"    source: {SOURCE}"]
    # A mass groundbreaking: the new projects of the subtree, all started in 2022 H1.
    new = [p for p in subtree_projects(r) if p.build_type == "new"]
    L += ["events:", "  - key: groundbreaking-2022-h1",
          f"    name: {r.name}2022年上半年重点项目集中开工活动", "    date: 2022-03-18",
          "    period: 2022-H1", "    batches: 2", f"    project_count: {len(new)}",
          f"    total_investment: {money(sum(p.total for p in new))}",
          f"    annual_plan: {money(sum(p.plan[2022] for p in new))}", f"    source: {SOURCE}"]
    target = r.figures["2023"]["plan"] * 11 // 10
    L += ["targets:", "  - key: target-2024", "    label: 2024年重点项目年度计划投资",
          f"    value: {{value: {money(target)}, kind: target}}", "    unit: 亿元", "    year: 2024",
          "    category: key_projects"]
    L += ["indicators:", "  - key: pipeline-2023", "    label: 谋划储备项目",
          f"    value: {r.figures['2023']['count'] * 3 + rng.randint(0, 30)}", "    unit: 个",
          "    year: 2023", "    as_of: 2023-12-31", "    category: pipeline", f"    source: {SOURCE}"]
    return "\n".join(L) + "\n"


def stage_dates(p: Project, rng: random.Random) -> list[tuple[str, dt.date]]:
    if p.build_type == "new":
        start = dt.date(2022, p.start_month, rng.randint(1, 25))
    else:
        start = dt.date(rng.choice((2020, 2021)), rng.randint(1, 12), rng.randint(1, 28))
    signed = start - dt.timedelta(days=rng.randint(60, 300))
    landed = signed + dt.timedelta(days=rng.randint(10, (start - signed).days - 1))
    dates = {"签约": signed, "落地": landed, "开工": start}
    finished = dt.date(2023, rng.randint(1, 6), rng.randint(1, 28))
    dates["竣工"] = finished
    dates["投产"] = finished + dt.timedelta(days=rng.randint(10, 60))
    dates["达效"] = dates["投产"] + dt.timedelta(days=rng.randint(60, 150))
    keys = STAGE_KEYS[p.stage]
    if p.stage == "建设" and rng.random() < 0.8:
        keys = keys[:-1]  # most projects still building have no 竣工 date
    return [(k, dates[k]) for k in keys]


def project_yaml(p: Project, rng: random.Random) -> str:
    r = p.region
    levels = {"province": "[province]", "city": rng.choice(("[city]", "[province, city]")),
              }.get(r.level, rng.choice(("[city]", "[province, city]", "[city, county]")))
    sector_name = next(s[1] for s in SECTORS if s[0] == p.sector)
    if r.level == "province":
        lead, unit = rng.choice(LEADS_PROVINCE), "省" + rng.choice(UNITS)
    elif r.level == "city":
        lead, unit = rng.choice(LEADS_CITY), r.name + rng.choice(UNITS)
    else:
        lead = rng.choice(LEADS_DISTRICT if r.level == "district" else LEADS_COUNTY)
        unit = r.name + rng.choice(UNITS)
    L = [f"id: {p.id}", f"name: {p.name}", f"region: {r.id}", f"levels: {levels}",
         f"sector: {sector_name}", f"build_type: {p.build_type}",
         f"total_investment: {money(p.total)}",
         f"annual_plan: {{2022: {money(p.plan[2022])}, 2023: {money(p.plan[2023])}}}",
         f"stage: {p.stage}"]
    dates = stage_dates(p, rng)
    L.append("stage_dates: {" + ", ".join(f"{k}: {d.isoformat()}" for k, d in dates) + "}")
    status = {"开工": "基础施工", "投产": "已建成投产", "达效": "满负荷生产"}.get(
        p.stage, rng.choice(STATUS[:6]))
    L += [f"status_text: {status}", "status_as_of: 2023-12-31"]
    if p.campaign is not None:
        L.append(f"campaigns: [{{campaign: {p.campaign}, batch: {p.batch}}}]")
    if rng.random() < 0.08:
        L.append(f"whitelist: [{{batch: {rng.randint(1, 3)}}}]")
    L += [f"lead: {{title: {lead}}}", f"responsible_unit: {unit}"]
    if rng.random() < 0.05:
        first = int(p.total * rng.uniform(0.8, 0.97))
        L.append(f"baseline: {{total_investment: {money(first)}, as_of: 2022-01-01}}")
    L.append("progress:")
    for m, month in enumerate(MONTHS):
        L.append(f"  - {{month: {month}, completed_ytd: {money(p.ytd[m])}, "
                 f"completed_cumulative: {money(p.cum[m])}}}")
    if rng.random() < 0.05:
        opened = dt.date(2023, rng.randint(1, 10), rng.randint(1, 28))
        L.append(f"problems: [{{opened: {opened.isoformat()}, text: {rng.choice(PROBLEMS)}, "
                 f"resolved: {(opened + dt.timedelta(days=rng.randint(5, 40))).isoformat()}}}]")
    L.append(f"sources: [{SOURCE}]")
    return "\n".join(L) + "\n"


# --- campaigns ---------------------------------------------------------------

def make_campaigns(rng: random.Random, cities, projects) -> tuple[list[tuple[str, str]], dict]:
    """Assign ~10% of the projects to city rounds; return (id, yaml) for 20 rounds."""
    camp_ids = {(c.id, rnd): f"3kb-{c.id}-{rnd}" for c in cities for rnd in ROUNDS}
    city_of = {}
    for c in cities:
        city_of[c.id] = c
        for k in c.children:
            city_of[k.id] = c
    members: dict[str, list[Project]] = {cid: [] for cid in camp_ids.values()}
    for p in projects:
        city = city_of.get(p.region.id)
        if city is None or rng.random() >= 0.10:
            continue
        rnd = rng.choice(sorted(ROUNDS))
        cid = camp_ids[(city.id, rnd)]
        p.campaign = cid
        p.batch = ("投产一批" if p.stage in ("投产", "达效")
                   else "开工一批" if rng.random() < 0.7 else "签约一批")
        members[cid].append(p)
    advanced_if = {"签约一批": lambda p: True,  # every project here has started
                   "开工一批": lambda p: p.stage in ("投产", "达效"),
                   "投产一批": lambda p: p.stage == "达效"}
    out = []
    sums: dict[tuple[int, str], list[int]] = {}
    for c in cities:
        for rnd, (start, end) in sorted(ROUNDS.items()):
            cid = camp_ids[(c.id, rnd)]
            ms = members[cid]
            batches = []
            for _canon, label in BATCHES:
                mine = [p for p in ms if p.batch == label]
                extra = rng.randint(3, 30)
                count = len(mine) + extra
                inv = sum(p.total for p in mine) + extra * rng.randint(150, 900)
                adv = sum(1 for p in mine if advanced_if[label](p)) + rng.randint(extra // 3, extra)
                batches.append((label, count, inv, adv))
                s = sums.setdefault((rnd, label), [0, 0, 0])
                s[0] += count
                s[1] += inv
                s[2] += adv
            out.append((cid, campaign_yaml(cid, c, rnd, start, end, batches,
                                           sorted(p.id for p in ms))))
    return out, sums


def campaign_yaml(cid, region, rnd, start, end, batches, member_ids) -> str:
    L = [f"id: {cid}", "campaign: 三个一批", f"region: {region.id}", f"round: {rnd}",
         f"as_of: {end.isoformat()}",
         f"window: {{start: {start.isoformat()}, end: {end.isoformat()}}}", "batches:"]
    for label, count, inv, adv in batches:
        rate = f", rate_pct: {fixed(pct_h(adv, count, 1), 1)}" if count else ""
        L.append(f"  - {{batch: {label}, count: {count}, investment: {money(inv)}, "
                 f"advanced: {adv}{rate}}}")
    L.append(f"totals: {{count: {sum(b[1] for b in batches)}, "
             f"investment: {money(sum(b[2] for b in batches))}, target_met: true}}")
    if member_ids:
        L.append("members:")
        L += [f"  - {m}" for m in member_ids]
    L += [f"summary: {region.full_name}第{cn(rnd)}期“三个一批”项目建设情况（合成数据）。",
          f"source: {SOURCE}"]
    return "\n".join(L) + "\n"


# --- bulletins ---------------------------------------------------------------

PARAS = [
    "{when}，{name}坚持把项目建设作为稳增长的主抓手，实行分包领导、专班推进、问题销号机制，"
    "重点项目建设总体保持良好态势。",
    "从各县区看，项目推进不平衡的问题依然存在，部分项目受要素保障制约进度偏慢，"
    "需在用地、用能、融资等方面加大协调力度。",
    "下一步，{name}将持续开展观摩讲评，对排名靠后的地区进行约谈督导，确保全年目标任务圆满完成。",
    "各责任单位要对照台账逐项核对，按月报送项目进展，做到数据真实、进度可查、问题可溯。",
]


def bulletins(rng: random.Random, province, cities, counties) -> list[tuple[str, str]]:
    regions = [province] + cities + [k for k in counties if k.figures["2023"]["plan"]]
    start = dt.date(2022, 7, 8)
    span = (dt.date(2024, 1, 28) - start).days
    out = []
    for i in range(100):
        day = start + dt.timedelta(days=i * span // 100 + rng.randint(0, 3))
        # Every seventh bulletin is the province's; the rest cycle through cities and counties.
        r = province if i % 7 == 0 or len(regions) == 1 else regions[1 + i % (len(regions) - 1)]
        as_of = day.replace(day=1) - dt.timedelta(days=1)
        rep = [x for x in REPORTS if x[3] <= as_of][-1]
        key, year = rep[0], rep[1]
        when = f"{year}年上半年" if key.endswith("h1") else f"{year}年"
        f = r.figures[key]
        slug = f"{r.id}-{key.replace('-h1', 'h1')}-{i + 1:03d}"
        title = f"{r.name}{when}重点项目建设情况通报（第{cn((i % 12) + 1)}期）"
        mine = subtree_projects(r)
        L = ["---", f"title: {title}", f"date: {day.isoformat()}", f"region: {r.id}",
             f"as_of: {as_of.isoformat()}", f"period: {key.replace('-h1', '-H1')}",
             f"summary: {when}{r.name}省市重点项目建设进展情况和下一步工作安排。",
             f"tags: [重点项目, {when}]", f"headline: [{r.id}/{key}]"]
        camp = None
        if r.level == "city" and year == 2023:
            camp = f"3kb-{r.id}-7"
            L.append(f"campaign: {camp}")
        L += [f"sources: [{SOURCE}]", "---", ""]
        body = [f"{when}，{r.name}共有省市重点项目 {{{{ figure {r.id} {key} project_count }}}} 个，"
                f"总投资 {{{{ figure {r.id} {key} total_investment }}}}，年度计划投资 "
                f"{{{{ figure {r.id} {key} annual_plan }}}}，已完成投资 "
                f"{{{{ figure {r.id} {key} completed }}}}，完成年度计划的 "
                f"{{{{ figure {r.id} {key} plan_completion_pct }}}}，"
                f"与时序进度 {{{{ figure {r.id} {key} schedule_pct }}}} 相差 "
                f"{{{{ figure {r.id} {key} ahead_of_schedule_pp }}}} 个百分点。", ""]
        body += ["```chart", "kind: plan_vs_schedule", f"region: {r.id}", f"report: {key}",
                 f"title: {r.name}{when}重点项目完成投资与时序进度", "```", ""]
        body += [PARAS[0].format(when=when, name=r.name), ""]
        second_chart = i % 5 != 4  # one bulletin in five has a single chart
        if r.children:
            kind = ("ranking", "sector_investment", "stage_funnel", "problems")[i % 4]
            if second_chart:
                body += ["```chart", f"kind: {kind}", f"region: {r.id}", f"year: {year}", "```", ""]
            body += [PARAS[1], ""]
        if mine:
            p = mine[rng.randrange(len(mine))]
            body += [f"其中，{p.name}总投资 {{{{ figure project:{p.id} total_investment }}}}，"
                     f"截至目前累计完成投资 {{{{ figure project:{p.id} completed_cumulative }}}}。", ""]
            if not r.children and second_chart:
                body += ["```chart", "kind: project_progress", f"project: {p.id}", "```", ""]
        if camp is not None:
            body += [f"第七期“三个一批”活动中，签约一批开工率 {{{{ figure campaign:{camp} sign rate }}}}，"
                     f"开工一批项目 {{{{ figure campaign:{camp} start count }}}} 个、投产率 "
                     f"{{{{ figure campaign:{camp} start rate }}}}，投产一批达效率 "
                     f"{{{{ figure campaign:{camp} operate rate_pct }}}}，三批合计 "
                     f"{{{{ figure campaign:{camp} count }}}} 个项目。", ""]
        body += [f"截至 {as_of.year} 年底，全{r.suffix}累计收集项目建设问题 "
                 f"{{{{ figure {r.id} problems-2023 collected }}}} 个，已解决 "
                 f"{{{{ figure {r.id} problems-2023 resolved }}}} 个。" if year == 2023 else
                 PARAS[3], ""]
        body += [PARAS[2].format(name=r.name), ""]
        name = f"{day.isoformat()}-{slug}.md"
        out.append((name, "\n".join(L + body).rstrip("\n") + "\n"))
    return out


# --- the whole tree ----------------------------------------------------------

def generate(n: int, outdir: Path) -> Path:
    """Write OUTDIR/content for N projects; returns the content folder."""
    rng = random.Random(n)
    province, cities, counties = build_regions()
    projects = make_projects(n, rng, province, cities, counties)
    roll_up(province)
    camps, sums = make_campaigns(rng, cities, projects)

    outdir.mkdir(parents=True, exist_ok=True)
    final = outdir / "content"
    tmp = outdir / ".content.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    for d in ("regions", "projects", "campaigns", "bulletins"):
        (tmp / d).mkdir(parents=True)
    write_site(tmp, province)
    for r in [province] + cities + counties:
        (tmp / "regions" / f"{r.id}.yaml").write_text(region_yaml(r, rng), encoding="utf-8")
    pdir = tmp / "projects"
    for p in projects:
        with open(pdir / f"{p.id}.yaml", "w", encoding="utf-8") as fh:
            fh.write(project_yaml(p, rng))
    for cid, text in camps:
        (tmp / "campaigns" / f"{cid}.yaml").write_text(text, encoding="utf-8")
    for rnd in PROVINCE_ROUNDS:  # province rounds: the sum of the cities' rounds
        start, end = ROUNDS[rnd]
        batches = [(label, *sums[(rnd, label)]) for _c, label in BATCHES]
        cid = f"3kb-{province.id}-{rnd}"
        (tmp / "campaigns" / f"{cid}.yaml").write_text(
            campaign_yaml(cid, province, rnd, start, end, batches, []), encoding="utf-8")
    for name, text in bulletins(rng, province, cities, counties):
        (tmp / "bulletins" / name).write_text(text, encoding="utf-8")
    if final.exists():
        old = outdir / ".content.old"
        if old.exists():
            shutil.rmtree(old)
        os.rename(final, old)
        os.rename(tmp, final)
        shutil.rmtree(old)
    else:
        os.rename(tmp, final)
    return final


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="number of projects")
    ap.add_argument("outdir", type=Path, help="folder to write content/ into")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("N must be at least 1")
    t0 = time.perf_counter()
    content = generate(args.n, args.outdir)
    if not args.quiet:
        print(f"wrote {content} ({args.n} projects) in {time.perf_counter() - t0:.2f} s",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
