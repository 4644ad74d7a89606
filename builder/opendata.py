"""Open data: CSV (UTF-8 with BOM, for Excel) and JSON of every figure, with provenance.

Figures are in long form, one row per figure, each row carrying its record,
period, as-of date, unit, bound (lower/upper/approx), kind
(actual/target/projection) and source, so a journalist can filter and never
mistake a target for an achievement. Text cells that a spreadsheet would run
as a formula (= + - @) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
from decimal import Decimal
from typing import Any, Iterable

from .derive import Derived
from .i18n import Catalog
from .numbers import Figure, FigureSpec
from .schema import SCHEMA_FILES, dump, json_schemas

__all__ = ["data_files", "data_files_apart", "adopt", "dictionary", "DATASETS"]

DATASETS = ("projects", "progress", "reports", "rankings", "campaigns", "indicators")
_FIELDS = {
    "projects": ["id", "name", "region", "levels", "sector", "build_type", "stage", "status_text",
                 "total_investment", "total_investment_bound", "total_investment_kind", "unit",
                 "sources"],
    "progress": ["project", "month", "completed_ytd", "completed_cumulative", "unit", "image_progress"],
    "reports": ["region", "key", "scope", "category", "basis", "year", "period", "as_of", "as_of_note",
                "figure", "value", "unit", "bound", "kind", "source"],
    "rankings": ["region", "key", "evaluation", "year", "period_note", "peer_group", "rank", "of",
                 "source"],
    "campaigns": ["campaign", "region", "round", "period", "as_of", "batch", "batch_round", "figure",
                  "value", "unit", "bound", "kind", "source"],
    "indicators": ["record", "key", "label", "category", "target_or_actual", "year", "period",
                   "as_of", "value", "unit", "bound", "kind", "source"],
}
_SORTED = {name: sorted(fields) for name, fields in _FIELDS.items()}

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(v: Any) -> Any:
    # Most cells are text, decimals or nothing: those are tested first (1.6 M cells at 5,000
    # projects, twice each with `_json`).
    tp = type(v)
    if tp is str:
        return "'" + v if v[:1] in _FORMULA else v  # neutralised against formula injection
    if tp is Decimal:
        return format(v, "f")
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return _cell(";".join(str(x) for x in v))
    if isinstance(v, str):
        return _cell(str(v))
    return v if not hasattr(v, "isoformat") else v.isoformat()


def _json(v: Any) -> Any:
    tp = type(v)
    if tp is str or v is None or tp is int:
        return v
    if tp is Decimal or isinstance(v, Decimal):
        return float(v) if v == v.to_integral_value() and abs(v) < 2 ** 53 else format(v, "f")
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, tuple):
        return list(v)
    return v


def _src(d: Derived, s: Any) -> str:
    if s is None:
        return ""
    if isinstance(s, str):
        src = (d.content.site.sources or {}).get(s)
        return src.title if src else s
    return s.title


def _fig_rows(base: dict, record: Any, unit_for, d: Derived, source: Any) -> Iterable[dict]:
    for f in dataclasses.fields(record):
        if not isinstance(f.metadata.get("spec"), FigureSpec):
            continue
        fig = getattr(record, f.name)
        if isinstance(fig, Figure):
            yield {**base, "figure": f.name, "value": fig.value, "unit": fig.unit or unit_for(f.name),
                   "bound": fig.bound or "", "kind": fig.kind, "source": _src(d, source)}


def _unit(money: str):
    def unit_for(name: str) -> str:
        if name.endswith("_pct"):
            return "%"
        if name.endswith("_pp"):
            return "pp"
        if name in ("project_count", "landed_count", "count", "advanced", "started_count",
                    "finished_count", "target_met_months_early", "collected", "resolved"):
            return ""
        return money
    return unit_for


Rows = dict[str, list[dict]]


def _project_rows(d: Derived, pid: str, unit_for) -> Rows:
    money = d.content.site.money_unit
    out: Rows = {"projects": [], "progress": [], "indicators": []}
    p = d.projects[pid].project
    t = p.total_investment
    out["projects"].append({
        "id": pid, "name": p.name, "region": p.region, "levels": p.levels, "sector": p.sector,
        "build_type": p.build_type, "stage": p.stage, "status_text": p.status_text,
        "total_investment": t.value if t else None, "total_investment_bound": t.bound if t else None,
        "total_investment_kind": t.kind if t else None, "unit": (t.unit if t else None) or money,
        "sources": [_src(d, s) for s in p.sources]})
    for e in sorted(p.progress, key=lambda e: e.month):
        out["progress"].append({"project": pid, "month": e.month, "completed_ytd": e.completed_ytd,
                                "completed_cumulative": e.completed_cumulative, "unit": money,
                                "image_progress": e.image_progress})
    for x in p.indicators:
        out["indicators"].append(_indicator(d, f"project:{pid}", x, "indicator"))
    return out


def _region_rows(d: Derived, rid: str, unit_for) -> Rows:
    out: Rows = {"reports": [], "rankings": [], "indicators": []}
    r = d.regions[rid].region
    for rep in r.reports:
        base = {"region": rid, "key": rep.key, "scope": rep.scope, "category": rep.category,
                "basis": rep.basis, "year": rep.year, "period": rep.period, "as_of": rep.as_of,
                "as_of_note": rep.as_of_note}
        out["reports"].extend(_fig_rows(base, rep, unit_for, d, rep.source))
        for name, g in sorted((rep.yoy_pct or {}).items()):
            out["reports"].append({**base, "figure": f"yoy_pct.{name}", "value": g.value, "unit": "%",
                                   "bound": g.bound or "", "kind": g.kind, "source": _src(d, rep.source)})
    for x in r.rankings:
        out["rankings"].append({"region": rid, "key": x.key, "evaluation": x.evaluation,
                                "year": x.year, "period_note": x.period_note,
                                "peer_group": x.peer_group, "rank": x.rank, "of": x.of,
                                "source": _src(d, x.source)})
    for x in r.targets:
        out["indicators"].append(_indicator(d, f"region:{rid}", x, "target"))
    for x in r.indicators:
        out["indicators"].append(_indicator(d, f"region:{rid}", x, "indicator"))
    return out


def _campaign_rows(d: Derived, cid: str, unit_for) -> Rows:
    c = d.campaigns[cid].campaign
    out: Rows = {"campaigns": []}
    base = {"campaign": cid, "region": c.region, "round": c.round, "period": c.period,
            "as_of": c.as_of}
    if c.totals:
        out["campaigns"].extend(_fig_rows({**base, "batch": "totals"}, c.totals, unit_for, d, c.source))
    for b in c.batches:
        out["campaigns"].extend(_fig_rows({**base, "batch": b.batch, "batch_round": b.round},
                                          b, unit_for, d, c.source))
    return out


#: Each record's encoded rows, kept by a long-running caller (`Session`) between
#: builds: (kind, id) -> (record, site, {dataset: (CSV bytes, JSON lines' bytes)}).
#: Bytes, so that a build joins bytes and never encodes 20 MB of text again; and
#: ("", "") -> (records, site, the files), so that it joins only the datasets an edit touched.
DataMemo = dict[tuple[str, str], tuple[Any, Any, dict[str, Any]]]


def _encode(rows: Rows) -> dict[str, tuple[bytes, bytes]]:
    out = {}
    for name, items in rows.items():
        if not items:
            continue
        buf = io.StringIO()
        fields = _FIELDS[name]
        csv.writer(buf, lineterminator="\r\n").writerows(
            [[_cell(row.get(k)) for k in fields] for row in items])
        keys = _SORTED[name]
        lines = ",\n".join(_ENCODE({k: _json(row.get(k)) for k in keys}) for row in items)
        out[name] = (buf.getvalue().encode("utf-8"), lines.encode("utf-8"))
    return out


def _indicator(d: Derived, record: str, x: Any, what: str) -> dict:
    return {"record": record, "key": x.key, "label": x.label, "category": x.category,
            "target_or_actual": what, "year": x.year, "period": x.period or x.period_note,
            "as_of": x.as_of, "value": x.value.value, "unit": x.unit, "bound": x.value.bound or "",
            "kind": x.value.kind, "source": _src(d, x.source)}


def data_files(d: Derived, memo: DataMemo | None = None) -> dict[str, bytes]:
    """{route: bytes} for every download under data/.

    With a `memo`, a record whose object is the one encoded last time (the
    validate cache hands back the same object for an unchanged file) is not
    encoded again: one edit re-encodes one record's rows, not the site's.
    """
    site = d.content.site
    unit_for = _unit(site.money_unit)
    memo = {} if memo is None else memo
    last = memo.pop(_FILES, None)  # the files made last time: a dataset no record changed is reused
    seen = set()
    dirty: set[str] = set()
    parts: dict[str, tuple[list[bytes], list[bytes]]] = {k: ([], []) for k in DATASETS}
    for kind, ids, record, rows in (
            ("project", d.projects, lambda i: d.projects[i].project, _project_rows),
            ("region", d.regions, lambda i: d.regions[i].region, _region_rows),
            ("campaign", d.campaigns, lambda i: d.campaigns[i].campaign, _campaign_rows)):
        for rid in ids:
            rec = record(rid)
            hit = memo.get((kind, rid))
            if hit is None or hit[0] is not rec or hit[1] is not site:
                dirty.update(hit[2] if hit is not None else DATASETS)
                hit = (rec, site, _encode(rows(d, rid, unit_for)))
                memo[kind, rid] = hit
                dirty.update(hit[2])
            seen.add((kind, rid))
            for name, (csv_bytes, json_lines) in hit[2].items():
                parts[name][0].append(csv_bytes)
                parts[name][1].append(json_lines)
    for gone in set(memo) - seen:
        dirty.update(memo.pop(gone)[2])
    if last is None or last[1] is not site or len(seen) != last[0]:
        dirty = set(DATASETS)  # records added or removed move the others' rows
    files: dict[str, bytes] = {}
    for name in DATASETS:
        if name not in dirty and last is not None:
            files[f"data/{name}.csv"] = last[2][f"data/{name}.csv"]
            files[f"data/{name}.json"] = last[2][f"data/{name}.json"]
            continue
        csv_parts, json_parts = parts[name]
        header = ("\ufeff" + ",".join(_FIELDS[name]) + "\r\n").encode("utf-8")
        files[f"data/{name}.csv"] = b"".join([header, *csv_parts])  # (one copy of ~10 MB)
        # One row a line: readable and diffable, and json's C encoder (which
        # `indent=` would switch off) does the work in a tenth of the time.
        files[f"data/{name}.json"] = (b",\n".join([b"[\n" + json_parts[0], *json_parts[1:-1],
                                                  json_parts[-1] + b"\n]\n"])
                                      if len(json_parts) > 1 else
                                      b"[\n" + json_parts[0] + b"\n]\n" if json_parts else b"[]\n")
    files.update(_schema_files())
    memo[_FILES] = (len(seen), site, files)
    return files


_FILES = ("", "")  # the memo's entry for the last files, beside the records' ones


def data_files_apart(d: Derived, rows: bool = True
                     ) -> tuple[dict[str, bytes], dict[tuple[str, str], Any]]:
    """`data_files` made in another process (`apart`): the files, and (`rows`) each
    record's encoded rows for `adopt` (the records themselves stay where they are)."""
    memo: DataMemo = {}
    files = data_files(d, memo)
    return files, {k: v[2] for k, v in memo.items() if k != _FILES} if rows else {}


def adopt(d: Derived, memo: DataMemo, files: dict[str, bytes],
          encoded: dict[tuple[str, str], Any]) -> None:
    """Fill `memo` from what `data_files_apart` sent, with this process's records."""
    site = d.content.site
    record = {"project": lambda i: d.projects[i].project, "region": lambda i: d.regions[i].region,
              "campaign": lambda i: d.campaigns[i].campaign}
    memo.clear()
    for (kind, rid), enc in encoded.items():
        memo[kind, rid] = (record[kind](rid), site, enc)
    memo[_FILES] = (len(encoded), site, files)


@functools.lru_cache(maxsize=1)
def _schema_files() -> dict[str, bytes]:
    """The JSON Schemas: the same for every site, so made once per process."""
    return {f"data/schema/{SCHEMA_FILES[kind]}": dump(schema).encode("utf-8")
            for kind, schema in json_schemas().items()}


def dictionary(t: Catalog) -> list[dict]:
    """The data dictionary: every dataset's columns, explained."""
    return [{"name": name, "csv": f"{name}.csv", "json": f"{name}.json",
             "title": t.t(f"data.set.{name}"),
             "columns": [{"name": c, "text": t.t(f"data.col.{c}")} for c in cols]}
            for name, cols in _FIELDS.items()]
