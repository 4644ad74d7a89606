"""The raw grid of a ledger file: every cell as text, numbers as the sheet shows them.

`.xlsx` is read with openpyxl (read-only, cached formula values), because it
gives each cell's number format: a cell formatted `0.00` that holds
`1.5` or the float `0.30000000000000004` is published as `1.50` or `0.30`,
so the figure imported is the figure the office sees. (python-calamine is
faster but returns bare floats without formats.) A `.csv` is decoded as
UTF-8 (with or without BOM), then GB18030 (a superset of GBK, what Chinese
Excel saves), or UTF-16 when it starts with that BOM ("Unicode text").
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

__all__ = ["SheetError", "read_table", "decode", "cell_text", "format_decimals"]

Table = list[list[str | None]]
MAX_BYTES = 50 * 1024 * 1024


class SheetError(Exception):
    """The file as a whole cannot be read; `code` is the Problem code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def decode(raw: bytes) -> str:
    """The text of a CSV file in one of the encodings Chinese offices save."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("encoding", "无法识别文件编码：请另存为 UTF-8 或 GB18030/GBK 编码的 CSV，或 .xlsx")


def format_decimals(fmt: str | None) -> tuple[int, int] | None:
    """(fewest, most) decimals a number format shows; None for General or percent."""
    if not fmt or fmt.lower() == "general":
        return None
    section = fmt.split(";")[0]
    section = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", section)
    if "%" in section or "e" in section.lower():
        return None
    m = re.search(r"\.([0#?]+)", section)
    if m:
        return m[1].count("0"), len(m[1])
    return (0, 0) if re.search(r"[0#?]", section) else None


def cell_text(value: object, fmt: str | None = None) -> str | None:
    """A cell's value as text; a number as its format shows it (Excel's 15 digits)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()[:10] if not isinstance(value, _dt.datetime) or not (
            value.hour or value.minute or value.second) else value.isoformat()
    if isinstance(value, (int, float)):
        d = Decimal(value) if isinstance(value, int) else Decimal(format(value, ".15g"))
        places = format_decimals(fmt)
        if places is not None:
            fewest, most = places
            d = d.quantize(Decimal(1).scaleb(-most), rounding=ROUND_HALF_UP)
            while -d.as_tuple().exponent > fewest and d.as_tuple().digits[-1] == 0:
                d = d.quantize(Decimal(1).scaleb(d.as_tuple().exponent + 1))
        return format(d, "f")
    return str(value)


def _xlsx(path: Path, sheet: str | None) -> tuple[str, Table]:
    from openpyxl import load_workbook  # only when a spreadsheet is read

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # a damaged or mislabelled file fails deep inside openpyxl
        raise _unreadable(err) from None
    try:
        names = wb.sheetnames
        if sheet is not None and sheet not in names:
            raise SheetError("no-sheet", f"没有名为“{sheet}”的工作表；可用：{'、'.join(names)}")
        name = sheet if sheet is not None else names[0]
        table: Table = []
        for cells in wb[name].iter_rows():
            table.append([cell_text(c.value, getattr(c, "number_format", None)) for c in cells])
        return name, table
    except SheetError:
        raise
    except Exception as err:  # damaged sheet XML
        raise _unreadable(err) from None
    finally:
        wb.close()


def _unreadable(err: Exception) -> SheetError:
    return SheetError("unreadable", f"无法读取此 Excel 文件（{err.__class__.__name__}）；"
                      "请用 Excel 或 WPS 另存为 .xlsx 或 .csv 后再导入")


def _csv(raw: bytes) -> Table:
    text = decode(raw)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [[c if c != "" else None for c in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as err:
        raise SheetError("unreadable", f"CSV 格式有误：{err}") from None


def read_table(path: Path, sheet: str | None = None) -> tuple[str | None, Table]:
    """(sheet name or None, rows of cells) of a ledger file."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise SheetError("format", "不支持旧版 .xls 文件：请在 Excel 或 WPS 中另存为 .xlsx 或 .csv")
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt", ".tsv"):
        raise SheetError("format", f"不支持 {suffix or '无扩展名'} 文件：台账须为 .xlsx 或 .csv")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SheetError("too-large", f"文件有 {size:,} 字节，超过 {MAX_BYTES:,} 字节的上限")
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx(path, sheet)
        return None, _csv(path.read_bytes())
    except OSError as err:
        raise SheetError("unreadable", f"无法读取：{err.strerror or err}") from None
