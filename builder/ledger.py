"""Reading a monthly ledger (台账): a spreadsheet or CSV in, typed rows out.

A project office's ledger is a table with title rows above the header,
merged cells, blank rows and a 合计 row at the bottom. `read_ledger` finds the
header row (the first with two known headers, unless `site.yaml` says which),
maps each header to a field (`DEFAULT_HEADERS`, overridable by
`ledger.columns`), converts money to the site's unit exactly and returns one
`LedgerRow` per project row, numbered as the spreadsheet shows it. A cell it
cannot read is a `Problem` naming the row and column; nothing raises.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from . import vocab as V
from ._ledger_files import SheetError, read_table
from .errors import Problem
from .model.site import LedgerConfig

__all__ = ["Column", "Ledger", "LedgerRow", "DEFAULT_HEADERS", "MONEY_FIELDS", "UNITS",
           "read_ledger", "normalize", "column_letter", "to_unit"]

#: Headers Chinese ledgers use, after `normalize` (units and spaces removed).
DEFAULT_HEADERS: dict[str, str] = {
    **{h: "id" for h in ("项目编号", "编号", "项目代码", "项目id", "项目标识", "标识", "id")},
    **{h: "name" for h in ("项目名称", "项目", "名称", "项目全称")},
    **{h: "completed_ytd" for h in ("本年完成投资", "年度完成投资", "本年累计完成投资", "今年完成投资",
                                    "本年完成", "年度完成", "本年累计完成", "本年度完成投资")},
    **{h: "completed_cumulative" for h in ("累计完成投资", "开工累计完成投资", "开工以来累计完成投资",
                                           "自开工累计完成投资", "累计完成", "开累完成投资")},
    **{h: "annual_plan" for h in ("年度计划投资", "年度计划", "本年计划投资", "年计划投资",
                                  "年度投资计划", "本年度计划投资")},
    **{h: "image_progress" for h in ("形象进度", "工程形象进度", "本月形象进度")},
    **{h: "status_text" for h in ("进展情况", "项目进展", "当前进展", "建设进展", "进展")},
    **{h: "stage" for h in ("所处阶段", "阶段", "项目阶段", "建设阶段")},
}
# "1-3月完成投资", "1—3月累计完成投资": this year so far.
_YTD_HEADER = re.compile(r"^1[-—–~至到]\d{1,2}月(累计)?完成(投资)?$")

MONEY_FIELDS = ("completed_ytd", "completed_cumulative", "annual_plan")
#: Money units a ledger may use, as powers of ten of one yuan.
UNITS = {"元": 0, "万元": 4, "亿元": 8}

_UNIT_NOTE = re.compile(r"单位[:]?(元|万元|亿元)")
_TOTAL = re.compile(r"^(合计|总计|小计)|(合计|总计|小计)$")
_SECTION = re.compile(r"^([一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_EMPTY = {"", "-", "—", "–", "/", "--", "——"}
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})
_SCAN_ROWS = 50


def normalize(text: str) -> str:
    """Text as compared: full-width forms folded (NFKC), brackets unified, no spaces."""
    t = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    return re.sub(r"\s+", "", t)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as spreadsheets name columns)."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass(frozen=True)
class Column:
    index: int  # 0-based
    header: str  # as printed
    field: str
    unit: str | None  # money columns: the ledger's unit


@dataclass(frozen=True)
class LedgerRow:
    """One project row: its row number and the fields it fills (money in the site's unit)."""

    row: int
    id: str | None
    name: str | None
    values: Mapping[str, Any]

    @property
    def label(self) -> str:
        return self.name or self.id or ""


@dataclass(frozen=True)
class Ledger:
    path: str  # as shown in messages
    sheet: str | None
    header_row: int  # 0 when none was found
    columns: tuple[Column, ...]
    rows: tuple[LedgerRow, ...]  # rows that read cleanly
    problems: tuple[Problem, ...]
    bad_rows: frozenset = frozenset()  # row numbers with problems

    @property
    def usable(self) -> bool:
        """False when the file as a whole could not be read (no header, unknown unit …)."""
        return not any(p.line == 0 and p.severity == "error" for p in self.problems)


def _split_header(cell: str) -> tuple[str, str | None]:
    """`本年完成投资（万元）` -> (`本年完成投资`, `万元`)."""
    h = normalize(cell).lower()
    m = re.search(r"\((?:单位:?)?([^()]*)\)$", h)
    if m:
        return h[:m.start()], m[1]
    return h, None


def _field_of(cell: str, columns: Mapping[str, str]) -> str | None:
    name, _unit = _split_header(cell)
    for key in (normalize(cell).lower(), name):
        if key in columns:
            return columns[key]
    if name in DEFAULT_HEADERS:
        return DEFAULT_HEADERS[name]
    return "completed_ytd" if _YTD_HEADER.match(name) else None


def _number(text: str) -> Decimal | None:
    t = unicodedata.normalize("NFKC", text).strip()
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
    if not _NUMBER.match(t):
        return None
    return Decimal(t)


def to_unit(value: Decimal, unit: str, site_unit: str) -> Any:
    """`value` in `unit` converted exactly to `site_unit`: int when typed whole, else Decimal."""
    d = value.scaleb(UNITS[unit] - UNITS[site_unit])
    if unit != site_unit:  # the unit changed, not the editor's digits: no trailing zeros
        d = d.normalize()
        if d.as_tuple().exponent > 0:
            d = d.quantize(Decimal(1))
    return int(d) if d.as_tuple().exponent >= 0 else d


class _Reader:
    def __init__(self, path: str, config: LedgerConfig | None, site_unit: str):
        self.path = path
        self.config = config
        self.site_unit = site_unit
        self.problems: list[Problem] = []
        self.bad_rows: set[int] = set()
        cols = dict((config.columns or {}) if config else {})
        self.columns = {normalize(k).lower(): v for k, v in cols.items()}

    def error(self, row: int, col: int | None, field: str, code: str, message: str) -> None:
        self.problems.append(Problem(self.path, row, (col or 0) + 1 if col is not None else 0,
                                     (field,) if field else (), code, message))
        if row:
            self.bad_rows.add(row)

    def find_header(self, table: list[list[str | None]]) -> int:
        wanted = self.config.header_row if self.config and self.config.header_row else None
        if wanted:
            return wanted if wanted <= len(table) else 0
        for i, cells in enumerate(table[:_SCAN_ROWS]):
            known = [f for c in cells if c and (f := _field_of(c, self.columns)) not in (None, "ignore")]
            if len(known) >= 2:
                return i + 1
        return 0

    def header_columns(self, table: list[list[str | None]], header_row: int
                       ) -> tuple[list[Column], int]:
        """The mapped columns, and how many header rows there are (1, or 2 for grouped headers)."""
        above = " ".join(normalize(c) for cells in table[:header_row - 1] for c in cells if c)
        note = _UNIT_NOTE.search(above)
        default_unit = (note[1] if note else None) or (self.config.unit if self.config else None)
        top = table[header_row - 1]
        sub = table[header_row] if header_row < len(table) else []
        out: list[Column] = []
        seen: dict[str, Column] = {}
        group, depth = "", 1
        for i in range(max(len(top), len(sub))):
            cell = top[i] if i < len(top) else None
            group = cell or group  # a merged group header (投资完成情况) spans the cells after it
            if cell is None or _field_of(cell, self.columns) is None:
                below = sub[i] if i < len(sub) else None
                if below and _field_of(below, self.columns) is not None:
                    cell, depth = below, 2  # 投资完成情况 / 本年完成投资: read the second row
            if not cell:
                continue
            f = _field_of(cell, self.columns)
            if f is None or f == "ignore":
                continue
            unit = None
            if f in MONEY_FIELDS:
                unit = (_split_header(cell)[1] or _split_header(group)[1] or default_unit
                        or self.site_unit)
                if unit not in UNITS:
                    self.error(0, i, f, "unknown-unit",
                               f"{column_letter(i)} 列“{cell.strip()}”的单位“{unit}”"
                               f"无法换算为{self.site_unit}；可用的单位：元、万元、亿元")
                    continue
            if f in seen:
                self.error(0, i, f, "duplicate-column",
                           f"{column_letter(seen[f].index)} 列和 {column_letter(i)} 列都对应 {f}"
                           f"（“{seen[f].header}”“{cell.strip()}”）；在 site.yaml 的 ledger.columns "
                           "中把其中一列设为 ignore")
                continue
            col = Column(i, cell.strip(), f, unit)
            seen[f] = col
            out.append(col)
        if "name" not in seen and "id" not in seen:
            self.error(0, None, "name", "no-name-column",
                       f"第 {header_row} 行的表头中没有“项目名称”列，无法对应到项目")
        return out, depth

    def row(self, n: int, cells: list[str | None], columns: list[Column]) -> LedgerRow | None:
        text = {c.field: (cells[c.index] or "").strip() if c.index < len(cells) else ""
                for c in columns}
        if not any(c and c.strip() for c in cells):
            return None  # a blank row
        label = normalize(text.get("name") or "")
        firsts = [normalize(c) for c in cells[:3] if c and c.strip()]
        if any(_TOTAL.search(t) for t in firsts + [label]) or _SECTION.match(label):
            return None  # a total, subtotal or section heading
        values: dict[str, Any] = {}
        ok = True
        for c in columns:
            raw = text[c.field]
            if c.field in ("id", "name") or normalize(raw) in _EMPTY:
                continue
            if c.field in MONEY_FIELDS:
                d = _number(raw)
                where = f"{column_letter(c.index)}{n}"
                if d is None:
                    ok = False
                    self.error(n, c.index, c.field, "bad-number",
                               f"{where}“{raw}”不是数字；台账中只写数字，单位写在表头（如“{c.header}”）")
                elif d < 0:
                    ok = False
                    self.error(n, c.index, c.field, "bad-number", f"{where} 的 {raw} 是负数")
                else:
                    values[c.field] = to_unit(d, c.unit or self.site_unit, self.site_unit)
            elif c.field == "stage":
                stage = _stage(raw)
                if stage is None:
                    ok = False
                    labels = "、".join(a[0] for a in V.STAGES.values())
                    self.error(n, c.index, "stage", "bad-stage",
                               f"{column_letter(c.index)}{n}“{raw}”不是阶段；可用：{labels}")
                else:
                    values["stage"] = stage
            else:
                values[c.field] = raw
        rid, name = text.get("id") or None, text.get("name") or None
        if rid is None and name is None:
            if values:
                self.error(n, None, "name", "no-name", f"第 {n} 行有数据但没有项目名称，无法对应到项目")
            return None
        return LedgerRow(n, rid, name, values) if ok else None


def _stage(text: str) -> str | None:
    t = normalize(text)
    for canon, aliases in V.STAGES.items():
        if t == canon or t in aliases:
            return canon
    return None


def read_ledger(path: Path, config: LedgerConfig | None = None, site_unit: str = "亿元",
                sheet: str | None = None, shown: str | None = None) -> Ledger:
    """Read `path` (.xlsx or .csv) into rows; problems instead of exceptions."""
    shown = shown or str(path)
    r = _Reader(shown, config, site_unit)
    sheet = sheet or (config.sheet if config else None)
    try:
        sheet_name, table = read_table(path, sheet)
    except SheetError as err:
        return Ledger(shown, sheet, 0, (), (), (Problem(shown, 0, 0, (), err.code, str(err)),))
    header_row = r.find_header(table)
    if not header_row:
        known = "、".join(["项目名称", "本年完成投资", "累计完成投资", "年度计划投资", "形象进度"])
        r.error(0, None, "", "no-header",
                f"前 {_SCAN_ROWS} 行中找不到表头（至少要有两个已知表头，如 {known}）；"
                "可在 site.yaml 的 ledger.header_row 和 ledger.columns 中指定")
        return Ledger(shown, sheet_name, 0, (), (), tuple(r.problems))
    columns, depth = r.header_columns(table, header_row)
    rows = []
    if not any(p.line == 0 for p in r.problems):
        first = header_row + depth - 1  # the last header row
        for n, cells in enumerate(table[first:], start=first + 1):
            row = r.row(n, cells, columns)
            if row is not None:
                rows.append(row)
    return Ledger(shown, sheet_name, header_row, tuple(columns), tuple(rows), tuple(r.problems),
                  frozenset(r.bad_rows))
