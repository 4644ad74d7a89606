"""The two Markdown extensions of a bulletin body, found with their line numbers.

- A fenced block whose info string is `chart` holds YAML naming a chart kind
  and its parameters::

      ```chart
      kind: plan_vs_schedule
      region: zhoukou
      report: 2023-q1
      ```

- An inline figure reference, rendered with its unit and linked to its record::

      {{ figure zhoukou 2022 completed }}            region, item key, field
      {{ figure project:zhongxin-taikang total_investment }}
      {{ figure campaign:wugang-2021 sign rate }}    campaign, batch, field

Both are found here and checked in `validate`; references are resolved in
the cross-record pass, because their targets live in other files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ._yaml import parse_yaml
from .errors import Problem
from .fields import BAD, Ctx, Record, field
from .messages import Msg
from .numbers import Year
from .scalars import Choice, Ref, Slug, Text

__all__ = ["ChartBlock", "FigureRef", "scan_body", "CHART_KINDS"]

#: Chart kinds and the parameters each one needs.
CHART_KINDS: dict[str, tuple[str, ...]] = {
    "plan_vs_schedule": ("region",),
    "ranking": ("region",),
    "stage_funnel": ("region",),
    "campaign": ("campaign",),
    "project_progress": ("project",),
    "sector_investment": ("region",),
    "problems": ("region",),
}


@dataclass(frozen=True, kw_only=True)
class ChartBlock:
    """A ```chart block: which chart, for what."""

    kind: str = field(Choice({k: () for k in CHART_KINDS}, "chart kind"), "图表类型", "chart kind",
                      required=True)
    region: Optional[str] = field(Ref("region"), "地区", "region")
    project: Optional[str] = field(Ref("project"), "项目", "project")
    campaign: Optional[str] = field(Ref("campaign"), "三个一批", "campaign")
    report: Optional[str] = field(Slug(), "汇总数据 key", "report key")
    year: Optional[int] = field(Year(), "年度", "year")
    title: Optional[str] = field(Text(200), "标题", "title")
    caption: Optional[str] = field(Text(500), "说明", "caption")
    line: int = 0  # where the block starts in the Markdown file


@dataclass(frozen=True)
class FigureRef:
    """`{{ figure TARGET [KEY] FIELD }}` at a line and column of the body."""

    line: int
    column: int
    kind: str  # region | project | campaign
    target: str
    key: Optional[str]
    name: str
    raw: str


_REF = re.compile(r"\{\{\s*figure\b([^}]*)\}\}")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
_HTML_IMG = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.I)
_OPEN_REF = re.compile(r"\{\{\s*figure\b")
_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})\s*([\w-]*)")
_RECORD = Record(ChartBlock)


_REGION_FORM = ("{{ figure REGION KEY FIELD }}", "{{ figure zhoukou 2022 completed }}")


def _parse_ref(args: list[str]) -> tuple[str, str, str | None, str] | str:
    """(kind, target, key, field), or the message saying what is wrong (a str)."""
    if not args:
        return Msg("ref.form", form=_REGION_FORM[0], example=_REGION_FORM[1])
    head = args[0]
    kind, _, target = head.partition(":") if ":" in head else ("region", "", head)
    if kind not in ("region", "project", "campaign") or not target:
        return Msg("ref.not_record", head=head)
    rest = args[1:]
    if kind == "project":
        if len(rest) != 1:
            return Msg("ref.form", form="{{ figure project:ID FIELD }}",
                       example="{{ figure project:x total_investment }}")
        return kind, target, None, rest[0]
    if kind == "campaign" and len(rest) == 1:
        return kind, target, None, rest[0]
    if len(rest) != 2:
        return (Msg("ref.form", form=_REGION_FORM[0], example=_REGION_FORM[1]) if kind == "region"
                else Msg("ref.form_only", form="{{ figure campaign:ID [BATCH] FIELD }}"))
    return kind, target, rest[0], rest[1]


def scan_body(body: str, first_line: int, path: str, lines: tuple[str, ...]
              ) -> tuple[list[ChartBlock], list[FigureRef], list[Problem], list[tuple]]:
    """Chart blocks, figure references, problems and record references in a body.

    `first_line` is the file line of the body's first line.
    """
    charts: list[ChartBlock] = []
    refs: list[FigureRef] = []
    problems: list[Problem] = []
    record_refs: list[tuple] = []
    body_lines = body.split("\n")
    i = 0
    while i < len(body_lines):
        line = body_lines[i]
        m = _FENCE.match(line)
        if m:
            fence, info = m[2], m[3]
            end = next((j for j in range(i + 1, len(body_lines))
                        if body_lines[j].strip().startswith(fence[0] * len(fence))
                        and not body_lines[j].strip().strip(fence[0])), None)
            start_line = first_line + i
            if end is None:
                problems.append(Problem(path, start_line, 1, (), "unclosed-fence",
                                        Msg("body.unclosed_fence", fence=fence), "error", line))
                break
            if info == "chart":
                block_text = "\n".join(body_lines[i + 1:end])
                doc, probs = parse_yaml(block_text, path, lines, line_offset=start_line)
                if doc is None and [p.code for p in probs] == ["empty"]:
                    probs = [Problem(path, start_line, 1, (), "empty", Msg("chart.empty"),
                                     "error", line)]
                problems.extend(probs)
                if doc is not None:
                    ctx = Ctx(doc)
                    block = _RECORD.coerce(doc.data, (), ctx)
                    problems.extend(ctx.problems)
                    if block is not BAD:
                        need = [p for p in CHART_KINDS[block.kind] if getattr(block, p) is None]
                        for p in need:
                            problems.append(doc.problem((), "missing", Msg(
                                "chart.needs", kind=block.kind, field=p)))
                        if not need:
                            charts.append(_with_line(block, start_line))
                        for fpath, kind, target in ctx.refs:
                            ln, col = doc.position(fpath)
                            record_refs.append((fpath, kind, target, ln, col))
                        if block.report is not None and block.region is not None:
                            ln, col = doc.position(("report",))
                            record_refs.append((("report",), "report",
                                                f"{block.region}/{block.report}", ln, col))
            i = end + 1
            continue
        for rm in _REF.finditer(line):
            col = rm.start() + 1
            parsed = _parse_ref(rm[1].split())
            if isinstance(parsed, str):
                problems.append(Problem(path, first_line + i, col, (), "bad-reference",
                                        Msg("ref.at", raw=rm[0], problem=parsed), "error", line))
            else:
                refs.append(FigureRef(first_line + i, col, *parsed, rm[0]))
        for im in list(_IMAGE.finditer(line)) + list(_HTML_IMG.finditer(line)):
            url = im[1]
            col = im.start(1) + 1
            if not url.startswith("media/") or ".." in url or "\\" in url or "%" in url:
                problems.append(Problem(path, first_line + i, col, (), "bad-image",
                                        Msg("body.bad_image", url=url), "error", line))
            else:
                record_refs.append(((), "media", url[len("media/"):], first_line + i, col))
        unclosed = [o for o in _OPEN_REF.finditer(line)
                    if not any(r.start() == o.start() for r in _REF.finditer(line))]
        for o in unclosed:
            problems.append(Problem(path, first_line + i, o.start() + 1, (), "bad-reference",
                                    Msg("ref.unclosed", open="{{", close="}}"), "error", line))
        i += 1
    return charts, refs, problems, record_refs


def _with_line(block: ChartBlock, line: int) -> ChartBlock:
    from dataclasses import replace
    return replace(block, line=line)
